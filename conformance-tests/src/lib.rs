//! The conformance harness: builds the real `echo` binary per platform, starts it as a real
//! process, and talks to it the way the platform would.
//!
//! - [`build::echo_binary`] builds `examples/echo` with one provider feature and returns the
//!   executable (cached per feature, safe across concurrent test processes).
//! - [`process::Process`] runs a binary, keeps its output for failure messages, kills it on drop.
//! - [`client`] is a small HTTP/1.1 client over hyper that sends exactly what it is given.
//! - [`echo`] has the checks on echo's canonical JSON that every platform shares.
//! - [`equivalence`] is the set of logical requests every platform must turn into the same
//!   canonical event.
//!
//! - [`runtime_api`] is a Lambda Runtime API server, [`azure_host`] an Azure Functions host
//!   stand-in, [`openwhisk_blackbox`] OpenWhisk's blackbox proxy: the drivers other crates' tests
//!   (the CLI's packaged binaries) use too.
//!
//! The other platforms' drivers and tests live in `tests/<platform>/`.

#![deny(missing_docs)]

pub mod azure_host;
pub mod build;
pub mod client;
pub mod echo;
pub mod equivalence;
pub mod openwhisk_blackbox;
pub mod process;
pub mod runtime_api;
