//! What a platform crate implements so the `polyfaas` facade can select it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::{Error, Handler, Provider, Shutdown};

/// The future a platform's [`run`](Platform::run) returns.
pub type RunFuture = Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

/// A platform: its name, how to tell it started this process, and how to serve a handler on it
/// until the platform stops the process.
///
/// Each platform crate exports one unit struct implementing it (`polyfaas_aws::Aws`, ...), and
/// the `polyfaas` facade lists them, one line each; `polyfaas::run` asks each in turn whether it
/// is [`detected`](Platform::detected). A new platform is a crate with its own `Platform` and one
/// more line in that list.
///
/// ```
/// use std::sync::Arc;
/// use polyfaas_core::{Handler, Platform, Provider, Shutdown};
/// use polyfaas_core::platform::RunFuture;
///
/// struct Knative;
/// impl Platform for Knative {
///     fn provider(&self) -> Provider { Provider::new("knative") }
///     fn detected(&self) -> bool { std::env::var_os("K_CONFIGURATION").is_some() }
///     fn run(&self, handler: Arc<dyn Handler>, shutdown: Shutdown) -> RunFuture {
///         Box::pin(async move { let _ = handler; /* serve it, then: */ shutdown.run().await; Ok(()) })
///     }
/// }
/// assert_eq!(Knative.provider().as_str(), "knative");
/// ```
pub trait Platform: Send + Sync + 'static {
    /// The platform's name.
    fn provider(&self) -> Provider;
    /// Whether the process was started by this platform, from its environment variables.
    fn detected(&self) -> bool;
    /// Serves `handler` until the platform stops the process, then runs `shutdown`'s hooks;
    /// fails at start-up when the platform's settings are wrong (naming the variable to fix).
    fn run(&self, handler: Arc<dyn Handler>, shutdown: Shutdown) -> RunFuture;
}
