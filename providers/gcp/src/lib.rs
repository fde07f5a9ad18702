//! Google Cloud Functions shim for polyfaas: the Functions Framework contract over hyper,
//! CloudEvents and legacy events.
//!
//! A polyfaas binary built with the `gcp` feature is an HTTP server that honours the
//! [Functions Framework contract], so it runs as a Cloud Run function, a Cloud Run service
//! behind Eventarc or a Pub/Sub push subscription, or a Knative service. Applications don't call
//! this crate directly: build with the `gcp` feature of `polyfaas` and `polyfaas::run` comes here.
//!
//! ```no_run
//! use polyfaas_core::{handler_fn, Context, Error, Event, Response};
//! use polyfaas_gcp::CloudEvent;
//!
//! async fn handle(event: Event, ctx: Context) -> Result<Response, Error> {
//!     // A `cloudevent` function's events keep the CloudEvent they came in.
//!     let source = ctx.extra::<CloudEvent>().map(|ce| ce.source.clone());
//!     let trace = ctx.trace_id().map(str::to_owned);
//!     Ok(Response::text(format!("{} from {source:?}, trace {trace:?}", event.kind())))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     polyfaas_gcp::run(handler_fn(handle)).await
//! }
//! ```
//!
//! What it does:
//!
//! - it listens on `PORT` (default 8080) on all interfaces; `FUNCTION_TARGET` names the
//!   function, `FUNCTION_SIGNATURE_TYPE` (`http`, `cloudevent`, `event`) says what it serves
//!   ([`GcpConfig`]);
//! - `http`: every method and path becomes [`Event::Http`](polyfaas_core::Event::Http),
//!   except `/robots.txt` and `/favicon.ico`, which get 404 without calling the function;
//! - `cloudevent` / `event`: CloudEvents in binary or structured mode ([`cloudevent`]),
//!   legacy events nested or flat and raw Pub/Sub push bodies ([`LegacyEvent`]), converted
//!   between the two forms by the mapping rules ([`mapping`]); Cloud Storage
//!   `finalized`/`deleted` become `Event::Blob` ([`storage`]), Pub/Sub `messagePublished`
//!   becomes `Event::Message` ([`pubsub`]), Firestore document events `Event::Change`
//!   ([`firestore`], JSON or protobuf data), anything else `Event::Invoke` with the whole event
//!   (the CloudEvent's structured JSON for `cloudevent` functions, the legacy
//!   `{"data", "context"}` for `event` functions). The event in that form is the platform extra
//!   ([`CloudEvent`], `gcp.cloudevent`, or [`LegacyEvent`], `gcp.legacy_event`):
//!   `ctx.extra::<CloudEvent>()`;
//! - Cloud Scheduler calls become `Event::Schedule` only with a mark: the header
//!   `x-polyfaas-schedule` or `X-CloudScheduler: true` on any signature type, the message
//!   attribute `polyfaas_schedule` on Pub/Sub ([`schedule`], extra [`SchedulerCall`]); a
//!   plain request never does;
//! - HTTP methods by the one rule ([`http_method`](polyfaas_core::shim::http_method)): `post`
//!   is `POST`, `propfind` is refused;
//! - on Google Cloud, log lines are Cloud Logging's JSON with trace, span and execution id
//!   ([`logging`]);
//! - the request id is the event's id (CloudEvent `id`, legacy `eventId`), else
//!   `Function-Execution-Id`, else the trace id of the request, else a generated one; the trace
//!   id (`ctx.trace_id()`) comes from the W3C `traceparent` header, else Google's
//!   `X-Cloud-Trace-Context`, else a CloudEvent's `traceparent` attribute;
//! - status codes and `X-Google-Status` as in [`response`](crate#status-codes); bodies larger
//!   than `POLYFAAS_BODY_LIMIT` get 413, and a request answered before it was read (413, 404,
//!   405) is drained, so a client still sending receives the answer;
//! - `CLOUD_RUN_TIMEOUT_SECONDS` sets the deadline; SIGTERM stops accepting, lets requests in
//!   flight finish (up to 8 s), runs the shutdown hooks ([`Gcp`] as a
//!   [`Platform`](polyfaas_core::Platform)) and exits 0.
//!
//! # Status codes
//!
//! | outcome | status | `X-Google-Status` |
//! |---|---|---|
//! | HTTP function | the handler's response | – |
//! | event function, success | 200 with the handler's body, 204 when it is empty | – |
//! | handler error / deadline passed | 500 / 504, `{"error": {"type", "message"}}` | `error` |
//! | handler panic | 500, [`PANIC_MESSAGE`](polyfaas_core::PANIC_MESSAGE) and the request id (the panic text is only logged) | `crash` |
//! | undecodable event | 400, `InvalidEvent`, a message naming the problem | `crash` |
//! | body over `POLYFAAS_BODY_LIMIT` | 413, `PayloadTooLarge` | – |
//!
//! [Functions Framework contract]: https://github.com/GoogleCloudPlatform/functions-framework#functions-framework-contract

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod cloudevent;
mod config;
mod decode;
pub mod firestore;
mod headers;
mod json;
pub mod legacy;
pub mod logging;
pub mod mapping;
mod names;
pub mod pubsub;
mod response;
pub mod schedule;
mod server;
pub mod storage;
#[cfg(test)]
mod test_support;
mod time;
mod trace;

pub use cloudevent::CloudEvent;
pub use config::{GcpConfig, SignatureType, DEFAULT_BODY_LIMIT, DEFAULT_DRAIN};
pub use legacy::LegacyEvent;
pub use response::GOOGLE_STATUS;
pub use schedule::SchedulerCall;
pub use server::{serve, serve_on};

use polyfaas_core::{Error, Handler};

/// Whether this process was started by the platform: `FUNCTION_TARGET` (Cloud Run functions)
/// or `K_SERVICE` (every Cloud Run / Knative container) is set and not empty.
pub fn detected() -> bool {
    ["FUNCTION_TARGET", "K_SERVICE"]
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
}

/// Runs `handler` until the platform stops the process: reads [`GcpConfig::from_env`], sets
/// up logging on stderr (`RUST_LOG`, default `info`: Cloud Logging's JSON lines on Google Cloud,
/// see [`logging`], text elsewhere) and [`serve`]s.
pub async fn run<H: Handler>(handler: H) -> Result<(), Error> {
    if detected() {
        polyfaas_core::shim::init_json_logging(logging::CloudLogging::from_env(), "info");
    } else {
        polyfaas_core::shim::init_logging();
    }
    serve(handler, GcpConfig::from_env()?).await
}

/// Google Cloud Functions / Cloud Run as a [`Platform`](polyfaas_core::Platform), for `polyfaas::run`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Gcp;

impl polyfaas_core::Platform for Gcp {
    fn provider(&self) -> polyfaas_core::Provider {
        polyfaas_core::Provider::GCP
    }

    fn detected(&self) -> bool {
        detected()
    }

    fn run(
        &self,
        handler: std::sync::Arc<dyn polyfaas_core::Handler>,
        shutdown: polyfaas_core::Shutdown,
    ) -> polyfaas_core::platform::RunFuture {
        Box::pin(async move {
            // `run` returns once the platform has told the process to stop.
            let served = run(handler).await;
            shutdown.run().await;
            served
        })
    }
}
