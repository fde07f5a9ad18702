//! The Runtime API's calls (version 2018-06-01) and the Extensions API's two (2020-01-01), over
//! one kept-alive connection ([`connection`](crate::connection)): `/next`, `/response` (whole or
//! streamed), `/error`, `/init/error`, `/extension/register`, `/extension/event/next`.
//!
//! The loop itself is [`runtime`](crate::runtime)'s: `lambda_runtime` 1.5's own loop stops (or
//! panics) on a `/next` whose request id or deadline header it cannot read, before any layer of
//! a function sees the invocation, so the shim reads the headers itself
//! ([`invocation`](crate::invocation)) and answers each invocation whatever they hold.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, TRAILER, TRANSFER_ENCODING};
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use polyfaas_core::Failure;

use crate::connection::{streamed, whole, Body, BoxError, Connection};
use crate::error::error_body;

const NEXT: &str = "/2018-06-01/runtime/invocation/next";
const INIT_ERROR: &str = "/2018-06-01/runtime/init/error";
const REGISTER: &str = "/2020-01-01/extension/register";
const EXTENSION_NEXT: &str = "/2020-01-01/extension/event/next";

/// The header naming an error's type on `/error`, `/init/error`, and as a streamed response's
/// trailer.
pub(crate) const ERROR_TYPE: &str = "lambda-runtime-function-error-type";
/// The trailer with a streamed response's error, base64.
pub(crate) const ERROR_BODY: &str = "lambda-runtime-function-error-body";
const RESPONSE_MODE: &str = "lambda-runtime-function-response-mode";
const EXTENSION_NAME: &str = "lambda-extension-name";
const EXTENSION_ID: &str = "lambda-extension-identifier";

/// A call to the Runtime or Extensions API failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// No answer: the connection failed.
    #[error("{call}: {source}")]
    Transport {
        call: String,
        #[source]
        source: BoxError,
    },
    /// An answer that is not a success.
    #[error("{call} answered {status}: {body}")]
    Status {
        call: String,
        status: StatusCode,
        body: String,
    },
}

/// One invocation handed out by `/next`: its headers and its event.
#[derive(Debug)]
pub(crate) struct Next {
    pub headers: HeaderMap,
    pub event: Bytes,
}

/// The client of the Runtime API at `AWS_LAMBDA_RUNTIME_API`.
#[derive(Debug)]
pub(crate) struct RuntimeApi {
    connection: Connection,
}

impl RuntimeApi {
    /// A client of the API at `endpoint` (`http://host:port`, with an emulator's path prefix if
    /// it has one).
    pub(crate) fn new(endpoint: &Uri) -> Result<Self, BoxError> {
        Ok(RuntimeApi {
            connection: Connection::new(endpoint)?,
        })
    }

    /// A client of the same API with connections of its own: for a call that holds its
    /// connection open (the extension's `/event/next`), so that it never takes the connection
    /// the runtime loop's next call would reuse.
    pub(crate) fn separate(&self) -> Self {
        RuntimeApi {
            connection: self.connection.separate(),
        }
    }

    /// `GET /runtime/invocation/next`: waits, with no time limit (Lambda freezes the process
    /// between invocations), for the next invocation.
    pub(crate) async fn next(&self) -> Result<Next, ApiError> {
        let request = self.connection.request(Method::GET, NEXT);
        let (headers, event) = self.call(NEXT, request, whole(Bytes::new())).await?;
        Ok(Next { headers, event })
    }

    /// `POST /runtime/invocation/{id}/response` with the whole result.
    pub(crate) async fn respond(&self, id: &str, result: Bytes) -> Result<(), ApiError> {
        let path = format!("/2018-06-01/runtime/invocation/{id}/response");
        let request = self
            .connection
            .request(Method::POST, path.as_str())
            .header(CONTENT_TYPE, "application/json");
        self.call(&path, request, whole(result)).await?;
        Ok(())
    }

    /// `POST /runtime/invocation/{id}/response` in streaming mode: chunked, with `content_type`,
    /// the error trailers declared, and the connection closed afterwards (as the Runtime API asks
    /// of streamed responses).
    pub(crate) async fn respond_streaming(
        &self,
        id: &str,
        content_type: &'static str,
        body: impl http_body::Body<Data = Bytes, Error: Into<BoxError>> + Send + 'static,
    ) -> Result<(), ApiError> {
        let path = format!("/2018-06-01/runtime/invocation/{id}/response");
        let request = self
            .connection
            .request(Method::POST, path.as_str())
            .header(RESPONSE_MODE, "streaming")
            .header(TRANSFER_ENCODING, "chunked")
            .header(CONTENT_TYPE, content_type)
            .header(TRAILER, HeaderValue::from_static(ERROR_TYPE))
            .header(TRAILER, HeaderValue::from_static(ERROR_BODY))
            .header(http::header::CONNECTION, "close");
        self.call(&path, request, streamed(body)).await?;
        Ok(())
    }

    /// `POST /runtime/invocation/{id}/error` with the failure's type (as the body's `errorType`
    /// and the `Lambda-Runtime-Function-Error-Type` header) and message.
    pub(crate) async fn fail(&self, id: &str, failure: &Failure) -> Result<(), ApiError> {
        let path = format!("/2018-06-01/runtime/invocation/{id}/error");
        let request = self
            .connection
            .request(Method::POST, path.as_str())
            .header(CONTENT_TYPE, "application/json")
            .header(ERROR_TYPE, header_text(failure.error_type()));
        self.call(&path, request, whole(error_body(failure)))
            .await?;
        Ok(())
    }

    /// `POST /runtime/init/error`: a start-up failure, before the first `/next`.
    pub(crate) async fn init_error(&self, error_type: &str, body: String) -> Result<(), ApiError> {
        let request = self
            .connection
            .request(Method::POST, INIT_ERROR)
            .header(CONTENT_TYPE, "application/json")
            .header(ERROR_TYPE, header_text(error_type));
        self.call(INIT_ERROR, request, whole(body)).await?;
        Ok(())
    }

    /// `POST /extension/register` of an internal extension named `name` that takes no events;
    /// returns its identifier. Lambda sends SIGTERM before it stops a process only when an
    /// extension is registered.
    pub(crate) async fn register_extension(&self, name: &str) -> Result<String, ApiError> {
        let request = self
            .connection
            .request(Method::POST, REGISTER)
            .header(CONTENT_TYPE, "application/json")
            .header(EXTENSION_NAME, header_text(name));
        let (headers, _) = self
            .call(
                REGISTER,
                request,
                whole(Bytes::from_static(br#"{"events":[]}"#)),
            )
            .await?;
        headers
            .get(EXTENSION_ID)
            .and_then(|id| id.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| ApiError::Status {
                call: REGISTER.to_owned(),
                status: StatusCode::OK,
                body: "no Lambda-Extension-Identifier header in the answer".to_owned(),
            })
    }

    /// `GET /extension/event/next`: how a registered extension says it is ready; with no events
    /// registered it does not return while the process lives.
    pub(crate) async fn extension_next(&self, id: &str) -> Result<(), ApiError> {
        let request = self
            .connection
            .request(Method::GET, EXTENSION_NEXT)
            .header(EXTENSION_ID, header_text(id));
        self.call(EXTENSION_NEXT, request, whole(Bytes::new()))
            .await?;
        Ok(())
    }

    /// Sends one request and reads the whole answer; anything but a 2xx is an error.
    async fn call(
        &self,
        call: &str,
        request: http::request::Builder,
        body: Body,
    ) -> Result<(HeaderMap, Bytes), ApiError> {
        let transport = |source: BoxError| ApiError::Transport {
            call: call.to_owned(),
            source,
        };
        let request = request.body(body).map_err(|e| transport(e.into()))?;
        let (parts, body) = self.connection.call(request).await.map_err(transport)?;
        if !parts.status.is_success() {
            return Err(ApiError::Status {
                call: call.to_owned(),
                status: parts.status,
                body: String::from_utf8_lossy(&body).into_owned(),
            });
        }
        Ok((parts.headers, body))
    }
}

/// A header value from text the shim made; a character a header cannot hold becomes `?`.
fn header_text(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| {
        let cleaned: String = text
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        HeaderValue::from_str(&cleaned).unwrap_or(HeaderValue::from_static("?"))
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use polyfaas_core::Response;
    use polyfaas_testkit::aws::{Invocation, Outcome, RuntimeApi as Server};

    use super::*;
    use crate::http::{http_integration, HTTP_INTEGRATION};

    fn client(server: &Server) -> RuntimeApi {
        RuntimeApi::new(&server.url().parse().unwrap()).unwrap()
    }

    #[tokio::test]
    async fn a_stream_that_fails_after_its_first_bytes_ends_with_the_error_trailers() {
        let server = std::sync::Arc::new(Server::start().await.unwrap());
        let api = client(&server);
        let invocation = Invocation::new("{}");
        let id = invocation.request_id.clone();
        let answered = {
            let server = std::sync::Arc::clone(&server);
            tokio::spawn(async move { server.invoke(invocation, Duration::from_secs(30)).await })
        };
        let next = api.next().await.unwrap();
        assert_eq!(next.headers["lambda-runtime-aws-request-id"], id.as_str());
        let chunks = futures_util::stream::iter([
            Ok(Bytes::from("part")),
            Err(std::io::Error::other("the disk went away")),
        ]);
        let body = http_integration(Response::from_stream(chunks), &id);
        api.respond_streaming(&id, HTTP_INTEGRATION, body)
            .await
            .unwrap();
        let outcome = answered.await.unwrap().expect("an answer");
        let Outcome::Streamed(streamed) = &outcome else {
            panic!("{outcome}");
        };
        assert_eq!(streamed.body(), b"part");
        let (error_type, error) = streamed.error().expect("the error trailers");
        assert_eq!(error_type, "HandlerError", "{outcome}");
        assert_eq!(error["errorType"], "HandlerError");
        assert!(
            error["errorMessage"]
                .as_str()
                .unwrap()
                .contains("the disk went away"),
            "{error}"
        );
        assert_eq!(server.violations(), Vec::<String>::new());
    }

    #[tokio::test]
    async fn an_answer_the_api_refuses_is_an_error_with_its_status() {
        let server = Server::start().await.unwrap();
        let api = client(&server);
        let err = api
            .respond("not-in-flight", Bytes::from_static(b"{}"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, ApiError::Status { status, .. } if status == StatusCode::BAD_REQUEST),
            "{err}"
        );
        assert!(err.to_string().contains("InvalidRequestID"), "{err}");
    }
}
