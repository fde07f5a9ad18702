//! What a log line is made of, and where it goes: the [`Format`] that lays out one event
//! (with the spans it was written in) as one line, and the [`MakeWriter`] it is written to.
//! Both carriers of lines use them: the subscriber of their own
//! ([`LineSubscriber`](super::subscriber::LineSubscriber)) and the layer over a registry
//! ([`LinesLayer`](super::layer::LinesLayer)).

use std::io::Write;
use std::sync::{Arc, Mutex};

use tracing::Metadata;

use super::fields::Fields;

/// A span an event was written in: its name and its fields.
#[derive(Clone, Debug)]
pub(crate) struct SpanFields {
    /// The span's name (`invocation`).
    pub(crate) name: &'static str,
    /// Its fields, as recorded so far.
    pub(crate) fields: Fields,
}

/// How one event becomes one line.
pub(crate) trait Format: Send + Sync + 'static {
    /// The line, with its newline, for an event of `metadata` holding `event`, written in
    /// `spans` (the outermost first).
    fn line(&self, metadata: &Metadata<'_>, event: &Fields, spans: &[SpanFields]) -> String;
}

/// Where lines are written: each line is one `write_all` to a writer this makes (stderr, or a
/// buffer in tests). Any `Fn() -> impl Write` is one.
///
/// ```
/// use std::io::Write as _;
///
/// use polyfaas_core::shim::MakeWriter;
///
/// fn lines_go_to(make: impl MakeWriter) -> std::io::Result<()> {
///     make.make_writer().write_all(b"one line\n")
/// }
/// lines_go_to(std::io::stderr).unwrap();
/// ```
pub trait MakeWriter: Send + Sync + 'static {
    /// The writer one line is written to.
    type Writer: Write;
    /// A writer for the next line.
    fn make_writer(&self) -> Self::Writer;
}

impl<F, W> MakeWriter for F
where
    F: Fn() -> W + Send + Sync + 'static,
    W: Write,
{
    type Writer = W;
    fn make_writer(&self) -> W {
        self()
    }
}

/// Writes `line` in one call; a line that cannot be written is lost (there is nowhere to say
/// so).
pub(crate) fn write_line(make: &impl MakeWriter, line: &str) {
    let _ = make.make_writer().write_all(line.as_bytes());
}

/// Lines kept in memory: a [`MakeWriter`] for tests of a [`LogSchema`](super::LogSchema) or of a
/// shim's log output. Clones share the buffer.
///
/// ```
/// use polyfaas_core::shim::{JsonLines, LineBuffer, LogRecord, LogSchema};
/// use serde_json::{json, Value};
/// use tracing_subscriber::layer::SubscriberExt as _;
///
/// struct Plain;
/// impl LogSchema for Plain {
///     fn line(&self, r: &LogRecord<'_>) -> Value {
///         json!({"message": r.message})
///     }
/// }
/// let buffer = LineBuffer::default();
/// let subscriber = tracing_subscriber::registry().with(JsonLines::new(Plain, buffer.clone()));
/// tracing::subscriber::with_default(subscriber, || tracing::info!("kept"));
/// assert_eq!(buffer.lines(), [r#"{"message":"kept"}"#]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct LineBuffer(Arc<Mutex<Vec<u8>>>);

impl LineBuffer {
    /// The lines written so far, without their newlines (bytes that are not UTF-8 replaced).
    pub fn lines(&self) -> Vec<String> {
        let bytes = self.0.lock().unwrap_or_else(|p| p.into_inner());
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl Write for LineBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl MakeWriter for LineBuffer {
    type Writer = LineBuffer;
    fn make_writer(&self) -> LineBuffer {
        self.clone()
    }
}
