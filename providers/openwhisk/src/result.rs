//! Activation results of non-web activations, and error results.
//!
//! OpenWhisk wants a JSON object; a top-level `error` property makes it an application error.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use polyfaas_core::{Error, Response};
use serde_json::{json, Map, Value};

/// The result of an `Event::Invoke` activation.
///
/// - 2xx: the body's JSON if it is an object; any other JSON value as `{"body": <value>}`; text
///   that is not JSON as `{"body": "<text>"}`; bytes that are not UTF-8 as
///   `{"body_base64": "..."}`; an empty body as `{}`.
/// - any other status: `{"error": {"statusCode": <status>, "body": <JSON or text>}}`.
/// - a handler error, panic or timeout: `{"error": "<message>"}`.
pub(crate) fn invoke_result(outcome: Result<Response, Error>) -> Value {
    match outcome {
        Ok(response) if response.is_success() => match body_value(response.body()) {
            Value::Object(object) => Value::Object(object),
            Value::Null if response.body().is_empty() => Value::Object(Map::new()),
            Value::String(base64) if std::str::from_utf8(response.body()).is_err() => {
                json!({ "body_base64": base64 })
            }
            other => json!({ "body": other }),
        },
        Ok(response) => json!({ "error": {
            "statusCode": response.status().as_u16(),
            "body": body_value(response.body()),
        } }),
        Err(error) => error_result(&error.to_string()),
    }
}

/// `{"error": "<message>"}`.
pub(crate) fn error_result(message: &str) -> Value {
    json!({ "error": message })
}

/// A body as JSON: its JSON value if it parses, else its text, else its base64; `null` if empty.
fn body_value(body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(_) => match std::str::from_utf8(body) {
            Ok(text) => Value::String(text.to_owned()),
            Err(_) => Value::String(BASE64.encode(body)),
        },
    }
}

#[cfg(test)]
mod tests {
    use http::StatusCode;

    use super::*;

    #[test]
    fn success_bodies_become_objects() {
        let ok = |r: Response| invoke_result(Ok(r));
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
        let r = invoke_result(Ok(Response::text("gone").with_status(StatusCode::NOT_FOUND)));
        assert_eq!(r, json!({"error": {"statusCode": 404, "body": "gone"}}));
        let r = invoke_result(Err(Error::msg("bad \"input\"\nsecond line")));
        assert_eq!(r, json!({"error": "bad \"input\"\nsecond line"}));
        // One line on the wire: the newline is escaped.
        assert!(!r.to_string().contains('\n'));
    }
}
