//! The process side: configuration from the environment, the [`Invoker`] built once, the
//! Runtime API loop, `/init/error` when start-up fails, and the shutdown hooks when Lambda
//! stops the process.
//!
//! Each invocation: `/next` → its headers read ([`invocation`](crate::invocation())) → the event
//! bytes, as received, through [`reply`](crate::handle) → `/response` (whole, or streamed for a
//! Function URL in streaming mode) or `/error`. Whatever one invocation holds, the loop goes on
//! to the next: a header that cannot be read fails that invocation through `/error`
//! (`InvalidRuntimeHeader`), and one without a usable request id, which cannot be answered, is
//! skipped with a log line.

use std::sync::Arc;

use bytes::Bytes;
use http::StatusCode;
use polyfaas_core::blob::{self, Blobs, EnvVars, Scheme};
use polyfaas_core::{
    Error, Failure, FailureKind, Handler, Invoker, Provider, Shutdown, StartupError,
};

use crate::api::{Next, RuntimeApi};
use crate::error::init_error;
use crate::extension::{self, Stop};
use crate::handle::{reply, Reply};
use crate::http::{encode_response, http_integration, Origin, HTTP_INTEGRATION};
use crate::invocation::{invocation, request_id, trace_header};
use crate::logging;
use crate::whole::{make_whole, RESPONSE_LIMIT};

/// The variable that says where the Runtime API is.
const RUNTIME_API: &str = "AWS_LAMBDA_RUNTIME_API";

/// The variable that turns response streaming on.
pub(crate) const STREAMING: &str = "POLYFAAS_RESPONSE_STREAMING";

/// The variables Lambda sets for every function; their absence means this is not Lambda.
const REQUIRED: [&str; 3] = [
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
];

/// What the environment configures.
struct Settings {
    blobs: Blobs,
    function_name: String,
    streaming: bool,
}

/// Runs `handler` on the Lambda Runtime API until the platform stops the process, then
/// `shutdown`'s hooks.
///
/// Start-up (logging, the Runtime API client, the settings, the invoker) runs in the caller's
/// future; the loop is then a task of its own. Under `#[tokio::main]`'s multi-thread runtime the
/// caller's future is polled by the main thread, which does not drive I/O: every Runtime API
/// answer would reach the loop through a worker thread, a futex wake and a context switch per
/// read. As a task, the loop runs on the worker that reads the connection.
pub(crate) async fn run<H: Handler>(handler: H, shutdown: Shutdown) -> Result<(), Error> {
    logging::init();
    let endpoint = runtime_api()?;
    let api = RuntimeApi::new(&endpoint).map_err(|e| {
        Error::from(StartupError::new("cannot make a Runtime API client").with_source(e))
    })?;
    let api = Arc::new(api);
    // The shutdown extension's registration (a round trip to Lambda, made only when there are
    // hooks to run) goes out first and is waited for only before the first `/next`: the reading
    // of the settings and the building of the invoker happen while Lambda answers it.
    let registering =
        (!shutdown.is_empty()).then(|| tokio::spawn(extension::prepare(Arc::clone(&api))));
    let settings = match settings() {
        Ok(settings) => settings,
        Err(error) => {
            let error = Error::from(error);
            report_init_error(&api, &error).await;
            return Err(error);
        }
    };
    tracing::debug!(store = %settings.blobs.store().describe(), streaming = settings.streaming, "polyfaas-aws started");
    let invoker = Invoker::builder(Provider::AWS, handler)
        .blobs(settings.blobs)
        .function_name(Some(settings.function_name))
        .streams_responses(settings.streaming)
        .response_limit(RESPONSE_LIMIT)
        .build();
    let served = Loop {
        api,
        invoker,
        streaming: settings.streaming,
    }
    .spawn(registering, shutdown);
    match served.await {
        Ok(served) => served,
        Err(stopped) => match stopped.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(cancelled) => Err(Error::from(
                StartupError::new(
                    "the Runtime API loop was cancelled: the runtime is shutting down",
                )
                .with_source(cancelled),
            )),
        },
    }
}

/// The Runtime API loop.
struct Loop {
    api: Arc<RuntimeApi>,
    invoker: Invoker,
    streaming: bool,
}

impl Loop {
    /// The loop as a task: waits for the shutdown extension's registration, serves until a stop
    /// signal, then runs `shutdown`'s hooks.
    fn spawn(
        self,
        registering: Option<tokio::task::JoinHandle<Option<Stop>>>,
        shutdown: Shutdown,
    ) -> tokio::task::JoinHandle<Result<(), Error>> {
        tokio::spawn(async move {
            let stop = match registering {
                Some(registering) => registering.await.unwrap_or_else(|error| {
                    tracing::warn!(%error, "the shutdown extension's registration did not finish; shutdown hooks will not run");
                    None
                }),
                None => None,
            };
            let served = self.serve(stop).await;
            if let Ok(signal) = served {
                tracing::info!("{signal}: stopping; running the shutdown hooks");
                shutdown.run().await;
            }
            served.map(|_| ())
        })
    }

    /// Serves invocations one after another until a stop signal (returned) or the Runtime API
    /// fails (an error: Lambda is gone).
    async fn serve(self, mut stop: Option<Stop>) -> Result<&'static str, Error> {
        loop {
            let signalled = async {
                match stop.as_mut() {
                    Some(stop) => stop.signalled().await,
                    None => std::future::pending().await,
                }
            };
            let next = tokio::select! {
                biased;
                signal = signalled => return Ok(signal),
                next = self.api.next() => next,
            };
            let next = next.map_err(|e| {
                Error::from(StartupError::new("the Runtime API's /next failed").with_source(e))
            })?;
            self.invoke(next).await;
        }
    }

    /// One invocation, answered whatever it holds (or skipped, logged, when it cannot be).
    async fn invoke(&self, next: Next) {
        let id = match request_id(&next.headers) {
            Ok(id) => id.to_owned(),
            Err(error) => {
                tracing::error!(%error, "skipping an invocation whose request id cannot be read: there is nothing to answer to");
                return;
            }
        };
        let invocation = match invocation(&next.headers) {
            Ok(invocation) => invocation,
            Err(error) => {
                tracing::error!(request_id = %id, %error, "the invocation's headers cannot be read; failing it");
                let failure = Failure::new(
                    FailureKind::BadInput,
                    StatusCode::BAD_REQUEST,
                    "InvalidRuntimeHeader",
                    error.to_string(),
                );
                return self.answer(&id, Err(failure)).await;
            }
        };
        set_trace_env(trace_header(&next.headers));
        let replied = reply(&self.invoker, next.event, invocation).await;
        self.answer(&id, replied).await;
        // Lambda freezes the process once it asks for the next event: spans are exported now
        // (feature `opentelemetry`; nothing otherwise), after the answer, so the caller does
        // not wait for the export.
        polyfaas_core::shim::flush_traces().await;
    }

    /// Posts the answer: the result, the HTTP response (streamed for a Function URL in
    /// streaming mode), or the failure.
    async fn answer(&self, id: &str, replied: Result<Reply, Failure>) {
        let posted = match replied {
            Ok(Reply::Http(Origin::FunctionUrl, response)) if self.streaming => {
                let body = http_integration(response, id);
                self.api.respond_streaming(id, HTTP_INTEGRATION, body).await
            }
            Ok(Reply::Http(origin, mut response)) => match make_whole(&mut response).await {
                Ok(()) => {
                    let result = encode_response(origin, &response);
                    self.api.respond(id, raw_bytes(result)).await
                }
                Err(failure) => self.api.fail(id, &failure).await,
            },
            Ok(Reply::Result(result)) => self.api.respond(id, raw_bytes(result)).await,
            Err(failure) => self.api.fail(id, &failure).await,
        };
        if let Err(error) = posted {
            tracing::error!(request_id = %id, %error, "the answer was not accepted");
        }
    }
}

/// The result JSON's bytes, without a copy.
fn raw_bytes(result: Box<serde_json::value::RawValue>) -> Bytes {
    Bytes::from(String::from(Box::<str>::from(result)))
}

/// `_X_AMZN_TRACE_ID` for this invocation, as Lambda asks custom runtimes to set it (the AWS SDK
/// reads it to link its calls into the X-Ray trace), as `lambda_runtime` sets it. It is
/// process-wide: a handler reads its own invocation's trace id from `ctx.trace_id()`.
fn set_trace_env(trace_id: Option<&str>) {
    match trace_id {
        Some(trace) => std::env::set_var("_X_AMZN_TRACE_ID", trace),
        None => std::env::remove_var("_X_AMZN_TRACE_ID"),
    }
}

/// The environment's settings; each error names its variable.
fn settings() -> Result<Settings, StartupError> {
    check_environment()?;
    Ok(Settings {
        blobs: open_blobs()?,
        function_name: std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default(),
        streaming: streaming_from_env()?,
    })
}

/// `POLYFAAS_RESPONSE_STREAMING`: `1`/`true` on, `0`/`false`/empty/unset off.
fn streaming_from_env() -> Result<bool, StartupError> {
    let value = std::env::var(STREAMING).unwrap_or_default();
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" => Ok(true),
        "" | "0" | "false" => Ok(false),
        _ => Err(StartupError::variable(STREAMING, &value, "1 or 0")),
    }
}

/// The blob store: `POLYFAAS_BLOB_URL`, else S3 in each blob event's own bucket when AWS
/// credentials are in the environment (Lambda always sets them), else a local directory.
fn open_blobs() -> Result<Blobs, StartupError> {
    const CREDENTIALS: [&str; 4] = [
        "AWS_ACCESS_KEY_ID",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ];
    let open = |env: &EnvVars| blob::cloud_or_local(Scheme::S3, &CREDENTIALS, env);
    Ok(blob::from_env(&blob_env(), open)?)
}

/// What the blob store's configuration reads: the whole environment when `POLYFAAS_BLOB_URL`
/// names a store (of any cloud), else the `AWS_*` variables only, all that the default (S3, or
/// a local directory) reads, and none without the `s3` feature. Copying and sorting every variable of the process is a cost on the
/// way to the first invocation that the default does not need.
fn blob_env() -> EnvVars {
    if std::env::var_os(blob::BLOB_URL_VAR).is_some() {
        return EnvVars::process();
    }
    if !Scheme::S3.is_compiled_in() {
        // The default is then the store that names the `s3` feature in its errors: it reads
        // no variable, so a function without a blob backend starts without walking them.
        return EnvVars::default();
    }
    EnvVars::from_pairs(std::env::vars_os().filter_map(|(name, value)| {
        let name = name.into_string().ok()?;
        name.starts_with("AWS_")
            .then(|| Some((name, value.into_string().ok()?)))
            .flatten()
    }))
}

/// `AWS_LAMBDA_RUNTIME_API` as a URI: `host:port` on Lambda, or `http://host:port/prefix` under
/// emulators such as cargo-lambda.
fn runtime_api() -> Result<http::Uri, StartupError> {
    let value = std::env::var(RUNTIME_API).map_err(|e| {
        StartupError::new(format!(
            "{RUNTIME_API} is not set: this process was not started by Lambda"
        ))
        .with_source(e)
    })?;
    let with_scheme = if value.contains("://") {
        value.clone()
    } else {
        format!("http://{value}")
    };
    let invalid =
        || StartupError::variable(RUNTIME_API, &value, "host:port or http://host:port/path");
    match with_scheme.parse::<http::Uri>() {
        Ok(uri) if uri.authority().is_some() => Ok(uri),
        Ok(_) => Err(invalid()),
        Err(e) => Err(invalid().with_source(e)),
    }
}

fn check_environment() -> Result<(), StartupError> {
    for name in REQUIRED {
        match std::env::var(name) {
            Ok(value) if !value.is_empty() => {}
            _ => {
                return Err(StartupError::new(format!(
                    "{name} is not set; Lambda sets it for every function"
                )))
            }
        }
    }
    let memory = std::env::var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").unwrap_or_default();
    memory.parse::<i32>().map_err(|e| {
        StartupError::variable(
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            &memory,
            "a number of megabytes",
        )
        .with_source(e)
    })?;
    Ok(())
}

/// `POST /2018-06-01/runtime/init/error` (best effort: the process exits either way).
async fn report_init_error(api: &RuntimeApi, error: &Error) {
    let (error_type, body) = init_error(error);
    match api.init_error(&error_type, body).await {
        Ok(()) => tracing::error!(%error, "start-up failed; reported to /runtime/init/error"),
        Err(e) => {
            tracing::error!(%error, report_error = %e, "start-up failed and /runtime/init/error could not be reached")
        }
    }
}
