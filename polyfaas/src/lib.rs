//! Write a serverless function once, in Rust, against provider-neutral types; build it as one
//! small native binary per platform.
//!
//! ```no_run
//! use polyfaas::{Context, Event, Response, RequestExt};
//!
//! async fn handle(event: Event, ctx: Context) -> Result<Response, polyfaas::Error> {
//!     match event {
//!         Event::Http(req) => Ok(Response::text(format!("hello from {}", req.decoded_path()))),
//!         Event::Blob(blob) if blob.is_created() => {
//!             let path = blob.local_path(&ctx).await?; // a real file, on every platform
//!             let size = tokio::fs::metadata(path).await?.len();
//!             ctx.blobs().put(&format!("sizes/{}", blob.key()), size.to_string()).await?;
//!             Ok(Response::ok())
//!         }
//!         other => Response::json(&serde_json::json!({ "ignored": other.kind() })),
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), polyfaas::Error> {
//!     polyfaas::run(polyfaas::handler_fn(handle)).await
//! }
//! ```
//!
//! An existing axum app runs unchanged: `polyfaas::run(polyfaas::from_service(router))`.
//!
//! `cargo run` serves the function on the local dev provider. Each platform is a cargo feature
//! of this crate; with several compiled in, [`run`] picks by the environment the process was
//! started in, and `POLYFAAS_PROVIDER` overrides. Everything else is re-exported from
//! [`polyfaas_core`].

#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(not(any(
    feature = "local",
    feature = "aws",
    feature = "gcp",
    feature = "azure",
    feature = "openwhisk"
)))]
compile_error!("polyfaas needs at least one provider feature: local, aws, gcp, azure or openwhisk");

mod select;

pub use polyfaas_core::*;

/// Runs `handler` on the provider this binary was built for, until the platform stops it.
///
/// With several providers compiled in, the environment decides (`AWS_LAMBDA_RUNTIME_API`,
/// `FUNCTIONS_CUSTOMHANDLER_PORT`, `FUNCTION_TARGET`/`K_SERVICE`, the OpenWhisk variables), and
/// `POLYFAAS_PROVIDER` (`local`, `aws`, `gcp`, `azure`, `openwhisk`) overrides.
///
/// Each provider sets up its own log output (the local one: `RUST_LOG`-filtered lines on
/// stderr; Azure: log lines returned to the host with each invocation).
///
/// Fails at start-up when the provider's configuration is invalid (the message names the
/// environment variable to fix) or its port is taken.
pub async fn run<H: Handler>(handler: H) -> Result<(), Error> {
    let requested = std::env::var("POLYFAAS_PROVIDER").ok();
    let provider = select::select(select::COMPILED, requested.as_deref(), select::detected)?;
    match provider {
        #[cfg(feature = "aws")]
        Provider::Aws => polyfaas_aws::run(handler).await,
        #[cfg(feature = "azure")]
        Provider::Azure => polyfaas_azure::run(handler).await,
        #[cfg(feature = "gcp")]
        Provider::Gcp => polyfaas_gcp::run(handler).await,
        #[cfg(feature = "openwhisk")]
        Provider::OpenWhisk => polyfaas_openwhisk::run(handler).await,
        #[cfg(feature = "local")]
        Provider::Local => {
            init_tracing();
            local::serve(handler, local::LocalConfig::from_env()?).await
        }
        other => Err(Error::Provider(format!(
            "provider {other} is not compiled into this binary"
        ))),
    }
}
