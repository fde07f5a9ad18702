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
