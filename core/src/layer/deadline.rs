//! The deadline step: a handler still running when the invocation's deadline passes is
//! cancelled.

use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;

use crate::{Context, Error, Event, Handler, Response};

/// Wraps handlers in [`Deadline`].
#[derive(Clone, Copy, Debug, Default)]
pub struct DeadlineLayer;

impl<H> tower::Layer<H> for DeadlineLayer {
    type Service = Deadline<H>;
    fn layer(&self, inner: H) -> Deadline<H> {
        Deadline { inner }
    }
}

/// A handler cancelled at the context's deadline ([`Context::remaining`]), with
/// [`Error::Timeout`]. Without a deadline it runs to the end.
///
/// ```
/// use std::time::Duration;
/// use polyfaas_core::layer::DeadlineLayer;
/// use polyfaas_core::{handler_fn, Context, Error, Event, Handler, Provider, Response};
/// use tower::Layer;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let slow = handler_fn(|_e: Event, _c: Context| async {
///     tokio::time::sleep(Duration::from_secs(5)).await;
///     Ok::<_, Error>(Response::ok())
/// });
/// let ctx = Context::builder(Provider::LOCAL, "r").timeout(Duration::from_millis(10)).build();
/// let err = DeadlineLayer.layer(slow).call(Event::Invoke(().into()), ctx).await.unwrap_err();
/// assert_eq!(err.error_type(), "Timeout");
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct Deadline<H> {
    inner: H,
}

#[async_trait]
impl<H: Handler> Handler for Deadline<H> {
    async fn call(&self, event: Event, ctx: Context) -> Result<Response, Error> {
        within_deadline(ctx.remaining(), self.inner.call(event, ctx)).await
    }
}

/// The deadline step: `call`, cancelled with [`Error::Timeout`] once `remaining` has passed.
pub(crate) async fn within_deadline<F>(
    remaining: Option<Duration>,
    call: F,
) -> Result<Response, Error>
where
    F: Future<Output = Result<Response, Error>>,
{
    match remaining {
        Some(left) => tokio::time::timeout(left, call)
            .await
            .unwrap_or(Err(Error::Timeout(left))),
        None => call.await,
    }
}
