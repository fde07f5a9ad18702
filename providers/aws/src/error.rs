//! What goes to the Runtime API's error endpoints: a failed invocation's [`Failure`] as the
//! `/runtime/invocation/{id}/error` body, a start-up [`Error`] as the `/runtime/init/error` one.

use lambda_runtime::Diagnostic;
use polyfaas_core::{Error, Failure};

/// The `/error` body of a failed invocation: `errorType` = [`Failure::error_type`]
/// (`InvalidEvent`, `HandlerError`, `Panic`, `Timeout`, `UnsuccessfulResponse`, ...),
/// `errorMessage` = [`Failure::message`]. `lambda_runtime` also sends the type as the
/// `Lambda-Runtime-Function-Error-Type` header.
pub(crate) fn diagnostic(failure: &Failure) -> Diagnostic {
    Diagnostic {
        error_type: failure.error_type().to_owned(),
        error_message: failure.message().to_owned(),
    }
}

/// The `/init/error` report of a start-up failure: its type (`Runtime.` + [`Error::error_type`],
/// sent as the `Lambda-Runtime-Function-Error-Type` header too) and the JSON body.
pub(crate) fn init_error(error: &Error) -> (String, String) {
    let error_type = format!("Runtime.{}", error.error_type());
    let body = serde_json::json!({
        "errorType": error_type,
        "errorMessage": error.to_string(),
        "stackTrace": [],
    });
    (error_type, body.to_string())
}

#[cfg(test)]
mod tests {
    use polyfaas_core::BadInput;
    use serde_json::Value;

    use super::*;

    #[test]
    fn failures_keep_their_type_and_message() {
        let failure = Failure::bad_input(&BadInput::at("Records[1].body", "not a string"));
        let diagnostic = diagnostic(&failure);
        assert_eq!(diagnostic.error_type, "InvalidEvent");
        assert_eq!(diagnostic.error_message, "Records[1].body: not a string");
    }

    #[test]
    fn start_up_errors_are_runtime_errors() {
        let (error_type, body) = init_error(&Error::startup("AWS_LAMBDA_FUNCTION_NAME is not set"));
        assert_eq!(error_type, "Runtime.StartupError");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["errorType"], "Runtime.StartupError");
        assert_eq!(body["errorMessage"], "AWS_LAMBDA_FUNCTION_NAME is not set");
    }
}
