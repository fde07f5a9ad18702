//! The local dev provider's HTTP server.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use super::LocalConfig;
use crate::blob::{Blobs, LocalDirStore};
use crate::{
    canonical, invoke, Context, Error, Event, Handler, Provider, Request, SourceIp, EVENTS_PATH,
};

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
    serve_on(listener, handler, config, shutdown_signal()).await
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
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
    let state = Arc::new(State {
        blobs: Blobs::new(LocalDirStore::new(&config.blob_dir)),
        handler,
        config,
        started: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64),
        requests: AtomicU64::new(0),
    });
    tracing::info!(
        "polyfaas local dev provider listening on http://{addr} (blobs in {}; fire events with POST {EVENTS_PATH})",
        state.config.blob_dir.display()
    );
    let builder = auto::Builder::new(TokioExecutor::new());
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let state = state.clone();
        let service = hyper::service::service_fn(move |request| {
            let state = state.clone();
            async move { Ok::<_, Infallible>(state.handle(request, peer).await) }
        });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tracing::info!("shutting down: finishing requests in flight");
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after {DRAIN:?}; stopping anyway");
    }
    Ok(())
}

struct State<H> {
    handler: H,
    config: LocalConfig,
    blobs: Blobs,
    started: u64,
    requests: AtomicU64,
}

impl<H: Handler> State<H> {
    async fn handle(
        &self,
        request: http::Request<Incoming>,
        peer: SocketAddr,
    ) -> http::Response<Full<Bytes>> {
        let started = Instant::now();
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let request_id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .map_or_else(|| self.next_request_id(), str::to_owned);
        let response = self.dispatch(request, peer, &request_id).await;
        tracing::info!(
            %method,
            path,
            status = response.status().as_u16(),
            ms = started.elapsed().as_secs_f64() * 1000.0,
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
    ) -> http::Response<Full<Bytes>> {
        let limit = self.config.body_limit;
        let declared = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > limit as u64) {
            return too_large(limit);
        }
        let (parts, body) = request.into_parts();
        let body = match Limited::new(body, limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => return too_large(limit),
            Err(e) => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    &format!("could not read the request body: {e}"),
                )
            }
        };
        let event = if parts.method == Method::POST && parts.uri.path() == EVENTS_PATH {
            match canonical::from_slice(&body) {
                Ok(event) => event,
                Err(e) => {
                    return error_response(StatusCode::BAD_REQUEST, "InvalidEvent", &e.to_string())
                }
            }
        } else {
            let mut request = Request::from_parts(parts, body);
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
            Ok(response) => {
                let (status, headers, body) = response.into_parts();
                let mut out = http::Response::new(Full::new(body));
                *out.status_mut() = status;
                *out.headers_mut() = headers;
                out
            }
            Err(error) => {
                let status = match error {
                    Error::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
                    Error::Canonical(_) => StatusCode::BAD_REQUEST,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                };
                error_response(status, error.error_type(), &error.to_string())
            }
        }
    }

    fn next_request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        format!("local-{:x}-{n}", self.started)
    }
}

fn too_large(limit: usize) -> http::Response<Full<Bytes>> {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PayloadTooLarge",
        &format!(
            "the request body is larger than the limit of {limit} bytes (POLYFAAS_BODY_LIMIT)"
        ),
    )
}

fn error_response(
    status: StatusCode,
    error_type: &str,
    message: &str,
) -> http::Response<Full<Bytes>> {
    let body = serde_json::json!({ "error": { "type": error_type, "message": message } });
    let mut response = http::Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
