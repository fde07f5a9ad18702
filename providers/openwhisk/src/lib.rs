//! Apache OpenWhisk shim for polyfaas: ActionLoop over stdin and fd 3, blackbox mode, web actions.
//!
//! (Skeleton wired into the workspace; the shim itself lands with its issue.)

#![deny(missing_docs)]

use polyfaas_core::{Error, Handler};

/// Whether this process was started by the platform.
pub fn detected() -> bool {
    ["__OW_API_HOST", "__OW_WAIT_FOR_ACK", "__OW_PROXY_VERSION"]
        .iter()
        .any(|v| std::env::var_os(v).is_some())
}

/// Runs `handler` until the platform stops the process.
pub async fn run<H: Handler>(handler: H) -> Result<(), Error> {
    let _ = handler;
    Err(Error::Provider(
        "the openwhisk shim is not built yet".into(),
    ))
}
