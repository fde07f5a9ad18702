//! The process side: configuration from the environment, the Runtime API loop through
//! `lambda_runtime`, and `/init/error` when start-up fails.

use std::sync::Arc;

use bytes::Bytes;
use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use polyfaas_core::blob::{self, BlobError, Blobs, EnvVars, Scheme};
use polyfaas_core::{Error, Handler, StartupError};
use serde_json::value::RawValue;

use crate::context::Invocation;
use crate::handle::handle_event;

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
    let blobs = match check_environment().and_then(|()| open_blobs().map_err(Error::from)) {
        Ok(blobs) => blobs,
        Err(error) => {
            report_init_error(endpoint, &error).await;
            return Err(error);
        }
    };
    tracing::debug!(store = %blobs.store().describe(), "polyfaas-aws started");
    serve(Arc::new(handler), blobs).await
}

async fn serve<H: Handler>(handler: Arc<H>, blobs: Blobs) -> Result<(), Error> {
    let service = service_fn(move |event: LambdaEvent<Box<RawValue>>| {
        let handler = Arc::clone(&handler);
        let invocation = Invocation::from_lambda(&event.context, blobs.clone());
        async move {
            let payload = Bytes::from(String::from(Box::<str>::from(event.payload)));
            handle_event(&*handler, payload, &invocation)
                .await
                .map_err(Diagnostic::from)
        }
    });
    lambda_runtime::run(service)
        .await
        .map_err(|e| Error::startup(format!("the Lambda Runtime API loop stopped: {e}")))
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
    blob::from_env(&EnvVars::process(), open).map_err(|e: BlobError| e.into())
}

/// `AWS_LAMBDA_RUNTIME_API` as a URI: `host:port` on Lambda, or `http://host:port/prefix` under
/// emulators such as cargo-lambda.
fn runtime_api() -> Result<http::Uri, Error> {
    let value = std::env::var("AWS_LAMBDA_RUNTIME_API").map_err(|_| {
        Error::startup("AWS_LAMBDA_RUNTIME_API is not set: this process was not started by Lambda")
    })?;
    let with_scheme = if value.contains("://") {
        value.clone()
    } else {
        format!("http://{value}")
    };
    match with_scheme.parse::<http::Uri>() {
        Ok(uri) if uri.authority().is_some() => Ok(uri),
        _ => Err(Error::startup(format!(
            "AWS_LAMBDA_RUNTIME_API={value:?} is not valid: it must be host:port or http://host:port/path"
        ))),
    }
}

fn check_environment() -> Result<(), Error> {
    for name in REQUIRED {
        match std::env::var(name) {
            Ok(value) if !value.is_empty() => {}
            _ => {
                return Err(Error::startup(format!(
                    "{name} is not set; Lambda sets it for every function"
                )))
            }
        }
    }
    let memory = std::env::var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").unwrap_or_default();
    if memory.parse::<i32>().is_err() {
        return Err(Error::startup(format!(
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE={memory:?} is not valid: it must be a number of megabytes"
        )));
    }
    Ok(())
}

/// `POST /2018-06-01/runtime/init/error` (best effort: the process exits either way).
async fn report_init_error(endpoint: http::Uri, error: &Error) {
    let body = serde_json::json!({
        "errorType": format!("Runtime.{}", error.error_type()),
        "errorMessage": error.to_string(),
        "stackTrace": [],
    });
    let request = http::Request::post("/2018-06-01/runtime/init/error")
        .header("content-type", "application/json")
        .header(
            "lambda-runtime-function-error-type",
            format!("Runtime.{}", error.error_type()),
        )
        .body(lambda_runtime_api_client::body::Body::from(
            body.to_string(),
        ));
    let client = lambda_runtime_api_client::Client::builder()
        .with_endpoint(endpoint)
        .build();
    let outcome = match (client, request) {
        (Ok(client), Ok(request)) => client
            .call(request)
            .await
            .map(|r| r.status())
            .map_err(|e| e.to_string()),
        (Err(e), _) => Err(e.to_string()),
        (_, Err(e)) => Err(e.to_string()),
    };
    match outcome {
        Ok(status) => {
            tracing::error!(%error, %status, "start-up failed; reported to /runtime/init/error")
        }
        Err(e) => {
            tracing::error!(%error, report_error = %e, "start-up failed and /runtime/init/error could not be reached")
        }
    }
}
