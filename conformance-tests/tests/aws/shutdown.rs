//! The shutdown hook on Lambda: echo (which has one) registers an internal extension before its
//! first `/next`, so that Lambda sends SIGTERM before stopping it; on SIGTERM it answers the
//! invocation in flight, if any, runs the hook and exits 0.

use std::time::Duration;

use polyfaas_testkit::aws::{Invocation, Lambda};
use polyfaas_testkit::process::Signal;
use serde_json::json;

use crate::fixture;

/// After SIGTERM: the process exits 0 (within 30 s) having run echo's hook.
fn assert_hooks_ran_and_exited(lambda: &mut Lambda) {
    assert_hooks_ran_after(lambda, "SIGTERM");
}

/// After `signal`: the process exits 0 (within 30 s), having named it and run echo's hook.
fn assert_hooks_ran_after(lambda: &mut Lambda, signal: &str) {
    let status = lambda
        .process
        .wait_timeout(Duration::from_secs(30))
        .unwrap_or_else(|| panic!("still running after {signal}\n{}", lambda.process.output()));
    let output = lambda.process.output();
    assert!(status.success(), "exit status {status}\n{output}");
    assert!(output.contains(&format!("{signal}: stopping")), "{output}");
    assert!(output.contains("echo: shutdown hook ran"), "{output}");
    assert!(output.contains("shutdown hooks done"), "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_runs_the_shutdown_hook() {
    let mut lambda = crate::start().await;
    // Served as usual (the server hands out the first invocation only once the extension said
    // it is ready, as Lambda ends its init phase).
    let document = lambda.result(fixture("eventbridge-schedule.json")).await;
    assert_eq!(document["event"]["kind"], "schedule");

    let extensions = lambda.api.extensions();
    assert_eq!(extensions.len(), 1, "{extensions:?}");
    assert_eq!(extensions[0].name, "polyfaas-shutdown");
    assert_eq!(extensions[0].events, Vec::<String>::new());
    assert!(extensions[0].ready, "{extensions:?}");
    lambda.assert_healthy();

    lambda.process.signal(Signal::Term).unwrap();
    assert_hooks_ran_and_exited(&mut lambda);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigterm_during_an_invocation_lets_it_answer_before_the_hooks_run() {
    let mut lambda = crate::start().await;
    let slow = Invocation::new(json!({"echo_sleep_ms": 1500}).to_string());
    let id = slow.request_id.clone();
    let signalled = async {
        // SIGTERM once echo has taken the invocation from /next and is sleeping in it.
        while lambda.api.in_flight().as_ref() != Some(&id) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        lambda.process.signal(Signal::Term).unwrap();
    };
    let (outcome, ()) = tokio::join!(lambda.invoke(slow), signalled);
    let document = outcome.unwrap().response_json();
    assert_eq!(document["event"]["kind"], "invoke", "{document:#}");
    assert_hooks_ran_and_exited(&mut lambda);
    assert_eq!(lambda.api.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_runs_the_shutdown_hook_too() {
    // Ctrl-C under a local emulator (cargo lambda watch, sam local): the same hooks run.
    let mut lambda = crate::start().await;
    let document = lambda.result(fixture("eventbridge-schedule.json")).await;
    assert_eq!(document["event"]["kind"], "schedule");
    lambda.process.signal(Signal::Int).unwrap();
    assert_hooks_ran_after(&mut lambda, "SIGINT");
}
