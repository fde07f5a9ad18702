//! A [`Handler`] from an async fn or closure.

use std::future::Future;
use std::pin::Pin;

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

// Written out rather than with `#[async_trait]`: the function is called before the box is made,
// so the event goes straight into its future instead of first into the box's, and is copied
// once less. (`Fut: 'static` always holds for an `F: 'static`; it is said so the box may hold
// `Fut` itself.)
impl<F, Fut, R, E> Handler for HandlerFn<F>
where
    F: Fn(Event, Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, E>> + Send + 'static,
    R: Into<Response>,
    E: Into<Error>,
{
    fn call<'life0, 'async_trait>(
        &'life0 self,
        event: Event,
        ctx: Context,
    ) -> Pin<Box<dyn Future<Output = Result<Response, Error>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        let call = (self.f)(event, ctx);
        Box::pin(async move { call.await.map(Into::into).map_err(Into::into) })
    }
}
