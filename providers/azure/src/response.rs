//! The reply to the host: `{"Outputs": {...}, "Logs": [...], "ReturnValue": ...}` with
//! `Content-Type: application/json` (the host refuses any other media type, and drops `Logs` and
//! outputs of a non-2xx reply).

use axum::body::Body;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::StatusCode;
use polyfaas_core::shim::result_value;
use polyfaas_core::{Failure, FailureKind};
use serde_json::{json, Map, Value};

use crate::function_json::{FunctionDef, TriggerKind};
use crate::runner::Ran;
use crate::{http_trigger, outputs};

/// What the reply says, decided inside the invocation's span (so that what it logs is in
/// `Logs`); written by [`write`] once the logs are taken.
#[derive(Debug)]
pub(crate) enum Reply {
    /// An HTTP trigger's answer: the `http` output binding's value, and the other outputs
    /// (200 envelope).
    Http {
        res: Value,
        outputs: Map<String, Value>,
    },
    /// Another trigger's success: the `ReturnValue` and the outputs (200 envelope).
    Return {
        value: Value,
        outputs: Map<String, Value>,
    },
    /// A failed invocation (non-2xx envelope): the host takes its retry path.
    Failed(Failure),
}

/// The reply to an invocation that reached the handler: its response, and the named outputs it
/// set written for their bindings (an output the function cannot write fails the invocation).
pub(crate) fn answered(function: &FunctionDef, result: Result<Ran, Failure>) -> Reply {
    let http = function.trigger_kind == TriggerKind::Http;
    let failed = |failure: Failure| {
        if http {
            // The client gets this status and body; a non-2xx envelope would give it a bare 500.
            Reply::Http {
                res: failure_res(&failure),
                outputs: Map::new(),
            }
        } else {
            Reply::Failed(failure)
        }
    };
    let ran = match result {
        Ok(ran) => ran,
        Err(failure) => return failed(failure),
    };
    let outputs = match outputs::encode(function, ran.outputs) {
        Ok(outputs) => outputs,
        Err(failure) => {
            tracing::error!(error_type = failure.error_type(), "{}", failure.message());
            return failed(failure);
        }
    };
    if http {
        let (res, warnings) = http_trigger::output(ran.response);
        for warning in warnings {
            tracing::warn!(function = %function.name, "{warning}");
        }
        Reply::Http { res, outputs }
    } else {
        Reply::Return {
            value: result_value(ran.response.body()),
            outputs,
        }
    }
}

/// The reply to a request that did not become an event: a failed invocation, except an HTTP
/// request too large for the body limit, whose client gets the 413 through the `http` output.
pub(crate) fn rejected(function: Option<&FunctionDef>, failure: Failure) -> Reply {
    match function {
        Some(f)
            if f.trigger_kind == TriggerKind::Http && failure.kind() == FailureKind::TooLarge =>
        {
            Reply::Http {
                res: failure_res(&failure),
                outputs: Map::new(),
            }
        }
        _ => Reply::Failed(failure),
    }
}

/// The reply as the host reads it. `function` (when the URL named one) says where an HTTP
/// answer goes.
pub(crate) fn write(
    function: Option<&FunctionDef>,
    reply: Reply,
    logs: Vec<String>,
) -> http::Response<Body> {
    match reply {
        Reply::Http { res, mut outputs } => {
            let mut return_value = Value::Null;
            match function.and_then(FunctionDef::http_output) {
                Some(binding) if binding.name != "$return" => {
                    outputs.insert(binding.name.clone(), res);
                }
                _ => return_value = res,
            }
            envelope(StatusCode::OK, outputs, logs, return_value, None)
        }
        Reply::Return { value, outputs } => envelope(StatusCode::OK, outputs, logs, value, None),
        Reply::Failed(failure) => failed(&failure, logs),
    }
}

/// The `http` output binding's value for a failure: its status and polyfaas's JSON error.
fn failure_res(failure: &Failure) -> Value {
    json!({
        "statusCode": failure.status().as_u16(),
        "headers": {"Content-Type": "application/json"},
        "body": failure.to_json().to_string(),
    })
}

/// A failed invocation: non-2xx (the host takes its retry path), `Error: {"type", "message"}`.
/// The status is the failure's when it is an error status (an unsuccessful response's 3xx is
/// not).
fn failed(failure: &Failure, logs: Vec<String>) -> http::Response<Body> {
    let status = failure.status();
    let status = if status.is_client_error() || status.is_server_error() {
        status
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    let error = json!({"type": failure.error_type(), "message": failure.message()});
    envelope(status, Map::new(), logs, Value::Null, Some(error))
}

fn envelope(
    status: StatusCode,
    outputs: Map<String, Value>,
    logs: Vec<String>,
    return_value: Value,
    error: Option<Value>,
) -> http::Response<Body> {
    let mut body = json!({"Outputs": outputs, "Logs": logs, "ReturnValue": return_value});
    if let Some(error) = error {
        body["Error"] = error;
    }
    json_response(status, body.to_string())
}

/// A JSON response.
pub(crate) fn json_response(status: StatusCode, body: String) -> http::Response<Body> {
    let mut response = http::Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
