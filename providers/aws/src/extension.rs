//! When Lambda stops the process: the shutdown hooks' signal.
//!
//! Lambda sends SIGTERM before it shuts an execution environment down only when an extension is
//! registered (and then waits about 500 ms before SIGKILL). Like `lambda_runtime` 1.5's
//! `graceful-shutdown` feature (`spawn_graceful_shutdown_handler`), the shim registers an
//! internal extension that subscribes to no events, says it is ready with the extension's
//! `/event/next` (which then never returns), and listens for SIGTERM and SIGINT. Unlike it, a
//! refused registration is a warning rather than a panic, and the hooks run within their grace
//! time ([`Shutdown`](polyfaas_core::Shutdown)), after the invocation in flight has been
//! answered, instead of from a signal task that exits the process.
//!
//! The registration costs one local round trip at start-up, so it happens only when the
//! application has hooks, and while the rest of start-up goes on (it is awaited just before the
//! first `/next`, as an extension must register in the init phase). The extension's long poll
//! has a connection of its own, so the runtime's first `/next` reuses the registration's.

use std::sync::Arc;

use crate::api::RuntimeApi;

/// The internal extension's name.
pub(crate) const NAME: &str = "polyfaas-shutdown";

/// The signals that ask the process to stop: each becomes a byte on a socket that signal-hook's
/// handler writes to, read here by the runtime (no signal driver in the runtime, no thread).
pub(crate) struct Stop {
    #[cfg(unix)]
    terminate: tokio::net::UnixStream,
    #[cfg(unix)]
    interrupt: tokio::net::UnixStream,
}

impl Stop {
    fn listen() -> std::io::Result<Stop> {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGINT, SIGTERM};
            Ok(Stop {
                terminate: on_signal(SIGTERM)?,
                interrupt: on_signal(SIGINT)?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Stop {})
        }
    }

    /// Waits for a stop signal and returns its name.
    pub(crate) async fn signalled(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                () = arrived(&self.terminate) => "SIGTERM",
                () = arrived(&self.interrupt) => "SIGINT",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}

/// A socket that becomes readable when `signal` arrives: signal-hook's handler writes a byte to
/// the other end of the pair (a self-pipe).
#[cfg(unix)]
fn on_signal(signal: std::os::raw::c_int) -> std::io::Result<tokio::net::UnixStream> {
    let (read, write) = std::os::unix::net::UnixStream::pair()?;
    signal_hook::low_level::pipe::register(signal, write)?;
    read.set_nonblocking(true)?;
    tokio::net::UnixStream::from_std(read)
}

/// Completes when `socket` has a byte from the signal handler; never, if it cannot be read.
#[cfg(unix)]
async fn arrived(socket: &tokio::net::UnixStream) {
    let mut buffer = [0u8; 16];
    loop {
        if socket.readable().await.is_err() {
            break;
        }
        match socket.try_read(&mut buffer) {
            Ok(read) if read > 0 => return,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            // Closed or failed: no signal can come through it any more.
            _ => break,
        }
    }
    std::future::pending().await
}

/// Listens for the stop signals and registers the extension that makes Lambda send them.
/// `None` when the signals cannot be listened to (the hooks then cannot run; logged).
pub(crate) async fn prepare(api: Arc<RuntimeApi>) -> Option<Stop> {
    // Listening first: a signal sent right after the registration is not lost.
    let stop = match Stop::listen() {
        Ok(stop) => stop,
        Err(error) => {
            tracing::warn!(%error, "cannot listen for SIGTERM; shutdown hooks will not run");
            return None;
        }
    };
    match api.register_extension(NAME).await {
        Ok(id) => {
            tracing::debug!(extension = NAME, %id, "registered, so Lambda sends SIGTERM before it stops the process");
            // Its own connection: the runtime's first `/next` reuses the registration's, warm,
            // instead of racing this call for it and opening a new one on the way to the first
            // invocation.
            let api = Arc::new(api.separate());
            tokio::spawn(async move {
                // Ready: with no events subscribed, this answers only when the process ends.
                if let Err(error) = api.extension_next(&id).await {
                    tracing::warn!(extension = NAME, %error, "the extension's /event/next failed");
                }
            });
        }
        Err(error) => tracing::warn!(
            extension = NAME,
            %error,
            "the Extensions API did not register the shutdown extension: Lambda sends SIGTERM only if another extension is registered"
        ),
    }
    Some(stop)
}
