//! What a log line is made of, and where it goes: the [`Format`] that lays out one event
//! (with the spans it was written in) as one line, and the [`MakeWriter`] it is written to.
//! Both carriers of lines use them: the subscriber of their own
//! ([`LineSubscriber`](super::subscriber::LineSubscriber)) and the layer over a registry
//! ([`LinesLayer`](super::layer::LinesLayer)).

use std::io::Write;

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
