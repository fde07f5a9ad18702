//! The Runtime API loop as a task of its own: under `#[tokio::main]`'s multi-thread runtime the
//! caller's future is polled by a thread that drives no I/O, so `run` spawns the loop onto the
//! runtime's workers, where the connection's reads wake it directly (BENCHMARKS.md: start to
//! first response). Its own test binary: it sets the process's Lambda variables.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use polyfaas_core::{handler_fn, Context, Error, Event, Response};
use polyfaas_testkit::aws::{Invocation, Outcome, RuntimeApi};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_runs_on_a_runtime_worker_not_on_the_callers_thread() {
    let api = RuntimeApi::start().await.unwrap();
    std::env::set_var("AWS_LAMBDA_RUNTIME_API", api.host_port());
    std::env::set_var("AWS_LAMBDA_FUNCTION_NAME", "loop-test");
    std::env::set_var("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    std::env::set_var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128");

    let caller = std::thread::current().id();
    let seen = Arc::new(Mutex::new(None));
    let record = Arc::clone(&seen);
    let handler = handler_fn(move |_event: Event, _ctx: Context| {
        let record = Arc::clone(&record);
        async move {
            let thread = std::thread::current();
            *record.lock().unwrap() = Some((thread.id(), thread.name().map(str::to_owned)));
            Ok::<_, Error>(Response::text("ok"))
        }
    });

    let outcome = tokio::select! {
        ended = polyfaas_aws::run(handler) => panic!("the loop ended before the invocation: {ended:?}"),
        outcome = api.invoke(Invocation::new(r#"{"ping":1}"#), Duration::from_secs(10)) => outcome,
    };
    assert!(matches!(outcome, Some(Outcome::Response(_))), "{outcome:?}");
    let (thread, name) = seen.lock().unwrap().clone().expect("the handler ran");
    assert_ne!(
        thread, caller,
        "the handler ran on the thread that called run"
    );
    // tokio names its workers `tokio-rt-worker` (1.54; `tokio-runtime-worker` in older releases).
    assert!(
        name.as_deref().is_some_and(|n| n.starts_with("tokio-")),
        "the handler ran on {name:?}, not a runtime worker"
    );
}
