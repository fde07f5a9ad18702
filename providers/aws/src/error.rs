//! What goes to the Runtime API's error endpoint: malformed events and failed invocations.

use polyfaas_core::Error;

/// An event that could not be turned into a neutral [`Event`](polyfaas_core::Event): the
/// message names the field and what was wrong with it.
///
/// ```
/// use polyfaas_aws::EventError;
///
/// let err = EventError::field("body", "isBase64Encoded is true but the body is not base64");
/// assert_eq!(err.to_string(), "body: isBase64Encoded is true but the body is not base64");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The payload is not JSON at all.
    #[error("the event is not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// A field of a recognised event has the wrong type or an invalid value.
    #[error("{field}: {message}")]
    Field {
        /// The field's path in the event, such as `Records[2].body` or `multiValueHeaders.accept[0]`.
        field: String,
        /// What was wrong with it.
        message: String,
    },
}

impl EventError {
    /// A problem with one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        EventError::Field {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// `a` + `b` as a field path: `Records[0]` + `body` = `Records[0].body`, `x` + `[1]` = `x[1]`.
pub(crate) fn join_path(prefix: &str, field: &str) -> String {
    if field.is_empty() || field == "." {
        prefix.to_owned()
    } else if prefix.is_empty() {
        field.to_owned()
    } else if field.starts_with('[') {
        format!("{prefix}{field}")
    } else {
        format!("{prefix}.{field}")
    }
}

/// Deserialises `json` as `T`; an error names the field it was found in, under `prefix`.
///
/// The fast path is plain serde_json; only when it fails is the input read again with
/// `serde_path_to_error` (which allocates for every map key it passes) to find the field.
pub(crate) fn parse<'a, T: serde::Deserialize<'a>>(
    json: &'a str,
    prefix: &str,
) -> Result<T, EventError> {
    match serde_json::from_str(json) {
        Ok(value) => Ok(value),
        Err(plain) => Err(locate::<T>(json, prefix).unwrap_or_else(|| {
            EventError::field(prefix_or_event(prefix), strip_position(&plain.to_string()))
        })),
    }
}

fn prefix_or_event(prefix: &str) -> String {
    if prefix.is_empty() {
        "(event)".to_owned()
    } else {
        prefix.to_owned()
    }
}

/// The failing field of `json`, read with `serde_path_to_error`.
fn locate<'a, T: serde::Deserialize<'a>>(json: &'a str, prefix: &str) -> Option<EventError> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize::<_, T>(&mut deserializer)
        .err()
        .map(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = strip_position(&inner.to_string());
            // serde reports a missing field at its parent: name the field itself.
            let missing = message
                .strip_prefix("missing field `")
                .and_then(|m| m.split('`').next());
            let path = if path == "." { String::new() } else { path };
            let field = match missing {
                Some(name) => join_path(&path, name),
                None => path,
            };
            let field = join_path(prefix, &field);
            EventError::field(
                if field.is_empty() {
                    "(event)".to_owned()
                } else {
                    field
                },
                message,
            )
        })
}

/// serde_json's " at line 1 column 80" says nothing to someone reading an event's field.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Why an invocation failed, as the Runtime API's error endpoint takes it.
///
/// `error_type` is [`Error::error_type`] for handler failures (`HandlerError`, `Panic`,
/// `Timeout`, ...), `InvalidEvent` for a malformed event and `UnsuccessfulResponse` when the
/// handler answered a non-HTTP event with a non-2xx status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The `errorType` sent to Lambda.
    pub error_type: String,
    /// The `errorMessage` sent to Lambda.
    pub message: String,
}

impl Failure {
    /// A failure with a type and a message.
    pub fn new(error_type: impl Into<String>, message: impl Into<String>) -> Self {
        Failure {
            error_type: error_type.into(),
            message: message.into(),
        }
    }

    /// The handler answered a non-HTTP event with a status that is not 2xx.
    pub(crate) fn unsuccessful(kind: &str, response: &polyfaas_core::Response) -> Self {
        let body = String::from_utf8_lossy(response.body());
        let mut message = format!(
            "the handler answered the {kind} event with status {}",
            response.status()
        );
        if !body.is_empty() {
            message.push_str(": ");
            message.extend(body.chars().take(1024));
        }
        Failure::new("UnsuccessfulResponse", message)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error_type, self.message)
    }
}

impl From<EventError> for Failure {
    fn from(error: EventError) -> Self {
        Failure::new("InvalidEvent", error.to_string())
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::new(error.error_type(), error.to_string())
    }
}

impl From<Failure> for lambda_runtime::Diagnostic {
    fn from(failure: Failure) -> Self {
        lambda_runtime::Diagnostic {
            error_type: failure.error_type,
            error_message: failure.message,
        }
    }
}
