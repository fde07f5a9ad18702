//! Hostile blob keys and store URLs: `BlobKey::parse` (a key that passes never climbs out of
//! its store: what `BlobKey`'s documentation promises holds of every key it accepts),
//! `BlobUrl::parse`, and the byte-size parser of `POLYFAAS_BODY_LIMIT`.
use polyfaas_core::blob::{BlobKey, BlobUrl, MAX_KEY_LEN};
use polyfaas_core::shim::uri::parse_byte_size;

pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(key) = BlobKey::parse(text) {
        let key = key.as_str();
        assert!(
            !key.is_empty() && key.len() <= MAX_KEY_LEN,
            "bad length passed: {key:?}"
        );
        assert!(!key.contains('\\'), "a backslash passed: {key:?}");
        assert!(
            !key.chars().any(char::is_control),
            "a control character passed: {key:?}"
        );
        assert!(
            key.split('/').all(|s| !matches!(s, "" | "." | "..")),
            "an absolute key, or an empty or dot segment, passed: {key:?}"
        );
    }
    let _ = BlobUrl::parse(text);
    let _ = parse_byte_size(text);
}
