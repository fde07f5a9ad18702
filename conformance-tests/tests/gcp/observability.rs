//! What real applications need to see (issue 13), through the real echo binary: Cloud Logging's
//! JSON lines with trace, span and execution id; the platform extras in echo's `extras`; a
//! streamed answer; the method rule on a raw request line.

use std::time::Duration;

use bytes::Bytes;
use polyfaas_testkit::client::{json, send, send_chunks};
use polyfaas_testkit::gcp::binary_event;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::start;

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// The process's stderr lines that are JSON objects, and whether every non-empty line is one.
fn json_lines(output: &str) -> (Vec<Value>, Vec<&str>) {
    let mut lines = Vec::new();
    let mut other = Vec::new();
    // The test kit's output has a `--- stdout` and a `--- stderr` section.
    for line in output
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("--- "))
    {
        match serde_json::from_str::<Value>(line) {
            Ok(value) if value.is_object() => lines.push(value),
            _ => other.push(line),
        }
    }
    (lines, other)
}

/// Checks the fields every Cloud Logging line has.
fn assert_cloud_logging_line(line: &Value) {
    let severity = line["severity"].as_str().unwrap_or_default();
    assert!(
        ["DEBUG", "INFO", "WARNING", "ERROR"].contains(&severity),
        "{line}"
    );
    assert!(line["message"].is_string(), "{line}");
    let time = line["time"].as_str().unwrap_or_default();
    assert!(time.len() == 24 && time.ends_with('Z'), "{line}");
}

/// The process's output once it contains `text` (the log is read from a pipe), or after 5 s.
async fn output_with(process: &polyfaas_testkit::process::Process, text: &str) -> String {
    for _ in 0..100 {
        let output = process.output();
        if output.contains(text) {
            return output;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    process.output()
}

#[tokio::test]
async fn log_lines_are_cloud_logging_entries_with_trace_span_and_execution_id() {
    let env = [
        ("K_SERVICE", "echo"),
        ("GOOGLE_CLOUD_PROJECT", "orchard-482"),
        ("RUST_LOG", "info"),
    ];
    // A change record (echo logs it) under a W3C traceparent, with an execution id.
    let echo = start("cloudevent", &env);
    let mut request = binary_event(
        "/",
        &[
            ("id", "log-1"),
            ("specversion", "1.0"),
            (
                "source",
                "//firestore.googleapis.com/projects/orchard-482/databases/(default)",
            ),
            ("type", "google.cloud.firestore.document.v1.created"),
            ("subject", "documents/trees/t-1"),
        ],
        Some("application/json"),
        r#"{"value": {"fields": {"n": {"integerValue": "1"}}}}"#,
    );
    request.headers_mut().insert(
        "traceparent",
        format!("00-{TRACE}-00f067aa0ba902b7-01").parse().unwrap(),
    );
    request
        .headers_mut()
        .insert("function-execution-id", "exec-42".parse().unwrap());
    let response = send(echo.addr, request).await;
    assert_eq!(response.status(), 200);
    // Google's X-Cloud-Trace-Context on a failing event (echo's switch as an extension
    // attribute, at the top of the invoke payload): the core's error line.
    let failing = binary_event(
        "/",
        &[
            ("id", "log-2"),
            ("specversion", "1.0"),
            ("source", "//o/x"),
            ("type", "example.t"),
            ("echo_fail", "error"),
        ],
        Some("application/json"),
        "{}",
    );
    let mut failing = failing;
    failing.headers_mut().insert(
        "x-cloud-trace-context",
        "105445aa7843bc8bf206b12000100000/42;o=0".parse().unwrap(),
    );
    let response = send(echo.addr, failing).await;
    assert_eq!(response.status(), 500);
    let output = output_with(&echo.process, "invocation failed").await;
    let (lines, other) = json_lines(&output);
    assert!(other.is_empty(), "lines that are not JSON: {other:?}");
    assert!(!lines.is_empty(), "{output}");
    for line in &lines {
        assert_cloud_logging_line(line);
    }
    let record = lines
        .iter()
        .find(|l| {
            l["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("echo record"))
        })
        .unwrap_or_else(|| panic!("no echo record line:\n{output}"));
    assert_eq!(record["severity"], "INFO");
    assert_eq!(
        record["logging.googleapis.com/trace"],
        format!("projects/orchard-482/traces/{TRACE}")
    );
    assert_eq!(record["logging.googleapis.com/spanId"], "00f067aa0ba902b7");
    assert_eq!(record["logging.googleapis.com/trace_sampled"], true);
    assert_eq!(
        record["logging.googleapis.com/labels"],
        json!({"execution_id": "exec-42", "request_id": "log-1"})
    );
    let failed = lines
        .iter()
        .find(|l| l["message"] == "invocation failed")
        .unwrap_or_else(|| panic!("no error line:\n{output}"));
    assert_eq!(failed["severity"], "ERROR");
    assert_eq!(
        failed["logging.googleapis.com/trace"],
        "projects/orchard-482/traces/105445aa7843bc8bf206b12000100000"
    );
    // Google's span id is decimal; Cloud Logging's is 16 hex digits.
    assert_eq!(failed["logging.googleapis.com/spanId"], "000000000000002a");
    assert_eq!(failed["logging.googleapis.com/trace_sampled"], false);
    // No Function-Execution-Id: the request id is the execution id.
    assert_eq!(
        failed["logging.googleapis.com/labels"],
        json!({"execution_id": "log-2", "request_id": "log-2"})
    );
}

#[tokio::test]
async fn outside_google_cloud_the_lines_are_text() {
    // No K_SERVICE, no FUNCTION_TARGET: what a developer sees in a terminal.
    let mut echo = polyfaas_testkit::gcp::FunctionsFramework::start(
        &conformance_tests::build::echo_binary(polyfaas_testkit::Platform::Gcp),
        polyfaas_testkit::native::Signature::Http,
        &[("FUNCTION_TARGET", "")],
    )
    .unwrap();
    let response = polyfaas_testkit::client::get(echo.addr, "/").await;
    assert_eq!(response.status(), 200);
    let output = echo.process.output();
    let (lines, other) = json_lines(&output);
    assert!(lines.is_empty() && !other.is_empty(), "{output}");
    assert!(echo.process.is_running());
}

/// A binary Firestore event's change is read straight from the body and its CloudEvent extra
/// built only when the handler reads it: what the handler sees is the whole event as sent.
#[tokio::test]
async fn a_firestore_event_read_from_the_body_still_gives_the_whole_cloudevent_extra() {
    let echo = start("cloudevent", &[("ECHO_EXTRAS", "1")]);
    let data = json!({"value": {"name": "projects/orchard-482/databases/(default)/documents/trees/t-17",
                                "fields": {"height": {"doubleValue": 2.75}, "tags": {"arrayValue": {"values": [{"stringValue": "a"}]}}}},
                      "oldValue": {}, "updateMask": {"fieldPaths": ["height"]}});
    let request = binary_event(
        "/",
        &[
            ("id", "fs-1"),
            ("specversion", "1.0"),
            (
                "source",
                "//firestore.googleapis.com/projects/orchard-482/databases/(default)",
            ),
            ("type", "google.cloud.firestore.document.v1.written"),
            ("subject", "documents/trees/t-17"),
            (
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ),
        ],
        Some("application/json"),
        data.to_string(),
    );
    let answer = json(&send(echo.addr, request).await);
    assert_eq!(answer["event"]["kind"], "change", "{answer}");
    assert_eq!(
        answer["event"]["new"],
        json!({"height": 2.75, "tags": ["a"]}),
        "{answer}"
    );
    let ce = &answer["extras"]["gcp.cloudevent"];
    assert_eq!(ce["id"], "fs-1", "{answer}");
    assert_eq!(ce["subject"], "documents/trees/t-17");
    assert_eq!(ce["datacontenttype"], "application/json");
    assert_eq!(
        ce["traceparent"],
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    );
    assert_eq!(ce["data"], data);
}

#[tokio::test]
async fn echo_extras_show_the_event_with_every_attribute_and_extension() {
    // A cloudevent function: the CloudEvent, with Eventarc's extensions.
    let echo = start("cloudevent", &[]);
    let request = binary_event(
        "/",
        &[
            ("id", "x-1"),
            ("specversion", "1.0"),
            ("source", "//pubsub.googleapis.com/projects/orchard-482/topics/orders"),
            ("type", "google.cloud.pubsub.topic.v1.messagePublished"),
            ("time", "2026-03-01T09:00:00Z"),
            ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            ("dataschema", "https://example.com/schema"),
            ("myextension", "caf%C3%A9"),
        ],
        Some("application/json"),
        json!({"message": {"data": "aGk=", "messageId": "m-1", "publishTime": "2026-03-01T09:00:00Z",
                           "attributes": {"echo_extras": "1"}},
               "subscription": "projects/orchard-482/subscriptions/s"})
        .to_string(),
    );
    let answer = json(&send(echo.addr, request).await);
    assert_eq!(answer["event"]["kind"], "message", "{answer}");
    let extras = answer["extras"].as_object().expect("extras");
    assert_eq!(extras.keys().collect::<Vec<_>>(), ["gcp.cloudevent"]);
    let ce = &extras["gcp.cloudevent"];
    for (name, value) in [
        ("id", "x-1"),
        ("specversion", "1.0"),
        ("type", "google.cloud.pubsub.topic.v1.messagePublished"),
        ("time", "2026-03-01T09:00:00Z"),
        ("dataschema", "https://example.com/schema"),
        ("datacontenttype", "application/json"),
        ("myextension", "café"),
        (
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ),
    ] {
        assert_eq!(ce[name], value, "{name}: {ce}");
    }
    assert_eq!(
        ce["data"]["subscription"],
        "projects/orchard-482/subscriptions/s"
    );

    // An event function: the legacy event, its context included (a Pub/Sub message, whose
    // attribute asks echo for its extras).
    let echo = start("event", &[]);
    let legacy = json!({"context": {"eventId": "l-1", "timestamp": "2026-03-01T09:00:00Z",
                                    "eventType": "google.pubsub.topic.publish",
                                    "resource": {"service": "pubsub.googleapis.com", "name": "projects/orchard-482/topics/orders",
                                                 "type": "type.googleapis.com/google.pubsub.v1.PubsubMessage"}},
                        "data": {"@type": "type.googleapis.com/google.pubsub.v1.PubsubMessage", "data": "aGk=",
                                 "attributes": {"echo_extras": "1"}}});
    let request = http::Request::post("/")
        .header("content-type", "application/json")
        .body(Bytes::from(legacy.to_string()))
        .unwrap();
    let answer = json(&send(echo.addr, request).await);
    assert_eq!(answer["event"]["kind"], "message");
    let extras = answer["extras"].as_object().expect("extras");
    assert_eq!(extras.keys().collect::<Vec<_>>(), ["gcp.legacy_event"]);
    assert_eq!(extras["gcp.legacy_event"], legacy);

    // A custom CloudEvent as an invoke payload: the extra is the CloudEvent.
    let echo = start("cloudevent", &[]);
    let request = binary_event(
        "/",
        &[
            ("id", "c-1"),
            ("specversion", "1.0"),
            ("source", "//orchard/x"),
            ("type", "example.audit"),
            ("authid", "picker@orchard-482.iam.gserviceaccount.com"),
            ("echo_extras", "1"),
        ],
        Some("application/json"),
        r#"{"n": 1}"#,
    );
    let answer = json(&send(echo.addr, request).await);
    assert_eq!(
        answer["extras"]["gcp.cloudevent"]["authid"],
        "picker@orchard-482.iam.gserviceaccount.com"
    );
    // A plain HTTP request carries no GCP extra.
    let echo = start("http", &[]);
    let request = http::Request::get("/")
        .header("x-echo-extras", "1")
        .body(Bytes::new())
        .unwrap();
    let answer = json(&send(echo.addr, request).await);
    assert_eq!(answer["extras"], json!({}));
}

#[tokio::test]
async fn the_first_streamed_chunk_arrives_before_the_last_is_produced() {
    let echo = start("http", &[]);
    let request = http::Request::get("/streamed")
        .header("x-echo-stream-ms", "1500")
        .body(Bytes::new())
        .unwrap();
    let (head, chunks) = send_chunks(echo.addr, request).await.unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(head.headers["transfer-encoding"], "chunked");
    assert!(chunks.len() >= 2, "{chunks:?}");
    let first = chunks[0].at;
    let last = chunks[chunks.len() - 1].at;
    // Echo produces its second half 1.5 s after the first: the first was already here.
    assert!(
        last.saturating_sub(first) >= Duration::from_millis(1000),
        "first at {first:?}, last at {last:?}"
    );
    let whole: Vec<u8> = chunks.iter().flat_map(|c| c.data.to_vec()).collect();
    let answer: Value = serde_json::from_slice(&whole).unwrap();
    assert_eq!(answer["event"]["path"], "/streamed");
}

/// Sends `head` (the request line and headers, `\r\n`-terminated) on a raw connection and
/// returns the status and the body.
async fn raw(addr: std::net::SocketAddr, head: &str) -> (u16, Value) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_lower_case_method_on_the_request_line_becomes_upper_case() {
    let echo = start("http", &[]);
    let (status, answer) = raw(
        echo.addr,
        "post /orders HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 2\r\n\r\nhi",
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["event"]["method"], "POST");
    assert_eq!(answer["event"]["body_base64"], "aGk=");
    let (status, answer) = raw(
        echo.addr,
        "get / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert_eq!((status, &answer["event"]["method"]), (200, &json!("GET")));
    // A lower-case token that is not a standard method is refused, naming the rule.
    let (status, answer) = raw(
        echo.addr,
        "propfind / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["type"], "InvalidEvent");
    // An event function takes `post` as POST.
    let echo = start("cloudevent", &[]);
    let body = r#"{"specversion":"1.0","id":"m-1","source":"//o/x","type":"example.t"}"#;
    let (status, answer) = raw(
        echo.addr,
        &format!(
            "post / HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/cloudevents+json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["event"]["payload"]["id"], "m-1");
}
