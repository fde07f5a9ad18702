//! `httpTrigger` in the envelope (forwarding off, the default): `Data.<req>` → `Event::Http`,
//! and the handler's `Response` → the `http` output binding's value.
//!
//! The path and query come from `Url` (the client's URL as the host saw it, route prefix
//! included), never rebuilt from `Query`, where repeated keys are already comma-joined.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE, SET_COOKIE};
use percent_encoding::{utf8_percent_encode, AsciiSet};
use polyfaas_core::shim::{http_method, media_type};
use polyfaas_core::{BadInput, Extra, Request, Response, SourceIp};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::json::{get_ci, kind_of, take_ci};
use crate::payload::bytes;

/// Route parameters of the HTTP trigger (`Data.<req>.Params`), an extra of the invocation:
/// `ctx.extra::<RouteParams>()` (from an axum router: through the request's
/// `polyfaas_context()`).
///
/// ```
/// use polyfaas_azure::RouteParams;
/// # let ctx = polyfaas_core::Context::builder(polyfaas_core::Provider::AZURE, "1").build();
/// let id = ctx.extra::<RouteParams>().and_then(|p| p.0.get("id"));
/// # assert!(id.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RouteParams(pub BTreeMap<String, String>);

impl Extra for RouteParams {
    const NAME: &'static str = "azure.route_params";
}

/// Bytes that cannot appear as they are in a URI path or query: escaped when the host's `Url`
/// carries them decoded. `%` is kept, so an already-encoded URL stays as it is. Core's set less
/// `#`, `[` and `]`, which the host's `Url` never carries decoded (`#` would have ended it;
/// brackets only appear in an IPv6 host).
const NOT_URI: &AsciiSet = &polyfaas_core::shim::uri::RAW_QUERY
    .remove(b'#')
    .remove(b'[')
    .remove(b']');

/// `Data.<binding>` as an HTTP request (taken by value: the body text becomes the body without a
/// copy), and its route parameters.
pub(crate) fn request(
    value: Value,
    binding: &str,
) -> Result<(Request, Option<RouteParams>), BadInput> {
    let field = |name: &str| format!("Data.{binding}.{name}");
    let mut req = match value {
        Value::Object(req) => req,
        other => {
            return Err(BadInput::at(
                format!("Data.{binding}"),
                format!("must be the HTTP request object, not {}", kind_of(&other)),
            ))
        }
    };
    let string = |name: &str| match get_ci(&req, name) {
        Some(Value::String(s)) => Ok(s.as_str()),
        Some(other) => Err(BadInput::at(
            field(name),
            format!("must be a string, not {}", kind_of(other)),
        )),
        None => Err(BadInput::at(field(name), "missing")),
    };
    // One rule on every platform: `post` is POST; anything but a method is refused.
    let method = http_method(string("Method")?, &field("Method"))?;
    let url = string("Url")?;
    let uri = path_and_query(url).map_err(|why| BadInput::at(field("Url"), why))?;

    let mut headers = http::HeaderMap::new();
    if let Some(value) = get_ci(&req, "Headers") {
        let map = value.as_object().ok_or_else(|| {
            BadInput::at(
                field("Headers"),
                format!("must be an object, not {}", kind_of(value)),
            )
        })?;
        for (name, values) in map {
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|e| {
                BadInput::at(field("Headers"), format!("{name:?} is not a header name"))
                    .with_source(e)
            })?;
            let mut append = |v: &Value| -> Result<(), BadInput> {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let value = HeaderValue::from_str(&text).map_err(|e| {
                    BadInput::at(
                        field(&format!("Headers.{name}")),
                        "a value that is not a valid header value",
                    )
                    .with_source(e)
                })?;
                headers.append(header.clone(), value);
                Ok(())
            };
            match values {
                Value::Array(values) => values.iter().try_for_each(&mut append)?,
                single => append(single)?,
            }
        }
    }
    let body = match take_ci(&mut req, "Body") {
        None | Some(Value::Null) => Bytes::new(),
        Some(Value::String(text)) if is_base64_content_type(headers.get(CONTENT_TYPE)) => {
            Bytes::from(bytes(&text, &field("Body"))?)
        }
        Some(Value::String(text)) => Bytes::from(text),
        // Hosts from before 2020 parsed JSON bodies; give the handler the JSON text.
        Some(other) => Bytes::from(other.to_string()),
    };
    let source_ip = headers
        .get("x-forwarded-for")
        .and_then(|v| forwarded_ip(v.to_str().ok()?));
    let mut request = http::Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    if let Some(ip) = source_ip {
        request.extensions_mut().insert(SourceIp(ip));
    }
    let params = match get_ci(&req, "Params") {
        Some(Value::Object(params)) => Some(RouteParams(
            params
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), crate::payload::text(v)?.into_owned())))
                .collect(),
        )),
        _ => None,
    };
    Ok((request, params))
}

/// The host sends `application/octet-stream` and `multipart/*` bodies as base64, every other
/// body as text (an `image/png` body too, already mangled). This is the host's own rule, not
/// [`polyfaas_core::shim::is_text`]: which bodies are base64 is the host's choice.
fn is_base64_content_type(content_type: Option<&HeaderValue>) -> bool {
    let Some(ct) = content_type.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let media = media_type(ct);
    media == "application/octet-stream" || media.starts_with("multipart/")
}

/// The path and query of an absolute URL, as a valid request target.
fn path_and_query(url: &str) -> Result<http::Uri, String> {
    let after_scheme = url
        .split_once("://")
        .map(|(_, rest)| rest)
        .ok_or_else(|| format!("{url:?} is not an absolute URL"))?;
    let target = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let target = target.split('#').next().unwrap_or("/");
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let mut out = utf8_percent_encode(path, NOT_URI).to_string();
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        out.push('?');
        out.push_str(&utf8_percent_encode(q, NOT_URI).to_string());
    }
    out.parse()
        .map_err(|e| format!("{url:?} has no valid path and query: {e}"))
}

/// The client's address from `X-Forwarded-For`: the first entry, whose port App Service keeps
/// (`1.2.3.4:5678`, `[::1]:5678`).
pub(crate) fn forwarded_ip(header: &str) -> Option<IpAddr> {
    let first = header.split(',').next()?.trim();
    first
        .parse::<IpAddr>()
        .ok()
        .or_else(|| first.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// The handler's response as the `http` output binding's value: `statusCode`, `headers` (one
/// string per name: the host cannot take arrays) and `body` (text; a body that is not UTF-8 is
/// sent as base64 text, the only way through the envelope). Returns the warnings to log.
pub(crate) fn output(response: Response) -> (Value, Vec<String>) {
    let (status, headers, body) = response.into_parts();
    let mut warnings = Vec::new();
    let mut out: Map<String, Value> = Map::new();
    for name in headers.keys() {
        let mut values = headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let Some(first) = values.next() else { continue };
        let rest: Vec<String> = values.collect();
        let joined = if rest.is_empty() {
            first
        } else if name == SET_COOKIE {
            warnings.push(format!(
                "only the first of {} set-cookie headers reaches the client: the envelope takes one value per header (enable enableForwardingHttpRequest for more)",
                rest.len() + 1
            ));
            first
        } else {
            std::iter::once(first)
                .chain(rest)
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.insert(canonical_case(name.as_str()), Value::String(joined));
    }
    let body = match String::from_utf8(body.to_vec()) {
        Ok(text) => text,
        Err(_) => {
            warnings.push(format!(
                "the response body ({} bytes) is not UTF-8 and reaches the client as base64 text: the envelope cannot carry bytes (enable enableForwardingHttpRequest)",
                body.len()
            ));
            BASE64.encode(&body)
        }
    };
    (
        json!({"statusCode": status.as_u16(), "headers": out, "body": body}),
        warnings,
    )
}

/// `content-type` → `Content-Type`, as .NET writes header names.
fn canonical_case(name: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use polyfaas_core::RequestExt;

    #[test]
    fn path_and_query_come_from_the_url() {
        let cases = [
            (
                "http://localhost:7071/api/items/7?a=1&a=2",
                "/api/items/7?a=1&a=2",
            ),
            (
                "https://x.azurewebsites.net/api/caf%C3%A9",
                "/api/caf%C3%A9",
            ),
            (
                "https://x.azurewebsites.net/api/café ✓?q=a b",
                "/api/caf%C3%A9%20%E2%9C%93?q=a%20b",
            ),
            ("http://localhost:7071", "/"),
            ("http://localhost:7071/p?", "/p"),
        ];
        for (url, target) in cases {
            assert_eq!(path_and_query(url).unwrap().to_string(), target, "{url}");
        }
        assert!(path_and_query("/relative").is_err());
    }

    #[test]
    fn the_request_object_becomes_a_request() {
        let value = json!({
            "Url": "http://localhost:7071/api/items/7?a=1&a=2",
            "Method": "POST",
            "Query": {"a": "1,2"},
            "Headers": {"Content-Type": ["application/octet-stream"], "X-Forwarded-For": ["10.1.2.3:5555"], "X-Multi": ["1", "2"]},
            "Params": {"id": "7"},
            "Body": "AP8="
        });
        let (req, params) = request(value, "req").unwrap();
        assert_eq!(req.method(), "POST");
        // A lower-case method is the standard one.
        let lower = json!({"Url": "http://h/", "Method": "post"});
        assert_eq!(request(lower, "req").unwrap().0.method(), "POST");
        assert_eq!(req.query_string(), "a=1&a=2");
        assert_eq!(req.body().as_ref(), [0x00, 0xff]);
        assert_eq!(req.headers().get_all("x-multi").iter().count(), 2);
        assert_eq!(req.source_ip(), Some("10.1.2.3".parse().unwrap()));
        assert_eq!(params.unwrap().0["id"], "7");
    }

    #[test]
    fn bad_request_objects_name_the_field() {
        let err = |v: Value| request(v, "req").unwrap_err().to_string();
        assert_eq!(
            err(json!("x")),
            "Data.req: must be the HTTP request object, not a string"
        );
        assert_eq!(err(json!({"Url": "http://h/"})), "Data.req.Method: missing");
        assert_eq!(
            err(json!({"Url": "http://h/", "Method": "get stuff"})),
            "Data.req.Method: \"get stuff\" is not an HTTP method"
        );
        assert_eq!(
            err(
                json!({"Url": "http://h/", "Method": "GET", "Headers": {"Content-Type": ["application/octet-stream"]}, "Body": "%%"})
            ),
            "Data.req.Body: not valid base64: Invalid symbol 37, offset 0."
        );
    }

    #[test]
    fn the_response_becomes_the_res_binding() {
        let response = Response::text("hé")
            .with_status(http::StatusCode::CREATED)
            .with_header(SET_COOKIE, HeaderValue::from_static("a=1"))
            .with_header(SET_COOKIE, HeaderValue::from_static("b=2"))
            .with_header(
                HeaderName::from_static("x-a"),
                HeaderValue::from_static("1"),
            )
            .with_header(
                HeaderName::from_static("x-a"),
                HeaderValue::from_static("2"),
            );
        let (res, warnings) = output(response);
        assert_eq!(
            res,
            json!({"statusCode": 201, "headers": {"Content-Type": "text/plain; charset=utf-8",
                   "Set-Cookie": "a=1", "X-A": "1, 2"}, "body": "hé"})
        );
        assert_eq!(warnings.len(), 1);
        let (res, warnings) = output(Response::bytes(vec![0xff, 0x00]));
        assert_eq!(res["body"], "/wA=");
        assert!(warnings[0].contains("not UTF-8"));
    }
}
