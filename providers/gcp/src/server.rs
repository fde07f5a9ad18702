//! The HTTP server: core's shared accept loop, and the Functions Framework contract per request.

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use http::{HeaderMap, Method, StatusCode};
use polyfaas_core::blob::{self, Blobs, EnvVars, Scheme};
use polyfaas_core::server::{self, into_http, json_error, BodyError, RequestBody, ResponseBody};
use polyfaas_core::shim::RequestIds;
use polyfaas_core::{
    invoke, Context, ContextBuilder, Error, Event, Handler, Provider, SourceIp, StartupError,
};
use tokio::net::TcpListener;

use crate::decode::{self, Decoded};
use crate::{response, GcpConfig, SignatureType};

/// Serves `handler` on `config.addr` until SIGTERM (or Ctrl-C), then lets requests in flight
/// finish (up to `config.drain`) and returns.
///
/// Everything that can fail is done before the port is bound, because Cloud Run's startup
/// probe takes an open port to mean "ready".
pub async fn serve<H: Handler>(handler: H, config: GcpConfig) -> Result<(), Error> {
    let blobs = open_blobs()?;
    let listener = TcpListener::bind(config.addr).await.map_err(|e| {
        Error::startup(format!(
            "the gcp shim cannot listen on {}: {e} (set PORT to use another port)",
            config.addr
        ))
    })?;
    serve_on(listener, handler, config, blobs, server::shutdown_signal()).await
}

/// The blob store: `POLYFAAS_BLOB_URL`, else Cloud Storage in each blob event's own bucket when
/// Google Cloud settings are in the environment, else a local directory.
fn open_blobs() -> Result<Blobs, StartupError> {
    const SETTINGS: [&str; 4] = [
        "K_SERVICE",
        "FUNCTION_TARGET",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "STORAGE_EMULATOR_HOST",
    ];
    let open = |env: &EnvVars| blob::cloud_or_local(Scheme::Gcs, &SETTINGS, env);
    Ok(blob::from_env(&EnvVars::process(), open)?)
}

/// Serves `handler` on an already bound listener until `shutdown` completes.
pub async fn serve_on<H, S>(
    listener: TcpListener,
    handler: H,
    config: GcpConfig,
    blobs: Blobs,
    shutdown: S,
) -> Result<(), Error>
where
    H: Handler,
    S: Future<Output = ()>,
{
    let addr = listener.local_addr()?;
    tracing::info!(
        "polyfaas gcp shim serving {} function {:?} on http://{addr} (blobs in {}; deadline {})",
        config.signature,
        config.target,
        blobs.store().describe(),
        config
            .timeout
            .map_or_else(|| "none".to_owned(), |t| format!("{t:?}")),
    );
    let drain = config.drain;
    let state = Arc::new(State {
        handler,
        blobs,
        scratch_base: std::env::var_os("POLYFAAS_TMPDIR")
            .filter(|v| !v.is_empty())
            .map_or_else(std::env::temp_dir, PathBuf::from),
        config,
        request_ids: RequestIds::new("gcp"),
    });
    let service = move |request, peer| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(state.handle(request, peer).await) }
    };
    server::serve(listener, service, shutdown, drain).await;
    tracing::info!("stopped");
    Ok(())
}

struct State<H> {
    handler: H,
    config: GcpConfig,
    blobs: Blobs,
    scratch_base: PathBuf,
    request_ids: RequestIds,
}

impl<H: Handler> State<H> {
    async fn handle(
        &self,
        request: http::Request<RequestBody>,
        peer: SocketAddr,
    ) -> http::Response<ResponseBody> {
        let started = Instant::now();
        let path = request.uri().path();
        if path == "/robots.txt" || path == "/favicon.ico" {
            return response::not_found();
        }
        let method = request.method().clone();
        let path = path.to_owned();
        let (response, request_id) = match self.config.signature {
            SignatureType::Http => self.http(request, peer).await,
            signature => self.event(request, signature).await,
        };
        tracing::debug!(
            %method,
            path,
            status = response.status().as_u16(),
            ms = %format_args!("{:.2}", started.elapsed().as_secs_f64() * 1000.0),
            request_id,
            "request"
        );
        response
    }

    async fn http(
        &self,
        request: http::Request<RequestBody>,
        peer: SocketAddr,
    ) -> (http::Response<ResponseBody>, String) {
        let request_id =
            header_request_id(request.headers()).unwrap_or_else(|| self.next_request_id());
        let ip = self.client_ip(request.headers(), peer);
        let mut request = match self.read_body(request).await {
            Ok(request) => request,
            Err(response) => return (response, request_id),
        };
        request.extensions_mut().insert(SourceIp(ip));
        let ctx = self.context(&request_id).build();
        let response = match invoke(&self.handler, Event::Http(request), ctx).await {
            Ok(response) => into_http(response),
            Err(error) => response::failure(&error),
        };
        (response, request_id)
    }

    async fn event(
        &self,
        request: http::Request<RequestBody>,
        signature: SignatureType,
    ) -> (http::Response<ResponseBody>, String) {
        if request.method() != Method::POST {
            let id = self.next_request_id();
            return (response::method_not_allowed(signature.as_str()), id);
        }
        let request = match self.read_body(request).await {
            Ok(request) => request,
            Err(response) => return (response, self.next_request_id()),
        };
        let (parts, body) = request.into_parts();
        let decoded = decode::decode(signature, &parts.headers, parts.uri.path(), &body);
        let Decoded {
            event,
            id,
            cloudevent,
            legacy,
        } = match decoded {
            Ok(decoded) => decoded,
            Err(error) => {
                let request_id =
                    header_request_id(&parts.headers).unwrap_or_else(|| self.next_request_id());
                tracing::warn!(request_id, path = parts.uri.path(), %error, "not a valid event");
                return (response::invalid_event(&error), request_id);
            }
        };
        let request_id = id
            .filter(|id| !id.is_empty())
            .or_else(|| header_request_id(&parts.headers))
            .unwrap_or_else(|| self.next_request_id());
        let mut ctx = self.context(&request_id);
        if let Some(cloudevent) = cloudevent {
            ctx = ctx.extension(cloudevent);
        }
        if let Some(legacy) = legacy {
            ctx = ctx.extension(legacy);
        }
        let response = match invoke(&self.handler, event, ctx.build()).await {
            Ok(response) => response::event_result(response),
            Err(error) => response::failure(&error),
        };
        (response, request_id)
    }

    async fn read_body(
        &self,
        request: http::Request<RequestBody>,
    ) -> Result<http::Request<bytes::Bytes>, http::Response<ResponseBody>> {
        server::read_body(request, self.config.body_limit)
            .await
            .map_err(|e| match e {
                e @ BodyError::TooLarge { .. } => json_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "PayloadTooLarge",
                    &format!("{e} (POLYFAAS_BODY_LIMIT)"),
                ),
                e => json_error(StatusCode::BAD_REQUEST, "BadRequest", &e.to_string()),
            })
    }

    fn context(&self, request_id: &str) -> ContextBuilder {
        let mut ctx = Context::builder(Provider::GCP, request_id)
            .blobs(self.blobs.clone())
            .scratch_base(self.scratch_base.clone());
        if let Some(timeout) = self.config.timeout {
            ctx = ctx.timeout(timeout);
        }
        if let Some(name) = &self.config.function_name {
            ctx = ctx.function_name(name.clone());
        }
        ctx
    }

    /// The client: behind Google's front end the first `X-Forwarded-For` hop, else the peer.
    fn client_ip(&self, headers: &HeaderMap, peer: SocketAddr) -> IpAddr {
        if self.config.behind_proxy {
            if let Some(ip) = headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|hop| hop.trim().parse::<IpAddr>().ok())
            {
                return ip;
            }
        }
        peer.ip()
    }

    fn next_request_id(&self) -> String {
        self.request_ids.next()
    }
}

/// The request id the platform sent: `Function-Execution-Id`, else the trace id of
/// `X-Cloud-Trace-Context` (`TRACE/SPAN;o=1`) or `traceparent` (`00-TRACE-SPAN-01`).
fn header_request_id(headers: &HeaderMap) -> Option<String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    if let Some(id) = header("function-execution-id") {
        return Some(id.to_owned());
    }
    if let Some(trace) = header("x-cloud-trace-context")
        .and_then(|v| v.split('/').next())
        .filter(|t| !t.is_empty())
    {
        return Some(trace.to_owned());
    }
    header("traceparent")
        .and_then(|v| v.split('-').nth(1))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_from_headers() {
        let mut headers = HeaderMap::new();
        assert_eq!(header_request_id(&headers), None);
        headers.insert(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            header_request_id(&headers).as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        headers.insert(
            "x-cloud-trace-context",
            "105445aa7843bc8bf206b12000100000/1;o=1".parse().unwrap(),
        );
        assert_eq!(
            header_request_id(&headers).as_deref(),
            Some("105445aa7843bc8bf206b12000100000")
        );
        headers.insert("function-execution-id", "exec-1".parse().unwrap());
        assert_eq!(header_request_id(&headers).as_deref(), Some("exec-1"));
    }
}
