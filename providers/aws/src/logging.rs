//! Log lines as Lambda's advanced logging controls expect them.
//!
//! - `AWS_LAMBDA_LOG_FORMAT=JSON`: one JSON object per line in Lambda's schema for application
//!   logs ([`LambdaJson`]): `timestamp` (RFC 3339, UTC, milliseconds), `level` (`TRACE`,
//!   `DEBUG`, `INFO`, `WARN`, `ERROR`: what Lambda filters on), `message`, `logger` (the module
//!   that wrote it), `requestId` and `xrayTraceId` of the invocation the line was written in,
//!   then the line's own `tracing` fields and those of its spans, each a key of its own.
//! - otherwise (`Text`, the default): `tracing`'s text lines; a line written during an
//!   invocation names its span, `invocation{request_id=.. provider="aws" trace_id=..}`.
//!
//! The level comes from `AWS_LAMBDA_LOG_LEVEL` (`TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`,
//! `FATAL`; default `INFO`), except for the HTTP client the shim talks to the Runtime API with
//! (`hyper`, `hyper_util`), whose connection-pool lines stay at `INFO` and above; `RUST_LOG`,
//! when set, wins, with its per-module directives. Lines go to stderr, which Lambda sends to
//! CloudWatch.

use polyfaas_core::shim::{init_json_logging, init_text_logging, LogRecord, LogSchema};
use serde_json::{Map, Value};

/// The variable that picks the format.
pub(crate) const FORMAT_VAR: &str = "AWS_LAMBDA_LOG_FORMAT";
/// The variable that sets the level.
pub(crate) const LEVEL_VAR: &str = "AWS_LAMBDA_LOG_LEVEL";

/// Sets up log output from the environment (see the [module](self)); nothing changes if the
/// application installed its own subscriber first.
pub(crate) fn init() {
    let format = std::env::var(FORMAT_VAR).unwrap_or_default();
    let level = std::env::var(LEVEL_VAR).unwrap_or_default();
    let filter = filter_for(&level);
    if format.eq_ignore_ascii_case("json") {
        init_json_logging(LambdaJson, filter);
    } else {
        init_text_logging(filter);
    }
    if !level.is_empty() && !KNOWN_LEVELS.contains(&level.to_ascii_uppercase().as_str()) {
        tracing::warn!(
            "{LEVEL_VAR}={level:?} is not one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL; logging at INFO"
        );
    }
}

const KNOWN_LEVELS: [&str; 6] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

/// The `tracing` filter for one of Lambda's levels (any case); `info` for anything else. The
/// Runtime API client's own lines are never below `info`: they are the runtime's plumbing, not
/// the function's, and are written outside any invocation.
fn filter_for(level: &str) -> &'static str {
    match level.to_ascii_uppercase().as_str() {
        "TRACE" => "trace,hyper=info,hyper_util=info",
        "DEBUG" => "debug,hyper=info,hyper_util=info",
        "WARN" => "warn",
        "ERROR" | "FATAL" => "error",
        _ => "info",
    }
}

/// Lambda's JSON schema for application log lines (what its managed runtimes write with
/// `AWS_LAMBDA_LOG_FORMAT=JSON`), for core's JSON log layer. A line:
/// `{"timestamp":"2024-05-01T02:00:00.123Z","level":"INFO","message":"order stored",
/// "logger":"orders","requestId":"8476a536-...","xrayTraceId":"Root=1-...;Sampled=1","order":7}`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LambdaJson;

/// The keys the schema sets itself; a field of the same name goes under `fields`.
const RESERVED: [&str; 6] = [
    "timestamp",
    "level",
    "message",
    "logger",
    "requestId",
    "xrayTraceId",
];

impl LogSchema for LambdaJson {
    fn line(&self, record: &LogRecord<'_>) -> Value {
        let mut line = Map::new();
        line.insert("timestamp".into(), record.rfc3339().into());
        line.insert("level".into(), record.level.as_str().into());
        line.insert("message".into(), record.message.clone().into());
        line.insert("logger".into(), record.target.into());
        if let Some(id) = &record.request_id {
            line.insert("requestId".into(), id.clone().into());
        }
        if let Some(trace) = &record.trace_id {
            line.insert("xrayTraceId".into(), trace.clone().into());
        }
        let mut clashing = Map::new();
        for (key, value) in &record.fields {
            if RESERVED.contains(&key.as_str()) {
                clashing.insert(key.clone(), value.clone());
            } else {
                line.insert(key.clone(), value.clone());
            }
        }
        if !clashing.is_empty() {
            line.insert("fields".into(), Value::Object(clashing));
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

    #[test]
    fn lines_follow_lambdas_schema() {
        let buffer = LineBuffer::default();
        let subscriber =
            tracing_subscriber::registry().with(JsonLines::new(LambdaJson, buffer.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("before");
            let span = tracing::info_span!(
                "invocation",
                request_id = "8476a536",
                provider = "aws",
                trace_id = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=1"
            );
            let _enter = span.enter();
            tracing::warn!(order = 7, level = "gold", "order {} stored", 7);
        });
        let text = buffer.lines().join("\n");
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].get("requestId").is_none(), "{text}");
        let line = &lines[1];
        assert_eq!(line["level"], "WARN");
        assert_eq!(line["message"], "order 7 stored");
        assert_eq!(line["requestId"], "8476a536");
        assert_eq!(
            line["xrayTraceId"],
            "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=1"
        );
        assert_eq!(line["order"], 7);
        assert_eq!(line["provider"], "aws");
        assert_eq!(line["fields"], json!({"level": "gold"}));
        assert!(line["logger"].as_str().unwrap().starts_with("polyfaas_aws"));
        let timestamp = line["timestamp"].as_str().unwrap();
        assert!(
            timestamp.ends_with('Z') && timestamp.len() == 24,
            "{timestamp}"
        );
        // Lambda's key order: timestamp, level, message first.
        let keys: Vec<&String> = line.as_object().unwrap().keys().take(3).collect();
        assert_eq!(keys, ["timestamp", "level", "message"]);
    }

    #[test]
    fn lambdas_levels_map_to_filters() {
        assert_eq!(filter_for("DEBUG"), "debug,hyper=info,hyper_util=info");
        assert_eq!(filter_for("warn"), "warn");
        assert_eq!(filter_for("FATAL"), "error");
        assert_eq!(filter_for("TRACE"), "trace,hyper=info,hyper_util=info");
        assert_eq!(filter_for(""), "info");
        assert_eq!(filter_for("LOUD"), "info");
    }
}
