//! The one invocation path every shim calls: deadline, panics, scratch files.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use futures_util::FutureExt;
use tracing::Instrument;

use crate::{Context, Error, Event, Handler, Response};

/// Runs `handler` on one event, the same way on every platform.
///
/// - The handler runs inside the context's tracing span.
/// - If the context has a deadline, a handler still running when it passes is cancelled and the
///   result is [`Error::Timeout`].
/// - A panic is caught and becomes [`Error::Panic`] with the panic's message; the process
///   lives on.
/// - The invocation's scratch directory (where blob events' local files are) is removed
///   afterwards, whatever the outcome.
///
/// ```
/// use polyfaas_core::{handler_fn, invoke, Context, Error, Event, Provider, Response};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let handler = handler_fn(|_e: Event, _c: Context| async move {
///     if true { panic!("boom") }
///     Ok::<_, Error>(Response::ok())
/// });
/// let ctx = Context::builder(Provider::Local, "req-1").build();
/// let err = invoke(&handler, Event::Invoke(serde_json::Value::Null), ctx).await.unwrap_err();
/// assert_eq!(err.to_string(), "the handler panicked: boom");
/// # });
/// ```
pub async fn invoke<H: Handler + ?Sized>(
    handler: &H,
    event: Event,
    ctx: Context,
) -> Result<Response, Error> {
    let started = Instant::now();
    let kind = event.kind();
    let span = ctx.span().clone();
    let remaining = ctx.remaining();
    let call = AssertUnwindSafe(handler.call(event, ctx.clone())).catch_unwind();
    let outcome = async move {
        match remaining {
            Some(left) => tokio::time::timeout(left, call)
                .await
                .unwrap_or(Ok(Err(Error::Timeout(left)))),
            None => call.await,
        }
    }
    .instrument(span.clone())
    .await;
    let result = outcome.unwrap_or_else(|panic| Err(Error::Panic(panic_message(&*panic))));
    ctx.cleanup();
    let _enter = span.enter();
    // Formatted only if a subscriber takes the line: nothing is allocated on the hot path.
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let ms = format_args!("{ms:.2}");
    match &result {
        Ok(response) => tracing::debug!(
            kind,
            status = response.status().as_u16(),
            %ms,
            "invocation done"
        ),
        Err(error) => {
            tracing::error!(kind, error_type = error.error_type(), %error, %ms, "invocation failed")
        }
    }
    result
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-text payload".to_owned()
    }
}
