//! Log output for provider binaries: lines in the platform's own format, each carrying the
//! invocation's request id (and trace id, where the platform sent one).
//!
//! - [`init_logging`]: text lines on stderr, filtered by `RUST_LOG` (default `info`); lines
//!   written during an invocation name its span (`invocation{request_id=.. provider=..}`).
//! - [`init_logging_with`]: the same plus a layer of the shim's own (Azure's capture of each
//!   invocation's lines for `Logs`).
//! - [`init_text_logging`]: text lines with another default than `info` when `RUST_LOG` is not
//!   set (the level a platform's own variable asks for).
//! - [`init_json_logging`]: one JSON object per line in a platform's schema ([`LogSchema`]: the
//!   Lambda JSON log format, Cloud Logging's structured entries), built from a [`LogRecord`] that
//!   already holds the invocation's request id and trace id.
//!
//! Each returns `false`, and changes nothing, if a global subscriber is already set, so an
//! application may install its own first.
//!
//! `RUST_LOG` holds `target=level` and `level` directives, comma-separated (`warn,orders=debug`);
//! span and field directives (`[invocation{request_id=..}]=debug`) need the `env-filter` feature
//! (`tracing_subscriber::EnvFilter`, with its regular-expression engine). Without it, such a
//! `RUST_LOG`, or one that is not a filter at all, is a warning at start-up naming the problem
//! (and the feature) and the default filter applies.
//!
//! With the `opentelemetry` feature, each also exports spans over OTLP (HTTP/protobuf) when
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT` is set: the invocation
//! span joins the caller's W3C trace (see [`Invocation::traceparent`](crate::Invocation::traceparent)),
//! spans are flushed by [`flush_traces`] (Lambda, after each invocation) and when the process
//! stops ([`Shutdown::run`](crate::Shutdown::run)). An endpoint that cannot be used is one
//! warning at start-up; the function still serves.

mod fields;
mod filter;
mod json;
mod layer;
mod line;
#[cfg(feature = "opentelemetry")]
mod otel;
// The subscriber of its own filters with `Targets`; `EnvFilter` needs a registry.
#[cfg(not(feature = "env-filter"))]
mod spans;
#[cfg(not(feature = "env-filter"))]
mod subscriber;
mod text;

use tracing_subscriber::layer::{Identity, SubscriberExt as _};
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{Layer, Registry};

pub use json::{JsonLines, LogRecord, LogSchema};
pub use line::{LineBuffer, MakeWriter};
#[cfg(feature = "opentelemetry")]
pub use otel::ExportError;

use json::Json;
use layer::LinesLayer;
use line::Format;
use text::Text;

/// Text lines on stderr, filtered by `RUST_LOG` (default `info`).
///
/// ```
/// polyfaas_core::shim::init_logging();
/// tracing::info!("on stderr");
/// ```
pub fn init_logging() -> bool {
    install(Text::for_stderr(), None::<Identity>, "info")
}

/// [`init_logging`] plus `extra`, a layer of the shim's own (such as Azure's capture of each
/// invocation's lines for `Logs`), under the same `RUST_LOG` filter.
///
/// ```
/// use tracing_subscriber::layer::Identity;
///
/// polyfaas_core::shim::init_logging_with(Identity::new());
/// tracing::info!("on stderr");
/// ```
pub fn init_logging_with<L>(extra: L) -> bool
where
    L: Layer<Registry> + Send + Sync + 'static,
{
    install(Text::for_stderr(), Some(extra), "info")
}

/// Text lines on stderr, filtered by `RUST_LOG`, else by `default_filter` (a `tracing` filter
/// directive such as `debug` or `warn`; the shim maps its platform's own level variable to it).
///
/// ```
/// polyfaas_core::shim::init_text_logging("warn");
/// tracing::warn!("on stderr");
/// ```
pub fn init_text_logging(default_filter: &str) -> bool {
    install(Text::for_stderr(), None::<Identity>, default_filter)
}

/// One JSON object per line on stderr in `schema`'s format, filtered by `RUST_LOG`, else by
/// `default_filter` (a `tracing` filter directive such as `info` or `warn`; the shim maps its
/// platform's own level variable to it).
///
/// ```
/// use polyfaas_core::shim::{init_json_logging, LogRecord, LogSchema};
/// use serde_json::{json, Value};
///
/// struct Plain;
/// impl LogSchema for Plain {
///     fn line(&self, r: &LogRecord<'_>) -> Value {
///         json!({"level": r.level.as_str(), "message": r.message, "requestId": r.request_id})
///     }
/// }
/// init_json_logging(Plain, "info");
/// ```
pub fn init_json_logging<S: LogSchema>(schema: S, default_filter: &str) -> bool {
    install(Json(schema), None::<Identity>, default_filter)
}

/// Sets the global subscriber: lines in `format` on stderr, under the filter from the
/// environment. With nothing else to carry (no `extra` layer, no span export), a
/// [`LineSubscriber`](subscriber::LineSubscriber) of its own, whose set-up is a few
/// allocations; else layers over a `tracing_subscriber` registry. `false` if a global
/// subscriber was already set.
fn install<F, L>(format: F, extra: Option<L>, default_filter: &str) -> bool
where
    F: Format,
    L: Layer<Registry> + Send + Sync + 'static,
{
    let (tracer, problem) = export_from_env();
    let (filter, unread) = filter::from_env(default_filter);
    let installed = set_global(format, extra, filter, tracer);
    warn(installed, unread.filter(|_| installed));
    warn(installed, problem)
}

/// The global subscriber of [`install`]; `false` if one was already set.
fn set_global<F, L>(
    format: F,
    extra: Option<L>,
    filter: filter::Filter,
    tracer: Option<Tracer>,
) -> bool
where
    F: Format,
    L: Layer<Registry> + Send + Sync + 'static,
{
    let writer = std::io::stderr;
    #[cfg(not(feature = "env-filter"))]
    if extra.is_none() && tracer.is_none() {
        let subscriber = subscriber::LineSubscriber::new(filter, format, writer);
        return tracing::subscriber::set_global_default(subscriber).is_ok();
    }
    tracing_subscriber::registry()
        .with(extra)
        .with(filter)
        .with(LinesLayer::new(format, writer))
        .with(export_layer(tracer))
        .try_init()
        .is_ok()
}

/// What spans are exported with: the OTLP tracer (feature `opentelemetry`).
#[cfg(feature = "opentelemetry")]
type Tracer = opentelemetry_sdk::trace::Tracer;
/// Without the `opentelemetry` feature, spans are never exported.
#[cfg(not(feature = "opentelemetry"))]
type Tracer = std::convert::Infallible;

/// The tracer, when the environment asks for export and it can be served; the problem when it
/// asks but cannot be.
#[cfg(feature = "opentelemetry")]
fn export_from_env() -> (Option<Tracer>, Option<ExportError>) {
    otel::from_env()
}

/// Without the `opentelemetry` feature: no tracer, nothing to report.
#[cfg(not(feature = "opentelemetry"))]
fn export_from_env() -> (Option<Tracer>, Option<std::convert::Infallible>) {
    (None, None)
}

/// The export layer over a registry, for the tracer if there is one.
#[cfg(feature = "opentelemetry")]
fn export_layer<S>(tracer: Option<Tracer>) -> impl Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    tracer.map(otel::layer)
}

/// Without the `opentelemetry` feature: nothing to export with.
#[cfg(not(feature = "opentelemetry"))]
fn export_layer<S: tracing::Subscriber>(tracer: Option<Tracer>) -> impl Layer<S> {
    if let Some(never) = tracer {
        match never {}
    }
    Identity::new()
}

/// Logs (through the subscriber just set, if it was) a set-up problem: why `RUST_LOG` is not
/// used, why spans are not exported; passes `installed` on.
fn warn(installed: bool, problem: Option<impl std::error::Error>) -> bool {
    if let Some(problem) = problem {
        let source = std::error::Error::source(&problem).map(ToString::to_string);
        tracing::warn!(source, "{problem}");
    }
    installed
}

/// Exports the spans ended so far, waiting for the export: what a shim calls after each
/// invocation where the platform freezes the process between invocations (Lambda). Nothing
/// without the `opentelemetry` feature or when export is off.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// polyfaas_core::shim::flush_traces().await;
/// # });
/// ```
pub async fn flush_traces() {
    #[cfg(feature = "opentelemetry")]
    otel::flush().await;
}

/// Exports what is left and stops the exporter; [`Shutdown::run`](crate::Shutdown::run) calls it
/// last.
pub(crate) async fn shutdown_traces() {
    #[cfg(feature = "opentelemetry")]
    otel::shutdown().await;
}

/// Makes an invocation's span a child of the caller's span and gives it the FaaS attributes
/// (`faas.invocation_id`, `cloud.provider`, `faas.name`), when spans are exported.
#[cfg_attr(not(feature = "opentelemetry"), allow(unused_variables))]
pub(crate) fn join_trace(
    span: &tracing::Span,
    parent: Option<&crate::shim::Traceparent>,
    request_id: &str,
    provider: &str,
    function: Option<&str>,
) {
    #[cfg(feature = "opentelemetry")]
    otel::join(span, parent, request_id, provider, function);
}
