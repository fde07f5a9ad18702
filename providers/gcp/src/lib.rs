//! Google Cloud Functions shim for polyfaas: the Functions Framework contract over hyper, CloudEvents and legacy events.
//!
//! (Skeleton wired into the workspace; the shim itself lands with its issue.)

#![deny(missing_docs)]

use polyfaas_core::{Error, Handler};

/// Whether this process was started by the platform.
pub fn detected() -> bool {
    std::env::var_os("FUNCTION_TARGET").is_some() || std::env::var_os("K_SERVICE").is_some()
}

/// Runs `handler` until the platform stops the process.
pub async fn run<H: Handler>(handler: H) -> Result<(), Error> {
    let _ = handler;
    Err(Error::Provider("the gcp shim is not built yet".into()))
}
