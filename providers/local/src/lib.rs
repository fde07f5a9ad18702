//! The local dev provider of polyfaas: run a function on your laptop, with nothing installed.
//!
//! [`serve`] starts an HTTP server (127.0.0.1:8080 unless `HOST`/`PORT` say otherwise) where
//! every method and path becomes an [`Event::Http`](polyfaas_core::Event::Http), and blobs live
//! in a local directory. Non-HTTP events are fired at the running function by POSTing their
//! [canonical JSON](polyfaas_core::canonical) to the reserved path `/_polyfaas/events`:
//!
//! ```text
//! curl -X POST localhost:8080/_polyfaas/events \
//!      -d '{"kind":"message","id":"1","source":"orders","body_base64":"aGk="}'
//! ```
//!
//! The answer is the handler's response; a handler error or panic gives 500, a missed deadline
//! 504, a malformed event 400 and an oversized body 413, each with a JSON body
//! `{"error": {"type": "...", "message": "..."}}` (a panic's text stays in the log). The server
//! keeps serving either way.
//!
//! Applications don't call this crate: `polyfaas::run(handler)` lands here when no platform
//! is detected. To serve on a port of your own choosing in a test:
//!
//! ```no_run
//! use polyfaas_core::{handler_fn, Context, Error, Event, Response};
//! use polyfaas_local::{serve_on, LocalConfig};
//!
//! # async fn demo() -> Result<(), Error> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let handler = handler_fn(|_e: Event, _c: Context| async { Ok::<_, Error>(Response::text("hi")) });
//! serve_on(listener, handler, LocalConfig::from_env()?, std::future::pending()).await
//! # }
//! ```
//!
//! Environment (see [`LocalConfig::from_env`]): `HOST`, `PORT`, `POLYFAAS_BODY_LIMIT`,
//! `POLYFAAS_BLOB_DIR`, `POLYFAAS_BLOB_URL`, `POLYFAAS_TIMEOUT`, `POLYFAAS_FUNCTION_NAME`,
//! `POLYFAAS_RECORD_DIR` (every event received is written there, in the
//! [record format](polyfaas_core::canonical::record), before it is handled), and `RUST_LOG` for
//! logs.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod config;
mod record;
mod server;

use std::sync::Arc;

use polyfaas_core::platform::RunFuture;
use polyfaas_core::{Handler, Platform, Provider, Shutdown};

pub use config::{LocalConfig, DEFAULT_BODY_LIMIT};
pub use server::{serve, serve_on};

/// The local dev provider as a [`Platform`]: never detected (it is what `polyfaas::run` falls
/// back to when no platform started the process).
#[derive(Clone, Copy, Debug, Default)]
pub struct Local;

impl Platform for Local {
    fn provider(&self) -> Provider {
        Provider::LOCAL
    }

    fn detected(&self) -> bool {
        false
    }

    fn run(&self, handler: Arc<dyn Handler>, shutdown: Shutdown) -> RunFuture {
        Box::pin(async move {
            polyfaas_core::shim::init_logging();
            // `serve` returns on Ctrl-C or SIGTERM, once the requests in flight have finished.
            serve(handler, LocalConfig::from_env()?).await?;
            shutdown.run().await;
            Ok(())
        })
    }
}
