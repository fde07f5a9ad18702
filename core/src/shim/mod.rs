//! For platform shim authors: the pieces every shim uses around the [invocation
//! skeleton](crate::Invoker). Applications never need this module.
//!
//! A shim is transport + codec: it reads its platform's wire format into an
//! [`Event`](crate::Event) and an [`Invocation`](crate::Invocation), hands both to the
//! [`Invoker`](crate::Invoker), and writes the [`Failure`](crate::Failure) or response it gets
//! back in its platform's answer format. Everything two shims would both write lives here:
//!
//! | need | piece |
//! |---|---|
//! | read JSON, naming the field at fault | [`parse_at`], [`json_error_at`], [`from_value_at`], [`join_path`] |
//! | a non-HTTP response body as the platform's JSON result | [`result_value`], [`result_raw`] |
//! | is this content type text? | [`is_text`], [`media_type`] |
//! | the one rule for HTTP methods, and for schedule times | [`http_method`], [`rfc3339`] |
//! | the W3C `traceparent` header | [`Traceparent`] |
//! | `POLYFAAS_BODY_LIMIT`, `POLYFAAS_TMPDIR` | [`body_limit_from_env`], [`scratch_base_from_env`] |
//! | ids for requests that arrive without one | [`RequestIds`] |
//! | the W3C `traceparent` header | [`Traceparent`] |
//! | building a URI from a platform's path and query | [`uri`] |
//! | log lines in the platform's format, with the request id | [`init_logging`], [`init_text_logging`], [`init_json_logging`], [`LogSchema`] |
//! | spans over OTLP (feature `opentelemetry`), flushed per invocation | the same `init_*` functions, [`flush_traces`] |
//!
//! The HTTP server loop the local, Google Cloud and Azure shims share is
//! `polyfaas_core::server` (feature `server`).

mod content;
mod ids;
mod logging;
mod result;
mod rules;
mod settings;
mod traceparent;
pub mod uri;

pub use crate::error::{from_value_at, join_path, json_error_at, parse_at};
pub use content::{is_text, media_type};
pub use ids::RequestIds;
#[cfg(feature = "opentelemetry")]
pub use logging::ExportError;
pub use logging::{
    flush_traces, init_json_logging, init_logging, init_logging_with, init_text_logging, JsonLines,
    LineBuffer, LogRecord, LogSchema, MakeWriter,
};
pub(crate) use logging::{join_trace, shutdown_traces};
pub use result::{result_raw, result_value};
pub use rules::{http_method, rfc3339};
pub use settings::{body_limit_from_env, scratch_base_from_env, BODY_LIMIT_VAR, TMPDIR_VAR};
pub use traceparent::Traceparent;
