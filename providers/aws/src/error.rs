//! What goes to the Runtime API's error endpoints: a failed invocation's [`Failure`] as the
//! `/runtime/invocation/{id}/error` body, a start-up [`Error`] as the `/runtime/init/error` one.

use polyfaas_core::{Error, Failure};

/// The `/error` body of a failed invocation: `errorType` = [`Failure::error_type`]
/// (`InvalidEvent`, `HandlerError`, `Panic`, `Timeout`, `UnsuccessfulResponse`, ...),
/// `errorMessage` = [`Failure::message`]. The type is also sent as the
/// `Lambda-Runtime-Function-Error-Type` header.
pub(crate) fn error_body(failure: &Failure) -> String {
    body(failure.error_type(), failure.message())
}

/// The `/init/error` report of a start-up failure: its type (`Runtime.` + [`Error::error_type`],
/// sent as the `Lambda-Runtime-Function-Error-Type` header too) and the JSON body.
pub(crate) fn init_error(error: &Error) -> (String, String) {
    let error_type = format!("Runtime.{}", error.error_type());
    let body = body(&error_type, &error.to_string());
    (error_type, body)
}

/// `{"errorType": ..., "errorMessage": ..., "stackTrace": []}`, the shape every Lambda runtime
/// posts.
pub(crate) fn body(error_type: &str, message: &str) -> String {
    serde_json::json!({
        "errorType": error_type,
        "errorMessage": message,
        "stackTrace": [],
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use polyfaas_core::BadInput;
    use serde_json::Value;

    use super::*;

    #[test]
    fn failures_keep_their_type_and_message() {
        let failure = Failure::bad_input(&BadInput::at("Records[1].body", "not a string"));
        let body: Value = serde_json::from_str(&error_body(&failure)).unwrap();
        assert_eq!(body["errorType"], "InvalidEvent");
        assert_eq!(body["errorMessage"], "Records[1].body: not a string");
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
