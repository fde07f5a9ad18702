//! Cloud Logging's structured log lines: what Cloud Run collects from a container's stderr and
//! reads as a log entry when a line is one JSON object.
//!
//! On Google Cloud (`K_SERVICE` or `FUNCTION_TARGET` set) [`run`](crate::run) writes every
//! `tracing` line as one JSON object ([`CloudLogging`]); elsewhere lines are text. Filtered by
//! `RUST_LOG` (default `info`).
//!
//! | key | value |
//! |---|---|
//! | `severity` | `DEBUG` (`TRACE` and `DEBUG` lines), `INFO`, `WARNING`, `ERROR` |
//! | `message` | the line's message |
//! | `time` | RFC 3339, UTC, milliseconds |
//! | `logging.googleapis.com/trace` | `projects/<GOOGLE_CLOUD_PROJECT>/traces/<trace id>`, the trace of `traceparent`, else `X-Cloud-Trace-Context`, else a CloudEvent's `traceparent` attribute (without `GOOGLE_CLOUD_PROJECT`, the bare id as `trace_id`) |
//! | `logging.googleapis.com/spanId` | the caller's span id (16 hex digits) |
//! | `logging.googleapis.com/trace_sampled` | whether the caller sampled the trace |
//! | `logging.googleapis.com/labels` | `{"execution_id": <Function-Execution-Id, else the request id>, "request_id": <the request id>}` |
//! | `target` | the module that wrote the line |
//! | anything else | the line's and its spans' other fields |
//!
//! Lines written outside an invocation (start-up, shutdown) have no trace and no labels.

use polyfaas_core::shim::{LogRecord, LogSchema};
use serde_json::{Map, Value};
use tracing::Level;

/// The project Cloud Logging names traces by.
pub const PROJECT_VAR: &str = "GOOGLE_CLOUD_PROJECT";

/// Cloud Logging's structured JSON line; see the [module docs](self).
///
/// ```
/// use polyfaas_core::shim::{JsonLines, LogSchema};
/// use polyfaas_gcp::logging::CloudLogging;
/// use tracing_subscriber::layer::SubscriberExt as _;
///
/// // What `run` installs on Google Cloud: the schema on stderr.
/// let subscriber = tracing_subscriber::registry()
///     .with(JsonLines::new(CloudLogging::new(Some("my-project".into())), std::io::stderr));
/// tracing::subscriber::with_default(subscriber, || {
///     let span = tracing::info_span!("invocation", request_id = "r-1",
///                                    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736");
///     let _inside = span.enter();
///     tracing::warn!("low on stock");
///     // {"severity":"WARNING","message":"low on stock",...,
///     //  "logging.googleapis.com/trace":"projects/my-project/traces/4bf92f3577b34da6a3ce929d0e0e4736", ...}
/// });
/// ```
#[derive(Clone, Debug, Default)]
pub struct CloudLogging {
    project: Option<String>,
}

impl CloudLogging {
    /// Lines naming traces in `project` (none: traces are written as a bare `trace_id`).
    pub fn new(project: Option<String>) -> Self {
        CloudLogging {
            project: project.filter(|p| !p.is_empty()),
        }
    }

    /// The project from [`GOOGLE_CLOUD_PROJECT`](PROJECT_VAR).
    pub fn from_env() -> Self {
        Self::new(std::env::var(PROJECT_VAR).ok())
    }
}

/// Cloud Logging's `severity` of a `tracing` level.
fn severity(level: Level) -> &'static str {
    match level {
        Level::TRACE | Level::DEBUG => "DEBUG",
        Level::INFO => "INFO",
        Level::WARN => "WARNING",
        Level::ERROR => "ERROR",
    }
}

impl LogSchema for CloudLogging {
    fn line(&self, record: &LogRecord<'_>) -> Value {
        let mut fields = record.fields.clone();
        // The invocation span's own fields, laid out as Cloud Logging reads them.
        fields.remove("provider");
        let span_id = fields.remove("span_id");
        let sampled = fields.remove("trace_sampled");
        let execution_id = fields.remove("execution_id");
        let mut line = Map::new();
        line.insert("severity".into(), severity(record.level).into());
        line.insert("message".into(), record.message.clone().into());
        line.insert("time".into(), record.rfc3339().into());
        if let Some(trace) = &record.trace_id {
            match &self.project {
                Some(project) => line.insert(
                    "logging.googleapis.com/trace".into(),
                    format!("projects/{project}/traces/{trace}").into(),
                ),
                None => line.insert("trace_id".into(), trace.clone().into()),
            };
        }
        if let Some(span_id) = span_id {
            line.insert("logging.googleapis.com/spanId".into(), span_id);
        }
        if let Some(sampled) = sampled {
            line.insert("logging.googleapis.com/trace_sampled".into(), sampled);
        }
        if let Some(request_id) = &record.request_id {
            let mut labels = Map::new();
            labels.insert(
                "execution_id".into(),
                execution_id.unwrap_or_else(|| request_id.clone().into()),
            );
            labels.insert("request_id".into(), request_id.clone().into());
            line.insert(
                "logging.googleapis.com/labels".into(),
                Value::Object(labels),
            );
        }
        line.insert("target".into(), record.target.into());
        for (name, value) in fields {
            line.entry(name).or_insert(value);
        }
        Value::Object(line)
    }
}

#[cfg(test)]
mod tests {
    use polyfaas_core::shim::{JsonLines, LineBuffer};
    use serde_json::json;
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    fn lines(schema: CloudLogging, write: impl FnOnce()) -> Vec<Value> {
        let buffer = LineBuffer::default();
        let subscriber =
            tracing_subscriber::registry().with(JsonLines::new(schema, buffer.clone()));
        tracing::subscriber::with_default(subscriber, write);
        buffer
            .lines()
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn invocation_lines_carry_trace_span_and_execution_id() {
        let lines = lines(CloudLogging::new(Some("orchard".into())), || {
            tracing::info!("starting");
            let span = tracing::info_span!(
                "invocation",
                request_id = "r-1",
                provider = "gcp",
                trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
                span_id = "00f067aa0ba902b7",
                trace_sampled = true,
                execution_id = "exec-9",
            );
            let _inside = span.enter();
            tracing::error!(tree = 17, "pruned too far");
            tracing::debug!("detail");
        });
        assert_eq!(lines[0]["severity"], "INFO");
        assert!(lines[0].get("logging.googleapis.com/labels").is_none());
        let line = &lines[1];
        assert_eq!(line["severity"], "ERROR");
        assert_eq!(line["message"], "pruned too far");
        assert_eq!(
            line["logging.googleapis.com/trace"],
            "projects/orchard/traces/4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert_eq!(line["logging.googleapis.com/spanId"], "00f067aa0ba902b7");
        assert_eq!(line["logging.googleapis.com/trace_sampled"], true);
        assert_eq!(
            line["logging.googleapis.com/labels"],
            json!({"execution_id": "exec-9", "request_id": "r-1"})
        );
        assert_eq!(line["tree"], 17);
        assert!(line.get("provider").is_none());
        assert_eq!(lines[2]["severity"], "DEBUG");
    }

    #[test]
    fn without_a_project_the_trace_id_is_bare_and_the_request_id_is_the_execution_id() {
        let lines = lines(CloudLogging::new(Some(String::new())), || {
            let span = tracing::info_span!("invocation", request_id = "r-2", trace_id = "abc");
            let _inside = span.enter();
            tracing::warn!(message_count = 2, "late");
        });
        let line = &lines[0];
        assert_eq!(line["severity"], "WARNING");
        assert!(line.get("logging.googleapis.com/trace").is_none());
        assert_eq!(line["trace_id"], "abc");
        assert_eq!(line["logging.googleapis.com/labels"]["execution_id"], "r-2");
    }
}
