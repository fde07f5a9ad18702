//! The test kit itself, through the real `echo` binary on every platform:
//!
//! - `roundtrip`: logical events encoded in every native form of every platform come back from
//!   echo as they went in, except exactly the fields the encoder says the form cannot carry;
//! - `samples`: every sample event of every platform is answered, and echo reports the event
//!   the sample's parameters describe;
//! - `answers`: failures, logs and the decoded view of the answers;
//! - `matrix`: the event × platform table marks the platforms that answer differently;
//! - `oracle`: the generated native events have the shape of other projects' public payloads
//!   (read from `../shared/fixtures`, never copied).

mod answers;
mod matrix;
mod oracle;
mod roundtrip;
mod samples;

use conformance_tests::build::echo_binary;
use polyfaas_testkit::{Function, Platform};

/// Echo started under `platform` through the test kit's one API.
pub async fn start(platform: Platform) -> Function {
    Function::start(platform, &echo_binary(platform))
        .await
        .unwrap_or_else(|e| panic!("start echo under {platform}: {e}"))
}

/// Checks echo's answer to an encoded event against the logical event it was made from: the
/// test kit's own check, which `cargo polyfaas invoke` uses too.
pub use polyfaas_testkit::echo::check;
