//! The event kinds added for change streams and authorizers, and echo's extras switch, through
//! the real echo binary on the local dev provider.

use conformance_tests::build::echo_binary;
use polyfaas_testkit::client::{json, post_json};
use polyfaas_testkit::local::LocalServer;
use polyfaas_testkit::Platform;
use serde_json::{json, Value};

const EVENTS: &str = "/_polyfaas/events";

fn start() -> LocalServer {
    LocalServer::start(&echo_binary(Platform::Local), &[])
        .unwrap_or_else(|e| panic!("start echo: {e}"))
}

#[tokio::test]
async fn change_records_are_echoed_logged_and_can_fail() {
    let echo = start();
    let addr = echo.addr;
    let change = json!({
        "kind": "change", "id": "e-1", "source": "orders", "op": "modify",
        "key": {"id": "o-7"}, "old": {"id": "o-7", "total": 10}, "new": {"id": "o-7", "total": 12}
    });
    let answer = post_json(addr, EVENTS, &change).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(json(&answer)["event"], change);
    assert!(
        echo.process
            .output()
            .contains(&format!("echo record {change}")),
        "one log line per record: {}",
        echo.process.output()
    );

    let failing = json!({
        "kind": "change", "id": "e-2", "source": "orders", "op": "insert",
        "new": {"id": "o-8", "echo_fail": "error"}
    });
    let answer = post_json(addr, EVENTS, &failing).await;
    assert_eq!(answer.status(), 500);
    assert_eq!(json(&answer)["error"]["type"], "HandlerError");

    // A stream record whose data is JSON with echo_fail fails too.
    let record = json!({"kind": "message", "id": "49590338271490256608559692538361571095921575989136588898",
        "source": "clicks", "body_base64": "eyJlY2hvX2ZhaWwiOiJlcnJvciJ9",
        "attributes": {"partition_key": "p1", "sequence_number": "4959"}});
    assert_eq!(post_json(addr, EVENTS, &record).await.status(), 500);
}

#[tokio::test]
async fn authorizer_calls_get_an_authorization_with_echos_answer_as_context() {
    let echo = start();
    let addr = echo.addr;
    let resource = "arn:aws:execute-api:eu-west-1:123456789012:api/prod/GET/items";
    let allow =
        json!({"kind": "authorize", "token": "Bearer good", "resource": resource, "request": null});
    let answer = json(&post_json(addr, EVENTS, &allow).await);
    assert_eq!(answer["allow"], true);
    assert_eq!(answer["principal"], "echo");
    let echoed: Value = serde_json::from_str(answer["context"]["echo"].as_str().unwrap()).unwrap();
    assert_eq!(echoed["event"], allow);

    for deny in [
        json!({"kind": "authorize", "token": "Bearer deny", "resource": resource}),
        json!({"kind": "authorize", "token": null, "resource": resource, "request": {
            "kind": "http", "method": "GET", "path": "/items", "headers": {"x-echo-deny": ["deny"]}}}),
    ] {
        let answer = json(&post_json(addr, EVENTS, &deny).await);
        assert_eq!(answer["allow"], false, "{deny}");
        assert_eq!(answer["principal"], "echo");
    }
}

#[tokio::test]
async fn the_extras_switch_adds_the_platforms_extras_and_leaves_the_event_alone() {
    let echo = start();
    let addr = echo.addr;
    let invoke = json!({"kind": "invoke", "payload": {"echo_extras": true}});
    let answer = json(&post_json(addr, EVENTS, &invoke).await);
    assert_eq!(answer["event"], invoke);
    // The local provider sends no extras.
    assert_eq!(answer["extras"], json!({}));
    let plain = json(&post_json(addr, EVENTS, &json!({"kind": "invoke", "payload": {}})).await);
    assert!(plain.get("extras").is_none(), "{plain}");
}

#[tokio::test]
async fn a_streamed_answer_arrives_chunk_by_chunk() {
    let echo = start();
    let request = http::Request::get("/streamed")
        .header("x-echo-stream-ms", "1500")
        .body(bytes::Bytes::new())
        .unwrap();
    let (head, chunks) = polyfaas_testkit::client::send_chunks(echo.addr, request)
        .await
        .unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(head.headers["transfer-encoding"], "chunked");
    assert!(chunks.len() >= 2, "{chunks:?}");
    let first = chunks[0].at;
    let last = chunks[chunks.len() - 1].at;
    // The first chunk came before echo produced the rest (1.5 s later).
    assert!(
        last.saturating_sub(first) >= std::time::Duration::from_millis(1000),
        "first at {first:?}, last at {last:?}"
    );
    let whole: Vec<u8> = chunks.iter().flat_map(|c| c.data.to_vec()).collect();
    let answer: Value = serde_json::from_slice(&whole).unwrap();
    assert_eq!(answer["event"]["path"], "/streamed");
}

#[tokio::test]
async fn the_shutdown_hook_runs_on_sigterm() {
    let mut echo = start();
    assert_eq!(
        polyfaas_testkit::client::get(echo.addr, "/").await.status(),
        200
    );
    echo.process
        .signal(polyfaas_testkit::process::Signal::Term)
        .unwrap();
    let status = echo
        .process
        .wait_timeout(std::time::Duration::from_secs(30));
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    assert!(
        echo.process.output().contains("echo: shutdown hook ran"),
        "{}",
        echo.process.output()
    );
}
