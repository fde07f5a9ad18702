//! The local dev provider's settings, from the environment.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use polyfaas_core::shim::body_limit_from_env;
use polyfaas_core::StartupError;

/// Settings of the local dev provider.
///
/// ```
/// use polyfaas_local::LocalConfig;
///
/// let mut config = LocalConfig::default();
/// config.addr = ([127, 0, 0, 1], 0).into(); // any free port
/// config.body_limit = 1024 * 1024;
/// assert_eq!(config.blob_dir, std::path::Path::new(".polyfaas/blobs"));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LocalConfig {
    /// Where to listen. `HOST` (default `127.0.0.1`) and `PORT` (default `8080`).
    pub addr: SocketAddr,
    /// The largest request body accepted; larger ones get 413. `POLYFAAS_BODY_LIMIT`, in bytes
    /// or with a `KiB`/`MiB` suffix (default 6 MiB, Lambda's payload limit).
    pub body_limit: usize,
    /// The local directory blob store's root. `POLYFAAS_BLOB_DIR` (default `.polyfaas/blobs`);
    /// `POLYFAAS_BLOB_URL`, when set, names another store instead.
    pub blob_dir: PathBuf,
    /// How long an invocation may run. `POLYFAAS_TIMEOUT` in seconds (default 60; `0`: no limit).
    pub timeout: Option<Duration>,
    /// The function's name in the context. `POLYFAAS_FUNCTION_NAME` (default: the executable's
    /// name).
    pub function_name: Option<String>,
    /// Where every event received is written, in the
    /// [record format](polyfaas_core::canonical::record), before it is handled.
    /// `POLYFAAS_RECORD_DIR` (default: unset, nothing is written).
    pub record_dir: Option<PathBuf>,
}

/// 6 MiB: Lambda's synchronous payload limit, so what works locally fits there too.
pub const DEFAULT_BODY_LIMIT: usize = 6 * 1024 * 1024;

impl Default for LocalConfig {
    fn default() -> Self {
        LocalConfig {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080),
            body_limit: DEFAULT_BODY_LIMIT,
            blob_dir: PathBuf::from(".polyfaas/blobs"),
            timeout: Some(Duration::from_secs(60)),
            function_name: std::env::current_exe()
                .ok()
                .and_then(|exe| Some(exe.file_stem()?.to_string_lossy().into_owned())),
            record_dir: None,
        }
    }
}

impl LocalConfig {
    /// Reads the settings from the environment; an invalid value is an error that names the
    /// variable and says what it must be.
    pub fn from_env() -> Result<Self, StartupError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, StartupError> {
        let mut config = LocalConfig::default();
        let bad = StartupError::variable;
        let host = match var("HOST").filter(|v| !v.is_empty()) {
            Some(host) if host == "localhost" => config.addr.ip(),
            Some(host) => host
                .parse::<IpAddr>()
                .map_err(|_| bad("HOST", &host, "an IP address such as 127.0.0.1 or 0.0.0.0"))?,
            None => config.addr.ip(),
        };
        let port = match var("PORT").filter(|v| !v.is_empty()) {
            Some(port) => port
                .parse::<u16>()
                .map_err(|_| bad("PORT", &port, "a port number from 0 to 65535"))?,
            None => config.addr.port(),
        };
        config.addr = SocketAddr::new(host, port);
        config.body_limit = body_limit_from_env(&var, config.body_limit)?;
        if let Some(dir) = var("POLYFAAS_BLOB_DIR").filter(|v| !v.is_empty()) {
            config.blob_dir = PathBuf::from(dir);
        }
        if let Some(timeout) = var("POLYFAAS_TIMEOUT").filter(|v| !v.is_empty()) {
            let secs = timeout
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s >= 0.0)
                .ok_or_else(|| {
                    bad(
                        "POLYFAAS_TIMEOUT",
                        &timeout,
                        "a number of seconds (0 for no limit)",
                    )
                })?;
            config.timeout = (secs > 0.0).then(|| Duration::from_secs_f64(secs));
        }
        if let Some(name) = var("POLYFAAS_FUNCTION_NAME").filter(|v| !v.is_empty()) {
            config.function_name = Some(name);
        }
        config.record_dir = var("POLYFAAS_RECORD_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<LocalConfig, StartupError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        LocalConfig::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults() {
        let config = from(&[]).unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.body_limit, 6 * 1024 * 1024);
        assert_eq!(config.timeout, Some(Duration::from_secs(60)));
        assert_eq!(config.record_dir, None);
    }

    #[test]
    fn environment_overrides() {
        let config = from(&[
            ("HOST", "0.0.0.0"),
            ("PORT", "9000"),
            ("POLYFAAS_BODY_LIMIT", "64KiB"),
            ("POLYFAAS_BLOB_DIR", "/tmp/b"),
            ("POLYFAAS_TIMEOUT", "0"),
            ("POLYFAAS_FUNCTION_NAME", "fn"),
            ("POLYFAAS_RECORD_DIR", "/tmp/events"),
        ])
        .unwrap();
        assert_eq!(config.addr.to_string(), "0.0.0.0:9000");
        assert_eq!(config.body_limit, 65536);
        assert_eq!(config.blob_dir, PathBuf::from("/tmp/b"));
        assert_eq!(config.timeout, None);
        assert_eq!(config.function_name.as_deref(), Some("fn"));
        assert_eq!(config.record_dir, Some(PathBuf::from("/tmp/events")));
        assert_eq!(
            from(&[("POLYFAAS_TIMEOUT", "1.5")]).unwrap().timeout,
            Some(Duration::from_millis(1500))
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (var, value) in [
            ("PORT", "80a"),
            ("PORT", "70000"),
            ("HOST", "my host"),
            ("POLYFAAS_BODY_LIMIT", "6 GiB"),
            ("POLYFAAS_TIMEOUT", "-1"),
        ] {
            let err = from(&[(var, value)]).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("{var}={value:?} is not valid")),
                "{err}"
            );
        }
    }
}
