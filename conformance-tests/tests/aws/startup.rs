//! Time from process start to the first response served, under the Runtime API server. A
//! figure for the README, not an assertion: `cargo test -p conformance-tests --test aws --
//! --ignored --nocapture startup`. Uses the debug build the suite builds; for the release
//! figure set `POLYFAAS_AWS_ECHO` to a release binary.

use std::time::{Duration, Instant};

use conformance_tests::build::echo_binary;
use polyfaas_testkit::process::{command, Process};
use polyfaas_testkit::Platform;

use crate::{fixture, FUNCTION};
use polyfaas_testkit::aws::{Invocation, RuntimeApi};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement; run with --ignored --nocapture"]
async fn startup_to_first_response() {
    let binary = std::env::var_os("POLYFAAS_AWS_ECHO")
        .map_or_else(|| echo_binary(Platform::Aws), Into::into);
    let blobs = tempfile::tempdir().unwrap();
    let mut samples = Vec::new();
    for _ in 0..20 {
        let api = RuntimeApi::start().await.unwrap();
        let mut cmd = command(&binary);
        cmd.env("AWS_LAMBDA_RUNTIME_API", api.host_port())
            .env("AWS_LAMBDA_FUNCTION_NAME", FUNCTION)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env(
                "POLYFAAS_BLOB_URL",
                format!("file://{}", blobs.path().display()),
            );
        let payload = fixture("apigw-v2-named-stage.json");
        let started = Instant::now();
        let process = Process::spawn(cmd).unwrap();
        let outcome = api
            .invoke(Invocation::new(payload), Duration::from_secs(60))
            .await;
        let elapsed = started.elapsed();
        assert!(outcome.is_some(), "no answer\n{}", process.output());
        samples.push(elapsed);
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "start to first response ({}): min {:.1} ms, median {:.1} ms, max {:.1} ms over {} runs",
        binary.display(),
        ms(samples[0]),
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() - 1]),
        samples.len()
    );
}
