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

mod json;

use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer, Registry};

pub use json::{JsonLines, LogRecord, LogSchema};

/// Text lines on stderr, filtered by `RUST_LOG` (default `info`).
///
/// ```
/// polyfaas_core::shim::init_logging();
/// tracing::info!("on stderr");
/// ```
pub fn init_logging() -> bool {
    init_logging_with(tracing_subscriber::layer::Identity::new())
}

/// [`init_logging`] plus `extra`, a layer of the shim's own (such as Azure's capture of each
/// invocation's lines for `Logs`), under the same `RUST_LOG` filter.
pub fn init_logging_with<L>(extra: L) -> bool
where
    L: Layer<Registry> + Send + Sync + 'static,
{
    text_logging(extra, "info")
}

/// Text lines on stderr, filtered by `RUST_LOG`, else by `default_filter` (a `tracing` filter
/// directive such as `debug` or `warn`; the shim maps its platform's own level variable to it).
///
/// ```
/// polyfaas_core::shim::init_text_logging("warn");
/// tracing::warn!("on stderr");
/// ```
pub fn init_text_logging(default_filter: &str) -> bool {
    text_logging(tracing_subscriber::layer::Identity::new(), default_filter)
}

fn text_logging<L>(extra: L, default_filter: &str) -> bool
where
    L: Layer<Registry> + Send + Sync + 'static,
{
    // The filter is a plain layer, so it applies to `extra` as well as to stderr.
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    tracing_subscriber::registry()
        .with(extra)
        .with(filter(default_filter))
        .with(fmt)
        .try_init()
        .is_ok()
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
    tracing_subscriber::registry()
        .with(filter(default_filter))
        .with(JsonLines::new(schema, std::io::stderr))
        .try_init()
        .is_ok()
}

/// `RUST_LOG` if it is set and valid, else `default`.
fn filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(default))
        .unwrap_or_else(|_| EnvFilter::new("info"))
}
