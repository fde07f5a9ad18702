//! `POLYFAAS_BODY_LIMIT` on Azure: envelopes and forwarded requests larger than the limit get
//! the platform's error format naming the variable (an HTTP trigger's client gets a 413 through
//! the `http` output; other triggers a failed envelope; forwarded requests a plain 413), the
//! content of a blob trigger (written to disk as it arrives) is not counted, and the next
//! invocation is served.

use std::time::Duration;

use bytes::Bytes;
use conformance_tests::build::echo_binary;
use polyfaas_azure::scaffold::{AppScaffold, TriggerSpec};
use polyfaas_testkit::process::{command, free_port, Process};
use polyfaas_testkit::Platform;
use serde_json::{json, Value};

use crate::early_answer::post_slowly;
use crate::fixture;

const LIMIT: &str = "64KiB";
const OVER: usize = 100 * 1024;

/// polyfaas's JSON error for a body over the limit.
fn assert_too_large(error: &Value) {
    assert_eq!(error["type"], "PayloadTooLarge", "{error}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("65536 bytes") && message.contains("POLYFAAS_BODY_LIMIT"),
        "{message}"
    );
}

#[tokio::test]
async fn envelopes_over_the_limit_are_refused_in_the_platforms_format() {
    let host = crate::start_host(crate::app(), &[], &[("POLYFAAS_BODY_LIMIT", LIMIT)]);

    // An HTTP trigger: the client gets 413 with the JSON error, through `res`; sent slowly in
    // chunks, as the host sends it, the answer still arrives (the rest is drained).
    let mut big_http = fixture("http-text-request.json");
    big_http["Data"]["req"]["Body"] = json!("x".repeat(OVER));
    let answer = post_slowly(
        host.addr,
        "orders",
        "limit-1",
        big_http.to_string().into_bytes(),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let res = &answer.body["Outputs"]["res"];
    assert_eq!(res["statusCode"], 413, "{}", answer.body);
    assert_eq!(res["headers"]["Content-Type"], "application/json");
    let error: Value = serde_json::from_str(res["body"].as_str().unwrap_or_default()).unwrap();
    assert_too_large(&error["error"]);
    assert!(
        answer.body["Logs"]
            .to_string()
            .contains("POLYFAAS_BODY_LIMIT"),
        "{}",
        answer.body
    );

    // A queue trigger: a failed invocation (the host's retry path), naming the variable.
    let mut big_message = fixture("queue-trigger-request.json");
    big_message["Data"]["message"] = json!("m".repeat(OVER));
    let answer = post_slowly(
        host.addr,
        "orders-queue",
        "limit-2",
        big_message.to_string().into_bytes(),
    )
    .await;
    assert_eq!(answer.status, 413, "{}", answer.body);
    assert_too_large(&answer.body["Error"]);

    // A blob trigger: 1 MiB of content goes to disk and is not counted...
    let content: Vec<u8> = (0..1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let mut big_blob = fixture("blob-trigger-request.json");
    big_blob["Data"]["blob"] = json!(polyfaas_testkit::echo::base64(&content));
    big_blob["Metadata"]["Properties"]["Length"] = json!(content.len());
    let reply = host.invoke("thumbnails", &big_blob).await.unwrap();
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(
        reply.json()["ReturnValue"]["event"]["local_sha256"],
        polyfaas_testkit::echo::sha256_hex(&content)
    );
    // ... but the rest of its envelope, held in memory, is.
    let mut big_metadata = fixture("blob-trigger-request.json");
    big_metadata["Metadata"]["Metadata"]["note"] = json!("n".repeat(OVER));
    let reply = host.invoke("thumbnails", &big_metadata).await.unwrap();
    assert_eq!(
        reply.status,
        413,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_too_large(&reply.json()["Error"]);

    // Under the limit, served as before; no scratch file left behind.
    let reply = host
        .invoke("orders", &fixture("http-text-request.json"))
        .await
        .unwrap();
    assert_eq!(reply.json()["Outputs"]["res"]["statusCode"], 200);
    assert!(host.scratch_is_empty());
}

#[tokio::test]
async fn forwarded_requests_over_the_limit_get_413() {
    let app = AppScaffold::new("echo")
        .forwarding(true)
        .function("files", TriggerSpec::http_route("files/{*path}"));
    let host = crate::start_host(app, &[], &[("POLYFAAS_BODY_LIMIT", LIMIT)]);
    let request = |body: Vec<u8>| {
        http::Request::post("/api/files/big.bin")
            .header("content-type", "application/octet-stream")
            .body(Bytes::from(body))
            .unwrap()
    };
    let reply = host.forward(request(vec![1; OVER])).await.unwrap();
    assert_eq!(
        reply.status,
        413,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.content_type.as_deref(), Some("application/json"));
    assert_too_large(&reply.json()["error"]);
    let reply = host.forward(request(vec![1; 1024])).await.unwrap();
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
}

#[test]
fn an_invalid_limit_stops_the_start_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    crate::app().write(dir.path()).unwrap();
    let mut cmd = command(&echo_binary(Platform::Azure));
    cmd.current_dir(dir.path())
        .env(
            "FUNCTIONS_CUSTOMHANDLER_PORT",
            free_port().unwrap().to_string(),
        )
        .env("FUNCTIONS_APP_ROOT_PATH", dir.path())
        .env("POLYFAAS_BODY_LIMIT", "lots");
    let mut process = Process::spawn(cmd).unwrap();
    let status = process
        .wait_timeout(Duration::from_secs(30))
        .expect("the handler exits");
    assert!(!status.success());
    assert!(
        process
            .output()
            .contains("POLYFAAS_BODY_LIMIT=\"lots\" is not valid"),
        "{}",
        process.output()
    );
}
