//! Azure Functions custom handler, through the real `echo` binary built with `--features azure`
//! and the test kit's host stand-in (`polyfaas_testkit::azure::Host`), which speaks the host's
//! protocol: readiness on `GET /`, `{"Data", "Metadata"}` envelopes on `POST /<function>`,
//! forwarded HTTP requests. The apps are written with the shim's own scaffold API.

mod body_limit;
mod early_answer;
mod equivalence_streams;
mod extras;
mod logs;
mod outputs;
mod rules;
mod shutdown;
mod shutdown_hook;
mod streams;

use std::path::Path;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use conformance_tests::build::echo_binary;
use polyfaas_azure::scaffold::{AppScaffold, TriggerSpec};
use polyfaas_testkit::azure::{Host, Reply};
use polyfaas_testkit::echo::{base64, event_of, sha256_hex};
use polyfaas_testkit::encode::Encoder;
use polyfaas_testkit::equivalence::{assert_equivalent, logical_requests};
use polyfaas_testkit::native::NativeEvent;
use polyfaas_testkit::Platform;
use serde_json::{json, Value};

/// Starts echo in the app `app` writes, plus `extra` (relative path, JSON) files for hand-made
/// `function.json`s.
fn start_host(app: AppScaffold, extra: &[(&str, Value)], env: &[(&str, &str)]) -> Host {
    let write = |root: &Path| -> std::io::Result<()> {
        app.write(root).map_err(std::io::Error::other)?;
        for (path, json) in extra {
            let path = root.join(path);
            if let Some(folder) = path.parent() {
                std::fs::create_dir_all(folder)?;
            }
            std::fs::write(&path, json.to_string())?;
        }
        Ok(())
    };
    Host::start(&echo_binary(Platform::Azure), write, env)
        .unwrap_or_else(|e| panic!("start echo: {e}"))
}

/// A fixture of the project's own, from `conformance-tests/fixtures/azure/`.
fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/azure")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?} is not JSON: {e}"))
}

/// Peak resident memory (`VmHWM`) of a process, in KiB (Linux).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The app most tests use: one function per trigger, plus a RabbitMQ function written by hand
/// (a trigger the shim does not decode) that reaches echo as an invoke event.
fn app() -> AppScaffold {
    AppScaffold::new("echo")
        .function("orders", TriggerSpec::http_route("orders/{id}"))
        .function("upload", TriggerSpec::http_route("upload/{name}"))
        .function("thumbnails", TriggerSpec::blob("photos/{name}"))
        .function("orders-queue", TriggerSpec::queue("orders"))
        .function("nightly", TriggerSpec::timer("0 0 2 * * *"))
}

fn invoices_function() -> (&'static str, Value) {
    (
        "invoices/function.json",
        json!({"bindings": [{"type": "rabbitMQTrigger", "direction": "in", "name": "invoice",
                              "queueName": "invoices", "connectionStringSetting": "RabbitMQ"}]}),
    )
}

fn start() -> Host {
    start_host(app(), &[invoices_function()], &[])
}

/// An HTTP trigger's reply: the http output binding's value (the only output) and echo's
/// document inside its body.
fn res_of(reply: &Reply) -> (Value, Value) {
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.content_type.as_deref(), Some("application/json"));
    let envelope = reply.json();
    assert_eq!(envelope["ReturnValue"], Value::Null, "{envelope:#}");
    assert!(envelope["Logs"].is_array(), "{envelope:#}");
    let outputs = envelope["Outputs"]
        .as_object()
        .expect("Outputs is an object");
    assert_eq!(outputs.len(), 1, "{envelope:#}");
    let res = outputs.values().next().cloned().unwrap_or_default();
    let body = res["body"].as_str().expect("res.body is text");
    let document = serde_json::from_str(body).unwrap_or(Value::Null);
    (res, document)
}

/// A non-HTTP trigger's reply: echo's document in `ReturnValue`.
fn return_value_of(reply: &Reply) -> Value {
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.content_type.as_deref(), Some("application/json"));
    let envelope = reply.json();
    assert_eq!(envelope["Outputs"], json!({}), "{envelope:#}");
    envelope["ReturnValue"].clone()
}

#[tokio::test]
async fn http_text_request_through_the_envelope() {
    let host = start();
    let reply = host
        .invoke("orders", &fixture("http-text-request.json"))
        .await
        .unwrap();
    let (res, document) = res_of(&reply);
    assert_eq!(res["statusCode"], 200);
    assert_eq!(res["headers"]["Content-Type"], "application/json");
    let event = event_of(&document, "azure");
    assert_eq!(
        document["context"]["request_id"],
        reply.invocation_id.as_str()
    );
    assert_eq!(document["context"]["function"], "orders");
    assert_eq!(document["context"]["deadline_ms"], Value::Null);
    let body = r#"{"qty":3,"note":"café"}"#;
    assert_eq!(
        event,
        json!({
            "kind": "http", "method": "POST",
            // The route prefix is part of the client's URL.
            "path": "/api/orders/42",
            // From `Url`, not from `Query` (where the repeated key is comma-joined).
            "query": "expand=items&tag=a&tag=b",
            "headers": {
                "accept": ["application/json"],
                "content-length": [body.len().to_string()],
                "content-type": ["application/json; charset=utf-8"],
                "host": ["localhost:7071"],
                "x-forwarded-for": ["203.0.113.9:50312"],
                "x-tag": ["one", "two"]
            },
            "body_base64": base64(body.as_bytes()),
            // App Service keeps the port in X-Forwarded-For.
            "source_ip": "203.0.113.9"
        })
    );
}

#[tokio::test]
async fn http_binary_body_arrives_as_bytes() {
    let host = start();
    let sent = fixture("http-binary-request.json");
    let (res, document) = res_of(&host.invoke("upload", &sent).await.unwrap());
    assert_eq!(res["statusCode"], 200);
    let event = event_of(&document, "azure");
    assert_eq!(event["method"], "PUT");
    assert_eq!(event["path"], "/api/upload/logo.png");
    assert_eq!(event["query"], "");
    // application/octet-stream bodies are base64 in the envelope: decoded, not taken as text.
    assert_eq!(event["body_base64"], sent["Data"]["req"]["Body"]);
    assert_eq!(
        BASE64
            .decode(event["body_base64"].as_str().unwrap())
            .unwrap()[..4],
        [0x89, b'P', b'N', b'G']
    );
    assert_eq!(event["source_ip"], Value::Null);
}

#[tokio::test]
async fn blob_trigger_hands_over_a_local_file() {
    let host = start();
    let sent = fixture("blob-trigger-request.json");
    let content = BASE64
        .decode(sent["Data"]["blob"].as_str().unwrap())
        .unwrap();
    assert!(
        std::str::from_utf8(&content).is_err(),
        "the fixture must not be UTF-8"
    );
    let reply = host.invoke("thumbnails", &sent).await.unwrap();
    let document = return_value_of(&reply);
    assert_eq!(document["context"]["function"], "thumbnails");
    assert_eq!(
        document["context"]["request_id"],
        reply.invocation_id.as_str()
    );
    assert_eq!(
        event_of(&document, "azure"),
        json!({
            "kind": "blob", "change": "created",
            // Azurite's path-style URL: the account segment is dropped, the name decoded.
            "store": "photos", "key": "2026/café 1.bin",
            "size": content.len(),
            "etag": "0x8DE3A1B2C3D4E5F",
            "content_type": "application/octet-stream",
            "local_sha256": sha256_hex(&content)
        })
    );
    assert!(
        host.scratch_is_empty(),
        "the blob's file outlived the invocation"
    );
}

/// A blob's name may be 1,024 characters, one segment of it longer than a file name may be
/// (255 bytes): the local file gets a name cut to fit, keeping the extension. (Found by the
/// azure_envelope fuzz target: the file could not be created, a 500.)
#[tokio::test]
async fn a_blob_whose_name_is_longer_than_a_file_name_still_becomes_a_local_file() {
    let host = start();
    let mut sent = fixture("blob-trigger-request.json");
    let long = format!("{}.bin", "n".repeat(600));
    sent["Metadata"]["Uri"] = Value::String(format!(
        "\"http://127.0.0.1:10000/devstoreaccount1/photos/2026/{long}\""
    ));
    sent["Metadata"]["name"] = Value::String(format!("\"2026/{long}\""));
    let content = BASE64
        .decode(sent["Data"]["blob"].as_str().unwrap())
        .unwrap();
    let reply = host.invoke("thumbnails", &sent).await.unwrap();
    let event = event_of(&return_value_of(&reply), "azure");
    assert_eq!(event["key"], format!("2026/{long}"));
    assert_eq!(event["local_sha256"], sha256_hex(&content));
    assert!(host.scratch_is_empty());
}

#[tokio::test]
async fn deferred_blob_binding_reads_the_blob_through_the_store() {
    let host = start();
    let content = b"\x00\x01deferred\xff".to_vec();
    let key = "2026/café 1.bin";
    std::fs::create_dir_all(host.blob_dir().join("2026")).unwrap();
    std::fs::write(host.blob_dir().join(key), &content).unwrap();
    let mut sent = fixture("blob-trigger-request.json");
    sent["Data"]["blob"] = json!({"Version": "1.0", "Source": "AzureStorageBlobs",
        "ContentType": "application/json",
        "Content": {"IsEmpty": false, "Length": content.len(), "MediaType": "application/octet-stream"}});
    let document = return_value_of(&host.invoke("thumbnails", &sent).await.unwrap());
    let event = event_of(&document, "azure");
    assert_eq!(event["local_sha256"], sha256_hex(&content));
    assert_eq!(event["key"], key);

    // A blob the store does not have: the handler's error is a failed invocation naming it.
    sent["Metadata"]["Uri"] = json!("\"http://127.0.0.1:10000/devstoreaccount1/photos/gone.bin\"");
    let reply = host.invoke("thumbnails", &sent).await.unwrap();
    assert_eq!(
        reply.status,
        500,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let envelope = reply.json();
    assert_eq!(envelope["Error"]["type"], "BlobError");
    assert!(
        envelope["Error"]["message"]
            .as_str()
            .unwrap()
            .contains("gone.bin"),
        "{envelope:#}"
    );
    assert!(host.scratch_is_empty());
}

#[tokio::test]
async fn queue_message_is_decoded_exactly_once() {
    let host = start_host(app().function_timeout("00:05:00"), &[], &[]);
    let sent = fixture("queue-trigger-request.json");
    let document = return_value_of(&host.invoke("orders-queue", &sent).await.unwrap());
    assert_eq!(
        event_of(&document, "azure"),
        json!({
            "kind": "message",
            "id": "7c0f2b9e-31a4-4d6b-8e2f-0a9b8c7d6e5f",
            "source": "orders",
            "body_base64": base64(br#"{"orderId":42,"items":["a","b"]}"#),
            "attributes": {
                "dequeue_count": "3",
                "expiration_time": "2026-03-08T09:00:00+00:00",
                "insertion_time": "2026-03-01T09:00:00+00:00",
                "next_visible_time": "2026-03-01T09:10:00+00:00"
            }
        })
    );
    assert_eq!(document["context"]["function"], "orders-queue");
    // host.json functionTimeout is the deadline.
    let deadline = document["context"]["deadline_ms"]
        .as_u64()
        .expect("a deadline");
    let now = polyfaas_testkit::echo::now_ms();
    assert!(
        deadline > now + 290_000 && deadline <= now + 300_000,
        "{deadline} vs {now}"
    );
}

#[tokio::test]
async fn timer_tick_is_named_after_the_function() {
    let host = start();
    let document = return_value_of(
        &host
            .invoke("nightly", &fixture("timer-trigger-request.json"))
            .await
            .unwrap(),
    );
    assert_eq!(
        event_of(&document, "azure"),
        json!({"kind": "schedule", "name": "nightly", "time": "2026-03-01T02:00:03.2500000Z"})
    );
}

#[tokio::test]
async fn forwarding_mode_passes_raw_requests_and_responses() {
    let app = AppScaffold::new("echo")
        .forwarding(true)
        .function("files", TriggerSpec::http_route("files/{*path}"))
        .function("orders-queue", TriggerSpec::queue("orders"));
    let host = start_host(app, &[], &[]);
    let body = vec![0x00, 0xff, 0x10, 0x80, b'\n'];
    let request = http::Request::post("/api/files/a%20b/c.bin?x=1&x=2")
        .header("content-type", "application/octet-stream")
        .header("x-multi", "1")
        .header("x-multi", "2")
        .header("x-forwarded-for", "198.51.100.7:443")
        .body(Bytes::from(body.clone()))
        .unwrap();
    let reply = host.forward(request).await.unwrap();
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.content_type.as_deref(), Some("application/json"));
    let document = reply.json();
    assert_eq!(document["context"]["function"], "files");
    assert_eq!(
        document["context"]["request_id"],
        reply.invocation_id.as_str()
    );
    let event = event_of(&document, "azure");
    assert_eq!(event["method"], "POST");
    assert_eq!(event["path"], "/api/files/a b/c.bin");
    assert_eq!(event["query"], "x=1&x=2");
    assert_eq!(event["headers"]["x-multi"], json!(["1", "2"]));
    assert_eq!(event["body_base64"], base64(&body));
    assert_eq!(event["source_ip"], "198.51.100.7");
    // The host's own headers are in the context, not in the request.
    assert!(
        event["headers"]
            .get("x-azure-functions-invocationid")
            .is_none(),
        "{event}"
    );
    assert!(
        event["headers"]
            .get("x-azure-functions-hostversion")
            .is_none(),
        "{event}"
    );

    // Failures are plain HTTP errors, and the next request is served.
    for (switch, error_type) in [("error", "HandlerError"), ("panic", "Panic")] {
        let request = http::Request::get("/api/files/x")
            .header("x-echo-fail", switch)
            .body(Bytes::new())
            .unwrap();
        let reply = host.forward(request).await.unwrap();
        assert_eq!(reply.status, 500);
        assert_eq!(reply.json()["error"]["type"], error_type, "{switch}");
    }
    let reply = host
        .forward(
            http::Request::get("/api/files/ok")
                .body(Bytes::new())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 200);

    // Functions with other bindings still come as envelopes on the same server.
    let document = return_value_of(
        &host
            .invoke("orders-queue", &fixture("queue-trigger-request.json"))
            .await
            .unwrap(),
    );
    assert_eq!(document["event"]["kind"], "message");
}

#[tokio::test]
async fn handler_errors_and_panics_are_reported_and_the_next_call_is_served() {
    let host = start();
    let sent = fixture("http-text-request.json");
    // (switch, error type, what the client is told, what the function's log says). A panic's
    // text goes to the function's log only (`Logs`, which the host writes to the function's
    // log, and stderr); the client gets polyfaas_core::PANIC_MESSAGE and the invocation id.
    for (switch, error_type, told, logged) in [
        (
            "error",
            "HandlerError",
            "echo failed on purpose (echo_fail: error)".to_owned(),
            "echo failed on purpose (echo_fail: error)",
        ),
        (
            "panic",
            "Panic",
            "the handler panicked; its message is in the function's log (request id ".to_owned(),
            "the handler panicked: echo panicked on purpose (echo_fail: panic)",
        ),
    ] {
        let mut failing = sent.clone();
        failing["Data"]["req"]["Headers"]["X-Echo-Fail"] = json!([switch]);
        let reply = host.invoke("orders", &failing).await.unwrap();
        // HTTP trigger: the client gets the status and the JSON body through `res`.
        let (res, error) = res_of(&reply);
        assert_eq!(res["statusCode"], 500, "{switch}");
        assert_eq!(res["headers"]["Content-Type"], "application/json");
        assert_eq!(error["error"]["type"], error_type);
        let message = error["error"]["message"].as_str().unwrap_or_default();
        assert!(message.starts_with(&told), "{message}");
        if switch == "panic" {
            assert_eq!(message, format!("{told}{})", reply.invocation_id));
            assert!(!message.contains("on purpose"), "{message}");
        }
        let logs = reply.json()["Logs"].to_string();
        assert!(
            logs.contains("invocation failed") && logs.contains(logged),
            "{logs}"
        );
    }
    assert!(
        host.process.output().contains("echo panicked on purpose"),
        "the panic's text is in the process's log"
    );
    let (res, _) = res_of(&host.invoke("orders", &sent).await.unwrap());
    assert_eq!(res["statusCode"], 200);

    // Other triggers: a non-2xx envelope (the host's retry path) with the message.
    for (switch, error_type) in [("error", "HandlerError"), ("panic", "Panic")] {
        let reply = host
            .invoke(
                "invoices",
                &json!({"Data": {"invoice": {"echo_fail": switch}}, "Metadata": {}}),
            )
            .await
            .unwrap();
        assert_eq!(reply.status, 500, "{switch}");
        assert_eq!(reply.content_type.as_deref(), Some("application/json"));
        let envelope = reply.json();
        assert_eq!(envelope["Error"]["type"], error_type);
        let message = envelope["Error"]["message"].as_str().unwrap();
        if switch == "panic" {
            assert!(
                message.starts_with("the handler panicked; its message is in the function's log"),
                "{envelope:#}"
            );
            assert!(!message.contains("on purpose"), "{envelope:#}");
            assert!(envelope["Logs"]
                .to_string()
                .contains("echo panicked on purpose"));
        } else {
            assert!(message.contains("on purpose"), "{envelope:#}");
        }
        assert_eq!(envelope["Outputs"], json!({}));
    }
    let document = return_value_of(
        &host
            .invoke(
                "invoices",
                &json!({"Data": {"invoice": {"n": 1}}, "Metadata": {}}),
            )
            .await
            .unwrap(),
    );
    assert_eq!(
        event_of(&document, "azure"),
        json!({"kind": "invoke", "payload": {"n": 1}})
    );
    // A string trigger value is double-encoded like every scalar: decoded once.
    let document = return_value_of(
        &host
            .invoke(
                "invoices",
                &json!({"Data": {"invoice": "\"{\\\"n\\\":2}\""}, "Metadata": {}}),
            )
            .await
            .unwrap(),
    );
    assert_eq!(document["event"]["payload"], r#"{"n":2}"#);
    assert!(host.scratch_is_empty());
}

#[tokio::test]
async fn malformed_payloads_get_400_naming_the_problem() {
    let mut host = start();
    let blob = fixture("blob-trigger-request.json");
    let mut bad_base64 = blob.clone();
    bad_base64["Data"]["blob"] = json!("AP9oZW*sb/4=AAAA");
    let mut no_content = blob.clone();
    no_content["Data"].as_object_mut().unwrap().remove("blob");
    let mut no_method = fixture("http-text-request.json");
    no_method["Data"]["req"]
        .as_object_mut()
        .unwrap()
        .remove("Method");
    let mut wrong_function = fixture("queue-trigger-request.json");
    wrong_function["Metadata"]["sys"]["MethodName"] = json!("nightly");
    let cases: Vec<(&str, Bytes, &str)> = vec![
        (
            "orders",
            Bytes::from_static(b"{not json"),
            "the request body is not JSON",
        ),
        (
            "orders-queue",
            Bytes::from_static(b"[1, 2]"),
            "the request body is JSON an array",
        ),
        (
            "orders-queue",
            Bytes::from_static(br#"{"Metadata": {}}"#),
            "Data: missing",
        ),
        (
            "thumbnails",
            Bytes::from(bad_base64.to_string()),
            "Data.blob: not valid base64",
        ),
        (
            "thumbnails",
            Bytes::from(no_content.to_string()),
            "Data.blob: missing",
        ),
        (
            "thumbnails",
            Bytes::from_static(br#"{"Data": {"blob": "QUJD"#),
            "Data.blob: the request body ended inside this string",
        ),
        (
            "orders",
            Bytes::from(no_method.to_string()),
            "Data.req.Method: missing",
        ),
        (
            "orders-queue",
            Bytes::from(wrong_function.to_string()),
            "Metadata.sys.MethodName: \"nightly\" is another function",
        ),
        (
            "nosuch",
            Bytes::from(blob.to_string()),
            "no function \"nosuch\": there is no nosuch/function.json",
        ),
    ];
    for (function, body, message) in cases {
        let reply = host.invoke_raw(function, body).await.unwrap();
        assert_eq!(
            reply.status,
            400,
            "{message}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        assert_eq!(reply.content_type.as_deref(), Some("application/json"));
        let envelope = reply.json();
        assert_eq!(envelope["Error"]["type"], "InvalidEvent");
        let text = envelope["Error"]["message"].as_str().unwrap();
        assert!(text.contains(message), "expected {message:?} in {text:?}");
        let logs = envelope["Logs"].as_array().expect("Logs");
        assert!(
            logs.iter()
                .any(|l| l.as_str().is_some_and(|l| l.contains(message))),
            "{logs:?}"
        );
        assert!(host.process.is_running());
    }
    // The next invocation is served, and no partly written blob is left behind.
    let document = return_value_of(&host.invoke("thumbnails", &blob).await.unwrap());
    assert_eq!(document["event"]["kind"], "blob");
    assert!(
        host.scratch_is_empty(),
        "a temp file outlived its invocation"
    );
    assert!(
        host.process.output().contains("not valid base64"),
        "stderr has the errors"
    );
}

#[tokio::test]
async fn log_lines_of_the_invocation_come_back_in_logs() {
    let host = start_host(app(), &[], &[("RUST_LOG", "debug")]);
    let reply = host
        .invoke("nightly", &fixture("timer-trigger-request.json"))
        .await
        .unwrap();
    let logs = reply.json()["Logs"].clone();
    let lines: Vec<&str> = logs
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // The invocation skeleton logs inside the invocation's span, as a handler's own lines are.
    assert!(
        lines.iter().any(|l| l.starts_with("DEBUG polyfaas_core")
            && l.contains("invocation done")
            && l.contains("kind=\"schedule\"")),
        "{lines:?}"
    );
    // Only this invocation's lines: nothing from start-up.
    assert!(
        !lines.iter().any(|l| l.contains("custom handler ready")),
        "{lines:?}"
    );
    // And everything also went to stderr.
    assert!(host.process.output().contains("invocation done"));
}

#[tokio::test]
async fn concurrent_invocations_are_served_in_parallel() {
    let host = start();
    let mut slow = fixture("http-text-request.json");
    slow["Data"]["req"]["Headers"]["X-Echo-Sleep-Ms"] = json!(["1000"]);
    let started = std::time::Instant::now();
    let (a, b, c, d) = tokio::join!(
        host.invoke("orders", &slow),
        host.invoke("orders", &slow),
        host.invoke("orders", &slow),
        host.invoke("orders", &slow)
    );
    let elapsed = started.elapsed();
    let mut ids = std::collections::BTreeSet::new();
    for reply in [a, b, c, d] {
        let reply = reply.unwrap();
        let (res, document) = res_of(&reply);
        assert_eq!(res["statusCode"], 200);
        assert_eq!(
            document["context"]["request_id"],
            reply.invocation_id.as_str()
        );
        ids.insert(reply.invocation_id);
    }
    assert_eq!(ids.len(), 4, "each invocation has its own id");
    // One after the other they would take at least 4 s; together about 1 s (the margin is
    // for a loaded machine).
    assert!(
        elapsed < std::time::Duration::from_millis(3000),
        "{elapsed:?}"
    );
}

/// A 64 MiB blob goes to disk as it arrives: the handler's peak memory stays far below the
/// blob's size (reading the body and decoding it whole would need ~85 MiB + 64 MiB).
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_64_mib_blob_is_decoded_to_disk_without_holding_it_in_memory() {
    const SIZE: usize = 64 * 1024 * 1024;
    const RAW_CHUNK: usize = 48 * 1024; // 64 KiB of base64
    let host = start();
    let before = peak_rss_kib(host.process.id()).expect("VmHWM");
    // Deterministic, incompressible-looking content, produced chunk by chunk.
    let chunk = |i: usize| -> Vec<u8> {
        let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (0..RAW_CHUNK.min(SIZE - i * RAW_CHUNK))
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    };
    let chunks = SIZE / RAW_CHUNK;
    let expected = {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        for i in 0..chunks {
            hasher.update(chunk(i));
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let mut metadata = fixture("blob-trigger-request.json")["Metadata"].clone();
    metadata["Properties"]["Length"] = json!(SIZE);
    let head = Bytes::from_static(br#"{"Data":{"blob":""#);
    let tail = Bytes::from(format!(r#""}},"Metadata":{metadata}}}"#));
    let body = std::iter::once(head)
        .chain((0..chunks).map(move |i| Bytes::from(BASE64.encode(chunk(i)))))
        .chain(std::iter::once(tail));
    let started = std::time::Instant::now();
    let reply = host.invoke_stream("thumbnails", body).await.unwrap();
    let elapsed = started.elapsed();
    let document = return_value_of(&reply);
    assert_eq!(document["event"]["local_sha256"], expected.as_str());
    assert_eq!(document["event"]["size"], SIZE);
    let peak = peak_rss_kib(host.process.id()).expect("VmHWM");
    eprintln!(
        "64 MiB blob (~85 MiB envelope): handler peak RSS (VmHWM) {:.1} MiB (at start {:.1} MiB), {:.2} s end to end (debug build)",
        peak as f64 / 1024.0,
        before as f64 / 1024.0,
        elapsed.as_secs_f64()
    );
    // Not even one copy of the blob is held: well under 64 MiB.
    assert!(peak < 48 * 1024, "peak RSS {peak} KiB");
    assert!(host.scratch_is_empty());
}

#[tokio::test]
async fn equivalence_with_the_other_platforms() {
    // Route prefix "" so the client's path is the logical path; one catch-all function.
    let envelope_app = AppScaffold::new("echo")
        .route_prefix("")
        .function("everything", TriggerSpec::http_route("{*path}"));
    let host = start_host(envelope_app.clone(), &[], &[]);
    let forwarding = start_host(envelope_app.forwarding(true), &[], &[]);
    for request in logical_requests() {
        // The test kit's encoding of the request, sent to this app's catch-all function.
        let encoded = Encoder::new(Platform::Azure)
            .encode(&request.to_event())
            .unwrap();
        let NativeEvent::Azure(event) = encoded.native else {
            panic!("an Azure event")
        };
        let mut envelope = event.envelope;
        envelope["Metadata"]["sys"]["MethodName"] = json!("everything");
        let (res, document) = res_of(&host.invoke("everything", &envelope).await.unwrap());
        assert_eq!(res["statusCode"], 200);
        assert_equivalent(
            &request,
            &event_of(&document, "azure"),
            "azure (envelope)",
            &["host", "content-length"],
        );

        let reply = forwarding.forward(request.http_request()).await.unwrap();
        assert_eq!(
            reply.status,
            200,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        assert_equivalent(
            &request,
            &event_of(&reply.json(), "azure"),
            "azure (forwarding)",
            &["host", "content-length"],
        );
    }
}

/// Outside oracle: payloads recorded from a deployed function app by another project, read from
/// the shared fixture folder (never copied here).
#[tokio::test]
async fn payloads_recorded_from_a_deployed_app_are_understood() {
    // CI and every checkout of the workplace have shared/ beside the repository (or beside a
    // parent of a worktree): a missing folder is a broken setup, not a reason to pass without
    // checking anything (`shared_dir` panics then).
    let dir = conformance_tests::build::shared_dir().join("fixtures/azure/real-captures");
    assert!(
        dir.is_dir(),
        "{} is missing: the outside-oracle fixtures are read from ../shared beside the checkout",
        dir.display()
    );
    let read = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
    };
    let http_fn = |route: &str| {
        json!({"bindings": [{"type": "httpTrigger", "direction": "in", "name": "httpPayload", "route": route},
                            {"type": "http", "direction": "out", "name": "outResp"}]})
    };
    let extra = [
        (
            "queue/function.json",
            json!({"bindings": [{"type": "queueTrigger", "direction": "in", "name": "inMsg", "queueName": "queue2"}]}),
        ),
        (
            "timer/function.json",
            json!({"bindings": [{"type": "timerTrigger", "direction": "in", "name": "inMsg", "schedule": "*/10 * * * * *"}]}),
        ),
        (
            "blobspread/function.json",
            json!({"bindings": [{"type": "blobTrigger", "direction": "in", "name": "blobIn", "path": "bpath1/{name}", "dataType": "binary"}]}),
        ),
        ("default-hello-all/function.json", http_fn("hello/all")),
        (
            "post-hello-payload-octaToByte/function.json",
            http_fn("hello/payload/octaToByte"),
        ),
    ];
    let host = start_host(AppScaffold::new("echo"), &extra, &[]);

    let document = return_value_of(
        &host
            .invoke("queue", &read("ballerina-queue-trigger-request.json"))
            .await
            .unwrap(),
    );
    assert_eq!(
        document["event"]["body_base64"],
        base64(b"aaaaa"),
        "quotes removed once"
    );
    assert_eq!(
        document["event"]["id"],
        "a0004923-f050-417a-9742-6d7c7b984134"
    );
    assert_eq!(document["event"]["attributes"]["dequeue_count"], "1");

    let document = return_value_of(
        &host
            .invoke("timer", &read("ballerina-timer-trigger-request.json"))
            .await
            .unwrap(),
    );
    assert_eq!(
        document["event"],
        json!({"kind": "schedule", "name": "timer", "time": "2022-07-05T11:40:07.4850616Z"})
    );

    let document = return_value_of(
        &host
            .invoke("blobspread", &read("ballerina-blob-trigger-request.json"))
            .await
            .unwrap(),
    );
    assert_eq!(document["event"]["store"], "bpath1");
    assert_eq!(document["event"]["key"], "hello.txt");
    assert_eq!(document["event"]["etag"], "0x8DA6E28262505DD");
    assert_eq!(
        document["event"]["local_sha256"],
        sha256_hex(b"hello from byte\n")
    );

    let (_, document) = res_of(
        &host
            .invoke(
                "default-hello-all",
                &read("ballerina-http-trigger-request.json"),
            )
            .await
            .unwrap(),
    );
    assert_eq!(document["event"]["path"], "/hello/all");
    assert_eq!(document["event"]["source_ip"], "112.134.128.105");
    let reply = host
        .invoke(
            "post-hello-payload-octaToByte",
            &read("ballerina-http-trigger-octet-stream-request.json"),
        )
        .await
        .unwrap();
    assert!(
        reply.json()["Outputs"]["outResp"].is_object(),
        "the http binding's own name"
    );
    let (_, document) = res_of(&reply);
    assert_eq!(
        document["event"]["body_base64"],
        base64(b"hello from byte arr\n")
    );
    assert!(host.scratch_is_empty());
}
