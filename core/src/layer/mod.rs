//! Middleware: any [`Handler`](crate::Handler) wrapped in layers, the same on every platform.
//!
//! A layer is a [`tower::Layer`] whose service is a handler. Write one with [`from_fn`] (an
//! async fn that gets the event, the context and the rest of the stack as [`Next`]), or
//! implement `tower::Layer` for a type of your own. Stack several with `tower::ServiceBuilder`.
//!
//! ```
//! use polyfaas_core::layer::{from_fn, Layer, Next, ServiceBuilder};
//! use polyfaas_core::{handler_fn, Context, Error, Event, Response};
//!
//! /// Refuses HTTP requests without the right `x-api-key`, on every platform.
//! async fn require_key(event: Event, ctx: Context, next: Next) -> Result<Response, Error> {
//!     if let Event::Http(req) = &event {
//!         if req.headers().get("x-api-key").is_none_or(|k| k != "s3cret") {
//!             return Ok(Response::text("missing or wrong API key")
//!                 .with_status(http::StatusCode::UNAUTHORIZED));
//!         }
//!     }
//!     next.run(event, ctx).await
//! }
//!
//! let app = handler_fn(|_e: Event, _c: Context| async { Ok::<_, Error>(Response::text("hi")) });
//! let handler = from_fn(require_key).layer(app);
//! // or, with more layers: ServiceBuilder::new().layer(from_fn(require_key)).service(app)
//! # let _ = (handler, ServiceBuilder::new());
//! ```
//!
//! The invocation skeleton's own steps are these layers: every invocation runs with the
//! [`CatchPanicLayer`] and [`DeadlineLayer`] steps (see [`Invoker`](crate::Invoker), which
//! applies them without boxing a future per step).

mod catch_panic;
mod deadline;
mod from_fn;

pub(crate) use catch_panic::{catch_panic, panic_text};
pub use catch_panic::{CatchPanic, CatchPanicLayer};
pub(crate) use deadline::within_deadline;
pub use deadline::{Deadline, DeadlineLayer};
pub use from_fn::{from_fn, FromFn, FromFnLayer, Next};
/// Re-exported from `tower`, so applications need no dependency of their own to stack layers.
pub use tower::{Layer, ServiceBuilder};
