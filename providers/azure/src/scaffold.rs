//! Writing a function app's `host.json` and each function's `function.json`, so nobody
//! hand-writes them (and gets a binding name or `dataType` wrong).
//!
//! ```no_run
//! use polyfaas_azure::scaffold::{AppScaffold, TriggerSpec};
//!
//! AppScaffold::new("echo")
//!     .function("hello", TriggerSpec::http())
//!     .function("thumbnail", TriggerSpec::blob("uploads/{name}"))
//!     .function("orders", TriggerSpec::queue("orders"))
//!     .function("nightly", TriggerSpec::timer("0 0 2 * * *"))
//!     .write("app".as_ref())?;
//! # Ok::<(), polyfaas_azure::scaffold::ScaffoldError>(())
//! ```
//!
//! The same from the command line: `cargo run -p polyfaas-azure --bin polyfaas-azure-scaffold
//! -- --app-root app --executable echo --http hello --blob thumbnail=uploads/{name}`.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// The binding names the scaffold uses: the keys of `Data` and `Outputs`.
pub mod names {
    /// The HTTP trigger's request.
    pub const HTTP_REQUEST: &str = "req";
    /// The HTTP output binding.
    pub const HTTP_RESPONSE: &str = "res";
    /// The blob trigger's content.
    pub const BLOB: &str = "blob";
    /// The queue trigger's message.
    pub const QUEUE: &str = "message";
    /// The timer trigger's timer object.
    pub const TIMER: &str = "timer";
}

/// Writing the app's files failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScaffoldError {
    /// A function name Azure does not accept.
    #[error("{0:?} is not a valid function name: it must start with a letter and have only letters, digits, `_` and `-` (at most 127)")]
    BadName(String),
    /// Two functions with the same name (names are case-insensitive).
    #[error("two functions are named {0:?}")]
    Duplicate(String),
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A trigger, with what it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TriggerSpec {
    /// An HTTP trigger with an `http` output: eligible for forwarding.
    Http {
        /// `route` (default: the function's name), such as `items/{id}`.
        route: Option<String>,
        /// Allowed methods, lower-case; empty for all.
        methods: Vec<String>,
        /// `authLevel`: `anonymous` (the default here), `function` or `admin`.
        auth_level: String,
    },
    /// A blob trigger, content as bytes (`dataType: binary`).
    Blob {
        /// `<container>/<pattern>`, such as `uploads/{name}`.
        path: String,
        /// The app setting holding the storage connection string.
        connection: String,
    },
    /// A queue trigger.
    Queue {
        /// The queue's name.
        queue_name: String,
        /// The app setting holding the storage connection string.
        connection: String,
    },
    /// A timer trigger.
    Timer {
        /// NCRONTAB with seconds: `0 */5 * * * *`.
        schedule: String,
        /// Also fire when the app starts.
        run_on_startup: bool,
    },
}

impl TriggerSpec {
    /// An anonymous HTTP trigger for every method on the function's name as route.
    pub fn http() -> Self {
        TriggerSpec::Http {
            route: None,
            methods: Vec::new(),
            auth_level: "anonymous".to_owned(),
        }
    }

    /// An anonymous HTTP trigger on `route`.
    pub fn http_route(route: impl Into<String>) -> Self {
        match Self::http() {
            TriggerSpec::Http {
                methods,
                auth_level,
                ..
            } => TriggerSpec::Http {
                route: Some(route.into()),
                methods,
                auth_level,
            },
            other => other,
        }
    }

    /// A blob trigger on `path` (`<container>/<pattern>`) in `AzureWebJobsStorage`.
    pub fn blob(path: impl Into<String>) -> Self {
        TriggerSpec::Blob {
            path: path.into(),
            connection: "AzureWebJobsStorage".to_owned(),
        }
    }

    /// A queue trigger on `queue_name` in `AzureWebJobsStorage`.
    pub fn queue(queue_name: impl Into<String>) -> Self {
        TriggerSpec::Queue {
            queue_name: queue_name.into(),
            connection: "AzureWebJobsStorage".to_owned(),
        }
    }

    /// A timer trigger on an NCRONTAB schedule (six fields, seconds first).
    pub fn timer(schedule: impl Into<String>) -> Self {
        TriggerSpec::Timer {
            schedule: schedule.into(),
            run_on_startup: false,
        }
    }

    /// The `bindings` array of a function with this trigger.
    pub fn bindings(&self) -> Value {
        match self {
            TriggerSpec::Http {
                route,
                methods,
                auth_level,
            } => {
                let mut trigger = json!({"type": "httpTrigger", "direction": "in",
                    "name": names::HTTP_REQUEST, "authLevel": auth_level});
                if !methods.is_empty() {
                    trigger["methods"] = json!(methods);
                }
                if let Some(route) = route {
                    trigger["route"] = json!(route);
                }
                json!([trigger, {"type": "http", "direction": "out", "name": names::HTTP_RESPONSE}])
            }
            TriggerSpec::Blob { path, connection } => {
                json!([{"type": "blobTrigger", "direction": "in",
                "name": names::BLOB, "path": path, "dataType": "binary", "connection": connection}])
            }
            TriggerSpec::Queue {
                queue_name,
                connection,
            } => json!([{"type": "queueTrigger", "direction": "in",
                "name": names::QUEUE, "queueName": queue_name, "connection": connection}]),
            TriggerSpec::Timer {
                schedule,
                run_on_startup,
            } => json!([{"type": "timerTrigger", "direction": "in",
                "name": names::TIMER, "schedule": schedule, "runOnStartup": run_on_startup}]),
        }
    }
}

/// A function app: the handler executable and its functions.
#[derive(Clone, Debug)]
#[must_use]
pub struct AppScaffold {
    executable: String,
    forwarding: bool,
    function_timeout: Option<String>,
    route_prefix: Option<String>,
    functions: Vec<(String, TriggerSpec)>,
}

impl AppScaffold {
    /// An app whose custom handler is `executable` (a path relative to the app root, or a name
    /// on `PATH`).
    pub fn new(executable: impl Into<String>) -> Self {
        AppScaffold {
            executable: executable.into(),
            forwarding: false,
            function_timeout: None,
            route_prefix: None,
            functions: Vec::new(),
        }
    }

    /// `enableForwardingHttpRequest`: HTTP-only functions get the raw request and may answer
    /// with binary bodies and repeated headers.
    pub fn forwarding(mut self, on: bool) -> Self {
        self.forwarding = on;
        self
    }

    /// `functionTimeout`, such as `00:05:00`: also each invocation's deadline in the shim.
    pub fn function_timeout(mut self, timeout: impl Into<String>) -> Self {
        self.function_timeout = Some(timeout.into());
        self
    }

    /// `extensions.http.routePrefix` (default `api`): the first path segment of every HTTP
    /// function's URL; `""` for none.
    pub fn route_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.route_prefix = Some(prefix.into());
        self
    }

    /// Adds a function.
    pub fn function(mut self, name: impl Into<String>, trigger: TriggerSpec) -> Self {
        self.functions.push((name.into(), trigger));
        self
    }

    /// The `host.json`.
    pub fn host_json(&self) -> Value {
        let mut host = json!({
            "version": "2.0",
            "customHandler": {
                "description": {"defaultExecutablePath": self.executable, "workingDirectory": "", "arguments": []},
                "enableForwardingHttpRequest": self.forwarding
            },
            "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"},
            "logging": {"logLevel": {"default": "Information"}}
        });
        if let Some(timeout) = &self.function_timeout {
            host["functionTimeout"] = json!(timeout);
        }
        if let Some(prefix) = &self.route_prefix {
            host["extensions"] = json!({"http": {"routePrefix": prefix}});
        }
        host
    }

    /// Writes `host.json`, `<function>/function.json` for each function, and a
    /// `local.settings.json` for `func start` (`FUNCTIONS_WORKER_RUNTIME=Custom`, storage on
    /// Azurite) unless there is one. Returns the files written.
    pub fn write(&self, app_root: &Path) -> Result<Vec<PathBuf>, ScaffoldError> {
        let mut seen = std::collections::HashSet::new();
        for (name, _) in &self.functions {
            if !valid_name(name) {
                return Err(ScaffoldError::BadName(name.clone()));
            }
            if !seen.insert(name.to_ascii_lowercase()) {
                return Err(ScaffoldError::Duplicate(name.clone()));
            }
        }
        let mut written = Vec::new();
        let mut write = |path: PathBuf, value: &Value| -> Result<(), ScaffoldError> {
            let io = |source| ScaffoldError::Io {
                path: path.clone(),
                source,
            };
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            let text = serde_json::to_string_pretty(value).unwrap_or_default() + "\n";
            std::fs::write(&path, text).map_err(io)?;
            written.push(path);
            Ok(())
        };
        write(app_root.join("host.json"), &self.host_json())?;
        for (name, trigger) in &self.functions {
            write(
                app_root.join(name).join("function.json"),
                &json!({"bindings": trigger.bindings()}),
            )?;
        }
        let settings = app_root.join("local.settings.json");
        if !settings.exists() {
            write(
                settings,
                &json!({"IsEncrypted": false, "Values": {
                    "FUNCTIONS_WORKER_RUNTIME": "Custom",
                    "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}),
            )?;
        }
        Ok(written)
    }
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && name.len() <= 127
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::function_json::{Functions, TriggerKind};

    #[test]
    fn written_files_are_read_back_by_the_shim() {
        let dir = tempfile::tempdir().unwrap();
        let files = AppScaffold::new("echo")
            .forwarding(true)
            .function_timeout("00:05:00")
            .route_prefix("")
            .function("hello", TriggerSpec::http_route("items/{id}"))
            .function("thumbs", TriggerSpec::blob("uploads/{name}"))
            .function("orders", TriggerSpec::queue("orders"))
            .function("nightly", TriggerSpec::timer("0 0 2 * * *"))
            .write(dir.path())
            .unwrap();
        assert_eq!(files.len(), 6);
        let functions = Functions::load(dir.path()).unwrap();
        assert_eq!(functions.len(), 4);
        let hello = functions.get("hello").unwrap();
        assert!(hello.is_http_in_and_out());
        assert_eq!(hello.http_route(), "items/{id}");
        let thumbs = functions.get("thumbs").unwrap();
        assert_eq!(thumbs.trigger_kind, TriggerKind::Blob);
        assert!(thumbs.trigger.is_binary());
        assert_eq!(
            functions
                .get("orders")
                .unwrap()
                .trigger
                .queue_name
                .as_deref(),
            Some("orders")
        );
        assert_eq!(functions.get("nightly").unwrap().trigger.name, names::TIMER);

        let mut config = crate::AzureConfig::new(1, dir.path());
        config.read_host_json().unwrap();
        assert!(config.forwarding);
        assert_eq!(
            config.function_timeout,
            Some(std::time::Duration::from_secs(300))
        );
    }

    #[test]
    fn bad_and_duplicate_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = AppScaffold::new("x")
            .function("1st", TriggerSpec::http())
            .write(dir.path());
        assert!(matches!(err, Err(ScaffoldError::BadName(_))));
        let err = AppScaffold::new("x")
            .function("a", TriggerSpec::http())
            .function("A", TriggerSpec::http())
            .write(dir.path());
        assert_eq!(
            err.unwrap_err().to_string(),
            "two functions are named \"A\""
        );
    }
}
