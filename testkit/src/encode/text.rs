//! Text helpers the encoders share: URI escaping, query pairs, header-name case.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use polyfaas_core::shim::uri::{DECODED_PATH, RAW_QUERY};

/// RFC 3986 unreserved characters stay; everything else is escaped (a query component).
pub(super) const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path segment list: as [`COMPONENT`], `/` kept.
pub(super) const KEY_PATH: &AsciiSet = &COMPONENT.remove(b'/');

/// A percent-decoded path as a client sends it: every byte that cannot stand in a URI path, and
/// `%`, escaped.
pub(super) fn raw_path(decoded: &str) -> String {
    utf8_percent_encode(decoded, DECODED_PATH).to_string()
}

/// The query as it stands in a URI: bytes that cannot stand there escaped, existing escapes kept.
pub(super) fn raw_query(query: &str) -> String {
    utf8_percent_encode(query, RAW_QUERY).to_string()
}

/// `path?query`, or the path alone when the query is empty.
pub(super) fn target(decoded_path: &str, query: &str) -> String {
    let mut target = raw_path(decoded_path);
    if !query.is_empty() {
        target.push('?');
        target.push_str(&raw_query(query));
    }
    target
}

/// The `key=value` pairs of a raw query, in order (a pair without `=` has an empty value).
pub(super) fn pairs(query: &str) -> Vec<(&str, &str)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect()
}

/// Pairs grouped by key in order of first appearance, each key with all its values.
pub(super) fn grouped<'a>(pairs: &[(&'a str, &'a str)]) -> Vec<(&'a str, Vec<&'a str>)> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for (key, value) in pairs {
        match groups.iter_mut().find(|(k, _)| k == key) {
            Some((_, values)) => values.push(value),
            None => groups.push((key, vec![value])),
        }
    }
    groups
}

/// Joins pairs back into a query string.
pub(super) fn join(pairs: impl IntoIterator<Item = (String, String)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-decodes a query component (`+` stays a `+`); `None` when it is not UTF-8.
pub(super) fn decode(text: &str) -> Option<String> {
    percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|t| t.into_owned())
}

/// Escapes a decoded query component with [`COMPONENT`].
pub(super) fn component(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// A header name as .NET writes it: `content-type` → `Content-Type`.
pub(super) fn dotnet_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Whether a decoded path survives being read back by a shim that takes `%XX` in it as an
/// escape (API Gateway hands the decoded path over; a `%` followed by two hex digits in it is
/// ambiguous).
pub(super) fn has_escape_like(decoded: &str) -> bool {
    let bytes = decoded.as_bytes();
    bytes
        .windows(3)
        .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
}
