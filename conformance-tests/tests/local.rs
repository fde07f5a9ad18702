//! The local dev provider, through the real `echo` binary on a free port.

use std::time::Duration;

use bytes::Bytes;
use conformance_tests::build::echo_binary;
use polyfaas_testkit::client::{self, get, json, post_json, send};
use polyfaas_testkit::echo::{
    assert_binary_bodies_arrive_intact, base64, event_of, header_values, now_ms, sha256_hex,
};
use polyfaas_testkit::local::LocalServer;
use polyfaas_testkit::process::Signal;
use polyfaas_testkit::process::{command, Process};
use polyfaas_testkit::Platform;
use serde_json::{json, Value};

const EVENTS: &str = "/_polyfaas/events";

/// Starts echo on the local provider (a free port, its own blob and scratch directories).
fn start(env: &[(&str, &str)]) -> LocalServer {
    LocalServer::start(&echo_binary(Platform::Local), env)
        .unwrap_or_else(|e| panic!("start echo: {e}"))
}

#[tokio::test]
async fn http_requests_become_canonical_json() {
    let echo = start(&[]);
    let request = http::Request::get("/items/7?a=1&b=x%20y&a=2&empty=")
        .header("X-Multi", "one")
        .header("x-multi", "two")
        .header("x-single", "only")
        .body(Bytes::new())
        .unwrap();
    let response = send(echo.addr, request).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let document = json(&response);
    let event = event_of(&document, "local");
    assert_eq!(event["kind"], "http");
    assert_eq!(event["method"], "GET");
    assert_eq!(event["path"], "/items/7");
    assert_eq!(event["query"], "a=1&b=x%20y&a=2&empty=");
    assert_eq!(header_values(&event, "x-multi"), ["one", "two"]);
    assert_eq!(header_values(&event, "x-single"), ["only"]);
    assert_eq!(event["body_base64"], "");
    assert_eq!(event["source_ip"], "127.0.0.1");
    assert_eq!(document["context"]["function"], "echo");
    let deadline = document["context"]["deadline_ms"]
        .as_u64()
        .expect("a deadline");
    let now = now_ms();
    assert!(
        deadline > now && deadline <= now + 61_000,
        "deadline {deadline}, now {now}"
    );
    // Field order is DESIGN.md's.
    let text = String::from_utf8_lossy(response.body()).into_owned();
    assert!(
        text.starts_with(r#"{"provider":"local","context":{"request_id":"#),
        "{text}"
    );
}

#[tokio::test]
async fn percent_encoded_and_unicode_paths_are_decoded() {
    let echo = start(&[]);
    for (sent, decoded) in [
        ("/caf%C3%A9/%E2%9C%93%20x", "/café/✓ x"),
        ("/%E6%97%A5%E6%9C%AC/a+b", "/日本/a+b"),
        ("/a%2Fb", "/a/b"),
        ("/", "/"),
    ] {
        let document = json(&get(echo.addr, sent).await);
        assert_eq!(event_of(&document, "local")["path"], decoded, "{sent}");
    }
}

#[tokio::test]
async fn binary_bodies_and_every_method_arrive_intact() {
    let echo = start(&[]);
    assert_binary_bodies_arrive_intact(echo.addr, "local").await;
}

#[tokio::test]
async fn fired_events_come_back_as_they_were_sent() {
    let echo = start(&[]);
    let cases = [
        json!({"kind": "message", "id": "m-1", "source": "orders", "body_base64": base64(b"{\"id\":7}"),
               "attributes": {"priority": "high", "retries": "2"}}),
        json!({"kind": "schedule", "name": "nightly-report", "time": "2024-05-01T02:00:00Z"}),
        json!({"kind": "invoke", "payload": {"order": 7, "items": ["a", "b"], "nested": {"x": null}}}),
        json!({"kind": "blob", "change": "deleted", "store": "uploads", "key": "gone.txt",
               "size": null, "etag": null, "content_type": null, "local_sha256": null}),
        json!({"kind": "http", "method": "PUT", "path": "/fired/ü", "query": "q=1&q=2",
               "headers": {"x-a": ["1", "2"]}, "body_base64": base64(&[0, 1, 255]), "source_ip": "10.0.0.1"}),
    ];
    for sent in cases {
        let response = post_json(echo.addr, EVENTS, &sent).await;
        assert_eq!(
            response.status(),
            200,
            "{sent}: {}",
            String::from_utf8_lossy(response.body())
        );
        assert_eq!(event_of(&json(&response), "local"), sent);
    }
}

#[tokio::test]
async fn a_fired_blob_event_reads_the_object_as_a_local_file() {
    let echo = start(&[]);
    let content: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let key = "uploads/2024/photo ü 1.bin";
    std::fs::create_dir_all(echo.sandbox.blob_dir().join("uploads/2024")).unwrap();
    std::fs::write(echo.sandbox.blob_dir().join(key), &content).unwrap();
    let sent = json!({"kind": "blob", "change": "created", "store": "local", "key": key,
                      "size": content.len(), "etag": "\"e1\"", "content_type": "application/octet-stream"});
    let response = post_json(echo.addr, EVENTS, &sent).await;
    assert_eq!(
        response.status(),
        200,
        "{}",
        String::from_utf8_lossy(response.body())
    );
    let event = event_of(&json(&response), "local");
    assert_eq!(event["local_sha256"], sha256_hex(&content));
    assert_eq!(event["key"], key);
    assert_eq!(event["size"], content.len());
    assert!(
        echo.sandbox.scratch_is_empty(),
        "the local file outlived the invocation"
    );

    // A missing object, and a hostile key, are errors that name the key; the server goes on.
    for key in ["not/there.txt", "../../etc/passwd"] {
        let sent = json!({"kind": "blob", "change": "created", "store": "local", "key": key});
        let response = post_json(echo.addr, EVENTS, &sent).await;
        assert_eq!(response.status(), 500);
        let error = &json(&response)["error"];
        assert_eq!(error["type"], "BlobError");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains(&format!("{key:?}")),
            "{error}"
        );
    }
    assert!(echo.sandbox.scratch_is_empty());
    assert_eq!(get(echo.addr, "/still-alive").await.status(), 200);
}

#[tokio::test]
async fn failures_are_reported_and_the_next_request_is_served() {
    let mut echo = start(&[]);
    for (how, error_type, message) in [
        ("error", "HandlerError", "echo failed on purpose"),
        // A panic's text stays in the log (polyfaas_core::PANIC_MESSAGE).
        (
            "panic",
            "Panic",
            "the handler panicked; its message is in the function's log (request id ",
        ),
    ] {
        let request = http::Request::get("/fail")
            .header("x-echo-fail", how)
            .body(Bytes::new())
            .unwrap();
        let response = send(echo.addr, request).await;
        assert_eq!(response.status(), 500, "{how}");
        assert_eq!(response.headers()["content-type"], "application/json");
        let error = &json(&response)["error"];
        assert_eq!(error["type"], error_type);
        assert!(
            error["message"].as_str().unwrap().starts_with(message),
            "{error}"
        );
        assert_eq!(
            get(echo.addr, "/after").await.status(),
            200,
            "served after {how}"
        );

        let response = post_json(
            echo.addr,
            EVENTS,
            &json!({"kind": "invoke", "payload": {"echo_fail": how}}),
        )
        .await;
        assert_eq!(response.status(), 500);
        assert_eq!(json(&response)["error"]["type"], error_type);
        assert_eq!(get(echo.addr, "/after").await.status(), 200);
    }
    assert!(
        echo.process.output().contains("echo panicked on purpose"),
        "the panic's text is in the log"
    );
    assert!(echo.process.is_running());
}

#[tokio::test]
async fn malformed_events_get_400_naming_the_field() {
    let echo = start(&[]);
    let cases = [
        ("{not json", "the event is not valid JSON"),
        (
            r#"{"kind":"http","method":"GET"}"#,
            "event.path: missing field `path`",
        ),
        (
            r#"{"kind":"message","id":1,"source":"q"}"#,
            "event.id: invalid type: integer `1`",
        ),
        (
            r#"{"kind":"message","id":"1","source":"q","body_base64":"@@"}"#,
            "event.body_base64: not valid base64",
        ),
        (r#"{"kind":"nope"}"#, "event.kind: unknown kind \"nope\""),
    ];
    for (body, expected) in cases {
        let request = http::Request::post(EVENTS).body(Bytes::from(body)).unwrap();
        let response = send(echo.addr, request).await;
        assert_eq!(response.status(), 400, "{body}");
        let error = &json(&response)["error"];
        assert_eq!(error["type"], "InvalidEvent");
        assert!(
            error["message"].as_str().unwrap().starts_with(expected),
            "{body}: {error}"
        );
    }
    // Only POST is reserved: GET on the path is an ordinary HTTP event.
    let event = event_of(&json(&get(echo.addr, EVENTS).await), "local");
    assert_eq!(event["path"], EVENTS);
}

#[tokio::test]
async fn oversized_bodies_get_413_and_the_server_goes_on() {
    let echo = start(&[("POLYFAAS_BODY_LIMIT", "1KiB")]);
    let big = Bytes::from(vec![b'x'; 1025]);
    let response = send(
        echo.addr,
        http::Request::post("/").body(big.clone()).unwrap(),
    )
    .await;
    assert_eq!(response.status(), 413);
    let error = &json(&response)["error"];
    assert_eq!(error["type"], "PayloadTooLarge");
    assert!(
        error["message"].as_str().unwrap().contains("1024 bytes"),
        "{error}"
    );

    // Without a content-length (chunked), the limit holds too.
    let (tx, rx) =
        tokio::sync::mpsc::channel::<Result<http_body::Frame<Bytes>, std::convert::Infallible>>(4);
    let stream = tokio::net::TcpStream::connect(echo.addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let body = http_body_util::StreamBody::new(tokio_stream::wrappers::ReceiverStream::new(rx));
    let request = http::Request::post("/chunked")
        .header("host", "x")
        .body(body)
        .unwrap();
    let sending = tokio::spawn(async move { sender.send_request(request).await });
    for _ in 0..3 {
        let _ = tx
            .send(Ok(http_body::Frame::data(Bytes::from(vec![b'y'; 600]))))
            .await;
    }
    drop(tx);
    let response = sending.await.unwrap().unwrap();
    assert_eq!(response.status(), 413);

    let ok = send(
        echo.addr,
        http::Request::post("/")
            .body(Bytes::from(vec![b'x'; 1024]))
            .unwrap(),
    )
    .await;
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn a_handler_past_the_deadline_gets_504() {
    let echo = start(&[("POLYFAAS_TIMEOUT", "0.3")]);
    let request = http::Request::get("/slow")
        .header("x-echo-sleep-ms", "5000")
        .body(Bytes::new())
        .unwrap();
    let started = std::time::Instant::now();
    let response = send(echo.addr, request).await;
    assert_eq!(response.status(), 504);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "not cancelled: {:?}",
        started.elapsed()
    );
    assert_eq!(json(&response)["error"]["type"], "Timeout");
    assert_eq!(get(echo.addr, "/").await.status(), 200);
}

#[tokio::test]
async fn sigterm_and_ctrl_c_shut_down_gracefully_after_requests_in_flight() {
    for (signal, number) in [("TERM", Signal::Term), ("INT", Signal::Int)] {
        let mut echo = start(&[]);
        let addr = echo.addr;
        let in_flight = tokio::spawn(async move {
            let request = http::Request::get("/slow")
                .header("x-echo-sleep-ms", "700")
                .body(Bytes::new())
                .unwrap();
            client::send(addr, request).await
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        echo.process.signal(number).unwrap();
        let response = in_flight.await.unwrap();
        assert_eq!(
            response.status(),
            200,
            "the request in flight was finished ({signal})"
        );
        let status = echo
            .process
            .wait_timeout(Duration::from_secs(10))
            .expect("exited");
        assert!(
            status.success(),
            "{signal}: {status:?}\n{}",
            echo.process.output()
        );
        let output = echo.process.output();
        assert!(output.contains("shutting down"), "{output}");
        assert!(output.contains("request"), "request log lines: {output}");
    }
}

#[tokio::test]
async fn a_bad_setting_is_a_startup_error_naming_the_variable() {
    let mut cmd = command(&echo_binary(Platform::Local));
    cmd.env("PORT", "eighty");
    let mut process = Process::spawn(cmd).unwrap();
    let status = process
        .wait_timeout(Duration::from_secs(30))
        .expect("exits");
    assert!(!status.success());
    assert!(
        process.output().contains("PORT=\"eighty\" is not valid"),
        "{}",
        process.output()
    );
}

#[tokio::test]
async fn concurrent_requests_are_served_concurrently() {
    let echo = start(&[]);
    let started = std::time::Instant::now();
    let requests = (0..10).map(|i| {
        let addr = echo.addr;
        tokio::spawn(async move {
            let request = http::Request::get(format!("/c/{i}"))
                .header("x-echo-sleep-ms", "500")
                .body(Bytes::new())
                .unwrap();
            client::send(addr, request).await
        })
    });
    let requests: Vec<_> = requests.collect();
    for request in requests {
        let response = request.await.unwrap();
        assert_eq!(response.status(), 200);
        let _: Value = json(&response);
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "10 × 500 ms took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn equivalence_the_logical_requests_give_the_canonical_events() {
    use polyfaas_testkit::equivalence::{assert_equivalent, logical_requests};
    let echo = start(&[]);
    for request in logical_requests() {
        let response = send(echo.addr, request.http_request()).await;
        assert_eq!(response.status(), 200, "{}", request.name);
        let event = event_of(&json(&response), "local");
        assert_equivalent(&request, &event, "local", &["host", "content-length"]);
    }
}
