//! Writing a function app the test kit runs: `host.json` and one `function.json` per function.

use std::path::Path;

use serde_json::{json, Value};

use crate::native::AzureFunction;

/// The app-wide settings of `host.json` the test kit writes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppSettings {
    /// `extensions.http.routePrefix`. The test kit's default is `""`, so a request's URL path is
    /// the logical path (the host's default is `api`).
    pub route_prefix: String,
    /// `functionTimeout` (such as `00:05:00`), the invocations' deadline.
    pub function_timeout: Option<String>,
}

/// Writes `host.json` (a custom handler running `executable`) and `<name>/function.json` for
/// each function into `root`, replacing what was there.
///
/// ```
/// use polyfaas_testkit::azure::{write_app, AppSettings};
/// use polyfaas_testkit::native::AzureFunction;
///
/// let dir = tempfile::tempdir()?;
/// let timer = AzureFunction { name: "nightly".into(), bindings: serde_json::json!(
///     [{"type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "0 0 2 * * *"}]) };
/// write_app(dir.path(), "echo", &AppSettings::default(), &[timer])?;
/// let host: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("host.json"))?)?;
/// assert_eq!(host["customHandler"]["description"]["defaultExecutablePath"], "echo");
/// assert!(dir.path().join("nightly/function.json").is_file());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_app(
    root: &Path,
    executable: &str,
    settings: &AppSettings,
    functions: &[AzureFunction],
) -> std::io::Result<()> {
    if root.exists() {
        std::fs::remove_dir_all(root)?;
    }
    std::fs::create_dir_all(root)?;
    let mut host = json!({
        "version": "2.0",
        "customHandler": {
            "description": {"defaultExecutablePath": executable, "workingDirectory": "", "arguments": []},
            "enableForwardingHttpRequest": false
        },
        "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"},
        "extensions": {"http": {"routePrefix": settings.route_prefix}}
    });
    if let Some(timeout) = &settings.function_timeout {
        host["functionTimeout"] = Value::String(timeout.clone());
    }
    std::fs::write(root.join("host.json"), pretty(&host))?;
    for function in functions {
        let valid = function
            .name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && function
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{:?} is not a valid function name: a letter, then letters, digits, `-` and `_`",
                    function.name
                ),
            ));
        }
        let dir = root.join(&function.name);
        std::fs::create_dir_all(&dir)?;
        let file = json!({ "bindings": function.bindings });
        std::fs::write(dir.join("function.json"), pretty(&file))?;
    }
    Ok(())
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}
