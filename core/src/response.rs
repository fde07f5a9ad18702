//! The neutral response: status, headers, body (whole, or a stream).

use std::fmt;

use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use http::{HeaderMap, StatusCode};
use http_body::Frame;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use serde::Serialize;

use crate::output::{Output, Outputs};
use crate::{BoxError, Error};

/// A response body that arrives over time.
pub type BodyStream = UnsyncBoxBody<Bytes, StreamError>;

/// A streamed response body failed while it was produced (the handler's stream returned an
/// error, or it grew past a limit while being collected).
#[derive(Debug, thiserror::Error)]
#[error("the response stream failed: {0}")]
pub struct StreamError(#[source] pub BoxError);

/// What a handler answers: status, headers and a body, whole or streamed.
///
/// For HTTP events it is the HTTP response. For other events a 2xx status means success (the
/// body is the result) and anything else means failure, so the platform's retry path is taken.
///
/// A [streamed](Response::stream) body reaches the caller as it is produced where the platform
/// can stream (the local provider and Google Cloud: chunked transfer; Lambda in response
/// streaming mode); elsewhere (Azure, OpenWhisk, Lambda's buffered mode) it is collected first,
/// up to the invocation skeleton's response limit.
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
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    stream: Option<BodyStream>,
    outputs: Outputs,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Response");
        d.field("status", &self.status)
            .field("headers", &self.headers);
        match &self.stream {
            Some(_) => d.field("body", &"(a stream)"),
            None => d.field("body", &self.body),
        };
        if !self.outputs.is_empty() {
            d.field("outputs", &self.outputs);
        }
        d.finish()
    }
}

impl Response {
    /// A response with a status and a body, no headers.
    pub fn new(status: StatusCode, body: impl Into<Bytes>) -> Self {
        Response {
            status,
            headers: HeaderMap::new(),
            body: body.into(),
            stream: None,
            outputs: Outputs::new(),
        }
    }

    /// 200 with a body that arrives over time: any `http_body::Body` (an axum body, a
    /// `StreamBody`). See [`from_stream`](Self::from_stream) for a `Stream` of chunks.
    pub fn stream<B>(body: B) -> Self
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let mut response = Self::from_status(StatusCode::OK);
        response.stream = Some(body.map_err(|e| StreamError(e.into())).boxed_unsync());
        response
    }

    /// 200 with a body made of the chunks a `Stream` yields, sent as each arrives where the
    /// platform can stream.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use polyfaas_core::Response;
    ///
    /// let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from("a")), Ok(Bytes::from("b"))]);
    /// let r = Response::from_stream(chunks);
    /// assert!(r.is_streaming());
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let whole = r.collect(1024).await.unwrap();
    /// assert_eq!(whole.body().as_ref(), b"ab");
    /// # });
    /// ```
    pub fn from_stream<S, E>(chunks: S) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        Self::stream(StreamBody::new(
            chunks.map_ok(Frame::data).map_err(Into::into),
        ))
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

    /// The same response with a value for the output binding named `binding` (a second value
    /// for the same binding replaces the first; for several queue messages give a JSON array).
    ///
    /// Output bindings are an Azure Functions feature: there each output lands in the reply's
    /// `Outputs` under its binding name, written as the binding's type needs (a blob's bytes as
    /// base64, a queue or Service Bus message as text or JSON, a Cosmos DB document as JSON),
    /// and an output that the function's `function.json` does not declare fails the invocation
    /// with an error naming it and the declared ones. An HTTP function's response itself still
    /// goes to its `http` output (`res`).
    ///
    /// On every other platform (local, AWS Lambda, Google Cloud, OpenWhisk) the same code runs
    /// unchanged: the response is delivered as usual and the outputs are dropped, with a warning
    /// in the log naming them. Write through [`Context::blobs`](crate::Context::blobs) or the
    /// service's SDK where the data must arrive on every platform.
    ///
    /// ```
    /// use polyfaas_core::{Output, Response};
    /// use serde_json::json;
    ///
    /// let r = Response::text("queued")
    ///     .with_output("message", json!({"order": 7}))
    ///     .with_output("thumbnail", vec![0x89u8, b'P', b'N', b'G']);
    /// assert_eq!(r.outputs()["message"], Output::Json(json!({"order": 7})));
    /// assert_eq!(r.outputs().len(), 2);
    /// ```
    pub fn with_output(mut self, binding: impl Into<String>, value: impl Into<Output>) -> Self {
        self.outputs.insert(binding.into(), value.into());
        self
    }

    /// The named outputs set with [`with_output`](Self::with_output).
    pub fn outputs(&self) -> &Outputs {
        &self.outputs
    }

    /// Takes the named outputs out of the response (the shim that writes them, or the
    /// invocation skeleton that drops them).
    pub fn take_outputs(&mut self) -> Outputs {
        std::mem::take(&mut self.outputs)
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

    /// The status, to change it.
    pub fn status_mut(&mut self) -> &mut StatusCode {
        &mut self.status
    }

    /// The headers, to change them.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// The whole body. Empty for a [streaming](Self::is_streaming) response, whose bytes are
    /// read with [`collect`](Self::collect) or [`into_body`](Self::into_body). (The invocation
    /// skeleton collects streams for platforms that cannot stream, so their shims always see
    /// whole bodies here.)
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Whether the body is a stream.
    pub fn is_streaming(&self) -> bool {
        self.stream.is_some()
    }

    /// The same response with its stream read to the end, refusing more than `limit` bytes; a
    /// whole body is returned as it is.
    pub async fn collect(self, limit: usize) -> Result<Response, BoxError> {
        let Response {
            status,
            headers,
            body,
            stream,
            outputs,
        } = self;
        let body = match stream {
            None => body,
            Some(stream) => Limited::new(stream, limit).collect().await?.to_bytes(),
        };
        Ok(Response {
            status,
            headers,
            body,
            stream: None,
            outputs,
        })
    }

    /// The body as an `http_body::Body`: the stream, or the whole body in one frame.
    pub fn into_body(self) -> BodyStream {
        match self.stream {
            Some(stream) => stream,
            None => Full::new(self.body)
                .map_err(|never| match never {})
                .boxed_unsync(),
        }
    }

    /// The `content-type`, if it is set and is text.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE)?.to_str().ok()
    }

    /// Status, headers and the whole body (see [`body`](Self::body); a shim that can stream
    /// uses [`into_http`](Self::into_http)). The named outputs are not part of it: take them
    /// first with [`take_outputs`](Self::take_outputs).
    pub fn into_parts(self) -> (StatusCode, HeaderMap, Bytes) {
        debug_assert!(
            self.stream.is_none(),
            "into_parts on a streaming response: collect it first"
        );
        (self.status, self.headers, self.body)
    }

    /// The response as an `http::Response` whose body streams.
    pub fn into_http(self) -> http::Response<BodyStream> {
        let status = self.status;
        let mut headers = HeaderMap::new();
        let mut this = self;
        std::mem::swap(&mut headers, &mut this.headers);
        let mut out = http::Response::new(this.into_body());
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        out
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
            stream: None,
            outputs: Outputs::new(),
        }
    }
}

impl From<Response> for http::Response<Bytes> {
    /// The whole response (a streaming one must be [collected](Response::collect) first).
    fn from(response: Response) -> Self {
        let (status, headers, body) = response.into_parts();
        let mut out = http::Response::new(body);
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        out
    }
}
