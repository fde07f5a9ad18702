//! A [`Handler`] from an async fn or closure.

use std::future::Future;

use async_trait::async_trait;

use super::Handler;
use crate::{Context, Error, Event, Response};

/// Makes a [`Handler`] from an async function of `(Event, Context)`.
///
/// The function may return anything that converts into a [`Response`] (a `Response`, a
/// `String`, a `serde_json::Value`, a `StatusCode`, ...) and any error that converts into
/// [`Error`].
///
/// ```
/// use polyfaas_core::{handler_fn, Context, Error, Event, Response};
///
/// async fn handle(event: Event, _ctx: Context) -> Result<Response, Error> {
///     Ok(Response::text(format!("got a {} event", event.kind())))
/// }
/// let handler = handler_fn(handle);
///
/// // Closures work too, and may return other response types.
/// let counter = handler_fn(|_event: Event, ctx: Context| async move {
///     Ok::<_, Error>(format!("request {}", ctx.request_id()))
/// });
/// # let _ = (handler, counter);
/// ```
pub fn handler_fn<F>(f: F) -> HandlerFn<F> {
    HandlerFn { f }
}

/// The [`Handler`] made by [`handler_fn`].
#[derive(Clone, Copy, Debug)]
pub struct HandlerFn<F> {
    f: F,
}

#[async_trait]
impl<F, Fut, R, E> Handler for HandlerFn<F>
where
    F: Fn(Event, Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, E>> + Send,
    R: Into<Response>,
    E: Into<Error>,
{
    async fn call(&self, event: Event, ctx: Context) -> Result<Response, Error> {
        (self.f)(event, ctx)
            .await
            .map(Into::into)
            .map_err(Into::into)
    }
}
