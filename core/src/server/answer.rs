//! The shared server's answers: a neutral response, or a failure as polyfaas's JSON error.

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::StatusCode;
use http_body_util::{BodyExt, Full};

use crate::{BodyStream, Failure, Response};

/// The body type the shared server answers with: whole, or streamed as it is produced.
pub type ResponseBody = BodyStream;

/// Any body (an axum `Body`, say) as the shared server's body type.
pub fn boxed<B>(body: B) -> ResponseBody
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<crate::BoxError>,
{
    body.map_err(|e| crate::StreamError(e.into()))
        .boxed_unsync()
}

/// A whole body.
pub fn full(bytes: impl Into<Bytes>) -> ResponseBody {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// A JSON error answer `{"error": {"type": ..., "message": ...}}`.
pub fn json_error(
    status: StatusCode,
    error_type: &str,
    message: &str,
) -> http::Response<ResponseBody> {
    let body = serde_json::json!({ "error": { "type": error_type, "message": message } });
    json_response(status, body.to_string())
}

/// A [`Failure`] as its status and JSON error body.
///
/// ```
/// use polyfaas_core::server::failure_response;
/// use polyfaas_core::Failure;
///
/// let response = failure_response(&Failure::too_large(10, "POLYFAAS_BODY_LIMIT"));
/// assert_eq!(response.status(), 413);
/// ```
pub fn failure_response(failure: &Failure) -> http::Response<ResponseBody> {
    json_response(failure.status(), failure.to_json().to_string())
}

fn json_response(status: StatusCode, body: String) -> http::Response<ResponseBody> {
    let mut response = http::Response::new(full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A neutral [`Response`] as an HTTP response for the shared server (a streamed body goes out
/// chunk by chunk as it is produced).
pub fn into_http(response: Response) -> http::Response<ResponseBody> {
    response.into_http()
}
