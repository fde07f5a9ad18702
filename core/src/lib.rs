//! The provider-neutral core of [polyfaas]: write a serverless function once, run it on AWS
//! Lambda, Google Cloud Functions, Azure Functions, Apache OpenWhisk or your laptop.
//!
//! Applications depend on the `polyfaas` crate, which re-exports what they use from here and
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
//! # async fn demo() -> Result<(), Error> {
//! // A shim hands every decoded event to the one invocation skeleton:
//! let invoker = polyfaas_core::Invoker::builder(polyfaas_core::Provider::LOCAL, handler_fn(handle)).build();
//! let outcome = invoker.invoke(Event::Invoke(serde_json::json!({})), polyfaas_core::Invocation::new()).await;
//! # let _ = outcome; Ok(()) }
//! ```
//!
//! The pieces, one module each:
//! - [`Event`] and its payloads ([`Request`], [`BlobEvent`], [`Message`], [`Tick`]);
//!   [`canonical`] is their one JSON form.
//! - [`Response`], [`Context`] (with typed platform [`Extra`]s), [`Error`], [`BadInput`].
//! - [`Handler`], made with [`handler_fn`] or [`from_service`] (an axum `Router` unchanged);
//!   [`layer`]: middleware around any handler.
//! - [`Invoker`]: the one invocation skeleton every shim calls (context, deadline, panics,
//!   scratch files, logging, classifying the outcome as a response or a [`Failure`]).
//! - [`Platform`]: what a platform crate implements so `polyfaas::run` can select it.
//! - [`blob`]: the [`BlobStore`](blob::BlobStore) trait, the [`Blobs`](blob::Blobs) handle and
//!   the backends.
//! - [`shim`]: what only platform shims need; `server`: the HTTP server loop the local, Google
//!   Cloud and Azure shims share (feature `server`).
//!
//! [polyfaas]: https://example.invalid/polyfaas

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod blob;
pub mod canonical;
mod context;
mod error;
mod event;
mod extras;
mod handler;
mod invoke;
pub mod layer;
mod output;
pub mod platform;
mod provider;
mod response;
mod scratch;
#[cfg(feature = "server")]
pub mod server;
pub mod shim;
mod shutdown;

pub use context::{Context, ContextBuilder};
pub use error::{BadInput, BoxError, Error, StartupError};
pub use event::{
    AuthRequest, Authorization, BlobChange, BlobEvent, Change, ChangeOp, Event, Message, Request,
    RequestExt, SourceIp, Tick,
};
pub use extras::{Extra, Extras};
pub use handler::{
    from_service, handler_fn, typed_fn, Handler, HandlerFn, ServiceHandler, TypedFn, EVENTS_PATH,
};
pub use invoke::{
    Failure, FailureKind, Invocation, Invoker, InvokerBuilder, DEFAULT_RESPONSE_LIMIT,
    PANIC_MESSAGE,
};
pub use output::{Output, Outputs};
pub use platform::Platform;
pub use provider::Provider;
pub use response::{BodyStream, Response, StreamError};
pub use shutdown::Shutdown;

impl From<BoxError> for Error {
    fn from(error: BoxError) -> Self {
        Error::Handler(error)
    }
}
