//! JSON as the Functions host reads and writes it: member names compared case-insensitively
//! (Newtonsoft reads names that way, and some hosts write `data`/`metadata`), and the app's JSON
//! files (`host.json`, `function.json`), which may start with a byte order mark.

use std::path::Path;

use polyfaas_core::StartupError;
use serde_json::{Map, Value};

/// A member of an object, exact name first, then case-insensitively.
///
/// ```
/// use polyfaas_azure::payload::get_ci;
/// let value = serde_json::json!({"data": {"x": 1}});
/// assert!(get_ci(value.as_object().unwrap(), "Data").is_some());
/// ```
pub fn get_ci<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// [`get_ci`] on a value that may not be an object (`None` then).
pub(crate) fn member_ci<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    get_ci(value.as_object()?, name)
}

/// Takes a member out of an object, exact name first, then case-insensitively.
pub(crate) fn take_ci(map: &mut Map<String, Value>, name: &str) -> Option<Value> {
    if let Some(v) = map.remove(name) {
        return Some(v);
    }
    let key = map.keys().find(|k| k.eq_ignore_ascii_case(name))?.clone();
    map.remove(&key)
}

/// "an object", "a string", ... for error messages.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
    }
}

/// A start-up error about one of the app's files: `<path>: <reason>`.
pub(crate) fn app_file_error(path: &Path, reason: impl std::fmt::Display) -> StartupError {
    StartupError::new(format!("{}: {reason}", path.display()))
}

/// Reads a JSON file of the app, skipping a UTF-8 byte order mark.
pub(crate) fn read_json_file(path: &Path) -> Result<Value, StartupError> {
    let bytes =
        std::fs::read(path).map_err(|e| app_file_error(path, "cannot read it").with_source(e))?;
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    serde_json::from_slice(text).map_err(|e| app_file_error(path, "not valid JSON").with_source(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_are_found_whatever_their_case() {
        let value = json!({"Data": 1, "metadata": 2});
        let map = value.as_object().unwrap();
        assert_eq!(get_ci(map, "data"), Some(&json!(1)));
        assert_eq!(member_ci(&value, "Metadata"), Some(&json!(2)));
        assert_eq!(member_ci(&json!([1]), "Data"), None);
        let mut map = map.clone();
        assert_eq!(take_ci(&mut map, "METADATA"), Some(json!(2)));
        assert!(!map.contains_key("metadata"));
    }

    #[test]
    fn unreadable_files_are_named_with_their_cause() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("host.json");
        std::fs::write(&path, b"\xEF\xBB\xBF{\"version\": \"2.0\"}").unwrap();
        assert_eq!(read_json_file(&path).unwrap()["version"], "2.0");
        std::fs::write(&path, b"{").unwrap();
        let err = read_json_file(&path).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("{}: not valid JSON: ", path.display())),
            "{err}"
        );
        assert!(std::error::Error::source(&err).is_some());
    }
}
