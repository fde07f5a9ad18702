//! The shim's settings: the host's environment variables and the app's `host.json`.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use polyfaas_core::shim::body_limit_from_env;
use polyfaas_core::StartupError;
use serde_json::Value;

use crate::json::{app_file_error, member_ci, read_json_file};

/// The default of `POLYFAAS_BODY_LIMIT` on Azure: 128 MiB. The host accepts HTTP requests of up
/// to 100 MB and puts a binary body in the envelope as base64 (133.3 MB for 100 MB), so every
/// request the host can send fits; anything larger does not come from the host.
pub const DEFAULT_BODY_LIMIT: usize = 128 << 20;

/// Settings of the Azure shim.
///
/// ```
/// use polyfaas_azure::AzureConfig;
///
/// let config = AzureConfig::new(7071, "/home/site/wwwroot");
/// assert_eq!(config.route_prefix, "api");
/// assert_eq!(config.addr().to_string(), "127.0.0.1:7071");
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AzureConfig {
    /// The port to listen on, on 127.0.0.1: `FUNCTIONS_CUSTOMHANDLER_PORT` (set by the host).
    pub port: u16,
    /// The function app's root, where `host.json` and one folder per function are:
    /// `FUNCTIONS_APP_ROOT_PATH`, else the working directory (the host starts the handler there).
    pub app_root: PathBuf,
    /// `host.json` `functionTimeout`: each invocation's deadline (`None`: no limit known).
    pub function_timeout: Option<Duration>,
    /// `host.json` `extensions.http.routePrefix` (default `api`): forwarded HTTP requests arrive
    /// under `/<routePrefix>/<route>`.
    pub route_prefix: String,
    /// `host.json` `customHandler.enableForwardingHttpRequest`.
    pub forwarding: bool,
    /// The largest request body read into memory, in bytes: `POLYFAAS_BODY_LIMIT` (default
    /// [`DEFAULT_BODY_LIMIT`]). It applies to envelopes and forwarded requests; a blob
    /// trigger's content goes to a file as it arrives and is not counted, the rest of its
    /// envelope is.
    pub body_limit: usize,
}

impl AzureConfig {
    /// Settings with defaults for everything but the port and the app root.
    pub fn new(port: u16, app_root: impl Into<PathBuf>) -> Self {
        AzureConfig {
            port,
            app_root: app_root.into(),
            function_timeout: None,
            route_prefix: "api".to_owned(),
            forwarding: false,
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }

    /// Reads `FUNCTIONS_CUSTOMHANDLER_PORT`, `FUNCTIONS_APP_ROOT_PATH`, `POLYFAAS_BODY_LIMIT`
    /// and the app's `host.json` (optional). An invalid value is an error naming the variable or
    /// file.
    pub fn from_env() -> Result<Self, StartupError> {
        let port = match std::env::var("FUNCTIONS_CUSTOMHANDLER_PORT") {
            Ok(port) if !port.is_empty() => port.parse::<u16>().map_err(|_| {
                StartupError::variable(
                    "FUNCTIONS_CUSTOMHANDLER_PORT",
                    &port,
                    "a port number from 0 to 65535",
                )
            })?,
            _ => {
                return Err(StartupError::new(
                    "FUNCTIONS_CUSTOMHANDLER_PORT is not set: the Azure Functions host sets it when it \
                     starts a custom handler (run the binary with `func start`, or set it yourself to try it)",
                ))
            }
        };
        let app_root = match std::env::var_os("FUNCTIONS_APP_ROOT_PATH") {
            Some(root) if !root.is_empty() => PathBuf::from(root),
            _ => std::env::current_dir().map_err(|e| {
                app_file_error(Path::new("."), "cannot read the working directory").with_source(e)
            })?,
        };
        let mut config = AzureConfig::new(port, app_root);
        config.body_limit =
            body_limit_from_env(|name| std::env::var(name).ok(), DEFAULT_BODY_LIMIT)?;
        config.read_host_json()?;
        Ok(config)
    }

    /// The address to listen on: always 127.0.0.1, where the host connects (not `localhost`,
    /// which may resolve to `::1` only).
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// Applies `<app_root>/host.json` if there is one.
    pub fn read_host_json(&mut self) -> Result<(), StartupError> {
        let path = self.app_root.join("host.json");
        if !path.exists() {
            return Ok(());
        }
        let host = read_json_file(&path)?;
        self.apply_host_json(&host, &path)
    }

    fn apply_host_json(&mut self, host: &Value, path: &Path) -> Result<(), StartupError> {
        let bad = |reason: String| app_file_error(path, reason);
        if let Some(timeout) = member_ci(host, "functionTimeout") {
            let text = timeout.as_str().ok_or_else(|| {
                bad(format!(
                    "`functionTimeout` must be a string such as \"00:05:00\", not {timeout}"
                ))
            })?;
            self.function_timeout = parse_timespan(text)
                .map_err(|why| bad(format!("`functionTimeout` {text:?} is not valid: {why}")))?;
        }
        if let Some(prefix) = member_ci(host, "extensions")
            .and_then(|e| member_ci(e, "http"))
            .and_then(|h| member_ci(h, "routePrefix"))
        {
            let prefix = prefix.as_str().ok_or_else(|| {
                bad(format!(
                    "`extensions.http.routePrefix` must be a string, not {prefix}"
                ))
            })?;
            self.route_prefix = prefix.trim_matches('/').to_owned();
        }
        let handler = member_ci(host, "customHandler").or_else(|| member_ci(host, "httpWorker"));
        if let Some(forwarding) = handler.and_then(|h| member_ci(h, "enableForwardingHttpRequest"))
        {
            self.forwarding = forwarding.as_bool().ok_or_else(|| {
                bad(format!(
                    "`customHandler.enableForwardingHttpRequest` must be true or false, not {forwarding}"
                ))
            })?;
        }
        Ok(())
    }
}

/// A .NET `TimeSpan` as `host.json` writes it: `hh:mm:ss`, `d.hh:mm:ss`, optional `.fff`;
/// `-1` (or any negative span) means no limit.
fn parse_timespan(text: &str) -> Result<Option<Duration>, &'static str> {
    let text = text.trim();
    if text.starts_with('-') {
        return Ok(None);
    }
    let (days, rest) = match text.split_once(':') {
        Some((head, _)) if head.contains('.') => {
            let (d, _) = head.split_once('.').unwrap_or((head, ""));
            (d, &text[d.len() + 1..])
        }
        _ => ("0", text),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let [h, m, s] = parts.as_slice() else {
        return Err("it must look like hh:mm:ss (or d.hh:mm:ss; -1 for no limit)");
    };
    let int = |s: &str| s.parse::<u64>().map_err(|_| "a part is not a number");
    let seconds: f64 = s.parse().map_err(|_| "the seconds are not a number")?;
    if !(0.0..60.0).contains(&seconds) {
        return Err("the seconds must be below 60");
    }
    let whole = int(days)? * 86_400 + int(h)? * 3_600 + int(m)? * 60;
    Ok(Some(
        Duration::from_secs(whole) + Duration::from_secs_f64(seconds),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timespans_as_host_json_writes_them() {
        assert_eq!(
            parse_timespan("00:05:00"),
            Ok(Some(Duration::from_secs(300)))
        );
        assert_eq!(
            parse_timespan("01:00:30"),
            Ok(Some(Duration::from_secs(3630)))
        );
        assert_eq!(
            parse_timespan("1.00:00:00"),
            Ok(Some(Duration::from_secs(86_400)))
        );
        assert_eq!(
            parse_timespan("00:00:01.5"),
            Ok(Some(Duration::from_millis(1500)))
        );
        assert_eq!(parse_timespan("-1"), Ok(None));
        assert!(parse_timespan("5 minutes").is_err());
        assert!(parse_timespan("00:05").is_err());
    }

    #[test]
    fn host_json_settings_are_read_case_insensitively() {
        let mut config = AzureConfig::new(1, "/app");
        let host = json!({
            "version": "2.0",
            "FunctionTimeout": "00:10:00",
            "extensions": {"http": {"routePrefix": "/v1/"}},
            "customHandler": {"description": {"defaultExecutablePath": "echo"},
                              "enableForwardingHttpRequest": true}
        });
        config
            .apply_host_json(&host, Path::new("host.json"))
            .unwrap();
        assert_eq!(config.function_timeout, Some(Duration::from_secs(600)));
        assert_eq!(config.route_prefix, "v1");
        assert!(config.forwarding);

        let err = config
            .apply_host_json(&json!({"functionTimeout": 300}), Path::new("host.json"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "host.json: `functionTimeout` must be a string such as \"00:05:00\", not 300"
        );
    }

    #[test]
    fn the_shared_reconstructed_host_json_is_understood() {
        // An outside oracle: read from the shared fixtures, never copied into the repository.
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/fixtures/azure/function-json/reconstructed-host.json");
        assert!(path.exists(), "{} is missing: the outside-oracle fixtures are read from ../shared beside the checkout, as CI has them", path.display());
        let mut config = AzureConfig::new(1, "/app");
        config
            .apply_host_json(&read_json_file(&path).unwrap(), &path)
            .unwrap();
        assert_eq!(config.function_timeout, Some(Duration::from_secs(300)));
        assert!(!config.forwarding);
    }
}
