//! The error a handler returns and the invocation path reports, the one bad-input error every
//! decoder returns ([`BadInput`]), and the start-up error every provider returns
//! ([`StartupError`]).

mod bad_input;
mod json_path;
mod startup;

use std::time::Duration;

use crate::blob::BlobError;

pub use bad_input::{from_value_at, join_path, json_error_at, parse_at, BadInput};
pub use startup::StartupError;

/// A boxed error, as `tower` and `hyper` use it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong in an invocation.
///
/// Handlers return it (usually through `?`), and the shared invocation path adds the two
/// failures a handler cannot report itself: a panic and a missed deadline. Every shim turns it
/// into its platform's error reply with [`Error::error_type`] and the `Display` message.
///
/// ```
/// use polyfaas_core::Error;
///
/// fn parse_size(s: &str) -> Result<u64, Error> {
///     s.parse::<u64>().map_err(|e| Error::msg(format!("size {s:?} is not a number: {e}")))
/// }
/// assert_eq!(parse_size("12").unwrap(), 12);
/// assert_eq!(parse_size("x").unwrap_err().to_string(),
///            "size \"x\" is not a number: invalid digit found in string");
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A blob store operation failed.
    #[error(transparent)]
    Blob(#[from] BlobError),
    /// The input could not be turned into an event (a malformed canonical JSON event, a
    /// payload a typed handler cannot read), naming the field.
    #[error(transparent)]
    BadInput(#[from] BadInput),
    /// Reading or writing a local file failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// Encoding or decoding JSON failed.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// An HTTP response or request could not be built.
    #[error("invalid HTTP value: {0}")]
    Http(#[from] http::Error),
    /// The handler failed with an error of its own.
    #[error("{0}")]
    Handler(BoxError),
    /// The handler panicked; the process lives on.
    #[error("the handler panicked: {0}")]
    Panic(String),
    /// The handler was still running when the invocation's deadline passed, and was cancelled.
    #[error("the handler did not finish before the deadline ({} ms were left when it started)", .0.as_millis())]
    Timeout(Duration),
    /// The provider could not start or serve (bad configuration, port in use, ...).
    #[error(transparent)]
    Startup(#[from] StartupError),
}

impl Error {
    /// An error with just a message.
    pub fn msg(message: impl Into<String>) -> Self {
        Error::Handler(message.into().into())
    }

    /// A start-up error with a message that says what to fix.
    pub fn startup(message: impl Into<String>) -> Self {
        Error::Startup(StartupError::new(message))
    }

    /// Wraps any error a handler wants to report.
    pub fn new(error: impl Into<BoxError>) -> Self {
        Error::Handler(error.into())
    }

    /// A short, stable name for the kind of failure, for the platforms' `errorType`-like fields:
    /// `Panic`, `Timeout`, `BlobError`, `InvalidEvent`, `IoError`, `JsonError`, `HttpError`,
    /// `StartupError` or `HandlerError`.
    pub fn error_type(&self) -> &'static str {
        match self {
            Error::Blob(_) => "BlobError",
            Error::BadInput(_) => "InvalidEvent",
            Error::Io(_) => "IoError",
            Error::Json(_) => "JsonError",
            Error::Http(_) => "HttpError",
            Error::Handler(_) => "HandlerError",
            Error::Panic(_) => "Panic",
            Error::Timeout(_) => "Timeout",
            Error::Startup(_) => "StartupError",
        }
    }
}

/// The message and its causes, so `fn main() -> Result<(), polyfaas::Error>` prints something a
/// person can read.
impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            let cause_text = cause.to_string();
            // Most messages already include their cause; add only what is new.
            if !text.contains(&cause_text) {
                text.push_str("\n  caused by: ");
                text.push_str(&cause_text);
            }
            source = cause.source();
        }
        f.write_str(&text)
    }
}
