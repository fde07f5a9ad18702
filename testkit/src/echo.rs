//! For functions that answer with echo's document (`examples/echo`): checks on its canonical
//! JSON, for tests. The assertions panic with the document when it is not what they expect.
//!
//! ```
//! use polyfaas_testkit::echo::{event_of, header_values};
//!
//! let document = serde_json::json!({"provider": "aws",
//!     "context": {"request_id": "r-1", "function": "echo", "deadline_ms": null},
//!     "event": {"kind": "http", "headers": {"x-a": ["1", "2"]}}});
//! let event = event_of(&document, "aws");
//! assert_eq!(header_values(&event, "x-a"), ["1", "2"]);
//! ```

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Checks the document's outer shape (`provider`, a non-empty `context.request_id`,
/// `context.function`, a numeric or null `context.deadline_ms`) and returns its `event`.
///
/// # Panics
///
/// When the shape is not so, with the document.
pub fn event_of(document: &Value, provider: &str) -> Value {
    assert_eq!(document["provider"], provider, "{document:#}");
    let context = &document["context"];
    assert!(
        context["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "context.request_id: {document:#}"
    );
    assert!(
        context.get("function").is_some(),
        "context.function: {document:#}"
    );
    assert!(
        context["deadline_ms"].is_null() || context["deadline_ms"].is_u64(),
        "context.deadline_ms: {document:#}"
    );
    document["event"].clone()
}

/// Sends a non-UTF-8 binary body with every method that carries one to an HTTP-serving echo at
/// `addr`, and checks each arrives intact under the expected `provider`.
///
/// # Panics
///
/// When a request fails or the echoed body differs.
pub async fn assert_binary_bodies_arrive_intact(addr: std::net::SocketAddr, provider: &str) {
    let body: Vec<u8> = vec![0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, b'\n', 0x00];
    for method in ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        let mut request = http::Request::new(bytes::Bytes::from(body.clone()));
        *request.method_mut() = http::Method::from_bytes(method.as_bytes()).unwrap_or_default();
        *request.uri_mut() = http::Uri::from_static("/upload");
        request.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/octet-stream"),
        );
        let response = crate::client::send(addr, request).await;
        assert_eq!(response.status(), 200, "{provider} {method}");
        let event = event_of(&crate::client::json(&response), provider);
        assert_eq!(event["method"], method, "{provider}");
        assert_eq!(body_of(&event), body, "{provider} {method}");
        assert_eq!(event["body_base64"], base64(&body), "{provider} {method}");
    }
}

pub use crate::aws::now_ms;

/// The decoded `body_base64` of an event.
///
/// # Panics
///
/// When `body_base64` is not a base64 string.
pub fn body_of(event: &Value) -> Vec<u8> {
    BASE64
        .decode(
            event["body_base64"]
                .as_str()
                .expect("body_base64 is a string"),
        )
        .expect("body_base64 is base64")
}

/// Base64 of bytes, as the canonical JSON writes it.
pub fn base64(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// Lower-case hex SHA-256, as echo's `local_sha256`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The JSON after `marker` on each line of a function's log that has it: echo's
/// `echo record {...}` (`marker` = `"echo record "`) and `echo extras {...}` lines, in order.
/// Text lines and JSON log lines (whose `message` holds the text) are both read.
///
/// ```
/// use polyfaas_testkit::echo::logged;
///
/// let log = concat!(
///     r#"2026-03-01T09:00:00Z  INFO invocation: echo: echo record {"kind":"message","id":"m1"}"#,
///     "\n",
///     r#"{"level":"INFO","message":"echo record {\"kind\":\"change\"}"}"#,
///     "\n",
/// );
/// let records = logged(log, "echo record ");
/// assert_eq!(records[0]["id"], "m1");
/// assert_eq!(records[1]["kind"], "change");
/// ```
pub fn logged(log: &str, marker: &str) -> Vec<Value> {
    log.lines()
        .filter_map(|line| {
            let message = match serde_json::from_str::<Value>(line) {
                Ok(Value::Object(json)) => json.get("message")?.as_str()?.to_owned(),
                _ => line.to_owned(),
            };
            let at = message.find(marker)?;
            serde_json::from_str(message[at + marker.len()..].trim_end()).ok()
        })
        .collect()
}

/// The values of one header in an http event.
pub fn header_values(event: &Value, name: &str) -> Vec<String> {
    event["headers"][name]
        .as_array()
        .map(|values| {
            values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
