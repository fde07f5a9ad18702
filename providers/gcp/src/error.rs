//! Why a request could not be turned into an event.

/// A request the shim could not decode into an event: not a CloudEvent, not a legacy event, or
/// a conversion rule that does not apply. The server answers it with 400 and the message.
///
/// The message names the header, field or rule that failed, so the sender can fix it:
///
/// ```
/// use polyfaas_gcp::EventError;
///
/// let e = EventError::field("ce-id", "the header is missing");
/// assert_eq!(e.to_string(), "ce-id: the header is missing");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EventError {
    message: String,
}

impl EventError {
    /// An error with a whole message.
    pub fn new(message: impl Into<String>) -> Self {
        EventError {
            message: message.into(),
        }
    }

    /// An error about one header or field: `<field>: <problem>`.
    pub fn field(field: impl std::fmt::Display, problem: impl std::fmt::Display) -> Self {
        EventError::new(format!("{field}: {problem}"))
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}
