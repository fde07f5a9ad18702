//! A function with a shutdown hook, as `polyfaas::run_with` runs it on Google Cloud: on SIGTERM
//! the server stops accepting, lets requests in flight finish, then runs the hook, which logs a
//! line (a real function would flush a buffer or close a connection here).
//!
//! ```text
//! FUNCTION_TARGET=hook PORT=8080 cargo run -p polyfaas-gcp --example shutdown_hook &
//! kill -TERM %1     # ... {"severity":"INFO","message":"shutdown hook: flushed 3 pending writes",...}
//! ```
//!
//! The conformance suite (`conformance-tests/tests/gcp/shutdown.rs`) runs it under SIGTERM.

use std::sync::Arc;

use polyfaas_core::{handler_fn, Context, Error, Event, Platform, Response, Shutdown};
use polyfaas_gcp::Gcp;

async fn hello(_event: Event, ctx: Context) -> Result<Response, Error> {
    Ok(Response::text(format!("hello from {}", ctx.request_id())))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let shutdown = Shutdown::new().hook(|| async {
        tracing::info!("shutdown hook: flushed 3 pending writes");
    });
    Gcp.run(Arc::new(handler_fn(hello)), shutdown).await
}
