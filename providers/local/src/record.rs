//! The record hook: with `POLYFAAS_RECORD_DIR` set, every event the provider receives is written
//! there in the [record format](polyfaas_core::canonical::record) before it is handled, so a
//! session (`cargo polyfaas dev --record DIR`) becomes fixtures for `polyfaas_testkit::replay`
//! and `cargo polyfaas test`.

use std::path::Path;
use std::sync::Mutex;

use polyfaas_core::canonical::{self, record::Recorder};
use polyfaas_core::{Event, StartupError};

/// Where received events are written.
pub(crate) struct Recording {
    recorder: Mutex<Recorder>,
}

impl Recording {
    /// Opens (creates) `dir`; numbering continues after the files already there.
    pub(crate) fn open(dir: &Path) -> Result<Recording, StartupError> {
        let recorder = Recorder::new(dir).map_err(|e| {
            StartupError::new(format!(
                "POLYFAAS_RECORD_DIR={:?}: cannot record events there",
                dir.display()
            ))
            .with_source(e)
        })?;
        Ok(Recording {
            recorder: Mutex::new(recorder),
        })
    }

    /// Writes `event`'s canonical JSON. A failure to write is logged and the event is still
    /// handled: recording never takes the function down.
    pub(crate) fn write(&self, event: &Event) {
        let json = canonical::to_json(event);
        let mut recorder = self.recorder.lock().unwrap_or_else(|p| p.into_inner());
        match recorder.record(&json) {
            Ok(path) => tracing::debug!(file = %path.display(), "recorded the event"),
            Err(e) => tracing::warn!("the event was not recorded: {e}"),
        }
    }
}
