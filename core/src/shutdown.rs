//! User code that runs when the platform stops the process.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

type Hook = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// What to run when the platform stops the process (flush a buffer, close a connection), and
/// how long it may take.
///
/// Each platform runs the hooks, in the order they were added, when it is told to stop: SIGTERM
/// on Cloud Run, Azure and the local provider (after the requests in flight have finished),
/// Lambda's SIGTERM before a shutdown (polyfaas registers the internal extension Lambda requires
/// to send one), and the end of stdin under the OpenWhisk ActionLoop proxy. All hooks together
/// get [`grace`](Self::grace) (default 5 s, within what every platform waits); one still running
/// then is abandoned with a log line.
///
/// ```
/// use std::time::Duration;
/// use polyfaas_core::Shutdown;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let shutdown = Shutdown::new()
///     .hook(|| async { /* flush metrics */ })
///     .grace(Duration::from_secs(2));
/// shutdown.run().await; // what a platform does when it stops
/// # });
/// ```
#[must_use]
pub struct Shutdown {
    hooks: Vec<Hook>,
    grace: Duration,
}

impl Default for Shutdown {
    fn default() -> Self {
        Shutdown {
            hooks: Vec::new(),
            grace: Duration::from_secs(5),
        }
    }
}

impl Shutdown {
    /// No hooks, a grace of 5 s.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a hook.
    pub fn hook<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.hooks.push(Box::new(move || Box::pin(hook())));
        self
    }

    /// How long all hooks together may take.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Whether there is nothing to run.
    pub fn is_empty(&self) -> bool {
        self.hooks.is_empty()
    }

    /// Runs the hooks in order, for at most the grace time (a hook's panic is caught and logged;
    /// the next one runs), then exports the spans not yet exported (feature `opentelemetry`).
    /// Platforms call this once when they stop.
    pub async fn run(self) {
        self.run_hooks().await;
        // Last, so spans the hooks made are exported too.
        crate::shim::shutdown_traces().await;
    }

    async fn run_hooks(self) {
        if self.hooks.is_empty() {
            return;
        }
        let count = self.hooks.len();
        let hooks = async move {
            for (i, hook) in self.hooks.into_iter().enumerate() {
                let outcome =
                    futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(hook()))
                        .await;
                if let Err(panic) = outcome {
                    let text = crate::layer::panic_text(&*panic);
                    tracing::error!(hook = i, "a shutdown hook panicked: {text}");
                }
            }
        };
        match tokio::time::timeout(self.grace, hooks).await {
            Ok(()) => tracing::info!(hooks = count, "shutdown hooks done"),
            Err(_) => tracing::warn!(
                "shutdown hooks still running after {:?}; stopping anyway",
                self.grace
            ),
        }
    }
}

impl fmt::Debug for Shutdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shutdown")
            .field("hooks", &self.hooks.len())
            .field("grace", &self.grace)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[tokio::test]
    async fn hooks_run_in_order_within_the_grace_and_survive_a_panic() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (a, b) = (seen.clone(), seen.clone());
        Shutdown::new()
            .hook(move || async move { a.lock().unwrap().push("first") })
            .hook(|| async { panic!("hook failed") })
            .hook(move || async move { b.lock().unwrap().push("third") })
            .run()
            .await;
        assert_eq!(*seen.lock().unwrap(), ["first", "third"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_hook_past_the_grace_is_abandoned() {
        let started = tokio::time::Instant::now();
        Shutdown::new()
            .hook(|| async { tokio::time::sleep(Duration::from_secs(3600)).await })
            .grace(Duration::from_secs(1))
            .run()
            .await;
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
