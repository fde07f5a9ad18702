//! One JSON object per log line, in a platform's schema, carrying the invocation's request id
//! and trace id.

use std::fmt;
use std::io::Write;
use std::time::SystemTime;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// What one log line says, for a [`LogSchema`] to lay out.
#[derive(Debug)]
#[non_exhaustive]
pub struct LogRecord<'a> {
    /// When the line was written.
    pub time: SystemTime,
    /// The line's level.
    pub level: Level,
    /// The module (or `target:`) that wrote it.
    pub target: &'a str,
    /// The message.
    pub message: String,
    /// The line's other fields, and those of the spans it was written in (innermost wins),
    /// except the request id and trace id.
    pub fields: Map<String, Value>,
    /// The request id of the invocation the line was written in.
    pub request_id: Option<String>,
    /// The platform's trace id (as it sent it) of the invocation the line was written in.
    pub trace_id: Option<String>,
}

impl LogRecord<'_> {
    /// The time as RFC 3339 in UTC with milliseconds: `2024-05-01T02:00:00.123Z`.
    pub fn rfc3339(&self) -> String {
        humantime::format_rfc3339_millis(self.time).to_string()
    }
}

/// A platform's JSON log schema: how one [`LogRecord`] becomes one JSON object.
pub trait LogSchema: Send + Sync + 'static {
    /// The line's JSON object.
    fn line(&self, record: &LogRecord<'_>) -> Value;
}

/// A `tracing` layer writing each event as one JSON line in `S`'s schema to the writer `W`
/// makes (stderr in [`init_json_logging`](super::init_json_logging); a buffer in tests).
pub struct JsonLines<S, W> {
    schema: S,
    make_writer: W,
}

impl<S, W> JsonLines<S, W> {
    /// Lines in `schema`'s format, written to what `make_writer` returns (one write per line).
    pub fn new(schema: S, make_writer: W) -> Self {
        JsonLines {
            schema,
            make_writer,
        }
    }
}

/// The fields of a span, kept in its extensions.
#[derive(Default)]
struct SpanFields(Map<String, Value>);

#[derive(Default)]
struct Visitor {
    message: Option<String>,
    fields: Map<String, Value>,
}

impl Visit for Visitor {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.insert(field, Value::String(format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.insert(field, Value::String(value.to_owned()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.insert(field, value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.insert(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, value.into());
    }
}

impl Visitor {
    fn insert(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                Value::String(s) => s,
                other => other.to_string(),
            });
        } else {
            self.fields.insert(field.name().to_owned(), value);
        }
    }
}

impl<S, W, Sub> Layer<Sub> for JsonLines<S, W>
where
    S: LogSchema,
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + 'static,
    Sub: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, Sub>) {
        let mut visitor = Visitor::default();
        attrs.record(&mut visitor);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(visitor.fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, Sub>) {
        let Some(span) = ctx.span(id) else { return };
        let mut visitor = Visitor::default();
        values.record(&mut visitor);
        let mut extensions = span.extensions_mut();
        match extensions.get_mut::<SpanFields>() {
            Some(fields) => fields.0.extend(visitor.fields),
            None => extensions.insert(SpanFields(visitor.fields)),
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, Sub>) {
        let mut visitor = Visitor::default();
        event.record(&mut visitor);
        let mut fields = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(span_fields) = span.extensions().get::<SpanFields>() {
                    fields.extend(span_fields.0.clone());
                }
            }
        }
        fields.extend(visitor.fields);
        let text = |v: Option<Value>| match v {
            Some(Value::String(s)) => Some(s),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        let request_id = text(fields.remove("request_id"));
        let trace_id = text(fields.remove("trace_id"));
        let metadata = event.metadata();
        let record = LogRecord {
            time: SystemTime::now(),
            level: *metadata.level(),
            target: metadata.target(),
            message: visitor.message.unwrap_or_default(),
            fields,
            request_id,
            trace_id,
        };
        let mut line = self.schema.line(&record).to_string();
        line.push('\n');
        let _ = self.make_writer.make_writer().write_all(line.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use serde_json::json;
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    struct Schema;
    impl LogSchema for Schema {
        fn line(&self, r: &LogRecord<'_>) -> Value {
            json!({
                "level": r.level.as_str(), "message": r.message, "target": r.target,
                "requestId": r.request_id, "traceId": r.trace_id, "fields": r.fields,
                "time": r.rfc3339(),
            })
        }
    }

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_inside_an_invocation_carry_its_request_and_trace_ids() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber =
            tracing_subscriber::registry().with(JsonLines::new(Schema, move || writer.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("outside");
            let span = tracing::info_span!(
                "invocation",
                request_id = "r-1",
                provider = "aws",
                trace_id = "Root=1-abc"
            );
            let _enter = span.enter();
            tracing::warn!(order = 7, "inside {}", "now");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(lines[0]["requestId"], Value::Null);
        assert_eq!(lines[0]["message"], "outside");
        assert_eq!(lines[1]["level"], "WARN");
        assert_eq!(lines[1]["message"], "inside now");
        assert_eq!(lines[1]["requestId"], "r-1");
        assert_eq!(lines[1]["traceId"], "Root=1-abc");
        assert_eq!(lines[1]["fields"], json!({"provider": "aws", "order": 7}));
        let time = lines[1]["time"].as_str().unwrap();
        assert!(time.ends_with('Z') && time.len() == 24, "{time}");
    }
}
