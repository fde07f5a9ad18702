//! The conformance suite of polyfaas: the real `examples/echo` binary, built per platform, driven
//! through each platform's protocol by the emulators of `polyfaas-testkit`
//! (`tests/<platform>/`), with the checks every platform shares.
//!
//! What is here is only what knows this repository's layout: [`build::echo_binary`] builds
//! `examples/echo` for a platform, [`build::shared_dir`] finds the outside-oracle fixtures.

#![deny(missing_docs)]

pub mod build;
