//! The reply to the host: `{"Outputs": {...}, "Logs": [...], "ReturnValue": ...}` with
//! `Content-Type: application/json` (the host refuses any other media type, and drops `Logs` and
//! outputs of a non-2xx reply).

use axum::body::Body;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::StatusCode;
use polyfaas_core::{Error, Response};
use serde_json::{json, Map, Value};

use crate::error::PayloadError;
use crate::function_json::{FunctionDef, TriggerKind};
use crate::http_trigger;

/// The reply to an envelope invocation.
pub(crate) fn invocation(
    function: &FunctionDef,
    result: Result<Response, Error>,
    mut logs: Vec<String>,
) -> http::Response<Body> {
    if function.trigger_kind == TriggerKind::Http {
        let res = match result {
            Ok(response) => {
                let (res, warnings) = http_trigger::output(response);
                for warning in warnings {
                    tracing::warn!(function = %function.name, "{warning}");
                    logs.push(format!("WARN polyfaas_azure: {warning}"));
                }
                res
            }
            // The client gets this status and body; a non-2xx envelope would give it a bare 500.
            Err(error) => json!({
                "statusCode": error_status(&error).as_u16(),
                "headers": {"Content-Type": "application/json"},
                "body": error_json(error.error_type(), &error.to_string()).to_string(),
            }),
        };
        let mut outputs = Map::new();
        let mut return_value = Value::Null;
        match function.http_output() {
            Some(binding) if binding.name != "$return" => {
                outputs.insert(binding.name.clone(), res);
            }
            _ => return_value = res,
        }
        return envelope(StatusCode::OK, outputs, logs, return_value, None);
    }
    match result {
        Ok(response) if response.is_success() => envelope(
            StatusCode::OK,
            Map::new(),
            logs,
            body_value(response.body()),
            None,
        ),
        Ok(response) => {
            let message = format!(
                "the handler answered {}: {}",
                response.status(),
                String::from_utf8_lossy(response.body())
            );
            failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                "HandlerError",
                &message,
                logs,
            )
        }
        Err(error) => failure(
            error_status(&error),
            error.error_type(),
            &error.to_string(),
            logs,
        ),
    }
}

/// The reply to a request that could not be turned into an event.
pub(crate) fn payload_error(error: &PayloadError, logs: Vec<String>) -> http::Response<Body> {
    failure(error.status(), error.error_type(), &error.to_string(), logs)
}

/// A failed invocation: non-2xx, the message in `Logs` (for people reading the reply; the host
/// drops it) and in `Error`, and on stderr.
fn failure(
    status: StatusCode,
    error_type: &str,
    message: &str,
    mut logs: Vec<String>,
) -> http::Response<Body> {
    tracing::error!(status = status.as_u16(), error_type, "{message}");
    logs.push(format!("ERROR polyfaas_azure: {message}"));
    let error = json!({"type": error_type, "message": message});
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

/// A handler's result body as the `ReturnValue`: JSON if it parses, else text, else base64;
/// `null` when empty.
fn body_value(body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(body).unwrap_or_else(|_| match std::str::from_utf8(body) {
        Ok(text) => Value::String(text.to_owned()),
        Err(_) => Value::String(BASE64.encode(body)),
    })
}

/// 504 for a missed deadline, 500 for everything else a handler does wrong.
pub(crate) fn error_status(error: &Error) -> StatusCode {
    match error {
        Error::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// `{"error": {"type": ..., "message": ...}}`, the body of HTTP error responses on every
/// polyfaas platform.
pub(crate) fn error_json(error_type: &str, message: &str) -> Value {
    json!({"error": {"type": error_type, "message": message}})
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_values_keep_json_text_and_bytes() {
        assert_eq!(body_value(b""), Value::Null);
        assert_eq!(body_value(br#"{"a":1}"#), json!({"a": 1}));
        assert_eq!(body_value(b"plain"), json!("plain"));
        assert_eq!(body_value(&[0xff]), json!("/w=="));
    }
}
