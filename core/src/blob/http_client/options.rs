//! What the object_store [`ClientOptions`] ask of the transport, read once and checked: each
//! value that does not parse, or that asks for something this HTTP/1.1 client cannot do, is an
//! error naming the option (and so the `AWS_*` / `AZURE_*` variable that set it).

use std::time::Duration;

use http::HeaderValue;
use object_store::ClientConfigKey as Key;
use object_store::ClientOptions;

/// The transport settings of one client.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    /// `http://` endpoints are allowed (S3-compatible servers, emulators).
    pub allow_http: bool,
    /// Any server certificate is accepted (`allow_invalid_certificates`).
    pub accept_invalid_certs: bool,
    /// Sent when the request carries no `User-Agent`.
    pub user_agent: HeaderValue,
    /// From the start of a request to the end of its response body.
    pub timeout: Option<Duration>,
    /// For the TCP connection.
    pub connect_timeout: Option<Duration>,
    /// Between two reads of the response (head, then each body frame).
    pub read_timeout: Option<Duration>,
    /// How long an idle pooled connection is kept.
    pub pool_idle_timeout: Option<Duration>,
    /// How many idle connections per host are kept.
    pub pool_max_idle_per_host: Option<usize>,
    /// An explicit proxy for every request (`proxy_url`), else the `*_PROXY` variables apply.
    pub proxy_url: Option<String>,
    /// Hosts that bypass `proxy_url`, comma-separated as in `NO_PROXY` (`proxy_excludes`).
    pub proxy_excludes: Option<String>,
    /// Extra PEM roots trusted for the proxy's own TLS (`proxy_ca_certificate`).
    pub proxy_ca_certificate: Option<String>,
    /// The addresses a name resolves to are tried in a random order.
    pub randomize_addresses: bool,
}

/// The `User-Agent` sent when object_store's options name none.
pub(crate) const DEFAULT_USER_AGENT: &str = concat!("polyfaas/", env!("CARGO_PKG_VERSION"));

impl Settings {
    /// Reads `options`; the error names the option whose value is wrong or not supported.
    pub(crate) fn from_options(options: &ClientOptions) -> Result<Self, String> {
        let value = |key: Key| options.get_config_value(&key);
        if flag(&value, Key::Http2Only)? {
            return Err(
                "http2_only is not supported: the blob stores' client speaks HTTP/1.1 \
                        (unset http2_only)"
                    .to_owned(),
            );
        }
        if flag(&value, Key::NoSystemCertificates)? {
            return Err(
                "no_system_certificates would leave no trusted root certificate: \
                        the blob stores' client trusts the system's roots (unset it)"
                    .to_owned(),
            );
        }
        Ok(Self {
            allow_http: flag(&value, Key::AllowHttp)?,
            accept_invalid_certs: flag(&value, Key::AllowInvalidCertificates)?,
            user_agent: match value(Key::UserAgent) {
                Some(v) => HeaderValue::try_from(v.as_str())
                    .map_err(|_| format!("user_agent {v:?} is not a valid header value"))?,
                None => HeaderValue::from_static(DEFAULT_USER_AGENT),
            },
            timeout: duration(&value, Key::Timeout)?,
            connect_timeout: duration(&value, Key::ConnectTimeout)?,
            read_timeout: duration(&value, Key::ReadTimeout)?,
            pool_idle_timeout: duration(&value, Key::PoolIdleTimeout)?,
            pool_max_idle_per_host: value(Key::PoolMaxIdlePerHost)
                .map(|v| {
                    v.parse::<usize>()
                        .map_err(|_| format!("pool_max_idle_per_host {v:?} is not a whole number"))
                })
                .transpose()?,
            proxy_url: value(Key::ProxyUrl),
            proxy_excludes: value(Key::ProxyExcludes),
            proxy_ca_certificate: value(Key::ProxyCaCertificate),
            randomize_addresses: flag(&value, Key::RandomizeAddresses)?,
        })
    }
}

/// A boolean option, spelt as object_store accepts it (`true`/`false`, `1`/`0`, `yes`/`no`, ...).
fn flag(value: &impl Fn(Key) -> Option<String>, key: Key) -> Result<bool, String> {
    let Some(v) = value(key) else {
        return Ok(false);
    };
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" | "y" => Ok(true),
        "0" | "false" | "off" | "no" | "n" => Ok(false),
        _ => Err(format!(
            "{} {v:?} is not a boolean (true or false)",
            key.as_ref()
        )),
    }
}

/// A duration option, in humantime's spelling (`30s`, `5 seconds`, `1m 30s`).
fn duration(value: &impl Fn(Key) -> Option<String>, key: Key) -> Result<Option<Duration>, String> {
    value(key)
        .map(|v| {
            humantime::parse_duration(&v).map_err(|e| {
                format!(
                    "{} {v:?} is not a duration such as \"30s\": {e}",
                    key.as_ref()
                )
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_store_defaults_become_http1_with_its_timeouts() {
        let s = Settings::from_options(&ClientOptions::default()).unwrap();
        assert!(!s.allow_http && !s.accept_invalid_certs);
        assert!(s.randomize_addresses);
        assert_eq!(s.timeout, Some(Duration::from_secs(30)));
        assert_eq!(s.connect_timeout, Some(Duration::from_secs(5)));
        assert_eq!(s.read_timeout, None);
        assert_eq!(s.user_agent, DEFAULT_USER_AGENT);
        assert_eq!(s.proxy_url, None);
    }

    #[test]
    fn options_set_by_name_are_read() {
        let options = ClientOptions::default()
            .with_config(Key::AllowHttp, "yes")
            .with_config(Key::Timeout, "2m")
            .with_config(Key::ReadTimeout, "1500ms")
            .with_config(Key::PoolMaxIdlePerHost, "3")
            .with_config(Key::ProxyUrl, "http://proxy:3128")
            .with_config(Key::ProxyExcludes, "internal,10.0.0.0/8")
            .with_config(Key::UserAgent, "my-fn/1")
            .with_config(Key::RandomizeAddresses, "false");
        let s = Settings::from_options(&options).unwrap();
        assert!(s.allow_http);
        assert_eq!(s.timeout, Some(Duration::from_secs(120)));
        assert_eq!(s.read_timeout, Some(Duration::from_millis(1500)));
        assert_eq!(s.pool_max_idle_per_host, Some(3));
        assert_eq!(s.proxy_url.as_deref(), Some("http://proxy:3128"));
        assert_eq!(s.proxy_excludes.as_deref(), Some("internal,10.0.0.0/8"));
        assert_eq!(s.user_agent, "my-fn/1");
        assert!(!s.randomize_addresses);
    }

    #[test]
    fn a_bad_value_names_its_option() {
        let bad = [
            (Key::Timeout, "soon", "timeout \"soon\" is not a duration"),
            (
                Key::AllowHttp,
                "maybe",
                "allow_http \"maybe\" is not a boolean",
            ),
            (
                Key::PoolMaxIdlePerHost,
                "-1",
                "pool_max_idle_per_host \"-1\"",
            ),
            (Key::Http2Only, "true", "http2_only is not supported"),
            (Key::NoSystemCertificates, "true", "no_system_certificates"),
        ];
        for (key, value, expected) in bad {
            let options = ClientOptions::default().with_config(key, value);
            let err = Settings::from_options(&options).unwrap_err();
            assert!(err.contains(expected), "{key:?}={value}: {err}");
        }
    }
}
