//! The one file format for recorded and hand-written logical events: a directory of JSON files,
//! one event each, in DESIGN.md's canonical JSON (the `event` object echo reports, with its
//! `kind`). It lives in [`polyfaas_core::canonical::record`], where the local provider writes it
//! too (`POLYFAAS_RECORD_DIR`, set by `cargo polyfaas dev --record DIR`); this module re-exports
//! it.
//!
//! - A file is `*.json`; other files (a README, `.gitkeep`) are ignored, and so are names that
//!   start with `.`.
//! - Files are read in the byte order of their names. [`Recorder`] names them
//!   `<sequence, 6 digits>-<kind>.json` (`000001-http.json`), so they replay in the order they
//!   were recorded, after any already there.
//! - The same files are what [`replay`](crate::replay) and `cargo polyfaas test` read
//!   (`tests/events/*.json` by default), so a recorded session is a test fixture as it is.
//!
//! ```
//! use polyfaas_testkit::record::{read_dir, Recorder};
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

pub use polyfaas_core::canonical::record::{read_dir, RecordError, RecordedEvent, Recorder};
