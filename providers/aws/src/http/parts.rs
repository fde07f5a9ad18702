//! The pieces of a [`Request`] every HTTP origin builds: the URI (paths and
//! queries encoded once), the headers, the body (sliced out of the event or base64-decoded),
//! the source IP. Each failure names the event's field.

use std::net::IpAddr;

use base64::alphabet::STANDARD as STANDARD_ALPHABET;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::uri::{Authority, PathAndQuery, Scheme};
use percent_encoding::{utf8_percent_encode, AsciiSet};
use polyfaas_core::{BadInput, Request, SourceIp};

use crate::json;

/// Padding is optional on input: some emitters drop it.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &STANDARD_ALPHABET,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The body: `body` as UTF-8 bytes, or base64-decoded when `isBase64Encoded`; `null` is empty.
pub(crate) fn body(
    payload: &Bytes,
    body: Option<&json::Str<'_>>,
    is_base64: bool,
) -> Result<Bytes, BadInput> {
    let Some(body) = body else {
        return Ok(Bytes::new());
    };
    let text = body.as_str();
    if is_base64 {
        return BASE64.decode(text).map(Bytes::from).map_err(|e| {
            BadInput::at(
                "body",
                format!("isBase64Encoded is true but the body is not base64: {e}"),
            )
            .with_source(e)
        });
    }
    Ok(slice_or_copy(payload, text.as_bytes()))
}

/// `part` as a `Bytes` sharing `payload`'s buffer when it lies inside it, else a copy.
fn slice_or_copy(payload: &Bytes, part: &[u8]) -> Bytes {
    let start = payload.as_ptr() as usize;
    let at = part.as_ptr() as usize;
    if at >= start && at + part.len() <= start + payload.len() {
        payload.slice_ref(part)
    } else {
        Bytes::copy_from_slice(part)
    }
}

/// What must be escaped to turn a decoded path into a URI path. `%` is handled apart.
use polyfaas_core::shim::uri::RAW_PATH as PATH_ESCAPE;
/// What must be escaped in a query string that arrived raw, to make it a valid URI query.
use polyfaas_core::shim::uri::RAW_QUERY as QUERY_ESCAPE;

/// What is escaped when a decoded query key or value is written back (v1): everything but
/// the unreserved characters.
const COMPONENT_ESCAPE: &AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A decoded path as a URI path. API Gateway hands paths over percent-decoded; a `%` that is
/// already followed by two hex digits is kept as an escape (cargo-lambda and some clients pass
/// paths still encoded), any other `%` is escaped.
pub(crate) fn encode_path(path: &str, out: &mut String) {
    if !path.starts_with('/') {
        out.push('/');
    }
    let mut rest = path;
    while let Some(at) = rest.find('%') {
        out.extend(utf8_percent_encode(&rest[..at], PATH_ESCAPE));
        let after = &rest.as_bytes()[at + 1..];
        let escape =
            after.len() >= 2 && after[0].is_ascii_hexdigit() && after[1].is_ascii_hexdigit();
        out.push_str(if escape { "%" } else { "%25" });
        rest = &rest[at + 1..];
    }
    out.extend(utf8_percent_encode(rest, PATH_ESCAPE));
}

/// A raw query string made safe for a URI (existing escapes kept).
pub(crate) fn push_raw_query(query: &str, out: &mut String) {
    out.extend(utf8_percent_encode(query, QUERY_ESCAPE));
}

/// A decoded query key or value, percent-encoded again.
pub(crate) fn push_encoded_component(text: &str, out: &mut String) {
    out.extend(utf8_percent_encode(text, COMPONENT_ESCAPE));
}

/// Builds the request's URI: `scheme://host/path?query` when the host is known, else
/// `/path?query`. `path_and_query` is already encoded. A host that lies inside `payload` shares
/// its buffer.
pub(crate) fn uri(
    payload: &Bytes,
    scheme: Option<&str>,
    host: Option<&str>,
    path_and_query: String,
    field: &str,
) -> Result<http::Uri, BadInput> {
    let pq = PathAndQuery::try_from(path_and_query).map_err(|e| {
        BadInput::at(
            field,
            format!("cannot be made into a URI path and query: {e}"),
        )
        .with_source(e)
    })?;
    let authority =
        host.and_then(|h| Authority::from_maybe_shared(slice_or_copy(payload, h.as_bytes())).ok());
    let mut parts = http::uri::Parts::default();
    if let Some(authority) = authority {
        let scheme = match scheme {
            Some(scheme) if scheme.eq_ignore_ascii_case("http") => Scheme::HTTP,
            _ => Scheme::HTTPS,
        };
        parts.scheme = Some(scheme);
        parts.authority = Some(authority);
    }
    parts.path_and_query = Some(pq);
    http::Uri::from_parts(parts)
        .map_err(|e| BadInput::at(field, format!("cannot be made into a URI: {e}")).with_source(e))
}

/// The capacity to make a header map with for `values` header values: that many, up to a bound
/// (`HeaderMap::with_capacity` panics past its maximum; a hostile event's thousands of headers
/// grow the map as they come).
pub(crate) fn header_capacity(values: usize) -> usize {
    values.min(256)
}

/// Adds one header value; an invalid name or value is an error naming `field`. A value that
/// lies inside `payload` (a JSON string without escapes) shares its buffer instead of being
/// copied; it is checked the same way either way.
pub(crate) fn append_header(
    headers: &mut http::HeaderMap,
    payload: &Bytes,
    name: &str,
    value: &str,
    field: impl Fn() -> String,
) -> Result<(), BadInput> {
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| {
        BadInput::at(field(), format!("{name:?} is not a valid header name")).with_source(e)
    })?;
    let value =
        HeaderValue::from_maybe_shared(slice_or_copy(payload, value.as_bytes())).map_err(|e| {
            BadInput::at(field(), "not a valid header value (control characters?)").with_source(e)
        })?;
    headers.append(name, value);
    Ok(())
}

/// Puts the client's address on the request, when the platform gave a parseable one.
pub(crate) fn set_source_ip(request: &mut Request, ip: Option<&str>) {
    if let Some(ip) = ip.and_then(|ip| ip.parse::<IpAddr>().ok()) {
        request.extensions_mut().insert(SourceIp(ip));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoded_paths_are_encoded_once() {
        let cases = [
            ("/a b/café", "/a%20b/caf%C3%A9"),
            ("/100%", "/100%25"),
            ("/x%zz", "/x%25zz"),
            ("/caf%C3%A9", "/caf%C3%A9"),
            ("/q?#", "/q%3F%23"),
            ("rel", "/rel"),
        ];
        for (path, want) in cases {
            let mut out = String::new();
            encode_path(path, &mut out);
            assert_eq!(out, want, "{path}");
        }
    }

    #[test]
    fn bodies_are_sliced_from_the_event_without_a_copy() {
        let payload = Bytes::from_static(br#"{"body":"hello"}"#);
        let text = std::str::from_utf8(&payload).unwrap();
        let start = text.find("hello").unwrap();
        let s = json::Str(std::borrow::Cow::Borrowed(&text[start..start + 5]));
        let body = body(&payload, Some(&s), false).unwrap();
        assert_eq!(&body[..], b"hello");
        assert_eq!(body.as_ptr(), payload[start..].as_ptr());
    }

    #[test]
    fn invalid_base64_names_the_body() {
        let s = json::Str("not base64!".into());
        let err = body(&Bytes::new(), Some(&s), true).unwrap_err().to_string();
        assert!(
            err.starts_with("body: isBase64Encoded is true but the body is not base64"),
            "{err}"
        );
        let s = json::Str("aGk".into());
        assert_eq!(&body(&Bytes::new(), Some(&s), true).unwrap()[..], b"hi");
    }
}
