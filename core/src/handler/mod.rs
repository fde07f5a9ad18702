//! The one trait a function implements, and the adapters that build it from what you have.

mod handler_fn;
mod service;
mod typed;

use std::sync::Arc;

use async_trait::async_trait;

use crate::{Context, Error, Event, Response};

pub use handler_fn::{handler_fn, HandlerFn};
pub use service::{from_service, ServiceHandler, EVENTS_PATH};
pub use typed::{typed_fn, TypedFn};

/// A serverless function: one event in, one response out.
///
/// Most functions don't implement this by hand: write an async fn and wrap it with
/// [`handler_fn`], or hand an existing `tower::Service` (an axum `Router`) to [`from_service`].
///
/// ```
/// use async_trait::async_trait;
/// use polyfaas_core::{Context, Error, Event, Handler, Response};
///
/// struct Greeter { greeting: String }
///
/// #[async_trait]
/// impl Handler for Greeter {
///     async fn call(&self, _event: Event, _ctx: Context) -> Result<Response, Error> {
///         Ok(Response::text(self.greeting.clone()))
///     }
/// }
/// ```
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// Handles one event.
    async fn call(&self, event: Event, ctx: Context) -> Result<Response, Error>;
}

#[async_trait]
impl<H: Handler + ?Sized> Handler for Arc<H> {
    async fn call(&self, event: Event, ctx: Context) -> Result<Response, Error> {
        (**self).call(event, ctx).await
    }
}

#[async_trait]
impl<H: Handler + ?Sized> Handler for Box<H> {
    async fn call(&self, event: Event, ctx: Context) -> Result<Response, Error> {
        (**self).call(event, ctx).await
    }
}
