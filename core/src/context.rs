//! What a handler knows about its invocation.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::blob::{Blobs, MemoryStore};
use crate::scratch::Scratch;

/// The platform an invocation came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// The local dev provider.
    Local,
    /// AWS Lambda.
    Aws,
    /// Google Cloud Functions / Cloud Run functions.
    Gcp,
    /// Azure Functions (custom handler).
    Azure,
    /// Apache OpenWhisk.
    OpenWhisk,
}

impl Provider {
    /// The provider's name in the canonical JSON: `local`, `aws`, `gcp`, `azure`, `openwhisk`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Local => "local",
            Provider::Aws => "aws",
            Provider::Gcp => "gcp",
            Provider::Azure => "azure",
            Provider::OpenWhisk => "openwhisk",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a handler knows about its invocation: request id, deadline, function name, provider,
/// the blob store, a tracing span, and provider-specific extras.
///
/// Cloning is cheap. Shims build one per invocation with [`Context::builder`].
///
/// ```
/// use std::time::Duration;
/// use polyfaas_core::{Context, Provider};
///
/// let ctx = Context::builder(Provider::Local, "req-1")
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
    scratch: Scratch,
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
            scratch_base: None,
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

    /// A provider-specific extra, such as the Lambda function ARN or trace id.
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
    scratch_base: Option<PathBuf>,
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

    /// Adds a provider-specific extra, read back with [`Context::extension`].
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
                provider = self.provider.as_str()
            )
        });
        let scratch_base = self.scratch_base.unwrap_or_else(default_scratch_base);
        Context {
            inner: Arc::new(Inner {
                request_id: self.request_id,
                deadline: self.deadline,
                function_name: self.function_name,
                provider: self.provider,
                blobs: self.blobs.unwrap_or_else(|| Blobs::new(MemoryStore::new())),
                span,
                scratch: Scratch::new(scratch_base),
                extensions: self.extensions,
            }),
        }
    }
}

fn default_scratch_base() -> PathBuf {
    std::env::var_os("POLYFAAS_TMPDIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
}
