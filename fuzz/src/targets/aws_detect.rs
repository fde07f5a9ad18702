//! The AWS event detector: any bytes are a shape, and on valid JSON its scanner skips a value
//! exactly as serde reads it, and the invocation path's one-pass decision (HTTP events decided
//! with their parse) is detection's.

pub fn run(data: &[u8]) {
    let _ = polyfaas_aws::detect(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Oracle: serde's reading of the same text. For a valid JSON document, the scanner's value
    // is the whole document without its surrounding whitespace.
    if serde_json::from_str::<serde_json::Value>(text).is_ok() {
        let trimmed = text.trim_matches([' ', '\t', '\n', '\r']);
        assert_eq!(
            polyfaas_aws::fuzzing::skip_value(text),
            Some(trimmed),
            "the scanner's value differs from serde's on {text:?}"
        );
        if let Some(fast) = polyfaas_aws::fuzzing::fast_shape(text) {
            assert_eq!(
                fast,
                polyfaas_aws::detect(data),
                "the one-pass decision differs from detection's on {text:?}"
            );
        }
    }
}
