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

#[cfg(not(any(feature = "local")))]
compile_error!("polyfaas needs at least one provider feature: local, aws, gcp, azure or openwhisk");

pub use polyfaas_core::*;

/// Runs `handler` on the provider this binary was built for, until the platform stops it.
///
/// Fails at start-up when the provider's configuration is invalid (the message names the
/// environment variable to fix) or its port is taken.
pub async fn run<H: Handler>(handler: H) -> Result<(), Error> {
    let provider = select_provider(std::env::var("POLYFAAS_PROVIDER").ok().as_deref())?;
    match provider {
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

/// The providers compiled in, in the order they are tried.
const COMPILED: &[Provider] = &[
    #[cfg(feature = "local")]
    Provider::Local,
];

/// Picks the provider: `POLYFAAS_PROVIDER` if set, else the first compiled-in one whose
/// environment is present, else the local dev provider if compiled in, else the only one.
fn select_provider(requested: Option<&str>) -> Result<Provider, Error> {
    if let Some(name) = requested.filter(|n| !n.is_empty()) {
        return COMPILED
            .iter()
            .copied()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| {
                let names: Vec<_> = COMPILED.iter().map(|p| p.as_str()).collect();
                Error::Provider(format!(
                    "POLYFAAS_PROVIDER={name:?} is not valid: this binary has {}",
                    names.join(", ")
                ))
            });
    }
    COMPILED
        .first()
        .copied()
        .ok_or_else(|| Error::Provider("no provider is compiled into this binary".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_selection() {
        assert_eq!(select_provider(None).unwrap(), Provider::Local);
        assert_eq!(select_provider(Some("local")).unwrap(), Provider::Local);
        let err = select_provider(Some("mars")).unwrap_err().to_string();
        assert!(
            err.starts_with("POLYFAAS_PROVIDER=\"mars\" is not valid"),
            "{err}"
        );
    }
}
