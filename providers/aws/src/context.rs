//! What the Runtime API tells about one invocation, and the [`Context`] built from it.

use std::path::PathBuf;
use std::sync::OnceLock;

use polyfaas_core::blob::Blobs;
use polyfaas_core::{Context, Provider};

/// The invoked function's ARN (with its version or alias qualifier), as a [`Context`]
/// extension: `ctx.extension::<FunctionArn>()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionArn(pub String);

/// The X-Ray trace header of the invocation (`Root=1-...;Parent=...;Sampled=1`), as a
/// [`Context`] extension: `ctx.extension::<TraceId>()`. It is per invocation; the process-wide
/// `_X_AMZN_TRACE_ID` that `lambda_runtime` also sets is not safe to read under concurrency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceId(pub String);

/// Deadlines before this (2001-09-09, in Unix milliseconds) are not epoch times: cargo-lambda's
/// emulator sends a constant `600000`. They are treated as "no deadline known".
const EARLIEST_DEADLINE_MS: u64 = 1_000_000_000_000;

/// Where scratch directories go: `POLYFAAS_TMPDIR`, else the system's temporary directory
/// (Lambda's `/tmp`). Read once: the environment does not change between invocations.
fn scratch_base() -> &'static PathBuf {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    BASE.get_or_init(|| {
        std::env::var_os("POLYFAAS_TMPDIR")
            .filter(|v| !v.is_empty())
            .map_or_else(std::env::temp_dir, PathBuf::from)
    })
}

/// One invocation as the Runtime API announced it.
///
/// ```
/// use polyfaas_aws::Invocation;
/// use polyfaas_core::blob::{Blobs, MemoryStore};
///
/// let inv = Invocation::new("req-1", Blobs::new(MemoryStore::new()))
///     .with_deadline_ms(600_000)
///     .with_function_name("echo");
/// assert_eq!(inv.deadline_ms(), None); // 600000 is cargo-lambda's constant, not a time
/// ```
#[derive(Clone, Debug)]
pub struct Invocation {
    request_id: String,
    deadline_ms: Option<u64>,
    function_name: Option<String>,
    function_arn: Option<FunctionArn>,
    trace_id: Option<TraceId>,
    blobs: Blobs,
}

impl Invocation {
    /// An invocation with only a request id and the blob store.
    pub fn new(request_id: impl Into<String>, blobs: Blobs) -> Self {
        Invocation {
            request_id: request_id.into(),
            deadline_ms: None,
            function_name: None,
            function_arn: None,
            trace_id: None,
            blobs,
        }
    }

    /// What `lambda_runtime` read from the `/next` response's headers.
    pub fn from_lambda(ctx: &lambda_runtime::Context, blobs: Blobs) -> Self {
        let mut invocation = Invocation::new(ctx.request_id.clone(), blobs)
            .with_deadline_ms(ctx.deadline)
            .with_function_name(ctx.env_config.function_name.clone());
        // lambda_runtime fills a missing ARN header with a sentence; only a real ARN is kept.
        if ctx.invoked_function_arn.starts_with("arn:") {
            invocation.function_arn = Some(FunctionArn(ctx.invoked_function_arn.clone()));
        }
        invocation.trace_id = ctx
            .xray_trace_id
            .clone()
            .filter(|t| !t.is_empty())
            .map(TraceId);
        invocation
    }

    /// Sets the deadline from `Lambda-Runtime-Deadline-Ms`; a value that is not an epoch time
    /// (below 10^12) means no deadline is known.
    pub fn with_deadline_ms(mut self, deadline_ms: u64) -> Self {
        self.deadline_ms = (deadline_ms >= EARLIEST_DEADLINE_MS).then_some(deadline_ms);
        if self.deadline_ms.is_none() {
            tracing::debug!(
                deadline_ms,
                "the deadline header is not an epoch time; ignoring it"
            );
        }
        self
    }

    /// Sets the function's name.
    pub fn with_function_name(mut self, name: impl Into<String>) -> Self {
        self.function_name = Some(name.into()).filter(|n| !n.is_empty());
        self
    }

    /// The request id.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The deadline in Unix milliseconds, when known.
    pub fn deadline_ms(&self) -> Option<u64> {
        self.deadline_ms
    }

    /// A fresh [`Context`] for one handler call (each SQS/SNS/S3 record gets its own, so each
    /// has its own scratch directory).
    pub fn context(&self) -> Context {
        let mut builder = Context::builder(Provider::AWS, self.request_id.clone())
            .blobs(self.blobs.clone())
            .scratch_base(scratch_base().clone());
        if let Some(ms) = self.deadline_ms {
            builder = builder.deadline_ms(ms);
        }
        if let Some(name) = &self.function_name {
            builder = builder.function_name(name.clone());
        }
        if let Some(arn) = &self.function_arn {
            builder = builder.extension(arn.clone());
        }
        if let Some(trace) = &self.trace_id {
            builder = builder.extension(trace.clone());
        }
        builder.build()
    }
}
