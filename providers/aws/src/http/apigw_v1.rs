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
use polyfaas_core::{BadInput, Request};

use super::parts;
use super::payload_v1::{PayloadV1, QueryValues};
use crate::json::Str;

pub(crate) fn decode(payload: &Bytes, text: &str) -> Result<Request, BadInput> {
    from_payload(PayloadV1::parse(text)?, payload)
}

/// The request of a parsed REST API event.
pub(crate) fn from_payload(mut event: PayloadV1<'_>, payload: &Bytes) -> Result<Request, BadInput> {
    let context = event.request_context.take();
    let domain = context
        .as_ref()
        .and_then(|c| c.domain_name.as_ref())
        .map(Str::as_str);
    let mut request = event.into_request(payload, QueryValues::Decoded, domain)?;
    let ip = context
        .as_ref()
        .and_then(|c| c.identity.as_ref())
        .and_then(|i| i.source_ip.as_ref())
        .map(Str::as_str);
    parts::set_source_ip(&mut request, ip);
    Ok(request)
}
