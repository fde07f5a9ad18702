//! Google Cloud Functions: the real `echo` binary built with `--features gcp`, driven the way
//! Cloud Run, Eventarc and Pub/Sub drive a Functions Framework server (the test kit's
//! `polyfaas_testkit::gcp`).
//!
//! - `fixtures`: the project's own fixtures, one per conversion rule (storage, Pub/Sub incl.
//!   raw push, Firestore, Realtime Database, Auth, Analytics, binary and structured
//!   CloudEvents, legacy nested and flat, errors);
//! - `http_fn`: plain HTTP functions, and the cross-platform equivalence set;
//! - `http2`: HTTP/2 with prior knowledge with the `http2` feature, refused without it;
//! - `events`: CloudEvents and legacy events built in code (blob files, ids, deadlines);
//! - `lifecycle`: failures followed by good requests, concurrency, deadline, SIGTERM,
//!   configuration errors;
//! - `transport`: the body limit for every signature, early answers reaching a client that is
//!   still sending, the panic policy;
//! - `changes`: Firestore document events and Cloud Scheduler calls from the test kit's
//!   encoders (JSON, protobuf, legacy; HTTP and Pub/Sub targets), one logical change record
//!   giving one canonical event through every form;
//! - `observability`: Cloud Logging lines, echo's `extras`, streaming, the method rule;
//! - `shutdown`: the user's shutdown hook on SIGTERM.
//!
//! The public Functions Framework conformance corpus is checked outside `cargo test`:
//! `providers/gcp/scripts/oracle.sh`.

mod changes;
mod events;
mod fixtures;
mod http2;
mod http_fn;
mod lifecycle;
mod observability;
mod shutdown;
mod transport;

use conformance_tests::build::echo_binary;
use polyfaas_testkit::gcp::FunctionsFramework;
use polyfaas_testkit::native::Signature;
use polyfaas_testkit::Platform;

/// Starts echo as a `signature` function (`http`, `cloudevent`, `event`) the way the Functions
/// Framework starts one, plus `env`.
pub fn start(signature: &str, env: &[(&str, &str)]) -> FunctionsFramework {
    let signature = match signature {
        "http" => Signature::Http,
        "cloudevent" => Signature::CloudEvent,
        "event" => Signature::Event,
        other => panic!("no signature type {other:?}"),
    };
    FunctionsFramework::start(&echo_binary(Platform::Gcp), signature, env)
        .unwrap_or_else(|e| panic!("start echo: {e}"))
}
