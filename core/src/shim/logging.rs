//! Log output for provider binaries.

use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer, Registry};

/// Sends `tracing` output to stderr, filtered by `RUST_LOG` (default `info`). Returns `false`,
/// and changes nothing, if a global subscriber is already set, so an application may install its
/// own first.
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
    // The filter is a plain layer, so it applies to `extra` as well as to stderr.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    tracing_subscriber::registry()
        .with(extra)
        .with(filter)
        .with(fmt)
        .try_init()
        .is_ok()
}
