//! The one file format for recorded and hand-written events: a directory of JSON files, one
//! event each, in the [canonical JSON](super) (the `event` object echo reports, with its `kind`).
//!
//! - A file is `*.json`; other files (a README, `.gitkeep`) are ignored, and so are names that
//!   start with `.`.
//! - Files are read in the byte order of their names. [`Recorder`] names them
//!   `<sequence, 6 digits>-<kind>.json` (`000001-http.json`), so they replay in the order they
//!   were recorded, after any already there.
//!
//! The local provider writes it (every event it receives, when `POLYFAAS_RECORD_DIR` is set:
//! what `cargo polyfaas dev --record DIR` does); `polyfaas_testkit::replay` and
//! `cargo polyfaas test` read it. So a recorded session is a test fixture as it is.
//!
//! ```
//! use polyfaas_core::canonical::record::{read_dir, Recorder};
//! use serde_json::json;
//!
//! let dir = tempfile::tempdir()?;
//! let mut recorder = Recorder::new(dir.path())?;
//! recorder.record(&json!({"kind": "invoke", "payload": {"n": 1}}))?;
//! recorder.record(&json!({"kind": "schedule", "name": "nightly", "time": null}))?;
//! let events = read_dir(dir.path())?;
//! assert_eq!(events.len(), 2);
//! assert!(events[0].path.ends_with("000001-invoke.json"));
//! assert_eq!(events[1].event["name"], "nightly");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};

use serde_json::Value;

/// A directory or a file of events could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// A file or directory operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not JSON.
    #[error("{}: not JSON: {source}", path.display())]
    NotJson {
        /// The file.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// A file's JSON is not an object with a string `kind`.
    #[error("{}: not an event (a JSON object with a \"kind\")", path.display())]
    NotAnEvent {
        /// The file.
        path: PathBuf,
    },
}

/// One event file.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedEvent {
    /// The file.
    pub path: PathBuf,
    /// Its canonical JSON.
    pub event: Value,
}

impl RecordedEvent {
    /// The file's name without `.json`, for messages and tables.
    pub fn name(&self) -> String {
        self.path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RecordError {
    let path = path.to_owned();
    move |source| RecordError::Io { path, source }
}

/// The event files of `dir`, in name order.
pub fn read_dir(dir: &Path) -> Result<Vec<RecordedEvent>, RecordError> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if is_event_file(&path) {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            let event: Value =
                serde_json::from_slice(&bytes).map_err(|source| RecordError::NotJson {
                    path: path.clone(),
                    source,
                })?;
            if !event.get("kind").is_some_and(Value::is_string) {
                return Err(RecordError::NotAnEvent { path });
            }
            Ok(RecordedEvent { path, event })
        })
        .collect()
}

fn is_event_file(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy());
    path.is_file()
        && path.extension().is_some_and(|e| e == "json")
        && name.is_some_and(|n| !n.starts_with('.'))
}

/// Writes events into a directory as `<sequence>-<kind>.json`, numbering after the files
/// already there.
#[derive(Debug)]
pub struct Recorder {
    dir: PathBuf,
    next: u64,
}

impl Recorder {
    /// A recorder for `dir` (created if missing).
    pub fn new(dir: &Path) -> Result<Recorder, RecordError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mut last = 0;
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let name = entry.map_err(io(dir))?.file_name();
            let sequence = name
                .to_string_lossy()
                .split('-')
                .next()
                .and_then(|n| n.parse::<u64>().ok());
            last = last.max(sequence.unwrap_or(0));
        }
        Ok(Recorder {
            dir: dir.to_owned(),
            next: last + 1,
        })
    }

    /// The directory written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one event (its canonical JSON, pretty-printed) and returns the file.
    pub fn record(&mut self, event: &Value) -> Result<PathBuf, RecordError> {
        let kind = event
            .get("kind")
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric()))
            .unwrap_or("event");
        let path = self.dir.join(format!("{:06}-{kind}.json", self.next));
        let text = serde_json::to_string_pretty(event).map_err(|source| RecordError::NotJson {
            path: path.clone(),
            source,
        })?;
        std::fs::write(&path, text + "\n").map_err(io(&path))?;
        self.next += 1;
        Ok(path)
    }
}
