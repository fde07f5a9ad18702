//! The panic step: a handler's panic becomes an error, and the process lives on.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use async_trait::async_trait;
use futures_util::FutureExt;

use crate::{Context, Error, Event, Handler, Response};

/// Wraps handlers in [`CatchPanic`].
#[derive(Clone, Copy, Debug, Default)]
pub struct CatchPanicLayer;

impl<H> tower::Layer<H> for CatchPanicLayer {
    type Service = CatchPanic<H>;
    fn layer(&self, inner: H) -> CatchPanic<H> {
        CatchPanic { inner }
    }
}

/// A handler whose panics are caught and returned as [`Error::Panic`] with the panic's text
/// (which the [`Invoker`](crate::Invoker) logs, and keeps from the caller).
///
/// ```
/// use polyfaas_core::layer::CatchPanicLayer;
/// use polyfaas_core::{handler_fn, Context, Error, Event, Handler, Provider, Response};
/// use tower::Layer;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let boom = handler_fn(|_e: Event, _c: Context| async {
///     if true { panic!("boom") }
///     Ok::<_, Error>(Response::ok())
/// });
/// let ctx = Context::builder(Provider::LOCAL, "r").build();
/// let err = CatchPanicLayer.layer(boom).call(Event::Invoke(().into()), ctx).await.unwrap_err();
/// assert_eq!(err.to_string(), "the handler panicked: boom");
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct CatchPanic<H> {
    inner: H,
}

#[async_trait]
impl<H: Handler> Handler for CatchPanic<H> {
    async fn call(&self, event: Event, ctx: Context) -> Result<Response, Error> {
        catch_panic(|| self.inner.call(event, ctx)).await
    }
}

/// The panic step: the future `make` returns, run, with a panic turned into [`Error::Panic`],
/// whether it comes while the future is made (a handler function's code before its first
/// `.await`, which a written-out `Handler::call` runs at once) or while it runs.
pub(crate) async fn catch_panic<M, F>(make: M) -> Result<Response, Error>
where
    M: FnOnce() -> F,
    F: Future<Output = Result<Response, Error>>,
{
    let call = match std::panic::catch_unwind(AssertUnwindSafe(make)) {
        Ok(call) => call,
        Err(panic) => return Err(Error::Panic(panic_text(&*panic))),
    };
    AssertUnwindSafe(call)
        .catch_unwind()
        .await
        .unwrap_or_else(|panic| Err(Error::Panic(panic_text(&*panic))))
}

/// A panic payload's text.
pub(crate) fn panic_text(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-text payload".to_owned()
    }
}
