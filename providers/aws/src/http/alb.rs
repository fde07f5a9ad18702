//! Application Load Balancer target group events.
//!
//! The target group's `lambda.multi_value_headers.enabled` decides whether the event has
//! `multiValueHeaders`/`multiValueQueryStringParameters` or the single-value maps (where a
//! repeated header or query key keeps only its last value). The response is written in the same
//! mode. Query keys and values arrive still percent-encoded and are passed through as they are,
//! in the event's order. ALB gives no source IP (only `x-forwarded-for`); the URI gets its host
//! from `host` and its scheme from `x-forwarded-proto` in both modes.

use bytes::Bytes;
use polyfaas_core::Request;

use super::json::{MultiPairs, Str};
use super::payload_v1::{add_headers, header_str, PayloadV1};
use super::Origin;
use crate::error::{parse, EventError};

pub(crate) fn decode(payload: &Bytes, text: &str) -> Result<(Request, Origin), EventError> {
    let mut event: PayloadV1<'_> = parse(text, "")?;
    let origin = Origin::Alb {
        multi_value: event.is_multi_value(),
    };
    let method = super::method(event.http_method.as_str(), "httpMethod")?;

    let mut path_and_query = String::with_capacity(128);
    super::encode_path(
        event.path.as_ref().map_or("/", Str::as_str),
        &mut path_and_query,
    );
    push_encoded_query(&event.take_query()?, &mut path_and_query);

    let mut headers = http::HeaderMap::new();
    let (pairs, map) = event.take_headers()?;
    add_headers(&mut headers, &pairs, map)?;

    let host = header_str(&headers, http::header::HOST);
    let scheme = header_str(
        &headers,
        http::header::HeaderName::from_static("x-forwarded-proto"),
    );
    let uri = super::uri(scheme, host, path_and_query, "queryStringParameters")?;

    let body = super::body(
        payload,
        event.body.as_ref(),
        event.is_base64_encoded.unwrap_or(false),
    )?;
    let mut request = Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    Ok((request, origin))
}

/// `?k=v&...` from keys and values that are still encoded, in the event's order.
fn push_encoded_query(query: &MultiPairs<'_>, out: &mut String) {
    let mut first = true;
    for (key, values) in &query.0 {
        for value in values {
            out.push(if first { '?' } else { '&' });
            first = false;
            super::push_raw_query(key.as_str(), out);
            out.push('=');
            super::push_raw_query(value.as_str(), out);
        }
    }
}
