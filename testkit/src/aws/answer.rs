//! A Lambda answer as the client or caller sees it.
//!
//! - An HTTP origin's result is read as API Gateway, a Function URL or an ALB reads it:
//!   `statusCode`, the header maps (`multiValueHeaders` first, then `headers`; payload 2.0
//!   `cookies` as `set-cookie`), `body` with `isBase64Encoded`. A payload 2.0 result that is not
//!   such an object is the body of a 200 JSON response (API Gateway's rule).
//! - A streamed HTTP-integration answer (a Function URL in `RESPONSE_STREAM` mode) is read as
//!   the URL reads it: the prelude's `statusCode`, `headers` and `cookies`, then the body; error
//!   trailers are a failure reported after the body.
//! - Any other result is the body of a 200 answer.
//! - An `/error` is a failure: 502 for an HTTP origin (what API Gateway, Function URLs and ALBs
//!   answer), 500 otherwise, with the error JSON as the body.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use serde_json::Value;

use super::Outcome;
use crate::answer::{Answer, Failure, Logs, NativeAnswer};
use crate::native::AwsOrigin;

pub(super) fn decode(origin: AwsOrigin, outcome: Outcome, logs: Logs) -> Answer {
    let json = |headers: Vec<(String, String)>| {
        let mut headers = headers;
        headers.push(("content-type".to_owned(), "application/json".to_owned()));
        headers
    };
    let (status, headers, body, failure) = match &outcome {
        Outcome::Error { header, body } => {
            let message = body["errorMessage"]
                .as_str()
                .map_or_else(|| body.to_string(), str::to_owned);
            let error_type = body["errorType"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| header.clone());
            let status = if origin.is_http() { 502 } else { 500 };
            (
                status,
                json(Vec::new()),
                Bytes::from(body.to_string()),
                Some(Failure::new(error_type, message)),
            )
        }
        Outcome::Response(payload) if origin.is_http() => {
            let (status, headers, body) = http_result(origin, payload);
            (status, headers, body, None)
        }
        Outcome::Response(payload) => (200, json(Vec::new()), payload.clone(), None),
        Outcome::Streamed(streamed) => {
            let (status, headers) = match streamed.prelude() {
                Some(prelude) => prelude_head(&prelude),
                None => (200, Vec::new()),
            };
            let failure = streamed.error().map(|(error_type, body)| {
                let message = body["errorMessage"]
                    .as_str()
                    .map_or_else(|| body.to_string(), str::to_owned);
                Failure::new(Some(error_type), message)
            });
            (status, headers, Bytes::from(streamed.body()), failure)
        }
    };
    Answer {
        native: NativeAnswer::Lambda(outcome),
        status,
        headers,
        body,
        failure,
        logs,
    }
}

/// Reads an HTTP origin's result.
fn http_result(origin: AwsOrigin, payload: &Bytes) -> (u16, Vec<(String, String)>, Bytes) {
    let parsed: Option<Value> = serde_json::from_slice(payload).ok();
    let response = parsed
        .as_ref()
        .and_then(Value::as_object)
        .filter(|o| o.contains_key("statusCode"));
    let Some(response) = response else {
        // API Gateway's rule for payload 2.0: a result without statusCode is a JSON body.
        return (
            200,
            vec![("content-type".to_owned(), "application/json".to_owned())],
            payload.clone(),
        );
    };
    let status = match &response["statusCode"] {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
    .unwrap_or(502);
    let mut headers = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    if let Some(Value::Object(multi)) = response.get("multiValueHeaders") {
        for (name, values) in multi {
            seen.insert(name.to_ascii_lowercase());
            for value in values.as_array().into_iter().flatten() {
                headers.push((name.to_ascii_lowercase(), text(value)));
            }
        }
    }
    if let Some(Value::Object(single)) = response.get("headers") {
        for (name, value) in single {
            if seen.insert(name.to_ascii_lowercase()) {
                headers.push((name.to_ascii_lowercase(), text(value)));
            }
        }
    }
    if matches!(origin, AwsOrigin::ApiGatewayV2 | AwsOrigin::FunctionUrl) {
        if let Some(Value::Array(cookies)) = response.get("cookies") {
            for cookie in cookies {
                headers.push(("set-cookie".to_owned(), text(cookie)));
            }
        }
    }
    let body = match response.get("body") {
        Some(Value::String(body)) if response["isBase64Encoded"] == Value::Bool(true) => BASE64
            .decode(body)
            .map_or_else(|_| Bytes::from(body.clone()), Bytes::from),
        Some(Value::String(body)) => Bytes::from(body.clone()),
        _ => Bytes::new(),
    };
    (status, headers, body)
}

/// The status and headers of an HTTP-integration prelude (`cookies` as `set-cookie`).
fn prelude_head(prelude: &Value) -> (u16, Vec<(String, String)>) {
    let status = prelude["statusCode"]
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .unwrap_or(200);
    let mut headers: Vec<(String, String)> = prelude["headers"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, value)| (name.to_ascii_lowercase(), text(value)))
        .collect();
    for cookie in prelude["cookies"].as_array().into_iter().flatten() {
        headers.push(("set-cookie".to_owned(), text(cookie)));
    }
    (status, headers)
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
