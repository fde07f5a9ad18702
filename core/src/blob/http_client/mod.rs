//! The HTTP transport of the S3 and Azure blob stores: object_store's [`HttpConnector`] over
//! hyper's HTTP/1.1 client and rustls. It is the client stack the Lambda runtime already links,
//! so an S3-backed function carries one HTTP client instead of two (reqwest and its HTTP/2 were
//! about 0.8 MiB of such a binary).
//!
//! It honours object_store's client options, which users set as `AWS_*` / `AZURE_*` variables
//! (`AWS_TIMEOUT=10s`, `AZURE_ALLOW_HTTP=true`, `AWS_PROXY_URL=...`): see [`options`] for which,
//! [`connect`] for addresses and proxies, [`deadline`] for the timeouts, [`tls`] for
//! certificates, [`redirect`] for the redirects it follows and [`error`] for how failures are
//! classed for object_store's retries.
//!
//! ```text
//! object_store request ─▶ Transport (User-Agent, allow_http, deadlines, redirects)
//!   ─▶ hyper-util pooled client ─▶ hyper-rustls (TLS for https://) ─▶ Connector (DNS, proxy tunnel)
//! ```

mod connect;
mod deadline;
mod error;
mod options;
mod redirect;
mod tls;

use async_trait::async_trait;
use http::header::USER_AGENT;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use object_store::client::{
    HttpClient, HttpConnector, HttpError, HttpErrorKind, HttpRequest, HttpRequestBody,
    HttpResponse, HttpResponseBody, HttpService,
};
use object_store::{ClientConfigKey, ClientOptions};

use connect::Connector;
use deadline::Deadlines;
use error::{http_error, Refused};
use options::Settings;
use redirect::Replay;

use super::EnvVars;

/// Builds each object_store client's transport from its [`ClientOptions`]; a wrong option fails
/// the store's `build()` with an error naming it.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct HyperConnector;

impl HttpConnector for HyperConnector {
    fn connect(&self, options: &ClientOptions) -> object_store::Result<HttpClient> {
        let settings = Settings::from_options(options).map_err(config_error)?;
        let tls = tls::client_config(&settings).map_err(config_error)?;
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls.clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(Connector::new(&settings, tls));
        let mut builder = Client::builder(TokioExecutor::new());
        builder.pool_timer(TokioTimer::new());
        if let Some(idle) = settings.pool_idle_timeout {
            builder.pool_idle_timeout(idle);
        }
        if let Some(max) = settings.pool_max_idle_per_host {
            builder.pool_max_idle_per_host(max);
        }
        Ok(HttpClient::new(Transport {
            client: builder.build(https),
            settings,
        }))
    }
}

/// The start-up check of the client options set as `<prefix>*` variables (`AWS_TIMEOUT`,
/// `AZURE_PROXY_CA_CERTIFICATE`, ...): one that does not parse, or that this client refuses,
/// stops the function then, naming the variable (not its value, which may hold a proxy's
/// password), rather than failing its first blob call. Nothing is built: no TLS roots are read.
pub(crate) fn check_variables(env: &EnvVars, prefix: &str) -> Result<(), String> {
    for (name, value) in env.with_prefix(prefix) {
        let Ok(key) = name[prefix.len()..]
            .to_ascii_lowercase()
            .parse::<ClientConfigKey>()
        else {
            continue;
        };
        let checked = match key {
            ClientConfigKey::ProxyCaCertificate => tls::proxy_roots(value).map(|_| ()),
            key => Settings::from_options(&ClientOptions::default().with_config(key, value))
                .map(|_| ()),
        };
        checked.map_err(|why| format!("{name}: {why}"))?;
    }
    Ok(())
}

fn config_error(message: String) -> object_store::Error {
    object_store::Error::Generic {
        store: "HTTP client",
        source: message.into(),
    }
}

/// One store's pooled client and its settings.
#[derive(Debug)]
struct Transport {
    client: Client<HttpsConnector<Connector>, HttpRequestBody>,
    settings: Settings,
}

#[async_trait]
impl HttpService for Transport {
    async fn call(&self, mut req: HttpRequest) -> Result<HttpResponse, HttpError> {
        // One clock for the request and the redirects it follows.
        let deadlines = Deadlines::start(self.settings.timeout, self.settings.read_timeout);
        let mut hops = 0;
        loop {
            self.refuse_plain_http(req.uri())?;
            req.headers_mut()
                .entry(USER_AGENT)
                .or_insert_with(|| self.settings.user_agent.clone());
            let replay = Replay::of(&req);
            let response = deadlines
                .head(self.client.request(req))
                .await
                .map_err(|e| http_error(e, HttpErrorKind::Timeout))?
                .map_err(|e| http_error(e, HttpErrorKind::Unknown))?;
            let next = if response.status().is_redirection() {
                replay.follow(response.status(), redirect::location(response.headers()))
            } else {
                None
            };
            match next {
                Some(_) if hops == redirect::MAX_HOPS => {
                    let refused = Refused(format!(
                        "more than {} redirects, the last to {:?}",
                        redirect::MAX_HOPS,
                        redirect::location(response.headers()).unwrap_or_default()
                    ));
                    return Err(HttpError::new(HttpErrorKind::Unknown, refused));
                }
                Some(next) => {
                    hops += 1;
                    req = next;
                }
                None => {
                    let (parts, body) = response.into_parts();
                    return Ok(HttpResponse::from_parts(
                        parts,
                        HttpResponseBody::new(deadlines.body(body)),
                    ));
                }
            }
        }
    }
}

impl Transport {
    /// An `http://` URI is refused unless `allow_http` is set (a redirect's too).
    fn refuse_plain_http(&self, uri: &http::Uri) -> Result<(), HttpError> {
        if self.settings.allow_http || uri.scheme() != Some(&http::uri::Scheme::HTTP) {
            return Ok(());
        }
        let refused = Refused(format!(
            "{uri} is plain HTTP, which is refused unless allow_http is set \
             (AWS_ALLOW_HTTP=true or AZURE_ALLOW_HTTP=true)"
        ));
        Err(HttpError::new(HttpErrorKind::Unknown, refused))
    }
}

#[cfg(test)]
mod tests;
