//! Binary content mode: every attribute is a `ce-<name>` header, `Content-Type` is
//! `datacontenttype`, and the body is the data.
//!
//! Header values are read as the CloudEvents HTTP binding says (section 3.1.3.2): an RFC 7230
//! quoted-string is unquoted first, then the value is percent-decoded once, and the result
//! must be UTF-8.

use std::borrow::Cow;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::HeaderMap;
use percent_encoding::percent_decode;
use polyfaas_core::shim::{is_text, parse_at};
use polyfaas_core::BadInput;
use serde_json::Value;

use super::event::{is_json, CloudEvent, Data, SPEC_VERSION};

/// The attributes every CloudEvent has.
const REQUIRED: [&str; 4] = ["id", "source", "specversion", "type"];

/// Reads a binary-mode CloudEvent from its headers and body.
///
/// ```
/// use bytes::Bytes;
/// use http::HeaderMap;
/// use polyfaas_gcp::cloudevent::{binary, Data};
///
/// let mut headers = HeaderMap::new();
/// for (name, value) in [("ce-id", "1"), ("ce-source", "//a/b"), ("ce-specversion", "1.0"),
///                       ("ce-type", "t"), ("ce-subject", "caf%C3%A9"), ("content-type", "application/json")] {
///     headers.insert(name, value.parse().unwrap());
/// }
/// let event = binary::decode(&headers, &Bytes::from_static(b"{\"n\":10}")).unwrap();
/// assert_eq!(event.subject.as_deref(), Some("café"));
/// assert_eq!(event.data, Data::Json(serde_json::json!({"n": 10})));
/// ```
pub fn decode(headers: &HeaderMap, body: &Bytes) -> Result<CloudEvent, BadInput> {
    with_data(attributes(headers)?, body)
}

/// The event's attributes from the `ce-*` headers and Content-Type, its `data` left
/// [`Data::None`] (see [`with_data`]).
pub(crate) fn attributes(headers: &HeaderMap) -> Result<CloudEvent, BadInput> {
    let mut event = CloudEvent::new(String::new(), String::new(), String::new());
    let mut seen = [false; 4];
    let mut datacontenttype_header = None;
    for (name, value) in headers {
        let Some(attribute) = name.as_str().strip_prefix("ce-") else {
            continue;
        };
        let value = decode_value(name.as_str(), value.as_bytes())?;
        match attribute {
            "id" | "source" | "specversion" | "type" => {
                let index = REQUIRED.iter().position(|r| *r == attribute).unwrap_or(0);
                if seen[index] {
                    // A repeated header: the first value counts.
                    continue;
                }
                seen[index] = true;
                if value.is_empty() {
                    return Err(BadInput::at(name.as_str(), "must not be empty"));
                }
                match attribute {
                    "id" => event.id = value,
                    "source" => event.source = value,
                    "specversion" => event.specversion = value,
                    _ => event.ty = value,
                }
            }
            "subject" => set_once(&mut event.subject, value),
            "time" => set_once(&mut event.time, value),
            "dataschema" => set_once(&mut event.dataschema, value),
            // Binary mode carries it in Content-Type; only used when that is missing.
            "datacontenttype" => set_once(&mut datacontenttype_header, value),
            "" => return Err(BadInput::at(name.as_str(), "an attribute needs a name")),
            extension => {
                if !event.extensions.contains_key(extension) {
                    event
                        .extensions
                        .insert(extension.to_owned(), Value::String(value));
                }
            }
        }
    }
    for (attribute, seen) in REQUIRED.iter().zip(seen) {
        if !seen {
            return Err(BadInput::at(
                format!("ce-{attribute}"),
                "the header is missing (a binary-mode CloudEvent needs ce-id, ce-source, ce-specversion and ce-type)",
            ));
        }
    }
    if event.specversion != SPEC_VERSION {
        return Err(BadInput::at(
            "ce-specversion",
            format!(
                "{:?} is not supported; this shim reads CloudEvents {SPEC_VERSION}",
                event.specversion
            ),
        ));
    }
    event.datacontenttype = match headers.get(CONTENT_TYPE) {
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| BadInput::at("content-type", "not a valid header value"))?
                .to_owned(),
        ),
        None => datacontenttype_header,
    };
    Ok(event)
}

/// `event` (from [`attributes`]) with its data read from `body` by its content type.
pub(crate) fn with_data(mut event: CloudEvent, body: &Bytes) -> Result<CloudEvent, BadInput> {
    event.data = data(event.datacontenttype.as_deref(), body)?;
    Ok(event)
}

fn set_once(slot: &mut Option<String>, value: String) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

/// The body as data of `content_type`.
fn data(content_type: Option<&str>, body: &Bytes) -> Result<Data, BadInput> {
    if body.is_empty() {
        return Ok(Data::None);
    }
    if is_json(content_type) {
        return match parse_at::<Value>(body, "body") {
            Ok(value) => Ok(Data::Json(value)),
            Err(e) => match content_type {
                Some(content_type) => Err(BadInput::at(
                    "body",
                    format!(
                        "not valid JSON, but Content-Type is {content_type:?}: {}",
                        e.message()
                    ),
                )
                .with_source(e)),
                // No content type at all: whatever the bytes are.
                None => Ok(match std::str::from_utf8(body) {
                    Ok(text) => Data::Text(text.to_owned()),
                    Err(_) => Data::Binary(body.clone()),
                }),
            },
        };
    }
    if content_type.is_some_and(is_text) {
        if let Ok(text) = std::str::from_utf8(body) {
            return Ok(Data::Text(text.to_owned()));
        }
    }
    Ok(Data::Binary(body.clone()))
}

/// Unquotes an RFC 7230 quoted-string, percent-decodes once, and checks for UTF-8.
fn decode_value(header: &str, raw: &[u8]) -> Result<String, BadInput> {
    let unquoted: Cow<'_, [u8]> = match raw {
        [b'"', inner @ .., b'"'] if raw.len() >= 2 => {
            let mut out = Vec::with_capacity(inner.len());
            let mut bytes = inner.iter();
            while let Some(&b) = bytes.next() {
                if b == b'\\' {
                    match bytes.next() {
                        Some(&escaped) => out.push(escaped),
                        None => {
                            return Err(BadInput::at(
                                header,
                                "the quoted string ends in a lone backslash",
                            ))
                        }
                    }
                } else {
                    out.push(b);
                }
            }
            Cow::Owned(out)
        }
        _ => Cow::Borrowed(raw),
    };
    let decoded: Cow<'_, [u8]> = percent_decode(&unquoted).into();
    match decoded {
        Cow::Borrowed(bytes) => std::str::from_utf8(bytes).map(str::to_owned).ok(),
        Cow::Owned(bytes) => String::from_utf8(bytes).ok(),
    }
    .ok_or_else(|| BadInput::at(header, "not valid UTF-8 after percent-decoding"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_bytes(value).unwrap(),
            );
        }
        map
    }

    const BASE: [(&str, &[u8]); 4] = [
        ("ce-id", b"id-1"),
        ("ce-source", b"//svc/x"),
        ("ce-specversion", b"1.0"),
        ("ce-type", b"t.v1"),
    ];

    #[test]
    fn values_are_unquoted_then_percent_decoded() {
        let mut pairs = BASE.to_vec();
        pairs.push(("ce-subject", b"\"a \\\"quoted\\\" %E2%9C%93\""));
        pairs.push(("ce-time", b"2024-01-02T03:04:05.678Z"));
        pairs.push(("ce-myext", b"100%25"));
        let event = decode(&headers(&pairs), &Bytes::new()).unwrap();
        assert_eq!(event.subject.as_deref(), Some("a \"quoted\" ✓"));
        assert_eq!(event.time.as_deref(), Some("2024-01-02T03:04:05.678Z"));
        assert_eq!(event.extensions["myext"], "100%");
        assert_eq!(event.data, Data::None);
        assert_eq!(event.datacontenttype, None);
    }

    #[test]
    fn invalid_utf8_after_decoding_is_refused() {
        let mut pairs = BASE.to_vec();
        pairs.push(("ce-subject", b"%C3%28"));
        let err = decode(&headers(&pairs), &Bytes::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ce-subject: not valid UTF-8 after percent-decoding"
        );
    }

    #[test]
    fn every_required_header_is_named_when_missing() {
        for missing in REQUIRED {
            let pairs: Vec<_> = BASE
                .iter()
                .copied()
                .filter(|(n, _)| *n != format!("ce-{missing}"))
                .collect();
            let err = decode(&headers(&pairs), &Bytes::new()).unwrap_err();
            assert!(
                err.to_string().starts_with(&format!("ce-{missing}: ")),
                "{err}"
            );
        }
        let mut pairs = BASE.to_vec();
        pairs[2] = ("ce-specversion", b"0.3");
        let err = decode(&headers(&pairs), &Bytes::new()).unwrap_err();
        assert!(
            err.to_string().contains("\"0.3\" is not supported"),
            "{err}"
        );
    }

    #[test]
    fn data_follows_content_type() {
        let with = |ct: &str| {
            let mut pairs = BASE.to_vec();
            pairs.push(("content-type", ct.as_bytes()));
            headers(&pairs)
        };
        let body = Bytes::from_static(b"\"just a string\"");
        assert_eq!(
            decode(&with("application/json"), &body).unwrap().data,
            Data::Json(Value::String("just a string".into()))
        );
        assert_eq!(
            decode(&with("text/plain"), &Bytes::from_static(b"hi"))
                .unwrap()
                .data,
            Data::Text("hi".into())
        );
        assert_eq!(
            decode(
                &with("application/octet-stream"),
                &Bytes::from_static(b"\x00\xff")
            )
            .unwrap()
            .data,
            Data::Binary(Bytes::from_static(b"\x00\xff"))
        );
        let err = decode(&with("application/json"), &Bytes::from_static(b"{oops")).unwrap_err();
        assert!(err.to_string().starts_with("body: not valid JSON"), "{err}");
        // No content type: JSON if it parses, else text or bytes.
        let no_ct = headers(&BASE);
        assert_eq!(
            decode(&no_ct, &Bytes::from_static(b"[1]")).unwrap().data,
            Data::Json(serde_json::json!([1]))
        );
        assert_eq!(
            decode(&no_ct, &Bytes::from_static(b"plain")).unwrap().data,
            Data::Text("plain".into())
        );
    }

    #[test]
    fn header_names_are_case_insensitive_and_the_first_value_counts() {
        let mut pairs: Vec<(&str, &[u8])> = vec![
            ("Ce-Id", b"first"),
            ("ce-id", b"second"),
            ("CE-SOURCE", b"//s/x"),
            ("Ce-Specversion", b"1.0"),
            ("Ce-Type", b"t"),
        ];
        pairs.push(("ce-datacontenttype", b"application/json"));
        let event = decode(&headers(&pairs), &Bytes::from_static(b"{}")).unwrap();
        assert_eq!(event.id, "first");
        assert_eq!(event.datacontenttype.as_deref(), Some("application/json"));
        assert_eq!(event.data, Data::Json(serde_json::json!({})));
    }
}
