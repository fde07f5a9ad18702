//! A user's shutdown hook runs when the host stops the custom handler (SIGTERM), after the
//! requests in flight: echo registers one that logs `echo: shutdown hook ran`.

use std::time::Duration;

use crate::{return_value_of, start};

#[tokio::test]
async fn the_shutdown_hook_runs_on_sigterm() {
    let mut host = start();
    // One invocation first: the hook runs after the server has served and drained.
    let document = return_value_of(
        &host
            .invoke("nightly", &crate::fixture("timer-trigger-request.json"))
            .await
            .unwrap(),
    );
    assert_eq!(document["event"]["kind"], "schedule");
    assert!(!host.process.output().contains("echo: shutdown hook ran"));
    host.process
        .signal(polyfaas_testkit::process::Signal::Term)
        .unwrap();
    let status = host
        .process
        .wait_timeout(Duration::from_secs(15))
        .expect("the handler exits after SIGTERM");
    assert!(status.success(), "{status:?}\n{}", host.process.output());
    let output = host.process.output();
    assert!(output.contains("echo: shutdown hook ran"), "{output}");
}
