//! The one invocation skeleton every shim calls, local included: the data path is
//!
//! ```text
//! wire bytes → shim decode (Event + Invocation) → Invoker → handler → Result<Response, Failure> → shim encode → wire bytes
//! ```
//!
//! The [`Invoker`] is built once per process with the handler, the provider, the blob store and
//! the platform's defaults (function name, timeout). For each invocation the shim decodes the
//! event and what the platform told about it (an [`Invocation`]: request id, deadline, trace id,
//! platform extras), and calls [`Invoker::invoke`]. The invoker builds the [`Context`], runs the
//! handler inside the invocation's span through the [deadline](crate::layer::Deadline) and
//! [panic capture](crate::layer::CatchPanic) layers, removes the scratch directory, logs one
//! line, and classifies the result: the handler's [`Response`], or a [`Failure`] carrying its
//! status class, error type and the message that may be shown to a caller. Input a shim cannot
//! decode is classified by [`Invoker::refuse`] the same way.
//!
//! ```
//! use polyfaas_core::{handler_fn, Context, Error, Event, Invocation, Invoker, Provider, Response};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let handler = handler_fn(|event: Event, ctx: Context| async move {
//!     match event {
//!         Event::Invoke(v) if v["fail"] == true => Err(Error::msg("asked to fail")),
//!         _ => Ok::<_, Error>(Response::text(format!("hello from {}", ctx.request_id()))),
//!     }
//! });
//! let invoker = Invoker::builder(Provider::LOCAL, handler).build();
//!
//! let ok = invoker.invoke(Event::Invoke(serde_json::json!({})), Invocation::new().request_id("r-1")).await;
//! assert_eq!(ok.unwrap().body().as_ref(), b"hello from r-1");
//!
//! let failed = invoker.invoke(Event::Invoke(serde_json::json!({"fail": true})), Invocation::new()).await;
//! let failure = failed.unwrap_err();
//! assert_eq!((failure.status().as_u16(), failure.error_type()), (500, "HandlerError"));
//! assert_eq!(failure.message(), "asked to fail");
//! # });
//! ```

mod failure;
mod invocation;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::Instrument;

use crate::blob::{Blobs, MemoryStore};
use crate::layer::{catch_panic, within_deadline};
use crate::shim::{scratch_base_from_env, RequestIds};
use crate::{BadInput, Context, Event, Handler, Provider, Response};

pub use failure::{Failure, FailureKind, PANIC_MESSAGE};
pub use invocation::Invocation;

/// The per-process half of the skeleton: the handler (wrapped in the skeleton's layers), the
/// provider, the blob store and the platform's defaults. Shims build one at start-up and call
/// [`invoke`](Self::invoke) for every invocation. Cheap to share behind an `Arc`.
pub struct Invoker {
    provider: Provider,
    handler: Arc<dyn Handler>,
    blobs: Blobs,
    scratch_base: PathBuf,
    ids: RequestIds,
    function_name: Option<String>,
    timeout: Option<Duration>,
    streams: bool,
    response_limit: usize,
    outputs: bool,
}

/// The largest streamed response the skeleton collects for a platform that cannot stream, by
/// default: 64 MiB.
pub const DEFAULT_RESPONSE_LIMIT: usize = 64 * 1024 * 1024;

/// Builds an [`Invoker`]; see [`Invoker::builder`].
#[must_use]
pub struct InvokerBuilder {
    provider: Provider,
    handler: Arc<dyn Handler>,
    blobs: Option<Blobs>,
    scratch_base: Option<PathBuf>,
    function_name: Option<String>,
    timeout: Option<Duration>,
    streams: bool,
    response_limit: usize,
    outputs: bool,
}

impl InvokerBuilder {
    /// The blob store handlers get from [`Context::blobs`]; an empty memory store when not set.
    pub fn blobs(mut self, blobs: Blobs) -> Self {
        self.blobs = Some(blobs);
        self
    }

    /// The function's name when an invocation does not name it.
    pub fn function_name(mut self, name: Option<String>) -> Self {
        self.function_name = name.filter(|n| !n.is_empty());
        self
    }

    /// The time an invocation may take when the platform gives no deadline of its own.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether the platform sends streamed response bodies as they are produced (`true`: the
    /// invoker hands streaming responses over as they are). By default `false`: a streamed body
    /// is collected, up to the [response limit](Self::response_limit), before the response is
    /// returned, so the shim sees a whole body.
    pub fn streams_responses(mut self, streams: bool) -> Self {
        self.streams = streams;
        self
    }

    /// The largest streamed body collected for a platform that cannot stream (the platform's
    /// own response limit); a larger one fails the invocation with `ResponseTooLarge`. Default
    /// [`DEFAULT_RESPONSE_LIMIT`].
    pub fn response_limit(mut self, limit: usize) -> Self {
        self.response_limit = limit;
        self
    }

    /// Whether the platform has named output bindings (Azure). By default `false`: outputs a
    /// handler sets with [`Response::with_output`] are dropped with a warning naming them.
    pub fn output_bindings(mut self, supported: bool) -> Self {
        self.outputs = supported;
        self
    }

    /// Where scratch directories go: by default `POLYFAAS_TMPDIR`, else the system's temporary
    /// directory.
    pub fn scratch_base(mut self, base: impl Into<PathBuf>) -> Self {
        self.scratch_base = Some(base.into());
        self
    }

    /// Finishes the invoker.
    pub fn build(self) -> Invoker {
        Invoker {
            provider: self.provider,
            handler: self.handler,
            blobs: self.blobs.unwrap_or_else(|| Blobs::new(MemoryStore::new())),
            scratch_base: self.scratch_base.unwrap_or_else(scratch_base_from_env),
            ids: RequestIds::new(self.provider.as_str()),
            function_name: self.function_name,
            timeout: self.timeout,
            streams: self.streams,
            response_limit: self.response_limit,
            outputs: self.outputs,
        }
    }
}

impl Invoker {
    /// Starts an invoker for `handler` on `provider`.
    pub fn builder(provider: Provider, handler: impl Handler) -> InvokerBuilder {
        InvokerBuilder {
            provider,
            handler: Arc::new(handler),
            blobs: None,
            scratch_base: None,
            function_name: None,
            timeout: None,
            streams: false,
            response_limit: DEFAULT_RESPONSE_LIMIT,
            outputs: false,
        }
    }

    /// The provider invocations come through.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The blob store.
    pub fn blobs(&self) -> &Blobs {
        &self.blobs
    }

    /// A new request id, for an invocation that arrived without one.
    pub fn next_request_id(&self) -> String {
        self.ids.next()
    }

    /// The [`Context`] of one invocation: the platform's request id or a generated one, its
    /// deadline (or the default timeout from now), the function name, the provider, the blob
    /// store, a fresh scratch directory, the trace id, the platform extras, and a span that
    /// carries the request id and trace id.
    ///
    /// Shims that need the context before the handler runs (Azure writes a blob trigger's
    /// content into the scratch directory as it arrives) call this, then [`run`](Self::run);
    /// the others call [`invoke`](Self::invoke).
    pub fn context(&self, invocation: Invocation) -> Context {
        let request_id = invocation
            .request_id
            .unwrap_or_else(|| self.next_request_id());
        let mut builder = Context::builder(self.provider, request_id)
            .blobs(self.blobs.clone())
            .scratch_base(self.scratch_base.clone())
            .extras(invocation.extras);
        match (invocation.deadline, self.timeout) {
            (Some(deadline), _) => builder = builder.deadline(deadline),
            (None, Some(timeout)) => builder = builder.timeout(timeout),
            (None, None) => {}
        }
        if let Some(name) = invocation
            .function_name
            .or_else(|| self.function_name.clone())
        {
            builder = builder.function_name(name);
        }
        if let Some(trace_id) = invocation.trace_id {
            builder = builder.trace_id(trace_id);
        }
        if let Some(span) = invocation.span {
            builder = builder.span(span);
        }
        let ctx = builder.build();
        crate::shim::join_trace(
            ctx.span(),
            invocation.traceparent.as_ref(),
            ctx.request_id(),
            self.provider.as_str(),
            ctx.function_name(),
        );
        ctx
    }

    /// Runs the handler on `event` with a context from [`context`](Self::context): inside the
    /// context's span, with the deadline and panic steps (the same steps as
    /// [`DeadlineLayer`](crate::layer::DeadlineLayer) and
    /// [`CatchPanicLayer`](crate::layer::CatchPanicLayer), applied here around one boxed future
    /// instead of boxing a future per step); then removes the scratch directory, logs one line
    /// and classifies the result.
    pub fn run(
        &self,
        event: Event,
        ctx: Context,
    ) -> impl Future<Output = Result<Response, Failure>> + Send + '_ {
        let started = Instant::now();
        let kind = event.kind();
        let span = ctx.span().clone();
        // The steps are boxed here, the event with them: the returned future (copied whole each
        // time it is awaited or handed on) holds one box, not the event. The handler is called
        // through its trait object: `Arc<dyn Handler>`'s own `Handler` impl would box a second
        // future around it. Its future is made inside the panic step, which catches a panic
        // there too.
        let handler = &*self.handler;
        let (remaining, handler_ctx) = (ctx.remaining(), ctx.clone());
        let call = Box::pin(
            catch_panic(move || within_deadline(remaining, handler.call(event, handler_ctx)))
                .instrument(span.clone()),
        );
        async move {
            let mut result = call.await;
            if let Ok(mut response) = result {
                self.drop_outputs(&mut response);
                // Boxed: only a streamed body pays for the collecting future's size.
                result = if self.streams || !response.is_streaming() {
                    Ok(response)
                } else {
                    Box::pin(self.collect(response)).await
                };
            }
            self.finish(result, &ctx, &span, kind, started)
        }
    }

    /// The end of [`run`](Self::run): the scratch directory removed, one log line, the result
    /// classified.
    fn finish(
        &self,
        result: Result<Response, crate::Error>,
        ctx: &Context,
        span: &tracing::Span,
        kind: &'static str,
        started: Instant,
    ) -> Result<Response, Failure> {
        ctx.cleanup();
        let _enter = span.enter();
        // Read and formatted only if a subscriber takes the line: no clock read, nothing
        // allocated on the hot path.
        let ms = Millis(started);
        match result {
            Ok(response) => {
                tracing::debug!(
                    kind,
                    status = response.status().as_u16(),
                    %ms,
                    "invocation done"
                );
                Ok(response)
            }
            Err(error) => {
                let failure = Failure::from_error(&error, ctx.request_id());
                tracing::error!(kind, error_type = failure.error_type(), %error, %ms, "invocation failed");
                Err(failure)
            }
        }
    }

    /// The response's output bindings dropped, with a warning naming them, where the platform
    /// has none.
    fn drop_outputs(&self, response: &mut Response) {
        if !self.outputs && !response.outputs().is_empty() {
            let names: Vec<String> = response.take_outputs().into_keys().collect();
            tracing::warn!(
                provider = self.provider.as_str(),
                outputs = ?names,
                "the response's output bindings are dropped: output bindings are an Azure Functions feature"
            );
        }
    }

    /// A streamed body collected, for a platform that cannot stream it, within its limit.
    async fn collect(&self, response: Response) -> Result<Response, crate::Error> {
        let limit = self.response_limit;
        response.collect(limit).await.map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                crate::Error::Handler(
                    format!("the streamed response is larger than this platform's limit of {limit} bytes").into(),
                )
            } else {
                crate::Error::Handler(e)
            }
        })
    }

    /// [`context`](Self::context) then [`run`](Self::run).
    pub async fn invoke(&self, event: Event, invocation: Invocation) -> Result<Response, Failure> {
        let ctx = self.context(invocation);
        self.run(event, ctx).await
    }

    /// Input the shim could not decode: logged (with the platform's request id, when it gave
    /// one) and classified as a bad-input [`Failure`] (400, `InvalidEvent`, the message naming
    /// the field).
    pub fn refuse(&self, error: &BadInput, request_id: Option<&str>) -> Failure {
        tracing::warn!(
            provider = self.provider.as_str(),
            request_id,
            %error,
            "the input is not a valid event"
        );
        Failure::bad_input(error)
    }
}

impl std::fmt::Debug for Invoker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invoker")
            .field("provider", &self.provider)
            .field("blobs", &self.blobs)
            .field("scratch_base", &self.scratch_base)
            .field("function_name", &self.function_name)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The milliseconds since an instant, read when written (`12.34`).
struct Millis(Instant);

impl std::fmt::Display for Millis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2}", self.0.elapsed().as_secs_f64() * 1000.0)
    }
}
