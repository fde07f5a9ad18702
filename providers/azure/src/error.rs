//! What can go wrong before a handler runs: at start-up ([`ConfigError`]) and while reading one
//! invocation request from the host ([`PayloadError`]).

use std::path::PathBuf;

use http::StatusCode;

/// The shim cannot start: a missing or invalid setting, an unreadable `host.json` or
/// `function.json`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `FUNCTIONS_CUSTOMHANDLER_PORT` is not set.
    #[error(
        "FUNCTIONS_CUSTOMHANDLER_PORT is not set: the Azure Functions host sets it when it starts \
         a custom handler (run the binary with `func start`, or set it yourself to try it)"
    )]
    MissingPort,
    /// An environment variable has an invalid value.
    #[error("{name}={value:?} is not valid: it must be {must}")]
    BadVariable {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// What it must be.
        must: &'static str,
    },
    /// A JSON file of the app could not be read or parsed.
    #[error("{}: {reason}", path.display())]
    AppFile {
        /// The file.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
}

/// One invocation request from the host could not be turned into an event: the host gets a 400
/// whose message names the problem, and the next invocation is served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// The URL names a function that has no `function.json` under the app root.
    #[error("no function {name:?}: there is no {name}/function.json under the app root {}", app_root.display())]
    UnknownFunction {
        /// The function name from the URL.
        name: String,
        /// Where function folders were looked for.
        app_root: PathBuf,
    },
    /// The body is not JSON.
    #[error("the request body is not JSON: {0}")]
    NotJson(String),
    /// The body is JSON, but not an object.
    #[error("the request body is JSON {0}, not an object with `Data` and `Metadata`")]
    NotAnObject(&'static str),
    /// The envelope has no `Data` object.
    #[error("the request body has no `Data` object (expected {{\"Data\": {{...}}, \"Metadata\": {{...}}}})")]
    MissingData,
    /// A field is missing or has the wrong shape.
    #[error("`{field}` {problem}")]
    Field {
        /// The field, as a JSON path such as `Data.req.Method`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A field that must be base64 is not.
    #[error("`{field}` is not valid base64: {reason}")]
    BadBase64 {
        /// The field, such as `Data.myBlob`.
        field: String,
        /// The decoder's complaint.
        reason: String,
    },
    /// The host's `Metadata.sys.MethodName` names another function than the URL.
    #[error("`Metadata.sys.MethodName` is {method_name:?} but the request was sent to function {function:?}")]
    MethodNameMismatch {
        /// The function from the URL.
        function: String,
        /// What `Metadata.sys.MethodName` says.
        method_name: String,
    },
    /// The request body could not be read from the connection.
    #[error("could not read the request body: {0}")]
    Body(String),
    /// The blob's content could not be written to a local file.
    #[error("could not write the blob to the local file {}: {source}", path.display())]
    LocalFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl PayloadError {
    /// A missing or malformed field.
    pub(crate) fn field(field: impl Into<String>, problem: impl Into<String>) -> Self {
        PayloadError::Field {
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// 400 for what the host sent, 500 for a local failure (a full disk, a dropped connection).
    pub fn status(&self) -> StatusCode {
        match self {
            PayloadError::LocalFile { .. } | PayloadError::Body(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// A short stable name for the error's kind, for the `Error.type` of the reply.
    pub fn error_type(&self) -> &'static str {
        match self {
            PayloadError::LocalFile { .. } => "IoError",
            PayloadError::Body(_) => "BodyError",
            _ => "InvalidPayload",
        }
    }
}

impl From<ConfigError> for polyfaas_core::Error {
    fn from(error: ConfigError) -> Self {
        polyfaas_core::Error::startup(error.to_string())
    }
}
