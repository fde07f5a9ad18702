//! Checks on echo's canonical JSON shared by every platform's tests.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Checks the document's outer shape and returns its `event`.
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
pub async fn assert_binary_bodies_arrive_intact(addr: std::net::SocketAddr, provider: &str) {
    let body: Vec<u8> = vec![0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, b'\n', 0x00];
    for method in ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        let request = http::Request::builder()
            .method(method)
            .uri("/upload")
            .header("content-type", "application/octet-stream")
            .body(bytes::Bytes::from(body.clone()))
            .expect("a valid request");
        let response = crate::client::send(addr, request).await;
        assert_eq!(response.status(), 200, "{provider} {method}");
        let event = event_of(&crate::client::json(&response), provider);
        assert_eq!(event["method"], method, "{provider}");
        assert_eq!(body_of(&event), body, "{provider} {method}");
        assert_eq!(event["body_base64"], base64(&body), "{provider} {method}");
    }
}

/// Milliseconds since the Unix epoch, to compare with `context.deadline_ms`.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The decoded `body_base64` of an event.
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
