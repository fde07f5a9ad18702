//! Test a polyfaas function through every platform's own protocol, with no cloud account and no
//! Docker: in process from recorded events, or as a built binary under the Lambda Runtime API, the
//! Functions Framework, the Azure Functions host or an OpenWhisk proxy, each emulated here.
//!
//! In process, from a directory of recorded events ([`replay`]):
//!
//! ```
//! use polyfaas_core::{handler_fn, Context, Error, Event, Response};
//!
//! async fn handle(event: Event, _ctx: Context) -> Result<Response, Error> {
//!     Ok(Response::text(format!("got {}", event.kind())))
//! }
//!
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("001-nightly.json"),
//!     r#"{"kind": "schedule", "name": "nightly", "time": "2026-03-01T02:00:00Z"}"#)?;
//! for replayed in polyfaas_testkit::replay(dir.path(), handler_fn(handle)).await? {
//!     assert_eq!(replayed.result?.body(), "got schedule");
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(()) })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! One platform, one sample event ([`sample`], [`Function`]):
//!
//! ```no_run
//! use polyfaas_testkit::{build::Build, sample, Function, Params, Platform};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let binary = Build::for_platform(Platform::Azure).manifest_path("Cargo.toml").run()?;
//! let mut function = Function::start(Platform::Azure, &binary).await?;
//! let event = sample::find(Platform::Azure, "blob-created")?
//!     .encode(&Params::parse(["container=photos", "key=cat.png", "content=meow"])?)?;
//! let answer = function.send_encoded(&event).await?;
//! println!("{}\n{}", answer.native, answer.logs);
//! # Ok(()) }
//! ```
//!
//! Every platform, a directory of logical events ([`matrix`]):
//!
//! ```no_run
//! use polyfaas_testkit::{build::Build, matrix, record, Function, Platform};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let mut functions = Vec::new();
//! for platform in Platform::CLOUDS {
//!     let binary = Build::for_platform(platform).manifest_path("Cargo.toml").run()?;
//!     functions.push(Function::start(platform, &binary).await?);
//! }
//! let events = record::read_dir("tests/events".as_ref())?;
//! let table = matrix::run(&events, &mut functions, &matrix::Compare::default()).await;
//! println!("{}", table.render());
//! assert!(table.passed());
//! # Ok(()) }
//! ```
//!
//! The guide, with what each platform's emulator does and what each native form cannot carry:
//! `docs/testing.md` in the repository.
//!
//! The pieces, one module each:
//! - [`logical`]: one event independent of any platform (DESIGN.md's canonical JSON);
//!   [`record`]: the directory-of-events file format; [`replay`]: running them in process.
//! - [`encode`]: a logical event in a platform's native form (the inverse of its shim), with
//!   what the form cannot carry; [`sample`]: named native sample events built from parameters.
//! - [`native`]: the native events; [`answer`]: the native answer, its decoded view and the logs.
//! - [`Function`]: one API to run a built function under any platform, over the emulators:
//!   [`aws`] (a Lambda Runtime API server), [`gcp`] (the Functions Framework's caller),
//!   [`azure`] (a Functions host stand-in), [`openwhisk`] (ActionLoop and blackbox proxies, the
//!   controller's web actions), [`local`] (the local dev provider).
//! - [`build`]: building a function for a platform; [`process`], [`sandbox`], [`client`]: the
//!   parts under the emulators; [`matrix`]: the event × platform table.
//! - [`echo`] and [`equivalence`]: checks for functions that echo their event, as the polyfaas
//!   conformance suite's `examples/echo` does.

#![deny(missing_docs)]

pub mod answer;
pub mod aws;
pub mod azure;
pub mod build;
pub mod client;
pub mod echo;
pub mod encode;
pub mod equivalence;
mod function;
pub mod gcp;
pub mod local;
pub mod logical;
pub mod matrix;
pub mod native;
pub mod openwhisk;
pub mod platform;
pub mod process;
pub mod record;
mod replay;
pub mod sample;
pub mod sandbox;

pub use answer::Answer;
pub use function::{Function, FunctionBuilder, FunctionError};
pub use platform::Platform;
pub use replay::{replay, Replay, ReplayError, Replayed};
pub use sample::Params;
