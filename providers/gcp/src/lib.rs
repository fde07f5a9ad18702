//! Google Cloud Functions shim for polyfaas: the Functions Framework contract over hyper,
//! CloudEvents and legacy events.
//!
//! A polyfaas binary built with the `gcp` feature is an HTTP server that honours the
//! [Functions Framework contract], so it runs as a Cloud Run function, a Cloud Run service
//! behind Eventarc or a Pub/Sub push subscription, or a Knative service:
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
//!   becomes `Event::Message` ([`pubsub`]), anything else `Event::Invoke` with the whole event
//!   (the CloudEvent's structured JSON for `cloudevent` functions, the legacy
//!   `{"data", "context"}` for `event` functions). For blob and message events the handler can
//!   read the [`CloudEvent`] and the [`LegacyEvent`] (as they arrived or were converted) with
//!   `ctx.extension::<CloudEvent>()`;
//! - status codes and `X-Google-Status` as in [`response`](crate#status-codes);
//! - `CLOUD_RUN_TIMEOUT_SECONDS` sets the deadline; SIGTERM stops accepting, lets requests in
//!   flight finish (up to 8 s) and exits 0.
//!
//! # Status codes
//!
//! | outcome | status | `X-Google-Status` |
//! |---|---|---|
//! | HTTP function | the handler's response | – |
//! | event function, success | 200 with the handler's body, 204 when it is empty | – |
//! | handler error / deadline passed | 500 / 504, `{"error": {"type", "message"}}` | `error` |
//! | handler panic | 500, a generic message (the panic text is only logged) | `crash` |
//! | undecodable event | 400, a message naming the problem | `crash` |
//!
//! [Functions Framework contract]: https://github.com/GoogleCloudPlatform/functions-framework#functions-framework-contract

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod cloudevent;
mod config;
mod decode;
mod error;
pub mod legacy;
pub mod mapping;
pub mod pubsub;
mod response;
mod server;
pub mod storage;

pub use cloudevent::CloudEvent;
pub use config::{GcpConfig, SignatureType, DEFAULT_BODY_LIMIT, DEFAULT_DRAIN};
pub use error::EventError;
pub use legacy::LegacyEvent;
pub use response::{GOOGLE_STATUS, PANIC_MESSAGE};
pub use server::{serve, serve_on};

use polyfaas_core::{Error, Handler};

/// Whether this process was started by the platform: `FUNCTION_TARGET` (Cloud Run functions)
/// or `K_SERVICE` (every Cloud Run / Knative container) is set.
pub fn detected() -> bool {
    std::env::var_os("FUNCTION_TARGET").is_some() || std::env::var_os("K_SERVICE").is_some()
}

/// Runs `handler` until the platform stops the process: reads [`GcpConfig::from_env`], sets
/// up logging (`RUST_LOG`, default `info`, on stderr) and [`serve`]s.
pub async fn run<H: Handler>(handler: H) -> Result<(), Error> {
    polyfaas_core::shim::init_logging();
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
