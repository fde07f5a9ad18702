//! Replaying recorded events through a handler, in process, in a function's own `cargo test`:
//! Placebo's idea (record once, replay in tests) for functions.
//!
//! `cargo polyfaas dev --record DIR` writes every event the local provider receives to `DIR`
//! ([`record`](crate::record) format); [`replay`] reads them back and runs each through the
//! handler through the [`Invoker`] (the one invocation skeleton every platform uses: deadline,
//! panics, scratch files, the classification of failures), and returns what each gave, for the
//! test to assert on.
//!
//! ```
//! use polyfaas_core::{handler_fn, Context, Error, Event, Response};
//! use polyfaas_testkit::record::Recorder;
//! use serde_json::json;
//!
//! async fn handle(event: Event, _ctx: Context) -> Result<Response, Error> {
//!     match event {
//!         Event::Invoke(payload) if payload["fail"] == true => Err(Error::msg("asked to fail")),
//!         other => Ok(Response::text(other.kind())),
//!     }
//! }
//!
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let dir = tempfile::tempdir()?;
//! let mut recorder = Recorder::new(dir.path())?;
//! recorder.record(&json!({"kind": "invoke", "payload": {"fail": false}}))?;
//! recorder.record(&json!({"kind": "invoke", "payload": {"fail": true}}))?;
//! recorder.record(&json!({"kind": "http", "method": "GET", "path": "/hello"}))?;
//!
//! let results = polyfaas_testkit::replay(dir.path(), handler_fn(handle)).await?;
//! assert_eq!(results.len(), 3);
//! assert_eq!(results[0].result.as_ref().unwrap().body(), "invoke");
//! assert_eq!(results[1].result.as_ref().unwrap_err().message(), "asked to fail");
//! assert_eq!(results[2].result.as_ref().unwrap().body(), "http");
//! # Ok::<(), Box<dyn std::error::Error>>(()) })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use std::sync::Arc;

use polyfaas_core::blob::{Blobs, MemoryStore};
use polyfaas_core::canonical;
use polyfaas_core::{BadInput, Failure, Handler, Invocation, Invoker, Provider, Response};
use serde_json::Value;

use crate::record::{self, RecordError};

/// Replaying could not start or an event file is not an event the core reads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The directory or a file could not be read.
    #[error(transparent)]
    Read(#[from] RecordError),
    /// A file's event is not canonical JSON the core reads.
    #[error("{}: {source}", path.display())]
    Event {
        /// The file.
        path: PathBuf,
        /// Why.
        source: BadInput,
    },
}

/// What one recorded event gave.
#[derive(Debug)]
#[non_exhaustive]
pub struct Replayed {
    /// The file.
    pub path: PathBuf,
    /// The event's canonical JSON, as read.
    pub event: Value,
    /// The handler's response, or its classified failure (a panic or a timeout included).
    pub result: Result<Response, Failure>,
}

impl Replayed {
    /// The file's name without `.json`.
    pub fn name(&self) -> String {
        self.path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
    }
}

/// Replays every event of `dir`, in file-name order, through `handler`, each with a fresh
/// context (provider `local`, request id `replay-<file name>`, an empty memory blob store, no
/// deadline). Every file is read first: a bad one is an error before any event runs.
pub async fn replay(
    dir: impl AsRef<Path>,
    handler: impl Handler,
) -> Result<Vec<Replayed>, ReplayError> {
    Replay::new(dir).run(handler).await
}

/// [`replay`] with options.
#[derive(Debug)]
#[must_use]
pub struct Replay {
    dir: PathBuf,
    blobs: Option<Blobs>,
    timeout: Option<Duration>,
    function_name: String,
}

impl Replay {
    /// Replays the events of `dir`.
    pub fn new(dir: impl AsRef<Path>) -> Replay {
        Replay {
            dir: dir.as_ref().to_owned(),
            blobs: None,
            timeout: None,
            function_name: "replay".to_owned(),
        }
    }

    /// The blob store every context gets (default: a fresh memory store per event).
    pub fn blobs(mut self, blobs: Blobs) -> Self {
        self.blobs = Some(blobs);
        self
    }

    /// A deadline this far from each event's start (default: none).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The function name the contexts report (default `replay`).
    pub fn function_name(mut self, name: impl Into<String>) -> Self {
        self.function_name = name.into();
        self
    }

    /// Runs every event through `handler`.
    pub async fn run(&self, handler: impl Handler) -> Result<Vec<Replayed>, ReplayError> {
        let handler: Arc<dyn Handler> = Arc::new(handler);
        let recorded = record::read_dir(&self.dir)?;
        let mut events = Vec::with_capacity(recorded.len());
        for file in recorded {
            let event =
                canonical::from_json(file.event.clone()).map_err(|source| ReplayError::Event {
                    path: file.path.clone(),
                    source,
                })?;
            events.push((file, event));
        }
        let mut results = Vec::with_capacity(events.len());
        for (file, event) in events {
            let blobs = self
                .blobs
                .clone()
                .unwrap_or_else(|| Blobs::new(MemoryStore::new()));
            let invoker = Invoker::builder(Provider::LOCAL, handler.clone())
                .blobs(blobs)
                .function_name(Some(self.function_name.clone()))
                .timeout(self.timeout)
                .build();
            let invocation = Invocation::new().request_id(format!("replay-{}", file.name()));
            let result = invoker.invoke(event, invocation).await;
            results.push(Replayed {
                path: file.path,
                event: file.event,
                result,
            });
        }
        Ok(results)
    }
}
