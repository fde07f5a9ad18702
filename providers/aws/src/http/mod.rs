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

use crate::detect::Shape;

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
