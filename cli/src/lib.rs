//! `cargo polyfaas`: build, package and describe a function's whole deployment for AWS Lambda,
//! Google Cloud Run, Azure Functions and Apache OpenWhisk from one `polyfaas.toml`.
//!
//! ```text
//! cargo install --path cli                     # once; or `cargo run -p polyfaas-cli --` in the workspace
//! cargo polyfaas new demo && cd demo
//! cargo polyfaas package --platform aws        # target/polyfaas/aws/{function.zip,template.yaml}
//! cargo polyfaas package --platform gcp        # target/polyfaas/gcp/{Dockerfile,function,service.yaml,deploy.sh}
//! cargo polyfaas package --platform azure      # target/polyfaas/azure/{app/,app.zip}
//! cargo polyfaas package --platform openwhisk  # target/polyfaas/openwhisk/{action.zip,manifest.yaml}
//! ```
//!
//! The same as a library: read the declaration, check a platform can express it, package.
//!
//! ```
//! use polyfaas_cli::declaration::Declaration;
//! use polyfaas_cli::platform::Platform;
//! use polyfaas_cli::support;
//!
//! let declaration = Declaration::parse(r#"
//!     [[trigger]]
//!     type = "http"
//!
//!     [[trigger]]
//!     name = "clicks"
//!     type = "stream"
//!     source = "kinesis"
//!     stream = "clicks"
//! "#)?;
//! assert!(support::check(&declaration, Platform::Aws).is_ok());
//! let refusal = support::check(&declaration, Platform::Azure).unwrap_err();
//! assert_eq!(refusal.to_string(), "azure cannot deploy this declaration: trigger[1] (clicks): azure has no kinesis stream trigger");
//! # Ok::<(), polyfaas_cli::declaration::DeclarationError>(())
//! ```
//!
//! Modules: [`declaration`] (polyfaas.toml), [`support`] (what each platform can express),
//! [`build`], [`package`], [`check`] (what each generated file must satisfy), [`marks`] (how
//! schedules are marked where a platform cannot tell them from other calls), [`new`].
//!
//! Running the function before deploying it, under each platform's emulator from
//! `polyfaas-testkit` ([`emulator`]), with no cloud account and no Docker:
//!
//! ```text
//! cargo polyfaas invoke --platform aws --event s3-put --set key=a.csv   # one event, one platform
//! cargo polyfaas invoke --list                                          # the sample events
//! cargo polyfaas test                                                   # tests/events/*.json on every platform
//! cargo polyfaas dev --record tests/events                              # local, rebuilt on every change
//! ```
//!
//! [`invoke`], [`test`](mod@test), [`dev`]; `docs/testing.md` is the guide.

#![deny(missing_docs)]

pub mod build;
pub mod check;
pub mod cli;
pub mod commands;
pub mod declaration;
pub mod dev;
pub mod emulator;
pub mod invoke;
pub mod marks;
pub mod new;
pub mod package;
pub mod platform;
mod progress;
pub mod project;
pub mod support;
pub mod test;
