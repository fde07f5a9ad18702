//! For the fuzz targets (`fuzz/`), hidden from the docs: the event detector's scanner reached
//! on its own, so a target can check it against serde.

/// The raw text of the JSON value at the start of `text` (after whitespace), as the detector
/// skips over it; `None` when it does not end.
pub fn skip_value(text: &str) -> Option<&str> {
    crate::detect::skip_value(text)
}

/// The shape of `text` as the invocation path decides it (HTTP events in one pass with their
/// parse), when that path decides one; it must be [`crate::detect`]'s.
pub fn fast_shape(text: &str) -> Option<crate::Shape> {
    crate::http::fast_shape(text)
}
