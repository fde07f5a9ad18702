//! The shim's settings, from the environment Cloud Run (or Knative) starts the process in.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use polyfaas_core::shim::body_limit_from_env;
use polyfaas_core::{Error, StartupError};

/// Which kind of function the Functions Framework contract serves (`FUNCTION_SIGNATURE_TYPE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureType {
    /// `http`: every request is an [`Event::Http`](polyfaas_core::Event::Http), unmodified.
    Http,
    /// `cloudevent`: CloudEvents in binary or structured mode; legacy events and Pub/Sub push
    /// bodies are converted to CloudEvents first.
    CloudEvent,
    /// `event`: legacy background events (`{data, context}`); binary or structured CloudEvents
    /// of a known Google type are converted to legacy events first.
    Event,
}

impl SignatureType {
    /// The name as `FUNCTION_SIGNATURE_TYPE` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureType::Http => "http",
            SignatureType::CloudEvent => "cloudevent",
            SignatureType::Event => "event",
        }
    }
}

impl fmt::Display for SignatureType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SignatureType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "http" => Ok(SignatureType::Http),
            "cloudevent" => Ok(SignatureType::CloudEvent),
            // `legacyevent` is the conformance client's name for the same thing.
            "event" | "legacyevent" => Ok(SignatureType::Event),
            "typed" => Err(
                "`typed` functions are a Go/Python framework feature; use http and decode the body in the handler"
                    .to_owned(),
            ),
            _ => Err("one of http, cloudevent, event".to_owned()),
        }
    }
}

/// Settings of the Google Cloud shim.
///
/// ```
/// use polyfaas_gcp::{GcpConfig, SignatureType};
///
/// let config = GcpConfig::default();
/// assert_eq!(config.addr.to_string(), "0.0.0.0:8080");
/// assert_eq!(config.signature, SignatureType::Http);
/// assert_eq!(config.timeout, None);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct GcpConfig {
    /// Where to listen: all interfaces (`HOST`, default `0.0.0.0`) on `PORT` (default 8080).
    pub addr: SocketAddr,
    /// `FUNCTION_TARGET` (default `function`): the function's name in the logs.
    pub target: String,
    /// The function's name in the context: `FUNCTION_TARGET`, else `K_SERVICE`, else none.
    pub function_name: Option<String>,
    /// `FUNCTION_SIGNATURE_TYPE`: `http` (default), `cloudevent` or `event`.
    pub signature: SignatureType,
    /// The invocation deadline: `CLOUD_RUN_TIMEOUT_SECONDS` (unset or `0`: none).
    pub timeout: Option<Duration>,
    /// The largest request body accepted; larger ones get 413. `POLYFAAS_BODY_LIMIT`, in bytes
    /// or with a `KiB`/`MiB` suffix (default 32 MiB, Cloud Run's HTTP/1 request limit).
    pub body_limit: usize,
    /// How long requests in flight may take to finish after SIGTERM. `POLYFAAS_DRAIN_SECONDS`
    /// (default 8: Cloud Run sends SIGKILL 10 s after SIGTERM).
    pub drain: Duration,
    /// Whether the process runs behind Google's front end (`K_SERVICE` is set), so the first
    /// `X-Forwarded-For` hop is the client's address rather than something a client made up.
    pub behind_proxy: bool,
}

/// 32 MiB: Cloud Run's (2nd gen) HTTP/1 request size limit.
pub const DEFAULT_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// 8 s: Cloud Run sends SIGKILL 10 s after SIGTERM.
pub const DEFAULT_DRAIN: Duration = Duration::from_secs(8);

impl Default for GcpConfig {
    fn default() -> Self {
        GcpConfig {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 8080),
            target: "function".to_owned(),
            function_name: None,
            signature: SignatureType::Http,
            timeout: None,
            body_limit: DEFAULT_BODY_LIMIT,
            drain: DEFAULT_DRAIN,
            behind_proxy: false,
        }
    }
}

impl GcpConfig {
    /// Reads the settings from the environment; an invalid value is an error that names the
    /// variable and says what it must be.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `var` (a variable's value, or `None` when unset).
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let bad = |name: &str, value: &str, must: &str| {
            Error::from(StartupError::variable(name, value, must))
        };
        let mut config = GcpConfig::default();
        let host = match var("HOST") {
            Some(host) if host == "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(host) => host
                .trim()
                .parse::<IpAddr>()
                .map_err(|_| bad("HOST", &host, "an IP address such as 0.0.0.0 or ::"))?,
            None => config.addr.ip(),
        };
        let port = match var("PORT") {
            Some(port) => port
                .trim()
                .parse::<u16>()
                .map_err(|_| bad("PORT", &port, "a port number from 0 to 65535"))?,
            None => config.addr.port(),
        };
        config.addr = SocketAddr::new(host, port);
        let service = var("K_SERVICE");
        config.behind_proxy = service.is_some();
        if let Some(target) = var("FUNCTION_TARGET") {
            config.target = target.clone();
            config.function_name = Some(target);
        } else {
            config.function_name = service;
        }
        if let Some(signature) = var("FUNCTION_SIGNATURE_TYPE") {
            config.signature = signature
                .parse()
                .map_err(|must: String| bad("FUNCTION_SIGNATURE_TYPE", &signature, &must))?;
        }
        if let Some(timeout) = var("CLOUD_RUN_TIMEOUT_SECONDS") {
            let secs = parse_seconds(&timeout).ok_or_else(|| {
                bad(
                    "CLOUD_RUN_TIMEOUT_SECONDS",
                    &timeout,
                    "a number of seconds (0 for no limit)",
                )
            })?;
            config.timeout = (secs > 0.0).then(|| Duration::from_secs_f64(secs));
        }
        config.body_limit = body_limit_from_env(var, DEFAULT_BODY_LIMIT)?;
        if let Some(drain) = var("POLYFAAS_DRAIN_SECONDS") {
            let secs = parse_seconds(&drain)
                .ok_or_else(|| bad("POLYFAAS_DRAIN_SECONDS", &drain, "a number of seconds"))?;
            config.drain = Duration::from_secs_f64(secs);
        }
        Ok(config)
    }
}

fn parse_seconds(text: &str) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e9)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<GcpConfig, Error> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        GcpConfig::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_follow_the_contract() {
        let config = from(&[]).unwrap();
        assert_eq!(config.addr.to_string(), "0.0.0.0:8080");
        assert_eq!(config.target, "function");
        assert_eq!(config.function_name, None);
        assert_eq!(config.signature, SignatureType::Http);
        assert_eq!(config.timeout, None);
        assert_eq!(config.body_limit, 32 << 20);
        assert_eq!(config.drain, Duration::from_secs(8));
        assert!(!config.behind_proxy);
    }

    #[test]
    fn environment_overrides() {
        let config = from(&[
            ("PORT", "9000"),
            ("HOST", "127.0.0.1"),
            ("FUNCTION_TARGET", "resize"),
            ("K_SERVICE", "svc"),
            ("FUNCTION_SIGNATURE_TYPE", "cloudevent"),
            ("CLOUD_RUN_TIMEOUT_SECONDS", "300"),
            ("POLYFAAS_BODY_LIMIT", "1MiB"),
            ("POLYFAAS_DRAIN_SECONDS", "0.5"),
        ])
        .unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:9000");
        assert_eq!(config.function_name.as_deref(), Some("resize"));
        assert_eq!(config.signature, SignatureType::CloudEvent);
        assert_eq!(config.timeout, Some(Duration::from_secs(300)));
        assert_eq!(config.body_limit, 1 << 20);
        assert_eq!(config.drain, Duration::from_millis(500));
        assert!(config.behind_proxy);

        let config = from(&[("K_SERVICE", "svc"), ("FUNCTION_SIGNATURE_TYPE", "event")]).unwrap();
        assert_eq!(config.function_name.as_deref(), Some("svc"));
        assert_eq!(config.target, "function");
        assert_eq!(config.signature, SignatureType::Event);
        assert_eq!(
            from(&[("CLOUD_RUN_TIMEOUT_SECONDS", "0")]).unwrap().timeout,
            None
        );
        assert_eq!(
            from(&[("FUNCTION_SIGNATURE_TYPE", "legacyevent")])
                .unwrap()
                .signature,
            SignatureType::Event
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (var, value) in [
            ("PORT", "eighty"),
            ("HOST", "my host"),
            ("FUNCTION_SIGNATURE_TYPE", "grpc"),
            ("FUNCTION_SIGNATURE_TYPE", "typed"),
            ("CLOUD_RUN_TIMEOUT_SECONDS", "-1"),
            ("POLYFAAS_BODY_LIMIT", "2GiB"),
            ("POLYFAAS_DRAIN_SECONDS", "soon"),
        ] {
            let err = from(&[(var, value)]).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("{var}={value:?} is not valid")),
                "{err}"
            );
        }
    }
}
