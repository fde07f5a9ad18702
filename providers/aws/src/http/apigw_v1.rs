//! API Gateway REST API events (payload format 1.0, also HTTP APIs configured for 1.0).
//!
//! - `path` is already without the stage (`/hello`, not `/prod/hello`), and stays so: unlike
//!   `lambda_http`, no stage is added.
//! - `multiValueHeaders` (every value, in order) is used; `headers` only when it is missing.
//! - The query has no raw form in a v1 event: it is rebuilt from
//!   `multiValueQueryStringParameters` (else `queryStringParameters`) in the event's key order,
//!   each key and value percent-encoded again. The order of keys as the client sent them is not
//!   in the event, so `a=1&b=2&a=3` comes out as `a=1&a=3&b=2`.
//! - `requestContext.identity.sourceIp` is the source IP.

use bytes::Bytes;
use polyfaas_core::Request;
use serde::Deserialize;

use super::json::{MultiPairs, Str};
use super::payload_v1::{add_headers, header_str, PayloadV1};
use crate::error::{parse, EventError};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestContext<'a> {
    #[serde(borrow, default)]
    identity: Option<Identity<'a>>,
    #[serde(borrow, default)]
    domain_name: Option<Str<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Identity<'a> {
    #[serde(borrow, default)]
    source_ip: Option<Str<'a>>,
}

pub(crate) fn decode(payload: &Bytes, text: &str) -> Result<Request, EventError> {
    let mut event: PayloadV1<'_> = parse(text, "")?;
    let context: Option<RequestContext<'_>> = match event.request_context {
        Some(raw) => parse(raw.get(), "requestContext")?,
        None => None,
    };
    let method = super::method(event.http_method.as_str(), "httpMethod")?;

    let mut path_and_query = String::with_capacity(128);
    super::encode_path(
        event.path.as_ref().map_or("/", Str::as_str),
        &mut path_and_query,
    );
    push_decoded_query(&event.take_query()?, &mut path_and_query);

    let mut headers = http::HeaderMap::new();
    let (pairs, map) = event.take_headers()?;
    add_headers(&mut headers, &pairs, map)?;

    let host = header_str(&headers, http::header::HOST).or_else(|| {
        context
            .as_ref()
            .and_then(|c| c.domain_name.as_ref())
            .map(Str::as_str)
    });
    let scheme = header_str(
        &headers,
        http::header::HeaderName::from_static("x-forwarded-proto"),
    );
    let uri = super::uri(scheme, host, path_and_query, "path")?;

    let body = super::body(
        payload,
        event.body.as_ref(),
        event.is_base64_encoded.unwrap_or(false),
    )?;
    let mut request = Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    let ip = context
        .as_ref()
        .and_then(|c| c.identity.as_ref())
        .and_then(|i| i.source_ip.as_ref())
        .map(Str::as_str);
    super::set_source_ip(&mut request, ip);
    Ok(request)
}

/// `?k=v&k=v2&...` from decoded keys and values, in the event's order; nothing when empty.
fn push_decoded_query(query: &MultiPairs<'_>, out: &mut String) {
    let mut first = true;
    for (key, values) in &query.0 {
        for value in values {
            out.push(if first { '?' } else { '&' });
            first = false;
            super::push_encoded_component(key.as_str(), out);
            out.push('=');
            super::push_encoded_component(value.as_str(), out);
        }
    }
}
