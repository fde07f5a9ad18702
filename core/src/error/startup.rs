//! Why a provider could not start or keep serving.

use super::BoxError;

/// A provider could not start (an invalid setting, a port in use, an unreadable app file, a
/// blob store that cannot be opened) or its transport stopped. The message says what to fix,
/// naming the variable or file; the error that caused it, if any, is kept as the source.
///
/// ```
/// use polyfaas_core::StartupError;
///
/// let err = StartupError::variable("PORT", "80a", "a port number from 0 to 65535");
/// assert_eq!(err.to_string(), "PORT=\"80a\" is not valid: it must be a port number from 0 to 65535");
///
/// let io = std::io::Error::new(std::io::ErrorKind::AddrInUse, "address in use");
/// let err = StartupError::new("cannot listen on 127.0.0.1:8080 (set PORT)").with_source(io);
/// assert!(std::error::Error::source(&err).is_some());
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct StartupError {
    message: String,
    #[source]
    source: Option<BoxError>,
}

impl StartupError {
    /// An error with a message that says what to fix.
    pub fn new(message: impl Into<String>) -> Self {
        StartupError {
            message: message.into(),
            source: None,
        }
    }

    /// An environment variable with a value that is not valid: `NAME="value" is not valid: it
    /// must be {must}`.
    pub fn variable(name: &str, value: &str, must: &str) -> Self {
        StartupError::new(format!("{name}={value:?} is not valid: it must be {must}"))
    }

    /// Keeps the error that caused this one as its source. When the message does not already
    /// say it, the source's text is appended (`message: source`).
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        let source = source.into();
        let text = source.to_string();
        if !self.message.contains(&text) {
            self.message = format!("{}: {text}", self.message);
        }
        self.source = Some(source);
        self
    }
}

impl From<crate::blob::BlobError> for StartupError {
    /// The blob store cannot be opened at start-up: the message names the variable to set.
    fn from(error: crate::blob::BlobError) -> Self {
        StartupError::new("cannot open the blob store").with_source(error)
    }
}
