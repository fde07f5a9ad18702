//! The HTTP server: transport (core's shared accept loop) and codec (the Functions Framework
//! contract) over the invocation skeleton.
//!
//! Per request: `/robots.txt` and `/favicon.ico` get 404; an `http` function's request becomes
//! an [`Event::Http`]; an event function's body is decoded ([`decode`](crate::decode)) into the
//! neutral event and its [`CloudEvent`](crate::CloudEvent) / [`LegacyEvent`](crate::LegacyEvent)
//! extras. The [`Invoker`] runs the handler; the outcome is written back by
//! [`response`](crate::response).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use http::{HeaderMap, Method};
use polyfaas_core::blob::{self, Blobs, EnvVars, Scheme};
use polyfaas_core::server::{self, into_http, RequestBody, ResponseBody};
use polyfaas_core::shim::http_method;
use polyfaas_core::{Error, Event, Handler, Invocation, Invoker, Provider, SourceIp, StartupError};
use tokio::net::TcpListener;

use crate::cloudevent;
use crate::decode::{self, Decoded, Form};
use crate::trace::Trace;
use crate::{headers, response, schedule, GcpConfig, SignatureType};

/// Serves `handler` on `config.addr` until SIGTERM (or Ctrl-C), then lets requests in flight
/// finish (up to `config.drain`) and returns.
///
/// Everything that can fail is done before the port is bound, because Cloud Run's startup
/// probe takes an open port to mean "ready".
pub async fn serve<H: Handler>(handler: H, config: GcpConfig) -> Result<(), Error> {
    let blobs = open_blobs()?;
    let listener = TcpListener::bind(config.addr).await.map_err(|e| {
        StartupError::new(format!(
            "the gcp shim cannot listen on {} (set PORT to use another port)",
            config.addr
        ))
        .with_source(e)
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
    // HTTP functions stream their answers (chunked); an event function's answer is read whole
    // (its status depends on whether the body is empty).
    let invoker = Invoker::builder(Provider::GCP, handler)
        .blobs(blobs)
        .function_name(config.function_name.clone())
        .timeout(config.timeout)
        .streams_responses(config.signature == SignatureType::Http)
        .build();
    let drain = config.drain;
    let state = Arc::new(State { invoker, config });
    let service = move |request, peer| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(state.handle(request, peer).await) }
    };
    server::serve(listener, service, shutdown, drain).await;
    tracing::info!("stopped");
    Ok(())
}

struct State {
    invoker: Invoker,
    config: GcpConfig,
}

impl State {
    async fn handle(
        &self,
        mut request: http::Request<RequestBody>,
        peer: SocketAddr,
    ) -> http::Response<ResponseBody> {
        let started = Instant::now();
        let path = request.uri().path();
        if path == "/robots.txt" || path == "/favicon.ico" {
            return response::not_found();
        }
        let path = path.to_owned();
        // One rule for methods on every platform: `post` is POST, `true` is not a method.
        match http_method(request.method().as_str(), "method") {
            Ok(method) => *request.method_mut() = method,
            Err(error) => {
                let request_id = self.request_id(request.headers());
                let failure = self.invoker.refuse(&error, Some(request_id.as_str()));
                return response::failure(&failure);
            }
        }
        let method = request.method().clone();
        let (response, request_id) = if schedule::is_marked(request.headers()) {
            self.schedule(request).await
        } else {
            match self.config.signature {
                SignatureType::Http => self.http(request, peer).await,
                signature => self.event(request, signature).await,
            }
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
        let request_id = self.request_id(request.headers());
        let ip = headers::client_ip(request.headers(), peer, self.config.behind_proxy);
        let invocation = self.invocation(&request_id, request.headers(), None);
        let mut request = match server::read_body(request, self.config.body_limit).await {
            Ok(request) => request,
            Err(e) => return (response::failure(&e.to_failure()), request_id),
        };
        request.extensions_mut().insert(SourceIp(ip));
        let response = match self.invoker.invoke(Event::Http(request), invocation).await {
            Ok(response) => into_http(response),
            Err(failure) => response::failure(&failure),
        };
        (response, request_id)
    }

    /// A Cloud Scheduler call carrying a schedule mark ([`schedule`]), on any signature type.
    async fn schedule(
        &self,
        request: http::Request<RequestBody>,
    ) -> (http::Response<ResponseBody>, String) {
        let request_id = self.request_id(request.headers());
        let invocation = self.invocation(&request_id, request.headers(), None);
        let request = match server::read_body(request, self.config.body_limit).await {
            Ok(request) => request,
            Err(e) => return (response::failure(&e.to_failure()), request_id),
        };
        let (parts, body) = request.into_parts();
        let target = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        let (tick, call) =
            match schedule::from_call(&parts.headers, parts.method.as_str(), target, body) {
                Ok(decoded) => decoded,
                Err(error) => {
                    let failure = self.invoker.refuse(&error, invocation.request_id_given());
                    return (response::failure(&failure), request_id);
                }
            };
        let invocation = invocation.extra(call);
        let response = match self.invoker.invoke(Event::Schedule(tick), invocation).await {
            Ok(response) => response::event_result(response),
            Err(failure) => response::failure(&failure),
        };
        (response, request_id)
    }

    async fn event(
        &self,
        request: http::Request<RequestBody>,
        signature: SignatureType,
    ) -> (http::Response<ResponseBody>, String) {
        if request.method() != Method::POST {
            let request_id = self.request_id(request.headers());
            return (response::method_not_allowed(signature.as_str()), request_id);
        }
        let from_headers = headers::request_id(request.headers());
        let request = match server::read_body(request, self.config.body_limit).await {
            Ok(request) => request,
            Err(e) => {
                let request_id = from_headers.unwrap_or_else(|| self.invoker.next_request_id());
                return (response::failure(&e.to_failure()), request_id);
            }
        };
        let (parts, body) = request.into_parts();
        let Decoded {
            event,
            id,
            form,
            trace,
        } = match decode::decode(signature, &parts.headers, parts.uri.path(), &body) {
            Ok(decoded) => decoded,
            Err(error) => {
                let request_id = from_headers.unwrap_or_else(|| self.invoker.next_request_id());
                let failure = self.invoker.refuse(&error, Some(request_id.as_str()));
                return (response::failure(&failure), request_id);
            }
        };
        // The event's own id, else the platform's headers, else a new one.
        let request_id = id
            .filter(|id| !id.is_empty())
            .or(from_headers)
            .unwrap_or_else(|| self.invoker.next_request_id());
        let invocation = self.invocation(&request_id, &parts.headers, trace);
        let invocation = match form {
            Form::Cloud(cloudevent) => invocation.extra(cloudevent),
            // The body was checked to be JSON: reading it again cannot fail.
            Form::CloudUnread(attributes, body) => invocation
                .lazy_extra(move || cloudevent::binary::with_data(attributes.clone(), &body).ok()),
            Form::Legacy(legacy) => invocation.extra(legacy),
        };
        let response = match self.invoker.invoke(event, invocation).await {
            Ok(response) => response::event_result(response),
            Err(failure) => response::failure(&failure),
        };
        (response, request_id)
    }

    /// The platform's request id from the headers, else a new one.
    fn request_id(&self, headers: &HeaderMap) -> String {
        headers::request_id(headers).unwrap_or_else(|| self.invoker.next_request_id())
    }

    /// The invocation's request id, trace (the headers', else the event's) and span: the span
    /// carries what Cloud Logging correlates a line by (trace, span id, execution id) to the
    /// [log schema](crate::logging).
    fn invocation(
        &self,
        request_id: &str,
        headers: &HeaderMap,
        event: Option<Trace>,
    ) -> Invocation {
        let trace = Trace::of_headers(headers).or(event);
        let execution_id = headers::execution_id(headers).unwrap_or(request_id);
        let (trace_id, span_id, sampled) = match &trace {
            Some(t) => (Some(t.trace_id.as_str()), t.span_id.as_deref(), t.sampled),
            None => (None, None, None),
        };
        let span = tracing::info_span!(
            "invocation",
            request_id,
            provider = "gcp",
            trace_id,
            span_id,
            trace_sampled = sampled,
            execution_id,
        );
        Invocation::new()
            .request_id(request_id)
            .traceparent(trace.as_ref().and_then(Trace::traceparent))
            .trace_id(trace.map(|t| t.trace_id))
            .span(span)
    }
}
