//! The local dev provider: the embedded default, for running a function on your laptop.
//!
//! [`serve`] starts an HTTP server (127.0.0.1:8080 unless `HOST`/`PORT` say otherwise) where
//! every method and path becomes an [`Event::Http`](crate::Event::Http), and blobs live in a
//! local directory. Non-HTTP events are fired at the running function by POSTing their
//! [canonical JSON](crate::canonical) to the reserved path `/_polyfaas/events`:
//!
//! ```text
//! curl -X POST localhost:8080/_polyfaas/events \
//!      -d '{"kind":"message","id":"1","source":"orders","body_base64":"aGk="}'
//! ```
//!
//! The answer is the handler's response; a handler error or panic gives 500, a missed deadline
//! 504, a malformed event 400 and an oversized body 413, each with a JSON body
//! `{"error": {"type": "...", "message": "..."}}`. The server keeps serving either way.
//!
//! Environment (see [`LocalConfig::from_env`]): `HOST`, `PORT`, `POLYFAAS_BODY_LIMIT`,
//! `POLYFAAS_BLOB_DIR`, `POLYFAAS_TIMEOUT`, `POLYFAAS_FUNCTION_NAME`, and `RUST_LOG` for logs.

mod config;
mod server;

pub use config::LocalConfig;
pub use server::{serve, serve_on};
