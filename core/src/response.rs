//! The neutral response: status, headers, body.

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use http::{HeaderMap, StatusCode};
use serde::Serialize;

use crate::Error;

/// What a handler answers: status, headers and a whole body.
///
/// For HTTP events it is the HTTP response. For other events a 2xx status means success (the
/// body is the result) and anything else means failure, so the platform's retry path is taken.
///
/// ```
/// use http::{header, HeaderValue, StatusCode};
/// use polyfaas_core::Response;
///
/// let r = Response::text("hello");
/// assert_eq!(r.status(), StatusCode::OK);
/// assert_eq!(r.headers()[header::CONTENT_TYPE], "text/plain; charset=utf-8");
///
/// let r = Response::json(&serde_json::json!({"id": 7})).unwrap()
///     .with_status(StatusCode::CREATED)
///     .with_header(header::LOCATION, HeaderValue::from_static("/items/7"));
/// assert_eq!(r.body().as_ref(), br#"{"id":7}"#);
///
/// let r: Response = StatusCode::NO_CONTENT.into();
/// assert!(r.body().is_empty());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Response {
    /// A response with a status and a body, no headers.
    pub fn new(status: StatusCode, body: impl Into<Bytes>) -> Self {
        Response {
            status,
            headers: HeaderMap::new(),
            body: body.into(),
        }
    }

    /// 200 with an empty body.
    pub fn ok() -> Self {
        Self::from_status(StatusCode::OK)
    }

    /// A status with an empty body.
    pub fn from_status(status: StatusCode) -> Self {
        Self::new(status, Bytes::new())
    }

    /// 200 with a `text/plain; charset=utf-8` body.
    pub fn text(text: impl Into<String>) -> Self {
        Self::new(StatusCode::OK, text.into())
            .with_content_type(HeaderValue::from_static("text/plain; charset=utf-8"))
    }

    /// 200 with an `application/json` body.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        Ok(Self::new(StatusCode::OK, serde_json::to_vec(value)?)
            .with_content_type(HeaderValue::from_static("application/json")))
    }

    /// 200 with an `application/octet-stream` body.
    pub fn bytes(bytes: impl Into<Bytes>) -> Self {
        Self::new(StatusCode::OK, bytes)
            .with_content_type(HeaderValue::from_static("application/octet-stream"))
    }

    /// The same response with another status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// The same response with one more header value (earlier values of the name are kept).
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }

    /// The same response with its `content-type` replaced.
    pub fn with_content_type(mut self, value: HeaderValue) -> Self {
        self.headers.insert(CONTENT_TYPE, value);
        self
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The headers, to change them.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The `content-type`, if it is set and is text.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE)?.to_str().ok()
    }

    /// Status, headers and body.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, Bytes) {
        (self.status, self.headers, self.body)
    }
}

impl Default for Response {
    fn default() -> Self {
        Self::ok()
    }
}

impl From<StatusCode> for Response {
    fn from(status: StatusCode) -> Self {
        Self::from_status(status)
    }
}

impl From<&'static str> for Response {
    fn from(text: &'static str) -> Self {
        Self::text(text)
    }
}

impl From<String> for Response {
    fn from(text: String) -> Self {
        Self::text(text)
    }
}

impl From<Bytes> for Response {
    fn from(bytes: Bytes) -> Self {
        Self::bytes(bytes)
    }
}

impl From<Vec<u8>> for Response {
    fn from(bytes: Vec<u8>) -> Self {
        Self::bytes(bytes)
    }
}

impl From<serde_json::Value> for Response {
    fn from(value: serde_json::Value) -> Self {
        Self::new(StatusCode::OK, value.to_string())
            .with_content_type(HeaderValue::from_static("application/json"))
    }
}

impl From<()> for Response {
    fn from((): ()) -> Self {
        Self::ok()
    }
}

impl<B: Into<Bytes>> From<http::Response<B>> for Response {
    fn from(response: http::Response<B>) -> Self {
        let (parts, body) = response.into_parts();
        Response {
            status: parts.status,
            headers: parts.headers,
            body: body.into(),
        }
    }
}

impl From<Response> for http::Response<Bytes> {
    fn from(response: Response) -> Self {
        let mut out = http::Response::new(response.body);
        *out.status_mut() = response.status;
        *out.headers_mut() = response.headers;
        out
    }
}
