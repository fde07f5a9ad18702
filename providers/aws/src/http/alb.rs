//! Application Load Balancer target group events.
//!
//! The target group's `lambda.multi_value_headers.enabled` decides whether the event has
//! `multiValueHeaders`/`multiValueQueryStringParameters` or the single-value maps (where a
//! repeated header or query key keeps only its last value). The response is written in the same
//! mode. Query keys and values arrive still percent-encoded and are passed through as they are,
//! in the event's order. ALB gives no source IP (only `x-forwarded-for`); the URI gets its host
//! from `host` and its scheme from `x-forwarded-proto` in both modes.

use bytes::Bytes;
use polyfaas_core::{BadInput, Request};

use super::payload_v1::{PayloadV1, QueryValues};
use super::response::Origin;

pub(crate) fn decode(payload: &Bytes, text: &str) -> Result<(Request, Origin), BadInput> {
    from_payload(PayloadV1::parse(text)?, payload)
}

/// The request of a parsed ALB event, and its origin (whether it answers in multi-value form).
pub(crate) fn from_payload(
    event: PayloadV1<'_>,
    payload: &Bytes,
) -> Result<(Request, Origin), BadInput> {
    let origin = Origin::Alb {
        multi_value: event.is_multi_value(),
    };
    Ok((
        event.into_request(payload, QueryValues::Encoded, None)?,
        origin,
    ))
}
