//! The local dev provider's HTTP server: transport (core's server loop) and codec (an HTTP
//! request, or a canonical JSON event on `POST /_polyfaas/events`) over the invocation skeleton.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::Method;
use polyfaas_core::blob::{self, Blobs, EnvVars, LocalDirStore};
use polyfaas_core::server::{self, failure_response, into_http, RequestBody, ResponseBody};
use polyfaas_core::shim::Traceparent;
use polyfaas_core::{
    canonical, Error, Event, Handler, Invocation, Invoker, Provider, SourceIp, StartupError,
    EVENTS_PATH,
};
use tokio::net::TcpListener;

use crate::record::Recording;
use crate::LocalConfig;

/// How long in-flight requests may take to finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(10);

/// Serves `handler` on `config.addr` until Ctrl-C or SIGTERM, then lets in-flight requests
/// finish (up to 10 s) and returns.
pub async fn serve<H: Handler>(handler: H, config: LocalConfig) -> Result<(), Error> {
    let listener = TcpListener::bind(config.addr).await.map_err(|e| {
        StartupError::new(format!(
            "the local dev provider cannot listen on {} (set PORT or HOST to use another address)",
            config.addr
        ))
        .with_source(e)
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
    let blobs = blob::from_env(&EnvVars::process(), |_| {
        Ok(Blobs::new(LocalDirStore::new(&config.blob_dir)))
    })
    .map_err(StartupError::from)?;
    let recording = match &config.record_dir {
        Some(dir) => {
            let recording = Recording::open(dir)?;
            tracing::info!("recording every event received in {}", dir.display());
            Some(recording)
        }
        None => None,
    };
    tracing::info!(
        "polyfaas local dev provider listening on http://{addr} (blobs in {}; fire events with POST {EVENTS_PATH})",
        blobs.store().describe()
    );
    let invoker = Invoker::builder(Provider::LOCAL, handler)
        .blobs(blobs)
        .function_name(config.function_name.clone())
        .timeout(config.timeout)
        .streams_responses(true)
        .build();
    let state = Arc::new(State {
        invoker,
        body_limit: config.body_limit,
        recording,
    });
    let service = move |request, peer| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(state.handle(request, peer).await) }
    };
    server::serve(listener, service, shutdown, DRAIN).await;
    Ok(())
}

struct State {
    invoker: Invoker,
    body_limit: usize,
    recording: Option<Recording>,
}

impl State {
    async fn handle(
        &self,
        request: http::Request<RequestBody>,
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
            .map_or_else(|| self.invoker.next_request_id(), str::to_owned);
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
        request: http::Request<RequestBody>,
        peer: SocketAddr,
        request_id: &str,
    ) -> http::Response<ResponseBody> {
        // A caller's W3C trace context: the trace id handlers read, and (feature
        // `opentelemetry`) the parent of the exported invocation span.
        let traceparent = request
            .headers()
            .get("traceparent")
            .and_then(|v| v.to_str().ok())
            .and_then(Traceparent::parse);
        let invocation = Invocation::new()
            .request_id(request_id)
            .traceparent(traceparent);
        let mut request = match server::read_body(request, self.body_limit).await {
            Ok(request) => request,
            Err(e) => return failure_response(&e.to_failure()),
        };
        let event = if request.method() == Method::POST && request.uri().path() == EVENTS_PATH {
            match canonical::from_slice(request.body()) {
                Ok(event) => event,
                Err(e) => {
                    return failure_response(
                        &self.invoker.refuse(&e, invocation.request_id_given()),
                    )
                }
            }
        } else {
            request.extensions_mut().insert(SourceIp(peer.ip()));
            Event::Http(request)
        };
        if let Some(recording) = &self.recording {
            recording.write(&event);
        }
        match self.invoker.invoke(event, invocation).await {
            Ok(response) => into_http(response),
            Err(failure) => failure_response(&failure),
        }
    }
}
