//! What the shim answers: the handler's response, or an error with `X-Google-Status`.
//!
//! | outcome | status | `X-Google-Status` | body |
//! |---|---|---|---|
//! | HTTP function, any response | the handler's | – | the handler's |
//! | event function, 2xx response | 200 (204 when the body is empty) | – | the handler's |
//! | event function, other response | the handler's (Eventarc / Pub/Sub retry) | – | the handler's |
//! | the handler returned an error | 500 | `error` | `{"error": {"type", "message"}}` |
//! | the deadline passed | 504 | `error` | same |
//! | the handler panicked | 500 | `crash` | same, without the panic text |
//! | the request is not a decodable event | 400 | `crash` | same, naming the problem |

use http::header::{HeaderName, HeaderValue, ALLOW, CONTENT_LENGTH};
use http::StatusCode;
use polyfaas_core::server::{into_http, json_error, ResponseBody};
use polyfaas_core::{Error, Response};

use crate::EventError;

/// `X-Google-Status`: how Cloud Functions labels a failed execution.
pub const GOOGLE_STATUS: HeaderName = HeaderName::from_static("x-google-status");

/// The body of a panic's answer: the panic's own text goes to the log only.
pub const PANIC_MESSAGE: &str = "the function panicked; the details are in the logs";

/// An event function's response: 200 with the handler's body on success (204 when it is
/// empty), the handler's status otherwise.
pub(crate) fn event_result(response: Response) -> http::Response<ResponseBody> {
    let success = response.is_success();
    let empty = response.body().is_empty();
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

/// A failed invocation's answer.
pub(crate) fn failure(error: &Error) -> http::Response<ResponseBody> {
    let (status, label, message) = match error {
        Error::Panic(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "crash",
            PANIC_MESSAGE.to_owned(),
        ),
        Error::Timeout(_) => (StatusCode::GATEWAY_TIMEOUT, "error", error.to_string()),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "error",
            error.to_string(),
        ),
    };
    labelled(json_error(status, error.error_type(), &message), label)
}

/// 400 for a request that is not a decodable event.
pub(crate) fn invalid_event(error: &EventError) -> http::Response<ResponseBody> {
    labelled(
        json_error(StatusCode::BAD_REQUEST, "InvalidEvent", error.message()),
        "crash",
    )
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
    let mut response = http::Response::new(ResponseBody::from("Not Found"));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn labelled(
    mut response: http::Response<ResponseBody>,
    label: &'static str,
) -> http::Response<ResponseBody> {
    response
        .headers_mut()
        .insert(GOOGLE_STATUS, HeaderValue::from_static(label));
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
    }

    #[tokio::test]
    async fn failures_are_labelled_and_panics_keep_their_text_out() {
        let r = failure(&Error::Panic("secret detail".into()));
        assert_eq!(r.status(), 500);
        assert_eq!(r.headers()[GOOGLE_STATUS], "crash");
        let text = body(r).await;
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains(PANIC_MESSAGE), "{text}");
        let r = failure(&Error::msg("bad input"));
        assert_eq!(
            (r.status().as_u16(), &r.headers()[GOOGLE_STATUS]),
            (500, &HeaderValue::from_static("error"))
        );
        assert!(body(r).await.contains("bad input"));
        let r = failure(&Error::Timeout(std::time::Duration::from_secs(1)));
        assert_eq!(r.status(), 504);
        let r = invalid_event(&EventError::new("ce-id: missing"));
        assert_eq!(
            (r.status().as_u16(), &r.headers()[GOOGLE_STATUS]),
            (400, &HeaderValue::from_static("crash"))
        );
    }
}
