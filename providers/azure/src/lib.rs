//! Azure Functions custom handler shim for polyfaas, over axum: blob triggers handed over as local files.
//!
//! (Skeleton wired into the workspace; the shim itself lands with its issue.)

#![deny(missing_docs)]

use polyfaas_core::{Error, Handler};

/// Whether this process was started by the platform.
pub fn detected() -> bool {
    std::env::var_os("FUNCTIONS_CUSTOMHANDLER_PORT").is_some()
}

/// Runs `handler` until the platform stops the process.
pub async fn run<H: Handler>(handler: H) -> Result<(), Error> {
    let _ = handler;
    Err(Error::Provider("the azure shim is not built yet".into()))
}
