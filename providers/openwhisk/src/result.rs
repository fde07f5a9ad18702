//! Activation results of non-web activations, and error results.
//!
//! OpenWhisk wants a JSON object; a top-level `error` property makes it an application error.
//! The body as a JSON value is core's rule ([`result_value`]); wrapping a value that is not an
//! object in `{"body": ...}` is OpenWhisk's.

use polyfaas_core::shim::result_value;
use polyfaas_core::{Failure, Response};
use serde::de::IgnoredAny;
use serde_json::{json, Map, Value};

/// The result of an `Event::Invoke` activation.
///
/// - 2xx: the body's JSON if it is an object; any other JSON value as `{"body": <value>}`; text
///   that is not JSON as `{"body": "<text>"}`; bytes that are not UTF-8 as
///   `{"body_base64": "..."}`; an empty body as `{}`.
/// - any other status: `{"error": {"statusCode": <status>, "body": <JSON or text>}}`.
/// - a handler error, panic or timeout: `{"error": "<message>"}`, the message a caller may see
///   ([`Failure::message`]: a panic's names the request id, its text stays in the log).
pub(crate) fn invoke_result(outcome: Result<Response, Failure>) -> Vec<u8> {
    let value = match outcome {
        Ok(response) if response.is_success() => {
            if let Some(line) = object_line(response.body()) {
                return line;
            }
            match result_value(response.body()) {
                Value::Null if response.body().is_empty() => Value::Object(Map::new()),
                Value::String(base64) if std::str::from_utf8(response.body()).is_err() => {
                    json!({ "body_base64": base64 })
                }
                other => json!({ "body": other }),
            }
        }
        Ok(response) => json!({ "error": {
            "statusCode": response.status().as_u16(),
            "body": result_value(response.body()),
        } }),
        Err(failure) => return error_result(failure.message()),
    };
    to_line(&value)
}

/// `{"error": "<message>"}`.
pub(crate) fn error_result(message: &str) -> Vec<u8> {
    to_line(&json!({ "error": message }))
}

/// A JSON value as one line (serde_json escapes every newline inside strings).
pub(crate) fn to_line(value: &Value) -> Vec<u8> {
    // A `Value` with string keys always serialises.
    serde_json::to_vec(value).unwrap_or_default()
}

/// A body that is one JSON object, as a line without parsing it into a tree: checked, and with
/// its `\r`/`\n` bytes removed (in valid JSON they can only be whitespace between tokens).
fn object_line(body: &[u8]) -> Option<Vec<u8>> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    if body[start] != b'{' || serde_json::from_slice::<IgnoredAny>(body).is_err() {
        return None;
    }
    let mut line = body[start..].to_vec();
    line.retain(|b| !matches!(b, b'\n' | b'\r'));
    Some(line)
}

#[cfg(test)]
mod tests {
    use http::StatusCode;

    use super::*;

    fn parsed(line: Vec<u8>) -> Value {
        assert!(
            !line.contains(&b'\n'),
            "one line: {}",
            String::from_utf8_lossy(&line)
        );
        serde_json::from_slice(&line).unwrap()
    }

    #[test]
    fn success_bodies_become_objects() {
        let ok = |r: Response| parsed(invoke_result(Ok(r)));
        assert_eq!(
            ok(Response::json(&json!({"a": 1})).unwrap()),
            json!({"a": 1})
        );
        assert_eq!(
            ok(Response::json(&json!([1, 2])).unwrap()),
            json!({"body": [1, 2]})
        );
        assert_eq!(ok(Response::text("hi")), json!({"body": "hi"}));
        assert_eq!(ok(Response::ok()), json!({}));
        assert_eq!(
            ok(Response::bytes(vec![0xff, 0])),
            json!({"body_base64": "/wA="})
        );
    }

    #[test]
    fn failures_carry_an_error_property() {
        let r = parsed(invoke_result(Ok(
            Response::text("gone").with_status(StatusCode::NOT_FOUND)
        )));
        assert_eq!(r, json!({"error": {"statusCode": 404, "body": "gone"}}));
        let failure = Failure::from_error(
            &polyfaas_core::Error::msg("bad \"input\"\nsecond line"),
            "r-1",
        );
        let r = parsed(invoke_result(Err(failure)));
        assert_eq!(r, json!({"error": "bad \"input\"\nsecond line"}));
    }
}
