//! Log output for provider binaries.

/// Sends `tracing` output to stderr, filtered by `RUST_LOG` (default `info`). Does nothing if a
/// global subscriber is already set, so an application may install its own first.
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
