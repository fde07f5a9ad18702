//! The local dev provider's HTTP server.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use hyper::body::Incoming;
use tokio::net::TcpListener;

use super::LocalConfig;
use crate::blob::{self, Blobs, LocalDirStore};
use crate::server::{self, json_error, BodyError, RequestIds, ResponseBody};
use crate::{canonical, invoke, Context, Error, Event, Handler, Provider, SourceIp, EVENTS_PATH};

/// How long in-flight requests may take to finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(10);

/// Serves `handler` on `config.addr` until Ctrl-C or SIGTERM, then lets in-flight requests
/// finish (up to 10 s) and returns.
pub async fn serve<H: Handler>(handler: H, config: LocalConfig) -> Result<(), Error> {
    let listener = TcpListener::bind(config.addr).await.map_err(|e| {
        Error::Provider(format!(
            "the local dev provider cannot listen on {}: {e} (set PORT or HOST to use another address)",
            config.addr
        ))
    })?;
    serve_on(listener, handler, config, server::shutdown_signal()).await
}

/// Serves `handler` on an already bound listener until `shutdown` completes.
pub async fn serve_on<H, S>(
    listener: TcpListener,
    handler: H,
    config: LocalConfig,
    shutdown: S,
) -> Result<(), Error>
where
    H: Handler,
    S: Future<Output = ()>,
{
    let addr = listener.local_addr()?;
    let blobs = blob::from_env_or(|| Blobs::new(LocalDirStore::new(&config.blob_dir)))?;
    let state = Arc::new(State {
        blobs,
        handler,
        config,
        request_ids: RequestIds::new("local"),
    });
    tracing::info!(
        "polyfaas local dev provider listening on http://{addr} (blobs in {}; fire events with POST {EVENTS_PATH})",
        state.blobs.store().describe()
    );
    let service = move |request, peer| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(state.handle(request, peer).await) }
    };
    server::serve(listener, service, shutdown, DRAIN).await;
    Ok(())
}

struct State<H> {
    handler: H,
    config: LocalConfig,
    blobs: Blobs,
    request_ids: RequestIds,
}

impl<H: Handler> State<H> {
    async fn handle(
        &self,
        request: http::Request<Incoming>,
        peer: SocketAddr,
    ) -> http::Response<ResponseBody> {
        let started = Instant::now();
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let request_id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .map_or_else(|| self.request_ids.next(), str::to_owned);
        let response = self.dispatch(request, peer, &request_id).await;
        tracing::info!(
            %method,
            path,
            status = response.status().as_u16(),
            ms = %format_args!("{:.2}", started.elapsed().as_secs_f64() * 1000.0),
            request_id,
            "request"
        );
        response
    }

    async fn dispatch(
        &self,
        request: http::Request<Incoming>,
        peer: SocketAddr,
        request_id: &str,
    ) -> http::Response<ResponseBody> {
        let mut request = match server::read_body(request, self.config.body_limit).await {
            Ok(request) => request,
            Err(e @ BodyError::TooLarge { .. }) => {
                return json_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "PayloadTooLarge",
                    &format!("{e} (POLYFAAS_BODY_LIMIT)"),
                )
            }
            Err(e) => return json_error(StatusCode::BAD_REQUEST, "BadRequest", &e.to_string()),
        };
        let event = if request.method() == Method::POST && request.uri().path() == EVENTS_PATH {
            match canonical::from_slice(request.body()) {
                Ok(event) => event,
                Err(e) => {
                    return json_error(StatusCode::BAD_REQUEST, "InvalidEvent", &e.to_string())
                }
            }
        } else {
            request.extensions_mut().insert(SourceIp(peer.ip()));
            Event::Http(request)
        };
        let mut ctx = Context::builder(Provider::Local, request_id).blobs(self.blobs.clone());
        if let Some(timeout) = self.config.timeout {
            ctx = ctx.timeout(timeout);
        }
        if let Some(name) = &self.config.function_name {
            ctx = ctx.function_name(name.clone());
        }
        match invoke(&self.handler, event, ctx.build()).await {
            Ok(response) => server::into_http(response),
            Err(error) => {
                let status = match error {
                    Error::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
                    Error::Canonical(_) => StatusCode::BAD_REQUEST,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                };
                json_error(status, error.error_type(), &error.to_string())
            }
        }
    }
}
