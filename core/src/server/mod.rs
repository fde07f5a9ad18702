//! The HTTP server loop shared by the shims that serve HTTP themselves (the local dev provider,
//! Google Cloud Functions, the Azure custom handler): accept, one task per connection (HTTP/1.1;
//! also HTTP/2 with the feature `http2`), graceful drain on shutdown; request bodies read under
//! a size limit, and drained (bounded) when a shim answers before reading them, so the caller
//! always receives the answer.

mod answer;
mod body;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::BoxError;

pub use answer::{boxed, failure_response, full, into_http, json_error, ResponseBody};
pub use body::{read_body, BodyError, RequestBody, DRAIN_LIMIT, DRAIN_TIME};

/// How the server winds down: how long requests in flight may take after a shutdown signal,
/// and how much of a request body a handler left unread is read (and dropped) so the caller
/// receives the answer.
///
/// ```
/// use std::time::Duration;
/// use polyfaas_core::server::Drain;
///
/// // Azure blob envelopes can be 1.3x a large blob: drain up to 1 GiB for a minute.
/// let drain = Drain::new(Duration::from_secs(10)).unread_bodies(1 << 30, Duration::from_secs(60));
/// # let _ = drain;
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Drain {
    in_flight: Duration,
    unread_body_limit: u64,
    unread_body_time: Duration,
}

impl Drain {
    /// Requests in flight get `in_flight`; unread bodies [`DRAIN_LIMIT`] and [`DRAIN_TIME`].
    pub fn new(in_flight: Duration) -> Self {
        Drain {
            in_flight,
            unread_body_limit: DRAIN_LIMIT,
            unread_body_time: DRAIN_TIME,
        }
    }

    /// How much of an unread request body is drained, and for how long at most.
    pub fn unread_bodies(mut self, limit: u64, time: Duration) -> Self {
        self.unread_body_limit = limit;
        self.unread_body_time = time;
        self
    }
}

impl From<Duration> for Drain {
    fn from(in_flight: Duration) -> Self {
        Drain::new(in_flight)
    }
}

/// Serves connections from `listener` until `shutdown` completes, then stops accepting and
/// waits (up to `drain`'s in-flight time) for requests in flight. `service` is called once per
/// request with the peer's address; the request's body is a [`RequestBody`], which drains what
/// the service left unread; the answer's body is a [`ResponseBody`] (whole, or streamed chunk by
/// chunk).
///
/// The accept loop is spawned on the current tokio runtime, and each connection is a task of
/// its own: on the multi-thread runtime the worker that sees a connection arrive accepts it,
/// rather than the thread awaiting `serve` (under `#[tokio::main]`, the main thread, which
/// drives no I/O). `shutdown` is polled by the caller. A panic in the accept loop is resumed
/// here; dropping the returned future stops accepting (connections already open run on).
///
/// ```no_run
/// use std::convert::Infallible;
/// use polyfaas_core::server::{serve, shutdown_signal};
///
/// # async fn demo() -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// serve(listener, |request, _peer| async move {
///     Ok::<_, Infallible>(http::Response::new(polyfaas_core::server::full("hi")))
/// }, shutdown_signal(), std::time::Duration::from_secs(10)).await;
/// # Ok(()) }
/// ```
pub async fn serve<F, Fut, E, S>(
    listener: TcpListener,
    service: F,
    shutdown: S,
    drain: impl Into<Drain>,
) where
    F: Fn(http::Request<RequestBody>, SocketAddr) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<http::Response<ResponseBody>, E>> + Send + 'static,
    E: Into<BoxError> + 'static,
    S: Future<Output = ()>,
{
    let drain = drain.into();
    // The accept loop runs as a task of its own: on the multi-thread runtime, the worker whose
    // poll saw a connection arrive accepts it and runs the connection's task next, rather than
    // waking the thread that called `serve` (which drives no I/O) to accept and hand it back.
    let (stop, stopped) = tokio::sync::oneshot::channel();
    let mut accepting = tokio::spawn(accept(listener, service, stopped, drain));
    let mut shutdown = std::pin::pin!(shutdown);
    let joined = tokio::select! {
        () = &mut shutdown => {
            let _ = stop.send(());
            (&mut accepting).await
        }
        // The loop only ends when told to, or by a panic.
        joined = &mut accepting => joined,
    };
    let graceful = match joined {
        Ok(graceful) => graceful,
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            // The runtime is shutting down: nothing is left to drain.
            Err(_) => return,
        },
    };
    tracing::info!("shutting down: finishing requests in flight");
    if tokio::time::timeout(drain.in_flight, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "requests still running after {:?}; stopping anyway",
            drain.in_flight
        );
    }
}

/// Accepts connections, one task each, until `stopped` completes (or its sender is dropped);
/// returns what watches the connections still open, for the drain.
async fn accept<F, Fut, E>(
    listener: TcpListener,
    service: F,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
    drain: Drain,
) -> GracefulShutdown
where
    F: Fn(http::Request<RequestBody>, SocketAddr) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<http::Response<ResponseBody>, E>> + Send + 'static,
    E: Into<BoxError> + 'static,
{
    let Drain {
        unread_body_limit,
        unread_body_time,
        ..
    } = drain;
    // HTTP/1.1, what Cloud Run (a port named `http1`, the default), the Azure Functions host
    // and the local provider's callers speak; with `http2`, also HTTP/2 with prior knowledge
    // (Cloud Run's `h2c` port), told apart by the connection's first bytes.
    #[cfg(feature = "http2")]
    let builder =
        hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
    #[cfg(not(feature = "http2"))]
    let builder = hyper::server::conn::http1::Builder::new();
    let graceful = GracefulShutdown::new();
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
            _ = &mut stopped => break,
        };
        let service = service.clone();
        let service = hyper::service::service_fn(move |request: http::Request<_>| {
            service(
                request.map(|body| RequestBody::new(body, unread_body_limit, unread_body_time)),
                peer,
            )
        });
        #[cfg(feature = "http2")]
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        #[cfg(not(feature = "http2"))]
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
        });
    }
    graceful
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
