//! Lines from a subscriber of their own: what a function logs with when nothing else needs
//! `tracing_subscriber`'s registry (no OTLP export, no layer of the shim's own). It filters by
//! target and level, keeps its spans in [`Spans`] and writes each event as one line in its
//! [`Format`].
//!
//! Its set-up is a few allocations: no shard table, no per-thread pools. That is start-up time a
//! Lambda function pays before its first invocation.

use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};
use tracing_core::span::Current;
use tracing_subscriber::filter::{LevelFilter, Targets};

use super::fields::Fields;
use super::line::{write_line, Format, MakeWriter};
use super::spans::Spans;

/// The subscriber: events and spans `filter` enables, as lines in `F`'s format, written to what
/// `W` makes.
pub(crate) struct LineSubscriber<F, W> {
    filter: Targets,
    max_level: LevelFilter,
    spans: Spans,
    format: F,
    make_writer: W,
}

impl<F: Format, W: MakeWriter> LineSubscriber<F, W> {
    pub(crate) fn new(filter: Targets, format: F, make_writer: W) -> Self {
        let max_level = filter
            .iter()
            .map(|(_, level)| level)
            .chain(filter.default_level())
            .max()
            .unwrap_or(LevelFilter::OFF);
        LineSubscriber {
            filter,
            max_level,
            spans: Spans::new(),
            format,
            make_writer,
        }
    }

    /// The span an event or a new span is in: the one it names, none if it is a root, else the
    /// thread's current one.
    fn parent(&self, explicit: Option<&Id>, contextual: bool) -> Option<Id> {
        match explicit {
            Some(parent) => Some(parent.clone()),
            None if contextual => self.spans.current(),
            None => None,
        }
    }
}

impl<F: Format, W: MakeWriter> Subscriber for LineSubscriber<F, W> {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if self.enabled(metadata) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.max_level)
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.filter
            .would_enable(metadata.target(), metadata.level())
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let parent = self.parent(attrs.parent(), attrs.is_contextual());
        let fields = Fields::of(|visit| attrs.record(visit));
        self.spans.open(attrs.metadata(), fields, parent)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        self.spans.record(span, values);
    }

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let scope = self
            .spans
            .scope(self.parent(event.parent(), event.is_contextual()));
        let fields = Fields::of(|visit| event.record(visit));
        write_line(
            &self.make_writer,
            &self.format.line(event.metadata(), &fields, &scope),
        );
    }

    fn enter(&self, span: &Id) {
        self.spans.enter(span);
    }

    fn exit(&self, span: &Id) {
        self.spans.exit(span);
    }

    fn clone_span(&self, id: &Id) -> Id {
        self.spans.clone_span(id)
    }

    fn try_close(&self, id: Id) -> bool {
        self.spans.close(&id)
    }

    fn current_span(&self) -> Current {
        self.spans
            .current()
            .and_then(|id| Some((self.spans.metadata(&id)?, id)))
            .map_or_else(Current::none, |(metadata, id)| Current::new(id, metadata))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::shim::logging::json::Json;
    use crate::shim::logging::text::Text;
    use crate::shim::{LineBuffer, LogRecord, LogSchema};

    fn text_lines(filter: &str, emit: impl FnOnce()) -> Vec<String> {
        let buffer = LineBuffer::default();
        let subscriber = LineSubscriber::new(
            filter.parse().unwrap(),
            Text { ansi: false },
            buffer.clone(),
        );
        tracing::subscriber::with_default(subscriber, emit);
        buffer
            .lines()
            .into_iter()
            // Past the time.
            .map(|l| l.split_once(' ').unwrap().1.to_owned())
            .collect()
    }

    #[test]
    fn lines_name_the_spans_they_were_written_in() {
        let lines = text_lines("info", || {
            tracing::info!("before");
            let invocation =
                tracing::info_span!("invocation", request_id = "r-1", provider = "aws");
            let _in = invocation.enter();
            let store = tracing::info_span!("store", table = tracing::field::Empty);
            store.record("table", "orders");
            store.in_scope(|| tracing::warn!(qty = 3, "stored {}", 7));
            tracing::info!(parent: None, "a root");
            tracing::info!(parent: &store, "explicit");
            drop(store);
            tracing::error!("after");
        });
        assert_eq!(
            lines,
            [
                " INFO polyfaas_core::shim::logging::subscriber::tests: before",
                " WARN invocation{request_id=\"r-1\" provider=\"aws\"}:store{table=\"orders\"}: polyfaas_core::shim::logging::subscriber::tests: stored 7 qty=3",
                " INFO polyfaas_core::shim::logging::subscriber::tests: a root",
                " INFO invocation{request_id=\"r-1\" provider=\"aws\"}:store{table=\"orders\"}: polyfaas_core::shim::logging::subscriber::tests: explicit",
                "ERROR invocation{request_id=\"r-1\" provider=\"aws\"}: polyfaas_core::shim::logging::subscriber::tests: after",
            ]
        );
    }

    #[test]
    fn the_filter_applies_to_events_and_spans_by_target_and_level() {
        let lines = text_lines(
            "warn,polyfaas_core::shim::logging::subscriber::tests=debug",
            || {
                tracing::debug!("kept");
                tracing::trace!("dropped");
                tracing::info!(target: "hyper", "dropped");
                tracing::warn!(target: "hyper", "kept");
                let hidden = tracing::trace_span!("hidden", x = 1);
                let _in = hidden.enter();
                tracing::info!("not in hidden");
            },
        );
        assert_eq!(
            lines,
            [
                "DEBUG polyfaas_core::shim::logging::subscriber::tests: kept",
                " WARN hyper: kept",
                " INFO polyfaas_core::shim::logging::subscriber::tests: not in hidden",
            ]
        );
    }

    struct Schema;
    impl LogSchema for Schema {
        fn line(&self, r: &LogRecord<'_>) -> Value {
            json!({"level": r.level.as_str(), "message": r.message, "requestId": r.request_id,
                   "traceId": r.trace_id, "fields": r.fields})
        }
    }

    #[test]
    fn json_lines_carry_the_invocations_ids_and_the_spans_fields() {
        let buffer = LineBuffer::default();
        let subscriber = LineSubscriber::new("info".parse().unwrap(), Json(Schema), buffer.clone());
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!(
                "invocation",
                request_id = "r-1",
                trace_id = "Root=1-a",
                provider = "aws"
            );
            span.in_scope(|| tracing::info!(order = 7, "stored"));
        });
        let lines: Vec<Value> = buffer
            .lines()
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            lines,
            [
                json!({"level": "INFO", "message": "stored", "requestId": "r-1", "traceId": "Root=1-a",
                    "fields": {"provider": "aws", "order": 7}})
            ]
        );
    }
}
