//! The process side: configuration from the environment, the [`Invoker`] built once, the
//! Runtime API loop through `lambda_runtime`, and `/init/error` when start-up fails.

use std::sync::Arc;

use bytes::Bytes;
use lambda_runtime::{service_fn, LambdaEvent};
use polyfaas_core::blob::{self, Blobs, EnvVars, Scheme};
use polyfaas_core::{BoxError, Error, Handler, Invoker, Provider, StartupError};
use serde_json::value::RawValue;

use crate::error::{diagnostic, init_error};
use crate::handle::handle_event;
use crate::invocation::invocation;

/// The variable that says where the Runtime API is.
const RUNTIME_API: &str = "AWS_LAMBDA_RUNTIME_API";

/// The variables `lambda_runtime` requires; it panics without them, so they are checked first.
const REQUIRED: [&str; 3] = [
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
];

/// Runs `handler` on the Lambda Runtime API until the platform stops the process.
pub(crate) async fn run<H: Handler>(handler: H) -> Result<(), Error> {
    polyfaas_core::shim::init_logging();
    let endpoint = runtime_api()?;
    let blobs = match check_environment().and_then(|()| open_blobs()) {
        Ok(blobs) => blobs,
        Err(error) => {
            let error = Error::from(error);
            report_init_error(endpoint, &error).await;
            return Err(error);
        }
    };
    tracing::debug!(store = %blobs.store().describe(), "polyfaas-aws started");
    let invoker = Invoker::builder(Provider::AWS, handler)
        .blobs(blobs)
        .build();
    serve(Arc::new(invoker)).await
}

async fn serve(invoker: Arc<Invoker>) -> Result<(), Error> {
    let service = service_fn(move |event: LambdaEvent<Box<RawValue>>| {
        let invoker = Arc::clone(&invoker);
        let invocation = invocation(&event.context);
        async move {
            let payload = Bytes::from(String::from(Box::<str>::from(event.payload)));
            handle_event(&invoker, payload, invocation)
                .await
                .map_err(|failure| diagnostic(&failure))
        }
    });
    lambda_runtime::run(service).await.map_err(|e| {
        StartupError::new("the Lambda Runtime API loop stopped")
            .with_source(e)
            .into()
    })
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
    Ok(blob::from_env(&EnvVars::process(), open)?)
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
async fn report_init_error(endpoint: http::Uri, error: &Error) {
    match post_init_error(endpoint, error).await {
        Ok(status) => {
            tracing::error!(%error, %status, "start-up failed; reported to /runtime/init/error")
        }
        Err(e) => {
            tracing::error!(%error, report_error = %e, "start-up failed and /runtime/init/error could not be reached")
        }
    }
}

async fn post_init_error(endpoint: http::Uri, error: &Error) -> Result<http::StatusCode, BoxError> {
    let (error_type, body) = init_error(error);
    let request = http::Request::post("/2018-06-01/runtime/init/error")
        .header("content-type", "application/json")
        .header("lambda-runtime-function-error-type", error_type)
        .body(lambda_runtime_api_client::body::Body::from(body))?;
    let client = lambda_runtime_api_client::Client::builder()
        .with_endpoint(endpoint)
        .build()?;
    Ok(client.call(request).await?.status())
}
