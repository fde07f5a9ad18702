//! Web actions: the `__ow_*` parameters into an HTTP request, and a [`Response`] into the
//! `{statusCode, headers, body}` result the controller turns back into HTTP.
//!
//! The controller's rules (`WebActions.scala`), which this module mirrors:
//! - Request: `__ow_method` lower-case; `__ow_headers` one string per lower-case name (repeated
//!   headers already collapsed); `__ow_path` the path after `<action>.<ext>`, percent-encoded;
//!   raw mode (`--web raw`) adds `__ow_query` and `__ow_body`, which is base64 for binary media
//!   types and for `application/json`, text otherwise. Without raw mode the query and JSON or form
//!   bodies are merged into the parameters.
//! - Response: a non-empty `body` string is decoded from base64 for binary content types, and for
//!   JSON types when it looks like base64 (a legacy rule); textual bodies are sent as they are.

use std::borrow::Cow;
use std::net::IpAddr;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use polyfaas_core::shim::{http_method, media_type};
use polyfaas_core::{BadInput, Failure, Request, Response, SourceIp};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::result::to_line;

/// Characters that cannot stand in a URI query / path as they are (`%` stays: already encoded).
use polyfaas_core::shim::uri::{RAW_PATH as PATH_ESCAPE, RAW_QUERY as QUERY_ESCAPE};

/// Form encoding of rebuilt query parameters (non-raw web actions).
const FORM_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A web action's `__ow_*` field that is missing or has the wrong shape: `the web action's
/// `<field>` <problem>`.
fn bad(field: impl std::fmt::Display, problem: impl std::fmt::Display) -> BadInput {
    BadInput::new(format!("the web action's `{field}` {problem}"))
}

/// Whether the parameters are a web action's: `__ow_method` is present.
pub(crate) fn is_web(params: &Value) -> bool {
    params.get("__ow_method").is_some()
}

/// A web action's parameters as an HTTP request.
pub(crate) fn request(params: Value) -> Result<Request, BadInput> {
    let Value::Object(mut params) = params else {
        return Err(bad("(parameters)", "must be a JSON object"));
    };
    // The controller sends methods lower-case; core's one rule for methods applies.
    let method = match params.get("__ow_method") {
        Some(Value::String(m)) => {
            http_method(m, "__ow_method").map_err(|e| bad("__ow_method", e.message()))?
        }
        _ => return Err(bad("__ow_method", "must be a string")),
    };
    let path = match params.shift_remove("__ow_path") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(p)) => p,
        Some(_) => return Err(bad("__ow_path", "must be a string")),
    };
    let query = match params.shift_remove("__ow_query") {
        None => rebuilt_query(&params),
        // The rule: one leading `?` is not part of the query (some callers of the API gateway
        // pass it through); the query is the raw string after it.
        Some(Value::String(q)) => match q.strip_prefix('?') {
            Some(rest) => rest.to_owned(),
            None => q,
        },
        Some(_) => return Err(bad("__ow_query", "must be a string")),
    };
    let mut uri = String::with_capacity(path.len() + query.len() + 2);
    if !path.starts_with('/') {
        uri.push('/');
    }
    uri.extend(utf8_percent_encode(&path, PATH_ESCAPE));
    if !query.is_empty() {
        uri.push('?');
        uri.extend(utf8_percent_encode(&query, QUERY_ESCAPE));
    }
    let uri: http::Uri = uri.parse().map_err(|e| {
        bad("__ow_path", format!("{path:?} with query {query:?}: {e}")).with_source(e)
    })?;

    let headers = match params.get("__ow_headers") {
        None | Some(Value::Null) => http::HeaderMap::new(),
        Some(Value::Object(headers)) => header_map(headers)?,
        Some(_) => return Err(bad("__ow_headers", "must be an object")),
    };
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let body = body(params.shift_remove("__ow_body"), content_type);

    let mut request = http::Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    if let Some(ip) = forwarded_for(&headers) {
        request.extensions_mut().insert(SourceIp(ip));
    }
    *request.headers_mut() = headers;
    Ok(request)
}

/// Non-raw web actions have no `__ow_query`: the controller merged the query (and JSON or form
/// body fields) into the parameters. The scalar ones become the query, in their order.
fn rebuilt_query(params: &Map<String, Value>) -> String {
    let mut query = String::new();
    for (name, value) in params.iter().filter(|(k, _)| !k.starts_with("__ow_")) {
        let text = match value {
            Value::String(s) => Cow::Borrowed(s.as_str()),
            Value::Number(n) => Cow::Owned(n.to_string()),
            Value::Bool(b) => Cow::Owned(b.to_string()),
            Value::Null | Value::Array(_) | Value::Object(_) => continue,
        };
        if !query.is_empty() {
            query.push('&');
        }
        query.extend(utf8_percent_encode(name, FORM_ESCAPE));
        query.push('=');
        query.extend(utf8_percent_encode(&text, FORM_ESCAPE));
    }
    query
}

/// `__ow_headers`: one string per name from the controller; arrays (several values), numbers
/// and booleans are accepted too.
fn header_map(headers: &Map<String, Value>) -> Result<http::HeaderMap, BadInput> {
    let mut map = http::HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let field = || format!("__ow_headers.{name}");
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| bad(field(), "is not a valid header name"))?;
        let values = match value {
            Value::Array(values) => values.as_slice(),
            single => std::slice::from_ref(single),
        };
        for value in values {
            let text = match value {
                Value::String(s) => Cow::Borrowed(s.as_str()),
                Value::Number(n) => Cow::Owned(n.to_string()),
                Value::Bool(b) => Cow::Owned(b.to_string()),
                _ => return Err(bad(field(), "must be a string")),
            };
            let value = HeaderValue::from_str(&text)
                .map_err(|_| bad(field(), "is not a valid header value (control characters?)"))?;
            map.append(header.clone(), value);
        }
    }
    Ok(map)
}

/// `__ow_body`: base64 when the content type makes the controller encode it, text otherwise; a
/// JSON value that is not a string (non-raw actions given a JSON array, number...) as its JSON.
fn body(body: Option<Value>, content_type: Option<&str>) -> Bytes {
    match body {
        None | Some(Value::Null) => Bytes::new(),
        Some(Value::String(text)) if text.is_empty() => Bytes::new(),
        Some(Value::String(text)) if arrives_as_base64(content_type) => {
            match BASE64.decode(text.trim()) {
                Ok(bytes) => Bytes::from(bytes),
                Err(e) => {
                    // A textual type the controller did not class as binary: keep the text.
                    tracing::debug!(?content_type, error = %e, "__ow_body is not base64; taken as text");
                    Bytes::from(text)
                }
            }
        }
        Some(Value::String(text)) => Bytes::from(text),
        Some(other) => Bytes::from(other.to_string()),
    }
}

/// Whether the controller sends a request body of this type as base64: binary media types, and
/// `application/json` (a legacy rule of raw web actions). A body without a type is
/// `application/octet-stream`.
fn arrives_as_base64(content_type: Option<&str>) -> bool {
    match content_type.map(media_type) {
        None => true,
        Some(media) => media == "application/json" || !is_textual(&media),
    }
}

/// Media types the controller handles as text (akka-http's non-binary types). This is the
/// controller's own rule, so it stays here rather than core's `shim::is_text`: a `+json` or
/// `+xml` type, text to core, arrives from the controller as base64.
fn is_textual(media: &str) -> bool {
    media.starts_with("text/")
        || matches!(
            media,
            "application/json"
                | "application/xml"
                | "application/xhtml+xml"
                | "application/javascript"
                | "application/x-www-form-urlencoded"
        )
}

fn forwarded_for(headers: &http::HeaderMap) -> Option<IpAddr> {
    let value = headers.get("x-forwarded-for")?.to_str().ok()?;
    value.split(',').next()?.trim().parse().ok()
}

/// The web action result: `{"statusCode": ..., "headers": {...}, "body": "..."}`.
#[derive(Serialize)]
struct HttpResult<'a> {
    #[serde(rename = "statusCode")]
    status_code: u16,
    #[serde(skip_serializing_if = "Map::is_empty")]
    headers: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<Cow<'a, str>>,
}

/// A response as the web action result line `{statusCode, headers, body}`.
pub(crate) fn result(response: Response) -> Vec<u8> {
    let (status, mut headers, body) = response.into_parts();
    let body = if body.is_empty() {
        None
    } else {
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(media_type);
        let (text, binary_without_type) = encode_body(&body, content_type.as_deref());
        if binary_without_type {
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
        }
        Some(text)
    };
    let result = HttpResult {
        status_code: status.as_u16(),
        headers: header_json(&headers),
        body,
    };
    // Plain strings, numbers and string-keyed maps: serialising cannot fail.
    serde_json::to_vec(&result).unwrap_or_default()
}

/// The body as the controller must receive it, and whether it is binary with no content type
/// (then `application/octet-stream` is added, or the controller would send the base64 text).
fn encode_body<'a>(body: &'a [u8], content_type: Option<&str>) -> (Cow<'a, str>, bool) {
    let text = std::str::from_utf8(body).ok();
    let base64 = || Cow::Owned(BASE64.encode(body));
    match content_type {
        None => match text {
            Some(text) => (Cow::Borrowed(text), false),
            None => (base64(), true),
        },
        // The controller decodes JSON strings that look like base64; `{` and `[` never do.
        Some("application/json") => match text {
            Some(text) if text.starts_with(['{', '[']) => (Cow::Borrowed(text), false),
            _ => (base64(), false),
        },
        // Other JSON types are decoded either way (as binary, or by the legacy rule).
        Some(media) if media.ends_with("+json") => (base64(), false),
        Some(media) if is_textual(media) => (String::from_utf8_lossy(body), false),
        Some(_) => (base64(), false),
    }
}

/// Header names to one string, or an array of strings for repeated headers (one header line per
/// element, so several `set-cookie` work).
fn header_json(headers: &http::HeaderMap) -> Map<String, Value> {
    let mut out = Map::new();
    for name in headers.keys() {
        let mut values: Vec<Value> = headers
            .get_all(name)
            .iter()
            .map(|v| Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let value = if values.len() == 1 {
            values.pop().unwrap_or(Value::Null)
        } else {
            Value::Array(values)
        };
        out.insert(name.as_str().to_owned(), value);
    }
    out
}

/// A failed web activation, as its result line: an application error whose `error` field the
/// controller projects as the HTTP response, so the client gets the failure's status and its
/// JSON body `{"error": {"type": ..., "message": ...}}`, as from every HTTP-serving shim.
pub(crate) fn error_result(failure: &Failure) -> Vec<u8> {
    let result = json!({ "error": {
        "statusCode": failure.status().as_u16(),
        "headers": { "content-type": "application/json" },
        "body": failure.to_json().to_string(),
    } });
    to_line(&result)
}

#[cfg(test)]
mod tests {
    use polyfaas_core::RequestExt;

    use super::*;

    #[test]
    fn a_raw_get_with_query_and_path() {
        let req = request(json!({
            "__ow_method": "get",
            "__ow_path": "/caf%C3%A9/x",
            "__ow_query": "a=1&a=2&b=x%20y",
            "__ow_headers": {"accept": "*/*", "x-forwarded-for": "203.0.113.9, 10.0.0.1"},
            "__ow_body": "",
        }))
        .unwrap();
        assert_eq!(req.method(), "GET");
        assert_eq!(req.decoded_path(), "/café/x");
        assert_eq!(req.query_string(), "a=1&a=2&b=x%20y");
        assert_eq!(req.headers()["accept"], "*/*");
        assert_eq!(req.source_ip(), Some("203.0.113.9".parse().unwrap()));
        assert!(req.body().is_empty());
    }

    #[test]
    fn an_empty_path_is_the_root_and_raw_unicode_is_encoded() {
        let req = request(json!({"__ow_method": "delete", "__ow_path": ""})).unwrap();
        assert_eq!(req.uri(), "/");
        let req = request(json!({"__ow_method": "get", "__ow_path": "/ä b"})).unwrap();
        assert_eq!(req.decoded_path(), "/ä b");
    }

    #[test]
    fn bodies_follow_the_content_type() {
        let post = |ct: &str, body: &str| {
            request(json!({
                "__ow_method": "post",
                "__ow_headers": {"content-type": ct},
                "__ow_body": body,
            }))
            .unwrap()
            .into_body()
        };
        assert_eq!(&post("application/octet-stream", "AP8=")[..], b"\x00\xff");
        assert_eq!(&post("application/json", "eyJhIjoxfQ==")[..], br#"{"a":1}"#);
        assert_eq!(&post("text/plain", "AP8=")[..], b"AP8=");
        // A type this shim thinks binary that the controller sent as text.
        assert_eq!(
            &post("application/vnd.x", "{not base64}")[..],
            b"{not base64}"
        );
    }

    #[test]
    fn non_raw_actions_rebuild_the_query_and_keep_non_object_bodies() {
        let req = request(json!({
            "name": "Jürgen K", "n": 7, "nested": {"x": 1},
            "__ow_method": "post", "__ow_headers": {"content-type": "application/json"},
            "__ow_body": [1, 2],
        }))
        .unwrap();
        assert_eq!(req.query_string(), "name=J%C3%BCrgen%20K&n=7");
        assert_eq!(req.query_param("name").as_deref(), Some("Jürgen K"));
        assert_eq!(&req.body()[..], b"[1,2]");
    }

    #[test]
    fn header_arrays_give_several_values_and_bad_headers_are_named() {
        let req =
            request(json!({"__ow_method": "get", "__ow_headers": {"x-a": ["1", "2"], "x-n": 3}}))
                .unwrap();
        let values: Vec<_> = req.headers().get_all("x-a").iter().collect();
        assert_eq!(values, ["1", "2"]);
        assert_eq!(req.headers()["x-n"], "3");
        let err =
            request(json!({"__ow_method": "get", "__ow_headers": {"x-a": "a\nb"}})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the web action's `__ow_headers.x-a` is not a valid header value (control characters?)"
        );
        let err = request(json!({"__ow_method": 1})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the web action's `__ow_method` must be a string"
        );
    }

    fn result(response: Response) -> Value {
        serde_json::from_slice(&super::result(response)).unwrap()
    }

    #[test]
    fn responses_become_status_headers_and_body() {
        let response = Response::json(&json!({"ok": true}))
            .unwrap()
            .with_header(http::header::SET_COOKIE, HeaderValue::from_static("a=1"))
            .with_header(http::header::SET_COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(
            result(response),
            json!({
                "statusCode": 200,
                "headers": {"content-type": "application/json", "set-cookie": ["a=1", "b=2"]},
                "body": "{\"ok\":true}",
            })
        );
    }

    #[test]
    fn binary_and_base64_looking_bodies_are_encoded() {
        let r = result(Response::bytes(vec![0u8, 255]));
        assert_eq!(r["body"], "AP8=");
        let r = result(Response::new(http::StatusCode::OK, vec![0u8, 255]));
        assert_eq!(r["headers"]["content-type"], "application/octet-stream");
        assert_eq!(r["body"], "AP8=");
        // `true` is valid base64: the controller would decode it, so it goes encoded.
        let r = result(Response::json(&json!(true)).unwrap());
        assert_eq!(r["body"], BASE64.encode("true"));
        let r = result(Response::text("plain"));
        assert_eq!(r["body"], "plain");
        let r = result(Response::from_status(http::StatusCode::NO_CONTENT));
        assert_eq!(r, json!({"statusCode": 204}));
    }
}
