//! What a handler knows about its invocation.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::blob::{Blobs, MemoryStore};
use crate::extras::{Extra, Extras};
use crate::scratch::Scratch;
use crate::Provider;

/// What a handler knows about its invocation: request id, deadline, function name, provider,
/// the blob store, a tracing span, and provider-specific extras.
///
/// Cloning is cheap. Shims build one per invocation with [`Context::builder`].
///
/// ```
/// use std::time::Duration;
/// use polyfaas_core::{Context, Provider};
///
/// let ctx = Context::builder(Provider::LOCAL, "req-1")
///     .function_name("hello")
///     .timeout(Duration::from_secs(30))
///     .build();
/// assert_eq!(ctx.request_id(), "req-1");
/// assert!(ctx.remaining().unwrap() <= Duration::from_secs(30));
/// ```
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

struct Inner {
    request_id: String,
    deadline: Option<SystemTime>,
    function_name: Option<String>,
    provider: Provider,
    blobs: Blobs,
    span: tracing::Span,
    trace_id: Option<String>,
    scratch: Scratch,
    extras: Extras,
    extensions: http::Extensions,
}

impl Context {
    /// Starts a context for one invocation.
    pub fn builder(provider: Provider, request_id: impl Into<String>) -> ContextBuilder {
        ContextBuilder {
            request_id: request_id.into(),
            provider,
            deadline: None,
            function_name: None,
            blobs: None,
            span: None,
            trace_id: None,
            scratch_base: None,
            extras: Extras::new(),
            extensions: http::Extensions::new(),
        }
    }

    /// The platform's id for this invocation.
    pub fn request_id(&self) -> &str {
        &self.inner.request_id
    }

    /// When the platform will stop waiting for this invocation, if it has a limit.
    pub fn deadline(&self) -> Option<SystemTime> {
        self.inner.deadline
    }

    /// The deadline in milliseconds since the Unix epoch.
    pub fn deadline_ms(&self) -> Option<u64> {
        self.inner.deadline.map(|d| {
            d.duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64)
        })
    }

    /// Time left before the deadline (zero once it has passed), if there is one.
    pub fn remaining(&self) -> Option<Duration> {
        self.inner.deadline.map(|d| {
            d.duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO)
        })
    }

    /// The function's name, where the platform tells it.
    pub fn function_name(&self) -> Option<&str> {
        self.inner.function_name.as_deref()
    }

    /// The platform this invocation came through.
    pub fn provider(&self) -> Provider {
        self.inner.provider
    }

    /// The configured blob store.
    pub fn blobs(&self) -> &Blobs {
        &self.inner.blobs
    }

    /// The invocation's tracing span; the invocation path runs the handler inside it.
    pub fn span(&self) -> &tracing::Span {
        &self.inner.span
    }

    /// The platform's trace id for this invocation, where it sent one: the X-Ray trace header on
    /// Lambda, the W3C `traceparent` (or `X-Cloud-Trace-Context`) on Google Cloud, Azure's trace
    /// context.
    pub fn trace_id(&self) -> Option<&str> {
        self.inner.trace_id.as_deref()
    }

    /// A typed platform extra (see [`Extra`]), such as the Lambda request context or the
    /// CloudEvent, if the platform sent one.
    pub fn extra<T: Extra>(&self) -> Option<&T> {
        self.inner.extras.get::<T>()
    }

    /// Every platform extra of this invocation.
    pub fn extras(&self) -> &Extras {
        &self.inner.extras
    }

    /// A provider-specific value that is not an [`Extra`].
    pub fn extension<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.inner.extensions.get::<T>()
    }

    /// The invocation's scratch directory, created on first use and removed when the
    /// invocation ends.
    pub fn scratch_dir(&self) -> std::io::Result<PathBuf> {
        self.inner.scratch.dir()
    }

    /// A fresh path in the scratch directory whose file name ends with `name` (made safe for a
    /// file system). Nothing is created at the path.
    pub fn scratch_file(&self, name: &str) -> std::io::Result<PathBuf> {
        self.inner.scratch.file(name)
    }

    /// Removes the scratch directory. The invocation path calls this when the handler is done.
    pub(crate) fn cleanup(&self) {
        self.inner.scratch.cleanup();
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("request_id", &self.inner.request_id)
            .field("deadline", &self.inner.deadline)
            .field("function_name", &self.inner.function_name)
            .field("provider", &self.inner.provider)
            .field("trace_id", &self.inner.trace_id)
            .field("extras", &self.inner.extras)
            .field("blobs", &self.inner.blobs)
            .field("scratch_base", &self.inner.scratch.base())
            .finish_non_exhaustive()
    }
}

/// Builds a [`Context`]; see [`Context::builder`].
#[derive(Debug)]
#[must_use]
pub struct ContextBuilder {
    request_id: String,
    provider: Provider,
    deadline: Option<SystemTime>,
    function_name: Option<String>,
    blobs: Option<Blobs>,
    span: Option<tracing::Span>,
    trace_id: Option<String>,
    scratch_base: Option<PathBuf>,
    extras: Extras,
    extensions: http::Extensions,
}

impl ContextBuilder {
    /// The invocation's deadline.
    pub fn deadline(mut self, deadline: SystemTime) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The deadline in milliseconds since the Unix epoch, as most platforms give it.
    pub fn deadline_ms(self, epoch_ms: u64) -> Self {
        self.deadline(UNIX_EPOCH + Duration::from_millis(epoch_ms))
    }

    /// A deadline `timeout` from now.
    pub fn timeout(self, timeout: Duration) -> Self {
        self.deadline(SystemTime::now() + timeout)
    }

    /// The function's name.
    pub fn function_name(mut self, name: impl Into<String>) -> Self {
        self.function_name = Some(name.into());
        self
    }

    /// The blob store; an empty [`MemoryStore`] when not set.
    pub fn blobs(mut self, blobs: Blobs) -> Self {
        self.blobs = Some(blobs);
        self
    }

    /// The tracing span; by default an `invocation` span with the request id and provider.
    pub fn span(mut self, span: tracing::Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Where the scratch directory is created: by default `POLYFAAS_TMPDIR`, else the system's
    /// temporary directory (`TMPDIR`).
    pub fn scratch_base(mut self, base: impl Into<PathBuf>) -> Self {
        self.scratch_base = Some(base.into());
        self
    }

    /// The platform's trace id (see [`Context::trace_id`]); an empty one counts as none.
    pub fn trace_id(mut self, trace_id: impl Into<String>) -> Self {
        self.trace_id = Some(trace_id.into()).filter(|t| !t.is_empty());
        self
    }

    /// Adds a typed platform extra, read back with [`Context::extra`].
    pub fn extra<T: Extra>(mut self, value: T) -> Self {
        self.extras.insert(value);
        self
    }

    /// Adds every extra of `extras` (replacing ones of the same type).
    pub fn extras(mut self, extras: Extras) -> Self {
        if self.extras.is_empty() {
            self.extras = extras;
        } else {
            self.extras.merge(extras);
        }
        self
    }

    /// Adds a provider-specific value that is not an [`Extra`], read back with
    /// [`Context::extension`].
    pub fn extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// Finishes the context.
    pub fn build(self) -> Context {
        let span = self.span.unwrap_or_else(|| {
            tracing::info_span!(
                "invocation",
                request_id = %self.request_id,
                provider = self.provider.as_str(),
                trace_id = self.trace_id.as_deref(),
            )
        });
        let scratch_base = self
            .scratch_base
            .unwrap_or_else(crate::shim::scratch_base_from_env);
        Context {
            inner: Arc::new(Inner {
                request_id: self.request_id,
                deadline: self.deadline,
                function_name: self.function_name,
                provider: self.provider,
                blobs: self.blobs.unwrap_or_else(|| Blobs::new(MemoryStore::new())),
                span,
                trace_id: self.trace_id,
                scratch: Scratch::new(scratch_base),
                extras: self.extras,
                extensions: self.extensions,
            }),
        }
    }
}
