//! What the shim answers: the handler's response, or a [`Failure`] with `X-Google-Status`.
//!
//! | outcome | status | `X-Google-Status` | body |
//! |---|---|---|---|
//! | HTTP function, any response | the handler's | – | the handler's |
//! | event function, 2xx response | 200 (204 when the body is empty) | – | the handler's |
//! | event function, other response | the handler's (Eventarc / Pub/Sub retry) | – | the handler's |
//! | the handler returned an error | 500 | `error` | `{"error": {"type", "message"}}` |
//! | the deadline passed | 504 | `error` | same |
//! | the handler panicked | 500 | `crash` | same, naming the request id; the panic's text is only logged |
//! | the request is not a decodable event | 400 | `crash` | same, naming the problem |
//! | the body is larger than `POLYFAAS_BODY_LIMIT` | 413 | – | same |

use http::header::{HeaderName, HeaderValue, ALLOW, CONTENT_LENGTH};
use http::StatusCode;
use polyfaas_core::server::{self, failure_response, into_http, json_error, ResponseBody};
use polyfaas_core::{Failure, FailureKind, Response};

/// `X-Google-Status`: how Cloud Functions labels a failed execution.
pub const GOOGLE_STATUS: HeaderName = HeaderName::from_static("x-google-status");

/// An event function's response: 200 with the handler's body on success (204 when it is
/// empty; a streamed body counts as not empty), the handler's status otherwise.
pub(crate) fn event_result(response: Response) -> http::Response<ResponseBody> {
    let success = response.is_success();
    let empty = response.body().is_empty() && !response.is_streaming();
    let mut out = into_http(response);
    if success {
        *out.status_mut() = if empty {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::OK
        };
        if empty {
            out.headers_mut().remove(CONTENT_LENGTH);
        }
    }
    out
}

/// A failed invocation's answer: the failure's status and JSON body, labelled `crash` (a panic,
/// input that is not an event) or `error` (anything else the function or the shim failed at).
/// A body over the limit never reached the function, so it is not labelled.
pub(crate) fn failure(failure: &Failure) -> http::Response<ResponseBody> {
    let mut response = failure_response(failure);
    let label = match failure.kind() {
        FailureKind::Panic | FailureKind::BadInput => Some("crash"),
        FailureKind::TooLarge => None,
        _ => Some("error"),
    };
    if let Some(label) = label {
        response
            .headers_mut()
            .insert(GOOGLE_STATUS, HeaderValue::from_static(label));
    }
    response
}

/// 405 for a method other than POST on an event function.
pub(crate) fn method_not_allowed(signature: &str) -> http::Response<ResponseBody> {
    let mut response = json_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        &format!("{signature} functions accept only POST"),
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("POST"));
    response
}

/// 404 for `/robots.txt` and `/favicon.ico`, which never reach the function.
pub(crate) fn not_found() -> http::Response<ResponseBody> {
    let mut response = http::Response::new(server::full("Not Found"));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    async fn body(response: http::Response<ResponseBody>) -> String {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn event_results() {
        let r = event_result(Response::text("done").with_status(StatusCode::CREATED));
        assert_eq!(r.status(), 200);
        assert_eq!(body(r).await, "done");
        assert_eq!(event_result(Response::ok()).status(), 204);
        let r = event_result(Response::text("later").with_status(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(r.status(), 503);
        assert!(r.headers().get(GOOGLE_STATUS).is_none());
        // A schedule on an http function: the answer may be a stream.
        let chunks = futures_util::stream::iter([Ok::<_, std::convert::Infallible>(
            bytes::Bytes::from_static(b"streamed"),
        )]);
        let r = event_result(Response::from_stream(chunks));
        assert_eq!(r.status(), 200);
        assert_eq!(body(r).await, "streamed");
    }

    #[tokio::test]
    async fn failures_are_labelled_and_panics_keep_their_text_out() {
        use polyfaas_core::{BadInput, Error, PANIC_MESSAGE};

        let r = failure(&Failure::from_error(
            &Error::Panic("secret detail".into()),
            "r-1",
        ));
        assert_eq!(r.status(), 500);
        assert_eq!(r.headers()[GOOGLE_STATUS], "crash");
        let text = body(r).await;
        assert!(!text.contains("secret"), "{text}");
        assert!(
            text.contains(PANIC_MESSAGE) && text.contains("r-1"),
            "{text}"
        );
        let r = failure(&Failure::from_error(&Error::msg("bad input"), "r-1"));
        assert_eq!(
            (r.status().as_u16(), &r.headers()[GOOGLE_STATUS]),
            (500, &HeaderValue::from_static("error"))
        );
        assert!(body(r).await.contains("bad input"));
        let timeout = Error::Timeout(std::time::Duration::from_secs(1));
        let r = failure(&Failure::from_error(&timeout, "r-1"));
        assert_eq!(r.status(), 504);
        assert_eq!(r.headers()[GOOGLE_STATUS], "error");
        let r = failure(&Failure::bad_input(&BadInput::at("ce-id", "missing")));
        assert_eq!(
            (r.status().as_u16(), &r.headers()[GOOGLE_STATUS]),
            (400, &HeaderValue::from_static("crash"))
        );
        assert!(body(r).await.contains("ce-id: missing"));
        let r = failure(&Failure::too_large(10, "POLYFAAS_BODY_LIMIT"));
        assert_eq!(r.status(), 413);
        assert!(r.headers().get(GOOGLE_STATUS).is_none());
    }
}
