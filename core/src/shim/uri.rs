//! Escape sets for building an `http::Uri` from the paths and queries platforms hand over
//! (decoded, half-encoded or raw), shared by the canonical JSON reader and the shims.
//!
//! ```
//! use percent_encoding::utf8_percent_encode;
//! use polyfaas_core::shim::uri::{DECODED_PATH, RAW_QUERY};
//!
//! assert_eq!(utf8_percent_encode("/a b/100%", DECODED_PATH).to_string(), "/a%20b/100%25");
//! assert_eq!(utf8_percent_encode("q=a b&r=%41?", RAW_QUERY).to_string(), "q=a%20b&r=%41?");
//! ```

use percent_encoding::{AsciiSet, CONTROLS};

/// Bytes that cannot stand in a URI query as they are. Existing escapes (`%`) and `?` are kept.
pub const RAW_QUERY: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']');

/// Bytes that cannot stand in a URI path as they are; existing escapes (`%`) are kept.
pub const RAW_PATH: &AsciiSet = &RAW_QUERY.add(b'?');

/// For a percent-decoded path: as [`RAW_PATH`], and `%` is escaped too.
pub const DECODED_PATH: &AsciiSet = &RAW_PATH.add(b'%');

/// Reads a byte size: `1234`, `64KiB`, `6MiB`, `6 mb` (case-insensitive; K and M are 1024-based).
///
/// ```
/// assert_eq!(polyfaas_core::shim::uri::parse_byte_size("6MiB"), Some(6 * 1024 * 1024));
/// assert_eq!(polyfaas_core::shim::uri::parse_byte_size("6 GiB"), None);
/// ```
pub fn parse_byte_size(text: &str) -> Option<usize> {
    let text = text.trim().to_ascii_lowercase();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: usize = number.parse().ok()?;
    let factor = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        _ => return None,
    };
    number.checked_mul(factor)
}
