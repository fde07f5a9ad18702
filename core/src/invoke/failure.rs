//! Where an error becomes a 500: every way an invocation can fail, classified once, with the
//! status class, the error type name and the message a caller may see.

use std::fmt;

use http::StatusCode;
use serde_json::{json, Value};

use crate::{BadInput, Error, Response};

/// What a caller is told when the handler panicked. The panic's own text may hold anything
/// (an index, a secret, a path), so it goes to the function's log only, with the request id.
///
/// This is polyfaas's one policy on every platform: the answer says the handler panicked and
/// names the request id to look up in the log.
pub const PANIC_MESSAGE: &str = "the handler panicked; its message is in the function's log";

/// How an invocation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// The input could not be turned into an event: 400.
    BadInput,
    /// The request body is larger than the limit: 413.
    TooLarge,
    /// The handler returned an error: 500.
    Handler,
    /// The handler panicked: 500.
    Panic,
    /// The handler did not finish before the deadline: 504.
    Timeout,
    /// The handler answered a non-HTTP event with a status that is not 2xx: that status.
    Unsuccessful,
    /// The shim itself failed on this invocation (a local file could not be written, the
    /// connection broke while the body was read): 500.
    Internal,
}

/// A failed invocation, classified: its [`FailureKind`], the HTTP status class it maps to, a
/// short error type name (`InvalidEvent`, `PayloadTooLarge`, `HandlerError`, `Panic`, `Timeout`,
/// `UnsuccessfulResponse`, or the [`Error::error_type`] of the handler's error) and the message
/// that may be shown to the caller.
///
/// Every shim writes it in its platform's error format; [`to_json`](Self::to_json) is the
/// `{"error": {"type", "message"}}` body the HTTP-serving shims answer with.
///
/// ```
/// use polyfaas_core::{BadInput, Failure, FailureKind};
///
/// let failure = Failure::bad_input(&BadInput::at("Records[0].body", "not valid base64"));
/// assert_eq!(failure.kind(), FailureKind::BadInput);
/// assert_eq!(failure.status().as_u16(), 400);
/// assert_eq!(failure.to_json()["error"]["type"], "InvalidEvent");
/// assert_eq!(failure.message(), "Records[0].body: not valid base64");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    kind: FailureKind,
    status: StatusCode,
    error_type: String,
    message: String,
}

impl Failure {
    /// A failure of any kind, for what a shim classifies itself.
    pub fn new(
        kind: FailureKind,
        status: StatusCode,
        error_type: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Failure {
            kind,
            status,
            error_type: error_type.into(),
            message: message.into(),
        }
    }

    /// Input that is not a valid event: 400 `InvalidEvent`, the message naming the field.
    pub fn bad_input(error: &BadInput) -> Self {
        Failure::new(
            FailureKind::BadInput,
            StatusCode::BAD_REQUEST,
            "InvalidEvent",
            error.to_string(),
        )
    }

    /// A body larger than `limit` bytes: 413 `PayloadTooLarge`, naming the variable that sets the
    /// limit.
    pub fn too_large(limit: usize, variable: &str) -> Self {
        Failure::new(
            FailureKind::TooLarge,
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLarge",
            format!("the request body is larger than the limit of {limit} bytes ({variable})"),
        )
    }

    /// The shim failed on this invocation itself: 500 with the given type and message.
    pub fn internal(error_type: impl Into<String>, message: impl Into<String>) -> Self {
        Failure::new(
            FailureKind::Internal,
            StatusCode::INTERNAL_SERVER_ERROR,
            error_type,
            message,
        )
    }

    /// The handler answered a non-HTTP event (`kind`) with `response`, whose status is not 2xx:
    /// the platform's failure path is taken (retry, dead-letter). The status is the response's;
    /// the message quotes the start of its body.
    pub fn unsuccessful(kind: &str, response: &Response) -> Self {
        let body = String::from_utf8_lossy(response.body());
        let mut message = format!(
            "the handler answered the {kind} event with status {}",
            response.status()
        );
        if !body.is_empty() {
            message.push_str(": ");
            message.extend(body.chars().take(1024));
        }
        Failure::new(
            FailureKind::Unsuccessful,
            response.status(),
            "UnsuccessfulResponse",
            message,
        )
    }

    /// The failure of a handler call that returned `error`. A panic's text is not part of the
    /// message (see [`PANIC_MESSAGE`]); `request_id` is named instead.
    pub fn from_error(error: &Error, request_id: &str) -> Self {
        let (kind, status, message) = match error {
            Error::Panic(_) => (
                FailureKind::Panic,
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("{PANIC_MESSAGE} (request id {request_id})"),
            ),
            Error::Timeout(_) => (
                FailureKind::Timeout,
                StatusCode::GATEWAY_TIMEOUT,
                error.to_string(),
            ),
            Error::BadInput(_) => (
                FailureKind::BadInput,
                StatusCode::BAD_REQUEST,
                error.to_string(),
            ),
            _ => (
                FailureKind::Handler,
                StatusCode::INTERNAL_SERVER_ERROR,
                error.to_string(),
            ),
        };
        Failure::new(kind, status, error.error_type(), message)
    }

    /// How it failed.
    pub fn kind(&self) -> FailureKind {
        self.kind
    }

    /// The HTTP status it maps to: 400, 413, 500, 504, or the handler's own status for an
    /// unsuccessful response.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The short error type name, for the platforms' `errorType`-like fields.
    pub fn error_type(&self) -> &str {
        &self.error_type
    }

    /// The message that may be shown to the caller.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the caller sent something wrong (bad input, too large), rather than the function
    /// failing.
    pub fn is_caller_error(&self) -> bool {
        matches!(self.kind, FailureKind::BadInput | FailureKind::TooLarge)
    }

    /// `{"error": {"type": ..., "message": ...}}`, the body of polyfaas's HTTP error answers.
    pub fn to_json(&self) -> Value {
        json!({ "error": { "type": self.error_type, "message": self.message } })
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_type, self.message)
    }
}

impl std::error::Error for Failure {}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn each_error_has_one_class() {
        let cases = [
            (Error::msg("no"), 500, "HandlerError", FailureKind::Handler),
            (
                Error::Timeout(Duration::from_secs(1)),
                504,
                "Timeout",
                FailureKind::Timeout,
            ),
            (
                Error::Panic("secret".into()),
                500,
                "Panic",
                FailureKind::Panic,
            ),
            (
                Error::BadInput(BadInput::at("x", "bad")),
                400,
                "InvalidEvent",
                FailureKind::BadInput,
            ),
        ];
        for (error, status, error_type, kind) in cases {
            let failure = Failure::from_error(&error, "r-9");
            assert_eq!(failure.status().as_u16(), status, "{error}");
            assert_eq!(failure.error_type(), error_type);
            assert_eq!(failure.kind(), kind);
        }
    }

    #[test]
    fn a_panics_text_stays_in_the_log() {
        let failure = Failure::from_error(&Error::Panic("the secret is 42".into()), "r-9");
        assert!(!failure.message().contains("secret"), "{failure}");
        assert!(failure.message().contains("r-9"), "{failure}");
    }

    #[test]
    fn unsuccessful_responses_keep_their_status() {
        let response = Response::text("later").with_status(StatusCode::SERVICE_UNAVAILABLE);
        let failure = Failure::unsuccessful("message", &response);
        assert_eq!(failure.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            failure.message(),
            "the handler answered the message event with status 503 Service Unavailable: later"
        );
    }
}
