//! The provider-neutral core of [polyfaas]: write a serverless function once, run it on AWS
//! Lambda, Google Cloud Functions, Azure Functions, Apache OpenWhisk or your laptop.
//!
//! Applications normally depend on the `polyfaas` crate, which re-exports everything here and
//! adds `polyfaas::run`. Platform shims depend on this crate directly.
//!
//! ```no_run
//! use polyfaas_core::{handler_fn, Context, Error, Event, Response, RequestExt};
//!
//! async fn handle(event: Event, ctx: Context) -> Result<Response, Error> {
//!     match event {
//!         Event::Http(req) => Ok(Response::text(format!("hello from {}", req.decoded_path()))),
//!         Event::Blob(blob) if blob.is_created() => {
//!             let path = blob.local_path(&ctx).await?; // a real file, on every platform
//!             let size = tokio::fs::metadata(path).await?.len();
//!             ctx.blobs().put(&format!("sizes/{}", blob.key()), size.to_string()).await?;
//!             Ok(Response::ok())
//!         }
//!         other => Response::json(&serde_json::json!({ "ignored": other.kind() })),
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     polyfaas_core::init_tracing();
//!     polyfaas_core::local::serve(handler_fn(handle), polyfaas_core::local::LocalConfig::from_env()?).await
//! }
//! ```
//!
//! The pieces, one module each:
//! - [`Event`] and its payloads ([`Request`], [`BlobEvent`], [`Message`], [`Tick`]);
//!   [`canonical`] is their one JSON form.
//! - [`Response`], [`Context`], [`Error`].
//! - [`Handler`], made with [`handler_fn`] or [`from_service`] (an axum `Router` unchanged).
//! - [`invoke`]: the one invocation path every shim calls (deadline, panics, scratch files).
//! - [`blob`]: the [`BlobStore`](blob::BlobStore) trait, the [`Blobs`](blob::Blobs) handle and
//!   the local-directory and memory backends.
//! - [`local`]: the local dev provider (feature `local`, on by default).
//! - [`server`]: the HTTP server loop the local and Google Cloud shims share (feature `server`).
//!
//! [polyfaas]: https://example.invalid/polyfaas

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod blob;
pub mod canonical;
mod context;
mod error;
mod event;
mod handler;
mod invoke;
#[cfg(feature = "local")]
pub mod local;
mod logging;
mod response;
mod scratch;
#[cfg(feature = "server")]
pub mod server;
pub mod uri;

pub use context::{Context, ContextBuilder, Provider};
pub use error::{BoxError, Error};
pub use event::{BlobChange, BlobEvent, Event, Message, Request, RequestExt, SourceIp, Tick};
pub use handler::{from_service, handler_fn, Handler, HandlerFn, ServiceHandler, EVENTS_PATH};
pub use invoke::invoke;
pub use logging::init_tracing;
pub use response::Response;

impl From<BoxError> for Error {
    fn from(error: BoxError) -> Self {
        Error::Handler(error)
    }
}
