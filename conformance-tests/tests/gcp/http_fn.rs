//! `http` functions: every method and path reaches the function unmodified.

use bytes::Bytes;
use polyfaas_testkit::client::{get, json, send};
use polyfaas_testkit::echo::{assert_binary_bodies_arrive_intact, event_of, header_values};
use polyfaas_testkit::equivalence::{assert_equivalent, logical_requests};

use crate::start;

#[tokio::test]
async fn http_requests_become_canonical_json() {
    let echo = start("http", &[]);
    let request = http::Request::get("/items/7?a=1&b=x%20y&a=2&empty=")
        .header("X-Multi", "one")
        .header("x-multi", "two")
        .header("x-single", "only")
        .body(Bytes::new())
        .unwrap();
    let response = send(echo.addr, request).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(response.headers().get("etag").is_none(), "no ETag, ever");
    let document = json(&response);
    let event = event_of(&document, "gcp");
    assert_eq!(event["kind"], "http");
    assert_eq!(event["method"], "GET");
    assert_eq!(event["path"], "/items/7");
    assert_eq!(event["query"], "a=1&b=x%20y&a=2&empty=");
    assert_eq!(header_values(&event, "x-multi"), ["one", "two"]);
    assert_eq!(header_values(&event, "x-single"), ["only"]);
    assert_eq!(event["body_base64"], "");
    assert_eq!(event["source_ip"], "127.0.0.1");
    assert_eq!(document["context"]["function"], "echo");
    assert_eq!(
        document["context"]["deadline_ms"],
        serde_json::Value::Null,
        "no CLOUD_RUN_TIMEOUT_SECONDS, no deadline"
    );
    let id = document["context"]["request_id"].as_str().unwrap();
    assert!(id.starts_with("gcp-"), "a generated id: {id}");
    let text = String::from_utf8_lossy(response.body()).into_owned();
    assert!(
        text.starts_with(r#"{"provider":"gcp","context":{"request_id":"#),
        "{text}"
    );
}

#[tokio::test]
async fn paths_are_decoded_and_bodies_and_methods_arrive_intact() {
    let echo = start("http", &[]);
    for (sent, decoded) in [
        ("/caf%C3%A9/%E2%9C%93%20x", "/café/✓ x"),
        ("/%E6%97%A5%E6%9C%AC/a+b", "/日本/a+b"),
        ("/", "/"),
    ] {
        let document = json(&get(echo.addr, sent).await);
        assert_eq!(event_of(&document, "gcp")["path"], decoded, "{sent}");
    }
    assert_binary_bodies_arrive_intact(echo.addr, "gcp").await;
}

#[tokio::test]
async fn request_ids_come_from_the_execution_id_then_the_trace() {
    let echo = start("http", &[]);
    for (header, value, expected) in [
        ("function-execution-id", "ex-4f1c", "ex-4f1c"),
        (
            "x-cloud-trace-context",
            "0af7651916cd43dd8448eb211c80319c/123;o=1",
            "0af7651916cd43dd8448eb211c80319c",
        ),
        (
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "4bf92f3577b34da6a3ce929d0e0e4736",
        ),
    ] {
        let request = http::Request::get("/id")
            .header(header, value)
            .body(Bytes::new())
            .unwrap();
        let document = json(&send(echo.addr, request).await);
        assert_eq!(document["context"]["request_id"], expected, "{header}");
    }
}

#[tokio::test]
async fn behind_cloud_run_the_client_is_the_first_forwarded_hop() {
    let request = || {
        http::Request::get("/ip")
            .header("x-forwarded-for", "203.0.113.7, 10.0.0.2")
            .body(Bytes::new())
            .unwrap()
    };
    // Not behind Google's front end: a client-made header is not trusted.
    let echo = start("http", &[]);
    let event = event_of(&json(&send(echo.addr, request()).await), "gcp");
    assert_eq!(event["source_ip"], "127.0.0.1");
    // K_SERVICE says Cloud Run (or Knative) put the header there; it also names the function
    // when FUNCTION_TARGET is not set.
    let echo = start(
        "http",
        &[("K_SERVICE", "orchard-api"), ("FUNCTION_TARGET", "")],
    );
    let document = json(&send(echo.addr, request()).await);
    assert_eq!(event_of(&document, "gcp")["source_ip"], "203.0.113.7");
    assert_eq!(document["context"]["function"], "orchard-api");
}

#[tokio::test]
async fn oversized_bodies_get_413_and_the_server_goes_on() {
    let echo = start("http", &[("POLYFAAS_BODY_LIMIT", "1KiB")]);
    let response = send(
        echo.addr,
        http::Request::post("/")
            .body(Bytes::from(vec![b'x'; 1025]))
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), 413);
    assert_eq!(json(&response)["error"]["type"], "PayloadTooLarge");
    let response = send(
        echo.addr,
        http::Request::post("/")
            .body(Bytes::from(vec![b'x'; 1024]))
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn equivalence_the_logical_requests_give_the_canonical_events() {
    let echo = start("http", &[]);
    for request in logical_requests() {
        let response = send(echo.addr, request.http_request()).await;
        assert_eq!(response.status(), 200, "{}", request.name);
        let event = event_of(&json(&response), "gcp");
        assert_equivalent(&request, &event, "gcp", &["host", "content-length"]);
    }
}
