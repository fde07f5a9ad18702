//! One JSON object per log line, in a platform's schema, carrying the invocation's request id
//! and trace id.

use std::time::SystemTime;

use serde_json::{Map, Value};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use super::fields::Fields;
use super::layer::LinesLayer;
use super::line::{Format, MakeWriter, SpanFields};

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

/// The JSON format for a [`LogSchema`]: the line's fields are those of the spans it was
/// written in (the outermost first, so the innermost wins) and then its own; `request_id` and
/// `trace_id` become the record's ids.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Json<S>(pub(crate) S);

impl<S: LogSchema> Format for Json<S> {
    fn line(&self, metadata: &Metadata<'_>, event: &Fields, spans: &[SpanFields]) -> String {
        let mut fields = Map::new();
        for span in spans {
            span.fields.insert_into(&mut fields);
        }
        event.insert_into(&mut fields);
        let text = |v: Option<Value>| match v {
            Some(Value::String(s)) => Some(s),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        let request_id = text(fields.remove("request_id"));
        let trace_id = text(fields.remove("trace_id"));
        let record = LogRecord {
            time: SystemTime::now(),
            level: *metadata.level(),
            target: metadata.target(),
            message: event.message.clone().unwrap_or_default(),
            fields,
            request_id,
            trace_id,
        };
        let mut line = self.0.line(&record).to_string();
        line.push('\n');
        line
    }
}

/// A `tracing` layer (over a registry) writing each event as one JSON line in `S`'s schema to
/// the writer `W` makes (stderr in [`init_json_logging`](super::init_json_logging); a buffer in
/// tests).
///
/// ```
/// use polyfaas_core::shim::{JsonLines, LogRecord, LogSchema};
/// use serde_json::{json, Value};
/// use tracing_subscriber::layer::SubscriberExt as _;
///
/// struct Plain;
/// impl LogSchema for Plain {
///     fn line(&self, r: &LogRecord<'_>) -> Value {
///         json!({"level": r.level.as_str(), "message": r.message})
///     }
/// }
/// let subscriber = tracing_subscriber::registry().with(JsonLines::new(Plain, std::io::stderr));
/// tracing::subscriber::with_default(subscriber, || tracing::info!("one JSON line"));
/// ```
pub struct JsonLines<S, W>(LinesLayer<Json<S>, W>);

impl<S, W> JsonLines<S, W> {
    /// Lines in `schema`'s format, written to what `make_writer` returns (one write per line).
    pub fn new(schema: S, make_writer: W) -> Self {
        JsonLines(LinesLayer::new(Json(schema), make_writer))
    }
}

impl<S, W, Sub> Layer<Sub> for JsonLines<S, W>
where
    S: LogSchema,
    W: MakeWriter,
    Sub: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, Sub>) {
        self.0.on_new_span(attrs, id, ctx);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, Sub>) {
        self.0.on_record(id, values, ctx);
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, Sub>) {
        self.0.on_event(event, ctx);
    }
}

#[cfg(test)]
mod tests {
    use crate::shim::LineBuffer;

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

    #[test]
    fn lines_inside_an_invocation_carry_its_request_and_trace_ids() {
        let buffer = LineBuffer::default();
        let subscriber =
            tracing_subscriber::registry().with(JsonLines::new(Schema, buffer.clone()));
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
        let text = buffer.lines().join("\n");
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
