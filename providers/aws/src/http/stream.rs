//! A Function URL's response streamed through the Runtime API (`POLYFAAS_RESPONSE_STREAMING=1`,
//! the URL's `InvokeMode: RESPONSE_STREAM`), in the HTTP-integration format
//! (`application/vnd.awslambda.http-integration-response`): a JSON prelude with the status, the
//! headers and the cookies, 8 NUL bytes, then the body as the handler produces it, each chunk
//! sent when it arrives.
//!
//! The status and headers have left once the first byte is out, so a body that fails later
//! (an error from the handler's stream, or a panic while producing it) ends the stream with
//! the trailers `Lambda-Runtime-Function-Error-Type` and `Lambda-Runtime-Function-Error-Body`
//! (base64 of the `/error` JSON), as the Runtime API documents; Lambda passes them on to the
//! client.

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::{BufMut, Bytes, BytesMut};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue};
use http_body::{Body, Frame};
use polyfaas_core::{BodyStream, Error, Failure, Response};
use serde::Serialize;

use super::response::{Cookies, Joined};
use crate::api::{ERROR_BODY, ERROR_TYPE};
use crate::error::error_body;

/// The `Content-Type` of a streamed HTTP-integration response.
pub(crate) const HTTP_INTEGRATION: &str = "application/vnd.awslambda.http-integration-response";

/// What separates the prelude from the body.
const DELIMITER: [u8; 8] = [0; 8];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Prelude<'a> {
    status_code: u16,
    headers: Joined<'a>,
    cookies: Cookies<'a>,
}

/// The body of a streamed `/response` for `response`: the prelude, then its body's chunks.
/// `request_id` names the invocation in the failure a panic becomes.
pub(crate) fn http_integration(mut response: Response, request_id: &str) -> HttpIntegration {
    // A client needs a content type to read a stream; Lambda's own runtimes default to bytes.
    response
        .headers_mut()
        .entry(CONTENT_TYPE)
        .or_insert(HeaderValue::from_static("application/octet-stream"));
    let prelude = Prelude {
        status_code: response.status().as_u16(),
        headers: Joined {
            headers: response.headers(),
            skip_cookies: true,
        },
        cookies: Cookies(response.headers()),
    };
    let mut first = BytesMut::with_capacity(256).writer();
    // A struct of strings and numbers: writing it into memory cannot fail.
    let _ = serde_json::to_writer(&mut first, &prelude);
    let mut first = first.into_inner();
    first.extend_from_slice(&DELIMITER);
    HttpIntegration {
        prelude: Some(first.freeze()),
        body: Some(response.into_body()),
        request_id: request_id.to_owned(),
    }
}

/// The streamed body: see the [module](self).
pub(crate) struct HttpIntegration {
    prelude: Option<Bytes>,
    /// `None` once the body has ended or failed.
    body: Option<BodyStream>,
    request_id: String,
}

impl HttpIntegration {
    /// The trailers that end a stream after `failure`.
    fn failed(&mut self, failure: &Failure) -> Frame<Bytes> {
        self.body = None;
        let mut trailers = HeaderMap::new();
        let error_type = HeaderValue::from_str(failure.error_type())
            .unwrap_or(HeaderValue::from_static("HandlerError"));
        trailers.insert(ERROR_TYPE, error_type);
        if let Ok(body) = HeaderValue::from_str(&BASE64.encode(error_body(failure))) {
            trailers.insert(ERROR_BODY, body);
        }
        Frame::trailers(trailers)
    }
}

impl Body for HttpIntegration {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(prelude) = self.prelude.take() {
            return Poll::Ready(Some(Ok(Frame::data(prelude))));
        }
        loop {
            let Some(body) = self.body.as_mut() else {
                return Poll::Ready(None);
            };
            let polled =
                std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(body).poll_frame(cx)));
            let failure = match polled {
                Ok(Poll::Pending) => return Poll::Pending,
                Ok(Poll::Ready(None)) => {
                    self.body = None;
                    return Poll::Ready(None);
                }
                Ok(Poll::Ready(Some(Ok(frame)))) => match frame.into_data() {
                    Ok(data) if data.is_empty() => continue,
                    Ok(data) => return Poll::Ready(Some(Ok(Frame::data(data)))),
                    // The handler's own trailers have no place in Lambda's format.
                    Err(_) => continue,
                },
                Ok(Poll::Ready(Some(Err(error)))) => {
                    let failure =
                        Failure::from_error(&Error::Handler(Box::new(error)), &self.request_id);
                    tracing::error!(
                        request_id = %self.request_id,
                        error = failure.message(),
                        "the streamed response failed after its first bytes; sent as trailers"
                    );
                    failure
                }
                Err(panic) => {
                    let text = panic
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_owned())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "a panic without a message".to_owned());
                    tracing::error!(
                        request_id = %self.request_id,
                        "the streamed response panicked after its first bytes: {text}"
                    );
                    Failure::from_error(&Error::Panic(text), &self.request_id)
                }
            };
            return Poll::Ready(Some(Ok(self.failed(&failure))));
        }
    }

    fn is_end_stream(&self) -> bool {
        self.prelude.is_none() && self.body.is_none()
    }
}

#[cfg(test)]
mod tests {
    use http::StatusCode;
    use http_body_util::BodyExt;
    use serde_json::{json, Value};

    use super::*;

    /// The data and the trailers of a body.
    async fn read(body: HttpIntegration) -> (Vec<u8>, Option<HeaderMap>) {
        let collected = body.collect().await.unwrap();
        let trailers = collected.trailers().cloned();
        (collected.to_bytes().to_vec(), trailers)
    }

    fn split(bytes: &[u8]) -> (Value, &[u8]) {
        let at = bytes
            .windows(8)
            .position(|w| w == DELIMITER)
            .expect("8 NUL bytes after the prelude");
        (
            serde_json::from_slice(&bytes[..at]).unwrap(),
            &bytes[at + 8..],
        )
    }

    #[tokio::test]
    async fn the_prelude_then_the_body() {
        let chunks = futures_util::stream::iter([
            Ok::<_, Infallible>(Bytes::from("hel")),
            Ok(Bytes::new()),
            Ok(Bytes::from("lo")),
        ]);
        let response = Response::from_stream(chunks)
            .with_status(StatusCode::CREATED)
            .with_header(http::header::SET_COOKIE, HeaderValue::from_static("a=1"))
            .with_header(http::header::SET_COOKIE, HeaderValue::from_static("b=2"));
        let (bytes, trailers) = read(http_integration(response, "r-1")).await;
        let (prelude, body) = split(&bytes);
        assert_eq!(
            prelude,
            json!({"statusCode": 201, "headers": {"content-type": "application/octet-stream"}, "cookies": ["a=1", "b=2"]})
        );
        assert_eq!(body, b"hello");
        assert_eq!(trailers, None);
    }

    #[tokio::test]
    async fn an_error_after_the_first_bytes_becomes_trailers() {
        let chunks = futures_util::stream::iter([
            Ok(Bytes::from("part")),
            Err(std::io::Error::other("the disk went away")),
            Ok(Bytes::from("never sent")),
        ]);
        let response =
            Response::from_stream(chunks).with_content_type(HeaderValue::from_static("text/plain"));
        let (bytes, trailers) = read(http_integration(response, "r-2")).await;
        let (prelude, body) = split(&bytes);
        assert_eq!(prelude["headers"]["content-type"], "text/plain");
        assert_eq!(body, b"part");
        let trailers = trailers.expect("error trailers");
        assert_eq!(trailers[ERROR_TYPE], "HandlerError");
        let error: Value =
            serde_json::from_slice(&BASE64.decode(trailers[ERROR_BODY].as_bytes()).unwrap())
                .unwrap();
        assert_eq!(error["errorType"], "HandlerError");
        assert!(
            error["errorMessage"]
                .as_str()
                .unwrap()
                .contains("the disk went away"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_panic_while_streaming_becomes_trailers_without_its_text() {
        let chunks = futures_util::StreamExt::chain(
            futures_util::stream::iter([Ok::<_, Infallible>(Bytes::from("x"))]),
            futures_util::stream::poll_fn(|_| -> Poll<Option<Result<Bytes, Infallible>>> {
                panic!("the secret is 42")
            }),
        );
        let (bytes, trailers) = read(http_integration(Response::from_stream(chunks), "r-3")).await;
        assert_eq!(split(&bytes).1, b"x");
        let trailers = trailers.expect("error trailers");
        assert_eq!(trailers[ERROR_TYPE], "Panic");
        let error =
            String::from_utf8(BASE64.decode(trailers[ERROR_BODY].as_bytes()).unwrap()).unwrap();
        assert!(error.contains("request id r-3"), "{error}");
        assert!(!error.contains("secret"), "{error}");
    }
}
