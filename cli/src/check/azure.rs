//! An Azure Functions custom-handler app folder: `host.json` and each `function.json`, checked
//! for the fields the Functions host requires of each binding.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::Value;

use super::{object, string, CheckError};

/// Per binding type: the fields the host requires besides `type`, `direction` and `name`.
/// `[a, b]` entries mean "one of".
const REQUIRED: &[(&str, &[&[&str]])] = &[
    ("httpTrigger", &[]),
    ("http", &[]),
    ("blobTrigger", &[&["path"]]),
    ("queueTrigger", &[&["queueName"]]),
    ("timerTrigger", &[&["schedule"]]),
    (
        "serviceBusTrigger",
        &[&["queueName", "topicName"], &["connection"]],
    ),
    ("eventHubTrigger", &[&["eventHubName"], &["connection"]]),
    (
        "cosmosDBTrigger",
        &[&["connection"], &["databaseName"], &["containerName"]],
    ),
];

/// Checks the app folder at `app`: `host.json` (version 2.0, a custom handler whose executable
/// is in the folder and executable, forwarding only where every HTTP function is HTTP-only) and
/// every `<function>/function.json`.
pub fn check_app(app: &Path) -> Result<(), CheckError> {
    let host = read_json(&app.join("host.json"), "host.json")?;
    let version = string(&host, "host.json", "version")?;
    if version != "2.0" {
        return Err(CheckError::new(
            "host.json: version",
            format!("{version:?}: must be \"2.0\""),
        ));
    }
    let handler = object(&host, "host.json", "customHandler")?;
    let description = handler
        .get("description")
        .ok_or_else(|| CheckError::new("host.json: customHandler.description", "missing"))?;
    let executable = string(
        description,
        "host.json: customHandler.description",
        "defaultExecutablePath",
    )?;
    let exe = app.join(executable);
    let mode = std::fs::metadata(&exe)
        .map_err(|e| {
            CheckError::new(
                "host.json: customHandler.description.defaultExecutablePath",
                format!("{executable}: {e}"),
            )
        })?
        .permissions()
        .mode();
    if mode & 0o111 == 0 {
        return Err(CheckError::new(
            "host.json: customHandler.description.defaultExecutablePath",
            format!("{executable} is not executable"),
        ));
    }
    let forwarding = handler
        .get("enableForwardingHttpRequest")
        .and_then(Value::as_bool)
        .unwrap_or(false);

    let mut functions = 0;
    let mut entries: Vec<_> = std::fs::read_dir(app)
        .map_err(|e| CheckError::new(app.display().to_string(), e.to_string()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("function.json").is_file())
        .collect();
    entries.sort();
    for dir in entries {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file = format!("{name}/function.json");
        check_function_name(&name).map_err(|m| CheckError::new(&file, m))?;
        let function = read_json(&dir.join("function.json"), &file)?;
        let http_only = check_bindings(&function, &file)?;
        if forwarding && http_only == Some(false) {
            return Err(CheckError::new(&file, "an HTTP function with other bindings cannot be forwarded: set enableForwardingHttpRequest to false"));
        }
        functions += 1;
    }
    if functions == 0 {
        return Err(CheckError::new(
            app.display().to_string(),
            "no <function>/function.json",
        ));
    }
    Ok(())
}

fn read_json(path: &Path, name: &str) -> Result<Value, CheckError> {
    let text = std::fs::read_to_string(path).map_err(|e| CheckError::new(name, e.to_string()))?;
    serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| CheckError::new(name, format!("not JSON: {e}")))
}

/// Azure function names: a letter, then letters, digits, `_` and `-`, at most 127.
fn check_function_name(name: &str) -> Result<(), String> {
    let ok = name.len() <= 127
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!("{name:?} is not a valid function name"))
    }
}

/// Checks one function's bindings; returns whether it is an HTTP function with only an HTTP
/// output (`None` when it is not an HTTP function).
fn check_bindings(function: &Value, file: &str) -> Result<Option<bool>, CheckError> {
    let Some(bindings) = function.get("bindings").and_then(Value::as_array) else {
        return Err(CheckError::new(
            format!("{file}: bindings"),
            "missing or not a list",
        ));
    };
    let mut triggers = 0;
    let mut http = false;
    let mut only_http = true;
    let mut names = std::collections::BTreeSet::new();
    for (i, binding) in bindings.iter().enumerate() {
        let at = format!("{file}: bindings[{i}]");
        let kind = string(binding, &at, "type")?;
        let direction = string(binding, &at, "direction")?;
        let name = string(binding, &at, "name")?;
        if !matches!(direction, "in" | "out" | "inout") {
            return Err(CheckError::new(
                format!("{at}.direction"),
                format!("{direction:?}: in, out or inout"),
            ));
        }
        if !names.insert(name.to_ascii_lowercase()) {
            return Err(CheckError::new(
                format!("{at}.name"),
                format!("{name:?} is used twice"),
            ));
        }
        if kind.ends_with("Trigger") {
            triggers += 1;
            if direction != "in" {
                return Err(CheckError::new(
                    format!("{at}.direction"),
                    "a trigger's direction is in",
                ));
            }
        }
        http |= kind == "httpTrigger";
        only_http &= matches!(kind, "httpTrigger" | "http");
        let Some((_, required)) = REQUIRED.iter().find(|(k, _)| *k == kind) else {
            continue;
        };
        for alternatives in *required {
            if !alternatives.iter().any(|key| {
                binding
                    .get(*key)
                    .and_then(Value::as_str)
                    .is_some_and(|v| !v.is_empty())
            }) {
                return Err(CheckError::new(
                    format!("{at}.{}", alternatives.join("|")),
                    format!("missing: a {kind} binding requires it"),
                ));
            }
        }
        if kind == "serviceBusTrigger"
            && binding.get("topicName").is_some()
            && binding
                .get("subscriptionName")
                .and_then(Value::as_str)
                .is_none()
        {
            return Err(CheckError::new(
                format!("{at}.subscriptionName"),
                "missing: a topic needs its subscription",
            ));
        }
        if kind == "timerTrigger" {
            let schedule = string(binding, &at, "schedule")?;
            if schedule.split_whitespace().count() != 6 {
                return Err(CheckError::new(
                    format!("{at}.schedule"),
                    format!("{schedule:?}: NCRONTAB has six fields, seconds first"),
                ));
            }
        }
        if kind == "blobTrigger" && !string(binding, &at, "path")?.contains('/') {
            return Err(CheckError::new(
                format!("{at}.path"),
                "must be <container>/<pattern>",
            ));
        }
    }
    if triggers != 1 {
        return Err(CheckError::new(
            format!("{file}: bindings"),
            format!("{triggers} triggers: a function has exactly one"),
        ));
    }
    Ok(http.then_some(only_http))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn required_binding_fields_are_named() {
        let f = |b: Value| check_bindings(&json!({"bindings": [b]}), "f/function.json");
        assert!(f(
            json!({"type": "queueTrigger", "direction": "in", "name": "m", "queueName": "q"})
        )
        .is_ok());
        assert_eq!(
            f(json!({"type": "queueTrigger", "direction": "in", "name": "m"}))
                .unwrap_err()
                .path,
            "f/function.json: bindings[0].queueName"
        );
        assert_eq!(f(json!({"type": "cosmosDBTrigger", "direction": "in", "name": "d", "connection": "C", "containerName": "c"})).unwrap_err().path, "f/function.json: bindings[0].databaseName");
        assert_eq!(f(json!({"type": "timerTrigger", "direction": "in", "name": "t", "schedule": "0 2 * * *"})).unwrap_err().path, "f/function.json: bindings[0].schedule");
        assert_eq!(f(json!({"type": "serviceBusTrigger", "direction": "in", "name": "m", "topicName": "t", "connection": "S"})).unwrap_err().path, "f/function.json: bindings[0].subscriptionName");
        assert!(f(
            json!({"type": "queueTrigger", "direction": "out", "name": "m", "queueName": "q"})
        )
        .is_err());
    }
}
