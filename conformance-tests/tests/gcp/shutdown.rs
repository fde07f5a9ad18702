//! The user's shutdown hook runs on SIGTERM, after the requests in flight (issue 13).

use std::time::Duration;

use bytes::Bytes;
use conformance_tests::build::workspace_root;
use polyfaas_testkit::build::Build;
use polyfaas_testkit::client::KeptAlive;
use polyfaas_testkit::process::{command, Process, Signal};

#[tokio::test]
async fn the_shutdown_hook_runs_on_sigterm_after_the_requests_in_flight() {
    let binary = Build::plain("gcp-examples")
        .current_dir(workspace_root())
        .package("polyfaas-gcp")
        .example("shutdown_hook")
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = command(&binary);
    cmd.env("HOST", "127.0.0.1")
        .env("FUNCTION_TARGET", "hook")
        .env("RUST_LOG", "info");
    let (mut process, addr) = Process::spawn_listening(cmd, "PORT").expect("start");
    let mut connection = KeptAlive::open(addr).await.unwrap();
    let response = connection
        .send(http::Request::get("/").body(Bytes::new()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    process.signal(Signal::Term).unwrap();
    let status = process
        .wait_timeout(Duration::from_secs(10))
        .expect("exited after SIGTERM");
    let output = process.output();
    assert!(status.success(), "{status:?}\n{output}");
    // Cloud Logging lines (FUNCTION_TARGET is set): the hook's line is one of them, after the
    // server stopped.
    let lines: Vec<serde_json::Value> = output
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let position = |text: &str| {
        lines
            .iter()
            .position(|l| l["message"].as_str().is_some_and(|m| m.contains(text)))
    };
    let hook = position("shutdown hook: flushed 3 pending writes")
        .unwrap_or_else(|| panic!("the hook's line is missing:\n{output}"));
    assert_eq!(lines[hook]["severity"], "INFO");
    let stopped = position("stopped").unwrap_or_else(|| panic!("no `stopped` line:\n{output}"));
    assert!(
        stopped < hook,
        "the hook ran before the server stopped:\n{output}"
    );
}
