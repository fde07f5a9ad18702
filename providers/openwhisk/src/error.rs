//! Why an activation could not be handed to the handler.

/// An activation the shim could not read. It becomes the activation's error result, and the
/// next activation is served normally. The message names the field and what was wrong, and never
/// quotes the API key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ActivationError {
    /// The ActionLoop input line is not a JSON object.
    #[error("the activation line is {0}, not a JSON object")]
    NotAnObject(&'static str),
    /// The input line is not valid JSON, or one of its fields has the wrong type.
    #[error("{}", describe_invalid(path, message))]
    Invalid {
        /// The field, such as `deadline`; `.` for the line as a whole.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// `__OW_DEADLINE` (blackbox mode) is not a number of milliseconds.
    #[error("{0} is not a time in milliseconds since the Unix epoch")]
    Deadline(String),
    /// A web action's `__ow_*` field is missing or has the wrong shape.
    #[error("the web action's `{field}` {message}")]
    Web {
        /// The field, such as `__ow_headers.x-a`.
        field: String,
        /// What was wrong.
        message: String,
    },
    /// The blackbox argument (argv\[1\] or stdin) is not JSON.
    #[error("the action's argument is not JSON: {0}")]
    Argument(#[source] serde_json::Error),
    /// Stdin could not be read (blackbox mode).
    #[error("could not read the action's argument from stdin: {0}")]
    Stdin(#[source] std::io::Error),
}

fn describe_invalid(path: &str, message: &str) -> String {
    if matches!(path, "." | "?" | "") {
        format!("the activation line is not valid JSON: {message}")
    } else {
        format!("the activation's `{path}` is not valid: {message}")
    }
}

impl ActivationError {
    pub(crate) fn web(field: impl Into<String>, message: impl Into<String>) -> Self {
        ActivationError::Web {
            field: field.into(),
            message: message.into(),
        }
    }
}
