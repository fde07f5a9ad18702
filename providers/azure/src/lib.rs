//! Azure Functions custom handler shim for polyfaas, over axum: blob triggers handed over as
//! local files.
//!
//! The Functions host starts the function's binary with `FUNCTIONS_CUSTOMHANDLER_PORT`, polls
//! `GET /` until it answers, then POSTs every invocation to `/<function name>` as
//! `{"Data": {...}, "Metadata": {...}}` and expects `{"Outputs", "Logs", "ReturnValue"}` back.
//! [`run`] serves that protocol: it reads each function's `function.json` under the app root to
//! know its trigger, turns the envelope into neutral [`Event`](polyfaas_core::Event)s (one per
//! record of a batch) and the trigger's typed extras ([`InvocationId`], [`AzureMetadata`],
//! [`RouteParams`], [`BlobMetadata`], [`QueueMetadata`], [`TimerInfo`], [`EventHubsMetadata`],
//! [`ServiceBusMetadata`], [`CosmosDocument`]), runs the handler through the invocation skeleton
//! ([`Invoker`](polyfaas_core::Invoker)), and answers with the handler's response, the named
//! outputs it set ([`Response::with_output`](polyfaas_core::Response::with_output), written to
//! `Outputs` for the bindings `function.json` declares) and the log lines it emitted.
//!
//! ```no_run
//! use polyfaas_core::{handler_fn, Context, Error, Event, Response};
//!
//! async fn handle(event: Event, ctx: Context) -> Result<Response, Error> {
//!     match event {
//!         Event::Blob(blob) => {
//!             // Already on disk: the shim decoded the trigger's content to a file.
//!             let path = blob.local_path(&ctx).await?;
//!             tracing::info!(key = %blob.key(), "got {} bytes", std::fs::metadata(path)?.len());
//!             Ok(Response::ok())
//!         }
//!         _ => Ok(Response::text("hello from Azure")),
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     polyfaas_azure::run(handler_fn(handle)).await // or polyfaas::run with feature `azure`
//! }
//! ```
//!
//! | trigger | event |
//! |---|---|
//! | `httpTrigger` | `Event::Http` from `Data.<req>` (path and query from `Url`); the response goes to the `http` output binding. With `enableForwardingHttpRequest`, the raw request and a raw (binary-capable) response |
//! | `blobTrigger` | `Event::Blob` with its content already in a local file (see `blob_file.rs`); container and key from `Metadata.Uri` |
//! | `queueTrigger` | `Event::Message`; `dequeue_count`, times and `retry_count` as attributes |
//! | `timerTrigger` | `Event::Schedule`; past-due in the [`TimerInfo`] extra |
//! | `eventHubTrigger` | one `Event::Message` per event (`cardinality` `one` or `many`); `partition_key`, `sequence_number`, `offset`, `enqueued_time`, `partition` and the application properties as attributes |
//! | `serviceBusTrigger` | one `Event::Message` per message (a queue or a topic's subscription); `delivery_count`, `enqueued_time`, `sequence_number`, `session_id` and the application properties as attributes |
//! | `cosmosDBTrigger` | one `Event::Change` per document: `upsert`, the document as `new` |
//! | anything else | `Event::Invoke` with the trigger's value |
//!
//! A batch's records run one at a time, in order; Azure has no partial batch response, so the
//! first record that fails fails the invocation, naming it, and the records after it are not run
//! (see the README's "Batches").
//!
//! One module per job: [`config`](AzureConfig), `function_json`, `json` (names compared as the
//! host does), [`payload`] (the double-encoded values), `http_trigger`, `forwarding`,
//! `blob_file` (the one place a blob becomes a local file), `stream_split`, `blob_trigger`,
//! `queue`, `timer`, `records` (one record or a batch, and each record's metadata),
//! `event_hubs`, `service_bus`, `cosmos`, `runner` (events through the skeleton, a batch in
//! order), `outputs` (named outputs as the host reads each binding type), [`logs`], `rejection`,
//! `response`, [`scaffold`] (writing `host.json` and `function.json`), `app` (what requests
//! share), `server` (routes on core's server loop), `invocation` (one envelope through the
//! skeleton).

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod app;
mod blob_file;
mod blob_trigger;
mod config;
mod cosmos;
mod decode;
mod event_hubs;
mod forwarding;
mod function_json;
#[doc(hidden)]
pub mod fuzzing;
mod http_trigger;
mod invocation;
mod json;
pub mod logs;
mod outputs;
pub mod payload;
mod queue;
mod records;
mod rejection;
mod response;
mod runner;
pub mod scaffold;
mod server;
mod service_bus;
mod stream_split;
mod timer;

pub use app::InvocationId;
pub use blob_trigger::BlobMetadata;
pub use config::{AzureConfig, DEFAULT_BODY_LIMIT};
pub use cosmos::CosmosDocument;
pub use event_hubs::EventHubsMetadata;
pub use function_json::{Binding, FunctionDef, Functions, TriggerKind};
pub use http_trigger::RouteParams;
pub use payload::AzureMetadata;
pub use queue::QueueMetadata;
pub use server::serve;
pub use service_bus::ServiceBusMetadata;
pub use timer::TimerInfo;

use polyfaas_core::{Error, Handler};

/// Whether this process was started by the Functions host (`FUNCTIONS_CUSTOMHANDLER_PORT` is
/// set).
pub fn detected() -> bool {
    std::env::var_os("FUNCTIONS_CUSTOMHANDLER_PORT").is_some()
}

/// Runs `handler` as the app's custom handler until the host stops the process (SIGTERM or
/// Ctrl-C: requests in flight are finished first).
///
/// Installs the log output: lines on stderr, filtered by `RUST_LOG` (default `info`), and each
/// invocation's lines returned in `Logs` ([`logs::CaptureLayer`]). Fails at start-up when
/// `FUNCTIONS_CUSTOMHANDLER_PORT` is missing or invalid, `POLYFAAS_BODY_LIMIT` is invalid, a
/// `host.json` or `function.json` cannot be read, `POLYFAAS_BLOB_URL` is invalid, or the port is
/// taken; the message names which.
pub async fn run<H: Handler>(handler: H) -> Result<(), Error> {
    if !polyfaas_core::shim::init_logging_with(logs::CaptureLayer) {
        tracing::warn!(
            "a tracing subscriber was already installed: log lines are not returned in `Logs` unless it includes polyfaas_azure::logs::CaptureLayer"
        );
    }
    let config = AzureConfig::from_env()?;
    serve(handler, config, polyfaas_core::server::shutdown_signal()).await
}

/// Azure Functions (custom handler) as a [`Platform`](polyfaas_core::Platform), for `polyfaas::run`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Azure;

impl polyfaas_core::Platform for Azure {
    fn provider(&self) -> polyfaas_core::Provider {
        polyfaas_core::Provider::AZURE
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
