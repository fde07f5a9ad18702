//! A non-HTTP response body as the platform's JSON result slot (the Lambda result payload,
//! Azure's `ReturnValue`, the OpenWhisk activation result): JSON if it parses, else a string.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::value::RawValue;
use serde_json::Value;

/// The body as a JSON value: its JSON if it parses, else its text as a string, else (bytes that
/// are not UTF-8) its base64 as a string; `null` when empty.
///
/// ```
/// use polyfaas_core::shim::result_value;
/// use serde_json::json;
///
/// assert_eq!(result_value(br#"{"a":1}"#), json!({"a": 1}));
/// assert_eq!(result_value(b"plain"), json!("plain"));
/// assert_eq!(result_value(&[0xff]), json!("/w=="));
/// assert_eq!(result_value(b""), json!(null));
/// ```
pub fn result_value(body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(body).unwrap_or_else(|_| Value::String(text_or_base64(body)))
}

/// [`result_value`] as raw JSON, without building a tree for a body that is already JSON.
///
/// ```
/// use polyfaas_core::shim::result_raw;
/// assert_eq!(result_raw(br#"{"a": [1, 2]}"#).get(), r#"{"a": [1, 2]}"#);
/// assert_eq!(result_raw(b"hi\n").get(), r#""hi\n""#);
/// ```
pub fn result_raw(body: &[u8]) -> Box<RawValue> {
    if body.is_empty() {
        return RawValue::NULL.to_owned();
    }
    if let Ok(text) = std::str::from_utf8(body) {
        if let Ok(raw) = serde_json::from_str::<&RawValue>(text) {
            return raw.to_owned();
        }
    }
    // A string always serialises.
    serde_json::value::to_raw_value(&text_or_base64(body))
        .unwrap_or_else(|_| RawValue::NULL.to_owned())
}

fn text_or_base64(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(text) => text.to_owned(),
        Err(_) => BASE64.encode(body),
    }
}
