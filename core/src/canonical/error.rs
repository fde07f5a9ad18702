//! Why a canonical JSON event was refused.

/// A canonical JSON event could not be read. The message names the field and what was wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CanonicalError {
    /// The input is not JSON at all.
    #[error("the event is not valid JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// The input is JSON but not an object with a `kind`.
    #[error("the event must be a JSON object with a \"kind\" field; got {0}")]
    NotAnEvent(&'static str),
    /// `kind` names no event kind.
    #[error("event.kind: unknown kind {0:?}; expected \"http\", \"blob\", \"message\", \"schedule\" or \"invoke\"")]
    UnknownKind(String),
    /// A field is missing, has the wrong type or an invalid value.
    #[error("event.{field}: {reason}")]
    Field {
        /// The field's path, such as `headers.x-a[1]` or `body_base64`.
        field: String,
        /// What was wrong with it.
        reason: String,
    },
}

impl CanonicalError {
    pub(crate) fn field(field: impl Into<String>, reason: impl ToString) -> Self {
        CanonicalError::Field {
            field: field.into(),
            reason: reason.to_string(),
        }
    }
}
