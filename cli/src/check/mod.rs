//! Structural checks of generated deployment files, read back from disk: what each platform
//! requires of them. `package` runs them on everything it writes; the test suite runs them and
//! the external validators (cfn-lint, aws-sam-translator, the Knative schema).
//!
//! ```
//! use polyfaas_cli::check::knative::check_service;
//!
//! let err = check_service("apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: Echo}\n").unwrap_err();
//! assert_eq!(err.path, "metadata.name");
//! ```

pub mod azure;
pub mod knative;
pub mod openwhisk;

use serde_json::Value;

/// A generated file that does not satisfy its platform, with the field at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct CheckError {
    /// The field (`spec.template.spec.containers[0].image`, `orders/function.json: bindings[0].queueName`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl CheckError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> CheckError {
        CheckError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Parses YAML into JSON values (the checks walk JSON).
pub(crate) fn parse_yaml(text: &str) -> Result<Value, CheckError> {
    serde_yaml_ng::from_str(text)
        .map_err(|e| CheckError::new("(document)", format!("not YAML: {e}")))
}

/// The string at `key` of `value`, or an error naming `path.key`.
pub(crate) fn string<'a>(value: &'a Value, path: &str, key: &str) -> Result<&'a str, CheckError> {
    match value.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(other) => Err(CheckError::new(
            join(path, key),
            format!("must be a non-empty string, not {other}"),
        )),
        None => Err(CheckError::new(join(path, key), "missing")),
    }
}

/// The object at `key` of `value`, or an error naming `path.key`.
pub(crate) fn object<'a>(
    value: &'a Value,
    path: &str,
    key: &str,
) -> Result<&'a serde_json::Map<String, Value>, CheckError> {
    match value.get(key) {
        Some(Value::Object(map)) => Ok(map),
        Some(other) => Err(CheckError::new(
            join(path, key),
            format!("must be a map, not {other}"),
        )),
        None => Err(CheckError::new(join(path, key), "missing")),
    }
}

/// `a.b`, or `b` at the root.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}
