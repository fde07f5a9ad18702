//! API Gateway HTTP API (payload format 2.0) and Function URL events.
//!
//! - `rawPath` minus the stage: for a named stage (`stage != "$default"`) API Gateway puts
//!   `/{stage}` in front, which is removed so routers see the path the route was written for.
//! - `rawQueryString` is the query as the client sent it (order and encoding kept);
//!   `queryStringParameters`, which comma-joins repeated keys, is never read.
//! - Header names are lower-case; API Gateway has already comma-joined repeated headers into one
//!   value, which stays one value (commas are legal inside values, so it cannot be split back).
//! - `cookies` becomes one `cookie` header, joined with `"; "`. When the event also has a
//!   `cookie` header (Function URLs, cargo-lambda) only `cookies` is used, never both.
//! - `requestContext.http.sourceIp` is the source IP; the URI's host is
//!   `requestContext.domainName` (else the `host` header).

use std::borrow::Cow;

use bytes::Bytes;
use http::header::COOKIE;
use polyfaas_core::shim::http_method;
use polyfaas_core::{BadInput, Request};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::parts;
use crate::detect::{is_lambda_url, ContextKeys, TopLevel, PRESENT};
use crate::json::{parse, Pairs, Str, Values};

/// A payload 2.0 event, as the shim reads it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PayloadV2<'a> {
    #[serde(borrow)]
    raw_path: Str<'a>,
    #[serde(borrow, default)]
    raw_query_string: Option<Str<'a>>,
    #[serde(borrow, default)]
    cookies: Option<Values<'a>>,
    #[serde(borrow, default)]
    headers: Option<Pairs<'a>>,
    #[serde(borrow)]
    request_context: RequestContext<'a>,
    #[serde(borrow, default)]
    body: Option<Str<'a>>,
    #[serde(default)]
    is_base64_encoded: Option<bool>,
    // Read for detection's rules only, as raw values (see `top_level`).
    #[serde(borrow, default)]
    version: Option<&'a RawValue>,
    #[serde(borrow, default)]
    http_method: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "type")]
    kind: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method_arn: Option<&'a RawValue>,
    #[serde(borrow, default)]
    route_arn: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestContext<'a> {
    #[serde(borrow)]
    http: HttpContext<'a>,
    #[serde(borrow, default)]
    stage: Option<Str<'a>>,
    #[serde(borrow, default)]
    domain_name: Option<Str<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HttpContext<'a> {
    #[serde(borrow)]
    method: Str<'a>,
    #[serde(borrow, default)]
    source_ip: Option<Str<'a>>,
}

pub(crate) fn decode(payload: &Bytes, text: &str) -> Result<Request, BadInput> {
    into_request(PayloadV2::parse(text)?, payload)
}

impl<'a> PayloadV2<'a> {
    /// The event in `text`, strictly.
    pub(crate) fn parse(text: &'a str) -> Result<Self, BadInput> {
        parse(text, "")
    }

    /// The top-level members detection reads, as this parse read them.
    pub(crate) fn top_level(&self) -> TopLevel<'a> {
        TopLevel::of_http(
            self.version.map(RawValue::get),
            self.http_method.map(RawValue::get),
            Some(PRESENT),
            true,
            self.kind.map(RawValue::get),
            self.method_arn.map(RawValue::get),
            self.route_arn.map(RawValue::get),
        )
    }

    /// Which of the members detection reads `requestContext` has: `http` (required here), and
    /// whether `domainName` is a Function URL's, read as detection reads it (a string written
    /// without escapes).
    pub(crate) fn context_keys(&self) -> ContextKeys {
        let lambda_url = match self.request_context.domain_name.as_ref() {
            Some(Str(Cow::Borrowed(domain))) => is_lambda_url(domain),
            _ => false,
        };
        ContextKeys {
            http: true,
            lambda_url,
            ..ContextKeys::default()
        }
    }
}

/// The request of a parsed payload 2.0 event.
pub(crate) fn into_request(event: PayloadV2<'_>, payload: &Bytes) -> Result<Request, BadInput> {
    let context = &event.request_context;
    let method = http_method(context.http.method.as_str(), "requestContext.http.method")?;

    let stage = context.stage.as_ref().map(Str::as_str);
    let path = strip_stage(event.raw_path.as_str(), stage);
    let mut path_and_query = String::with_capacity(128);
    parts::encode_path(path, &mut path_and_query);
    if let Some(query) = event.raw_query_string.as_ref().map(Str::as_str) {
        if !query.is_empty() {
            path_and_query.push('?');
            parts::push_raw_query(query, &mut path_and_query);
        }
    }

    let cookies = event.cookies.as_ref().filter(|c| !c.0.is_empty());
    // Sized once: growing a header map rehashes it.
    let mut headers = http::HeaderMap::with_capacity(parts::header_capacity(
        event.headers.as_ref().map_or(0, |h| h.0.len()) + usize::from(cookies.is_some()),
    ));
    for (name, value) in event.headers.iter().flat_map(|h| h.0.iter()) {
        if cookies.is_some() && name.as_str().eq_ignore_ascii_case("cookie") {
            continue;
        }
        parts::append_header(&mut headers, payload, name.as_str(), value.as_str(), || {
            format!("headers.{}", name.as_str())
        })?;
    }
    if let Some(cookies) = cookies {
        let joined = cookies
            .0
            .iter()
            .map(Str::as_str)
            .collect::<Vec<_>>()
            .join("; ");
        parts::append_header(&mut headers, payload, COOKIE.as_str(), &joined, || {
            "cookies".to_owned()
        })?;
    }

    let host = context.domain_name.as_ref().map(Str::as_str).or_else(|| {
        headers
            .get(http::header::HOST)
            .and_then(|v| v.to_str().ok())
    });
    let uri = parts::uri(
        payload,
        Some("https"),
        host,
        path_and_query,
        "rawQueryString",
    )?;

    let body = parts::body(
        payload,
        event.body.as_ref(),
        event.is_base64_encoded.unwrap_or(false),
    )?;
    let mut request = Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    let ip = context.http.source_ip.as_ref().map(Str::as_str);
    parts::set_source_ip(&mut request, ip);
    Ok(request)
}

/// `rawPath` without the `/{stage}` API Gateway puts in front for a named stage.
fn strip_stage<'p>(raw_path: &'p str, stage: Option<&str>) -> &'p str {
    let Some(stage) = stage.filter(|s| !s.is_empty() && *s != "$default") else {
        return raw_path;
    };
    match raw_path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(stage))
    {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => raw_path,
    }
}

#[cfg(test)]
mod tests {
    use super::strip_stage;

    #[test]
    fn only_a_named_stage_at_the_start_is_removed() {
        assert_eq!(strip_stage("/Prod/my/path", Some("Prod")), "/my/path");
        assert_eq!(strip_stage("/Prod", Some("Prod")), "/");
        assert_eq!(strip_stage("/Production/x", Some("Prod")), "/Production/x");
        assert_eq!(strip_stage("/my/path", Some("Prod")), "/my/path");
        assert_eq!(strip_stage("/$default/x", Some("$default")), "/$default/x");
        assert_eq!(strip_stage("/x", None), "/x");
    }
}
