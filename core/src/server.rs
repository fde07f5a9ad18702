//! The HTTP server loop shared by the shims that serve HTTP themselves (the local dev provider,
//! Google Cloud Functions): accept, one task per connection (HTTP/1.1 and HTTP/2), graceful
//! drain on shutdown, and reading a request body under a size limit.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use http::StatusCode;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

/// The body type the shared server answers with.
pub type ResponseBody = Full<Bytes>;

/// Serves connections from `listener` until `shutdown` completes, then stops accepting and
/// waits up to `drain` for requests in flight. `service` is called once per request with the
/// peer's address.
///
/// ```no_run
/// use std::convert::Infallible;
/// use polyfaas_core::server::{serve, shutdown_signal};
///
/// # async fn demo() -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// serve(listener, |request, _peer| async move {
///     Ok::<_, Infallible>(http::Response::new(http_body_util::Full::new(bytes::Bytes::from("hi"))))
/// }, shutdown_signal(), std::time::Duration::from_secs(10)).await;
/// # Ok(()) }
/// ```
pub async fn serve<F, Fut, S>(listener: TcpListener, service: F, shutdown: S, drain: Duration)
where
    F: Fn(http::Request<Incoming>, SocketAddr) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<http::Response<ResponseBody>, Infallible>> + Send + 'static,
    S: Future<Output = ()>,
{
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
        let service = service.clone();
        let service = hyper::service::service_fn(move |request| service(request, peer));
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
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after {drain:?}; stopping anyway");
    }
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

/// Why a request body could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// The body is larger than the limit (by its `content-length`, or as it arrived).
    #[error("the request body is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The connection failed while the body was read.
    #[error("could not read the request body: {0}")]
    Read(String),
}

/// Reads a whole request body, refusing more than `limit` bytes (checked against
/// `content-length` first, then as the body arrives).
pub async fn read_body(
    request: http::Request<Incoming>,
    limit: usize,
) -> Result<http::Request<Bytes>, BodyError> {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    let (parts, body) = request.into_parts();
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(http::Request::from_parts(parts, collected.to_bytes())),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(BodyError::TooLarge { limit })
        }
        Err(e) => Err(BodyError::Read(e.to_string())),
    }
}

/// A JSON error answer `{"error": {"type": ..., "message": ...}}`.
pub fn json_error(
    status: StatusCode,
    error_type: &str,
    message: &str,
) -> http::Response<ResponseBody> {
    let body = serde_json::json!({ "error": { "type": error_type, "message": message } });
    let mut response = http::Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A neutral [`Response`](crate::Response) as an HTTP response for the shared server.
pub fn into_http(response: crate::Response) -> http::Response<ResponseBody> {
    let (status, headers, body) = response.into_parts();
    let mut out = http::Response::new(Full::new(body));
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    out
}

/// Ids for requests that arrive without one: `<prefix>-<start time, hex ms>-<n>`, unique within
/// the process and unlikely to repeat across restarts.
///
/// ```
/// let ids = polyfaas_core::server::RequestIds::new("local");
/// let (a, b) = (ids.next(), ids.next());
/// assert!(a.starts_with("local-") && a.ends_with("-1") && b.ends_with("-2"));
/// ```
#[derive(Debug)]
pub struct RequestIds {
    prefix: &'static str,
    started: u64,
    issued: AtomicU64,
}

impl RequestIds {
    /// A generator whose ids start with `prefix`.
    pub fn new(prefix: &'static str) -> Self {
        RequestIds {
            prefix,
            started: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            issued: AtomicU64::new(0),
        }
    }

    /// The next id.
    pub fn next(&self) -> String {
        let n = self.issued.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{}-{:x}-{n}", self.prefix, self.started)
    }
}
