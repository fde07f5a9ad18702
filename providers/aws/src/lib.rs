//! AWS Lambda shim for polyfaas: the Runtime API through lambda_runtime, every common trigger into the neutral Event.
//!
//! (Skeleton wired into the workspace; the shim itself lands with its issue.)

#![deny(missing_docs)]

use polyfaas_core::{Error, Handler};

/// Whether this process was started by the platform.
pub fn detected() -> bool {
    std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
}

/// Runs `handler` until the platform stops the process.
pub async fn run<H: Handler>(handler: H) -> Result<(), Error> {
    let _ = handler;
    Err(Error::Provider("the aws shim is not built yet".into()))
}
