//! Log output: every `tracing` event goes to stderr (the host keeps the handler's stderr), and
//! the events emitted inside an invocation are also captured and returned to the host in the
//! response's `Logs`, where they show up in the function's own log (Application Insights,
//! `func start` output).
//!
//! Each invocation runs in a span of its own; the [`CaptureLayer`] gives that span a line
//! buffer and appends the events of the span (and of spans inside it, and of tasks instrumented
//! with it) to it; the shim empties the buffer into `Logs` when the invocation is done.
//!
//! A line is `LEVEL target: message key=value... request_id=<id> trace_id=<id>`: the level
//! first (the host logs every `Logs` line at Information, so the level is in the text), and the
//! invocation's request id (the host's invocation id) and trace id (of `traceparent`) on every
//! line.

use std::fmt::Write as _;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::Context as LayerContext;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, Registry};

/// The target of invocation spans; the capture layer looks for it.
const TARGET: &str = "polyfaas_azure::invocation";
/// At most this many lines per invocation are returned; the rest are counted.
const MAX_LINES: usize = 1000;
/// At most this many bytes per line.
const MAX_LINE: usize = 8 * 1024;

/// A layer that captures the events of each invocation for the response's `Logs`.
/// [`run`](crate::run) installs it with polyfaas's stderr output
/// (`polyfaas_core::shim::init_logging_with`); add it to your own subscriber (over a
/// [`Registry`]) if you install one first.
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt as _;
///
/// // Your own layers (output, filters) go beside it.
/// let subscriber = tracing_subscriber::registry().with(polyfaas_azure::logs::CaptureLayer);
/// let _ = tracing::subscriber::set_global_default(subscriber);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct CaptureLayer;

#[derive(Default)]
struct Captured {
    lines: Vec<String>,
    dropped: usize,
    /// ` request_id=... trace_id=...`, appended to every line.
    ids: String,
}

/// Reads the invocation span's `request_id` and `trace_id` into the suffix of its lines.
struct Ids<'a>(&'a mut String);

impl Visit for Ids<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if matches!(field.name(), "request_id" | "trace_id") {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if matches!(field.name(), "request_id" | "trace_id") {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}

impl<S> Layer<S> for CaptureLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: LayerContext<'_, S>) {
        if attrs.metadata().target() == TARGET {
            if let Some(span) = ctx.span(id) {
                let mut captured = Captured::default();
                attrs.record(&mut Ids(&mut captured.ids));
                span.extensions_mut().insert(captured);
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: LayerContext<'_, S>) {
        let Some(scope) = ctx.event_scope(event) else {
            return;
        };
        for span in scope {
            let mut extensions = span.extensions_mut();
            if let Some(captured) = extensions.get_mut::<Captured>() {
                if captured.lines.len() >= MAX_LINES {
                    captured.dropped += 1;
                } else {
                    let line = format_line(event, &captured.ids);
                    captured.lines.push(line);
                }
                return;
            }
        }
    }
}

/// `LEVEL target: message key=value ...` cut at [`MAX_LINE`] bytes, then `ids`.
fn format_line(event: &Event<'_>, ids: &str) -> String {
    struct Fields(String, String);
    impl Visit for Fields {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if field.name() == "message" {
                let _ = write!(self.0, "{value:?}");
            } else {
                let _ = write!(self.1, " {}={value:?}", field.name());
            }
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            if field.name() == "message" {
                self.0.push_str(value);
            } else {
                let _ = write!(self.1, " {}={value:?}", field.name());
            }
        }
    }
    let meta = event.metadata();
    let mut fields = Fields(String::new(), String::new());
    event.record(&mut fields);
    let level = match *meta.level() {
        Level::ERROR => "ERROR",
        Level::WARN => "WARN",
        Level::INFO => "INFO",
        Level::DEBUG => "DEBUG",
        Level::TRACE => "TRACE",
    };
    let mut line = format!("{level} {}: {}{}", meta.target(), fields.0, fields.1);
    if line.len() > MAX_LINE {
        let mut cut = MAX_LINE;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        line.truncate(cut);
        line.push('…');
    }
    line.push_str(ids);
    line
}

/// The span one invocation runs in: its events are captured. At level ERROR so that a
/// `RUST_LOG` that keeps only warnings or errors still keeps the span (and captures them).
pub(crate) fn invocation_span(
    request_id: &str,
    function: &str,
    trace_id: Option<&str>,
) -> tracing::Span {
    tracing::error_span!(
        target: TARGET,
        "invocation",
        request_id,
        provider = "azure",
        function,
        trace_id
    )
}

/// Takes the lines captured in `span` so far.
pub(crate) fn take(span: &tracing::Span) -> Vec<String> {
    span.with_subscriber(|(id, dispatch)| {
        let registry = dispatch.downcast_ref::<Registry>()?;
        let span = registry.span(id)?;
        let mut extensions = span.extensions_mut();
        let captured = extensions.get_mut::<Captured>()?;
        let mut lines = std::mem::take(&mut captured.lines);
        if captured.dropped > 0 {
            lines.push(format!(
                "({} more log lines were dropped)",
                captured.dropped
            ));
            captured.dropped = 0;
        }
        Some(lines)
    })
    .flatten()
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt as _;

    #[test]
    fn events_inside_an_invocation_are_captured_and_others_are_not() {
        let subscriber = tracing_subscriber::registry().with(CaptureLayer);
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("before");
            let span = invocation_span("r-1", "f", None);
            span.in_scope(|| {
                tracing::info!(order = 7, "hello");
                tracing::info_span!("inner").in_scope(|| tracing::warn!("inside"));
            });
            tracing::info!("after");
            assert_eq!(
                take(&span),
                [
                    "INFO polyfaas_azure::logs::tests: hello order=7 request_id=r-1",
                    "WARN polyfaas_azure::logs::tests: inside request_id=r-1"
                ]
            );
            assert!(take(&span).is_empty());
        });
    }

    #[test]
    fn a_flood_of_lines_is_capped() {
        let subscriber = tracing_subscriber::registry().with(CaptureLayer);
        tracing::subscriber::with_default(subscriber, || {
            let span = invocation_span("r-2", "f", Some("t"));
            span.in_scope(|| {
                for i in 0..MAX_LINES + 5 {
                    tracing::info!(i, "line");
                }
            });
            let lines = take(&span);
            assert_eq!(lines.len(), MAX_LINES + 1);
            assert!(
                lines[0].ends_with(" request_id=r-2 trace_id=t"),
                "{}",
                lines[0]
            );
            assert_eq!(lines[MAX_LINES], "(5 more log lines were dropped)");
        });
    }

    #[test]
    fn a_long_line_is_cut_but_keeps_the_ids() {
        let subscriber = tracing_subscriber::registry().with(CaptureLayer);
        tracing::subscriber::with_default(subscriber, || {
            let span = invocation_span("r-3", "f", Some("4bf9"));
            span.in_scope(|| tracing::error!("{}", "é".repeat(MAX_LINE)));
            let lines = take(&span);
            assert!(lines[0].starts_with("ERROR polyfaas_azure::logs::tests: éé"));
            assert!(
                lines[0].ends_with("… request_id=r-3 trace_id=4bf9"),
                "{}",
                &lines[0][lines[0].len() - 40..]
            );
            assert!(lines[0].len() <= MAX_LINE + 64);
        });
    }
}
