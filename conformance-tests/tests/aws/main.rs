//! AWS Lambda: the real `echo` binary built with `--features aws`, driven through the test kit's
//! Lambda Runtime API server (`polyfaas_testkit::aws`) over the project's own event fixtures
//! (`conformance-tests/fixtures/aws/`).
//!
//! - `http`: API Gateway v1/v2, Function URL and ALB events in, per-origin responses out, and
//!   the `lambda_http` 1.3.2 mistakes pinned.
//! - `triggers`: S3 (with the object read through the configured store), SQS partial batches,
//!   SNS, EventBridge schedules, direct and unrecognised invocations.
//! - `failures`: handler errors and panics, malformed events, deadlines, start-up failures;
//!   each followed by a good invocation.
//! - `emulators`: what cargo-lambda's emulator does differently (non-epoch deadline, `/.rt`
//!   prefix, 200 answers, its Function URL events).
//! - `equivalence`: the shared logical requests as v1, v2, Function URL and ALB events.
//! - `streams`: DynamoDB Streams, Kinesis and Kafka records, per-record failure, malformed
//!   records and schedule times.
//! - `authorizers`: TOKEN, REQUEST and HTTP API authorizer calls and their IAM or simple answers.
//! - `extras`: per-record extras (SQS, SNS, S3 from published events; Kinesis, DynamoDB, Kafka).
//! - `stream_equivalence`: the shared change record and stream message as DynamoDB and Kinesis
//!   records.
//! - `startup`: time from process start to the first response (ignored by default; a figure).
//! - `extras`: the request context of every HTTP origin (authorizers, path parameters, ...),
//!   the raw event, the ARN and trace header, through echo's `extras`.
//! - `streaming`: Function URL answers streamed through the Runtime API, chunk by chunk.
//! - `logs`: Lambda's JSON log format and level, request and trace ids on every line.
//! - `shutdown`: the internal extension and the shutdown hook on SIGTERM.
//! - `headers`: `/next` headers that cannot be read fail or skip one invocation only.
//! - `methods`: the one rule for HTTP methods in every origin.

mod authorizers;
mod emulators;
mod equivalence;
mod extras;
mod failures;
mod headers;
mod http;
mod logs;
mod methods;
mod no_backend;
mod record_extras;
mod shutdown;
mod startup;
mod stream_equivalence;
mod streaming;
mod streams;
mod triggers;

use conformance_tests::build::{echo_binary, workspace_root};
use polyfaas_testkit::aws::{Lambda, LambdaOptions};
use polyfaas_testkit::echo::event_of;
use polyfaas_testkit::Platform;
use serde_json::Value;

/// The function name the tests give the binary.
pub const FUNCTION: &str = "echo-fn";

/// A fixture's bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = workspace_root()
        .join("conformance-tests/fixtures/aws")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {path:?}: {e}"))
}

/// Starts echo with Lambda's environment against a fresh Runtime API server.
pub async fn start() -> Lambda {
    start_with(LambdaOptions::default()).await
}

/// Starts echo, named [`FUNCTION`], with `options`.
pub async fn start_with(options: LambdaOptions) -> Lambda {
    Lambda::start(&echo_binary(Platform::Aws), options.function_name(FUNCTION))
        .await
        .unwrap_or_else(|e| panic!("start echo: {e}"))
}

/// Invokes with an HTTP event and returns the origin's response and the echoed canonical event
/// inside its body.
pub async fn http_event(lambda: &Lambda, payload: impl Into<bytes::Bytes>) -> (Value, Value) {
    let response = lambda.result(payload).await;
    assert_eq!(response["statusCode"], 200, "{response:#}");
    let body = response["body"].as_str().expect("a text body");
    let document: Value = serde_json::from_str(body).expect("echo's body is JSON");
    (response, event_of(&document, "aws"))
}
