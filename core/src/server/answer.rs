//! The shared server's answers: a neutral response, or a failure as polyfaas's JSON error.

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::StatusCode;
use http_body_util::Full;

use crate::{Failure, Response};

/// The body type the shared server answers with.
pub type ResponseBody = Full<Bytes>;

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
    let mut response = http::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A neutral [`Response`] as an HTTP response for the shared server.
pub fn into_http(response: Response) -> http::Response<ResponseBody> {
    let (status, headers, body) = response.into_parts();
    let mut out = http::Response::new(Full::new(body));
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    out
}
