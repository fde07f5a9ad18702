//! HTTP events: API Gateway REST (v1), HTTP API (v2), Function URLs and ALB into
//! [`Request`](polyfaas_core::Request), and the [`Response`](polyfaas_core::Response) back in
//! the shape each origin needs.
//!
//! | module | job |
//! |---|---|
//! | `apigw_v1`, `apigw_v2`, `alb` | each origin's event into a `Request` |
//! | `payload_v1` | what REST (1.0) and ALB events share |
//! | `parts` | the pieces of a `Request` every origin builds: method, URI, headers, body |
//! | `context` | each origin's whole request context, a lazy typed extra (feature `request-context`) |
//! | `no_context` | without that feature: an extra naming it |
//! | `response` | the `Response` in each [`Origin`]'s format |
//! | `stream` | a Function URL's response streamed in the HTTP-integration format |

mod alb;
mod apigw_v1;
mod apigw_v2;
#[cfg(feature = "request-context")]
mod context;
#[cfg(not(feature = "request-context"))]
mod no_context;
mod parts;
mod payload_v1;
mod response;
mod stream;

use bytes::Bytes;
use polyfaas_core::{BadInput, Request};

use crate::detect::{decide, Shape};

#[cfg(feature = "request-context")]
pub(crate) use context::attach as attach_context;
#[cfg(feature = "request-context")]
pub use context::{AlbContext, ApiGatewayV1Context, ApiGatewayV2Context, FunctionUrlContext};
#[cfg(not(feature = "request-context"))]
pub(crate) use no_context::attach as attach_context;
pub use response::{encode_response, Origin};
pub(crate) use stream::{http_integration, HTTP_INTEGRATION};

/// Decodes an HTTP event of a shape [`detect`](crate::detect) recognised; `None` when `shape`
/// is not an HTTP one. `payload` is the event's bytes, `text` the same bytes as `&str`: the
/// body is sliced out of `payload` without a copy where the JSON string has no escapes.
pub(crate) fn decode(
    shape: Shape,
    payload: &Bytes,
    text: &str,
) -> Result<Option<(Request, Origin)>, BadInput> {
    Ok(Some(match shape {
        Shape::ApiGatewayV1 => (apigw_v1::decode(payload, text)?, Origin::ApiGatewayV1),
        Shape::ApiGatewayV2 => (apigw_v2::decode(payload, text)?, Origin::ApiGatewayV2),
        Shape::FunctionUrl => (apigw_v2::decode(payload, text)?, Origin::FunctionUrl),
        Shape::Alb => alb::decode(payload, text)?,
        _ => return Ok(None),
    }))
}

/// An HTTP event parsed directly, without detection's scan: events that name `"rawPath"`
/// (payload 2.0) or `"httpMethod"` (payload 1.0, ALB) are parsed as such, the parser reading
/// the members detection's rules look at with the rest, and those rules decide the shape. `None`
/// when the parse fails or the rules name another shape, or one they need a member for that the
/// parse did not read: detection then reads the payload ([`crate::detect::shape`]) and that
/// shape's parser answers, as without this path.
pub(crate) fn decode_direct(
    payload: &Bytes,
    text: &str,
) -> Option<Result<(Request, Origin), BadInput>> {
    Some(match parse_direct(text)? {
        Parsed::V2(event, origin) => apigw_v2::into_request(event, payload).map(|r| (r, origin)),
        Parsed::V1(event) => {
            apigw_v1::from_payload(event, payload).map(|r| (r, Origin::ApiGatewayV1))
        }
        Parsed::Alb(event) => alb::from_payload(event, payload),
    })
}

/// An HTTP event parsed before its shape was known.
enum Parsed<'a> {
    V2(apigw_v2::PayloadV2<'a>, Origin),
    V1(payload_v1::PayloadV1<'a>),
    Alb(payload_v1::PayloadV1<'a>),
}

/// The parse and the decision of [`decode_direct`].
fn parse_direct(text: &str) -> Option<Parsed<'_>> {
    if text.contains("\"rawPath\"") {
        let event = apigw_v2::PayloadV2::parse(text).ok()?;
        // Payload 2.0's rule comes first and reads only what this parse read.
        return match decide(&event.top_level(), &event.context_keys()) {
            Shape::ApiGatewayV2 => Some(Parsed::V2(event, Origin::ApiGatewayV2)),
            Shape::FunctionUrl => Some(Parsed::V2(event, Origin::FunctionUrl)),
            _ => None,
        };
    }
    if !text.contains("\"httpMethod\"") {
        return None;
    }
    let event = payload_v1::PayloadV1::parse(text).ok()?;
    let top = event.top_level();
    if top.is_payload_v2() {
        // Payload 2.0's rule would read `requestContext.http`, which this parse did not.
        return None;
    }
    match decide(&top, &event.context_keys()) {
        Shape::ApiGatewayV1 => Some(Parsed::V1(event)),
        Shape::Alb => Some(Parsed::Alb(event)),
        _ => None,
    }
}

/// The shape the direct path decides for `text`, when it decides one (for the fuzz target,
/// which checks it against [`crate::detect::shape`]).
pub(crate) fn fast_shape(text: &str) -> Option<Shape> {
    Some(match parse_direct(text)? {
        Parsed::V2(_, Origin::FunctionUrl) => Shape::FunctionUrl,
        Parsed::V2(..) => Shape::ApiGatewayV2,
        Parsed::V1(_) => Shape::ApiGatewayV1,
        Parsed::Alb(_) => Shape::Alb,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::shape;

    fn fixtures() -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../conformance-tests/fixtures/aws");
        let mut found = Vec::new();
        for sub in [dir.clone(), dir.join("malformed")] {
            for entry in std::fs::read_dir(&sub).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "json") {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    found.push((path.display().to_string(), text));
                }
            }
        }
        found
    }

    #[test]
    fn http_events_are_decided_with_their_parse_as_detection_decides_them() {
        let mut fast = 0;
        for (name, text) in fixtures() {
            if serde_json::from_str::<serde::de::IgnoredAny>(&text).is_err() {
                continue;
            }
            if let Some(decided) = fast_shape(&text) {
                assert_eq!(decided, shape(&text), "{name}");
                fast += usize::from(matches!(
                    decided,
                    Shape::ApiGatewayV1 | Shape::ApiGatewayV2 | Shape::FunctionUrl | Shape::Alb
                ));
            }
        }
        assert!(
            fast >= 8,
            "the HTTP fixtures take the one-pass path ({fast})"
        );
    }

    #[test]
    fn what_the_parse_cannot_decide_goes_back_to_detection() {
        // (event, the one-pass decision (`None`: back to detection), detection's shape)
        let cases = [
            // requestContext members detection reads, each way.
            (
                r#"{"httpMethod":"GET","path":"/","requestContext":{"stage":"prod"}}"#,
                Some(Shape::ApiGatewayV1),
                Shape::ApiGatewayV1,
            ),
            (
                r#"{"httpMethod":"GET","path":"/","requestContext":{"resourcePath":"/","connectionId":"c"}}"#,
                None,
                Shape::Invoke,
            ),
            (
                r#"{"httpMethod":"GET","path":"/","requestContext":{"elb":{},"stage":"x"}}"#,
                Some(Shape::Alb),
                Shape::Alb,
            ),
            (
                r#"{"httpMethod":"GET","path":"/","requestContext":{"stage":null}}"#,
                None,
                Shape::Invoke,
            ),
            // A duplicate member: serde refuses it, detection takes the first.
            (
                r#"{"httpMethod":"GET","path":"/","requestContext":{"stage":"a","stage":"b"}}"#,
                None,
                Shape::ApiGatewayV1,
            ),
            // A type the parser does not take: detection decides, the parser then reports.
            (
                r#"{"httpMethod":7,"path":"/","requestContext":{"stage":"a"}}"#,
                None,
                Shape::ApiGatewayV1,
            ),
            // Function URLs by domain, written as detection reads it (no escapes).
            (
                r#"{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"},"domainName":"a.lambda-url.eu-west-1.on.aws"}}"#,
                Some(Shape::FunctionUrl),
                Shape::FunctionUrl,
            ),
            (
                r#"{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"},"domainName":"a\u002elambda-url.eu-west-1.on.aws"}}"#,
                Some(Shape::ApiGatewayV2),
                Shape::ApiGatewayV2,
            ),
            // Payload 2.0 without `http`: not an HTTP event.
            (
                r#"{"version":"2.0","rawPath":"/","requestContext":{"stage":"a"}}"#,
                None,
                Shape::Invoke,
            ),
            // Authorizers first; no requestContext, no HTTP event.
            (
                r#"{"type":"REQUEST","methodArn":"arn:x","httpMethod":"GET","requestContext":{"stage":"a"}}"#,
                None,
                Shape::RequestAuthorizer,
            ),
            (
                r#"{"requestContext":null,"httpMethod":"GET"}"#,
                None,
                Shape::Invoke,
            ),
            // Payload 1.0 from an HTTP API says `"version":"1.0"`; `"2.0"` with `rawPath` is 2.0's.
            (
                r#"{"version":"1.0","httpMethod":"GET","requestContext":{"stage":"a"}}"#,
                Some(Shape::ApiGatewayV1),
                Shape::ApiGatewayV1,
            ),
            (
                r#"{"version":"2.0","rawPath":"/","httpMethod":"GET","requestContext":{"stage":"a","http":{"method":"GET"}}}"#,
                Some(Shape::ApiGatewayV2),
                Shape::ApiGatewayV2,
            ),
            // Keys are their JSON string values, escaped or not, both ways.
            (
                r#"{"httpMethod":"GET","requestContext":{"st\u0061ge":"p"}}"#,
                Some(Shape::ApiGatewayV1),
                Shape::ApiGatewayV1,
            ),
            (
                r#"{"http\u004dethod":"GET","requestContext":{"stage":"p"}}"#,
                None,
                Shape::ApiGatewayV1,
            ),
            // Names in a body are not members.
            (
                r#"{"body":"{\"rawPath\": 1}","Records":[]}"#,
                None,
                Shape::Invoke,
            ),
        ];
        for (text, fast, slow) in cases {
            assert_eq!(fast_shape(text), fast, "{text}");
            assert_eq!(shape(text), slow, "{text}");
        }
    }
}
