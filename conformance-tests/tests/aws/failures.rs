//! Errors, panics, malformed events, deadlines and start-up failures: each gets the Runtime
//! API's error reply, and the next invocation is served.

use std::time::Duration;

use serde_json::json;

use polyfaas_testkit::aws::LambdaOptions;
use polyfaas_testkit::aws::{now_ms, Invocation, RuntimeApi};

use crate::fixture;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_errors_and_panics_go_to_the_error_endpoint() {
    let mut lambda = crate::start().await;

    let outcome = lambda
        .invoke(Invocation::new(json!({"echo_fail": "error"}).to_string()))
        .await
        .unwrap();
    let (error_type, message) = outcome.error();
    assert_eq!(error_type, "HandlerError");
    assert!(message.contains("echo failed on purpose"), "{message}");

    // A panic's text stays in the log (polyfaas_core::PANIC_MESSAGE); the answer names the
    // request id to look it up by.
    let panic = Invocation::new(json!({"echo_fail": "panic"}).to_string());
    let request_id = panic.request_id.clone();
    let (error_type, message) = lambda.invoke(panic).await.unwrap().error();
    assert_eq!(error_type, "Panic");
    assert_eq!(
        message,
        format!(
            "the handler panicked; its message is in the function's log (request id {request_id})"
        )
    );

    // The next event after a panic is served normally.
    let (_, event) = crate::http_event(&lambda, fixture("apigw-v1-rest.json")).await;
    assert_eq!(event["path"], "/orders/17/lines");

    // An HTTP handler's error is an invocation error too (API Gateway answers the client 502).
    let mut failing: serde_json::Value =
        serde_json::from_slice(&fixture("apigw-v2-binary.json")).unwrap();
    failing["headers"]["x-echo-fail"] = json!("panic");
    let (error_type, _) = lambda
        .invoke(Invocation::new(failing.to_string()))
        .await
        .unwrap()
        .error();
    assert_eq!(error_type, "Panic");
    lambda.result(fixture("sns.json")).await;
    assert!(lambda.sandbox.scratch_is_empty());
    let output = lambda.process.output();
    let stderr = output.split_once("--- stderr\n").map_or("", |(_, e)| e);
    assert!(
        stderr.contains("echo panicked on purpose"),
        "the panic's text is in the log\n{output}"
    );
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_events_get_an_error_naming_the_field() {
    let mut lambda = crate::start().await;
    let cases = [
        // lambda_http 1.3.2 panics on this one.
        (
            "v2-bad-base64.json",
            "body: isBase64Encoded is true but the body is not base64",
        ),
        (
            "v2-body-number.json",
            "body: invalid type: integer `12345`, expected a string",
        ),
        (
            "v1-header-number.json",
            "multiValueHeaders.accept[0]: invalid type: integer `1`, expected a string",
        ),
        (
            "v1-bad-method.json",
            "httpMethod: \"GE T\" is not an HTTP method",
        ),
        (
            "sqs-body-number.json",
            "Records[1].body: invalid type: map, expected a string",
        ),
        (
            "s3-bad-key.json",
            "Records[0].s3.object.key: \"bad%FFkey\" does not decode to UTF-8 text",
        ),
    ];
    for (name, expected) in cases {
        let outcome = lambda
            .invoke(Invocation::new(fixture(&format!("malformed/{name}"))))
            .await
            .unwrap();
        let (error_type, message) = outcome.error();
        assert_eq!(error_type, "InvalidEvent", "{name}: {message}");
        assert!(message.starts_with(expected), "{name}: {message}");
        // And the next invocation is served.
        let document = lambda.result(fixture("eventbridge-schedule.json")).await;
        assert_eq!(document["event"]["kind"], "schedule");
    }
    // Not JSON at all: the shim's own loop takes the bytes as they are, so the refusal is the
    // shim's (lambda_runtime's loop refused it with its own type before a handler saw it).
    let outcome = lambda
        .invoke(Invocation::new(fixture("malformed/truncated.json")))
        .await
        .unwrap();
    let (error_type, message) = outcome.error();
    assert_eq!(error_type, "InvalidEvent", "{message}");
    assert!(
        message.starts_with("the event is not JSON: EOF while parsing"),
        "{message}"
    );
    lambda.result(fixture("sns.json")).await;
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_past_the_deadline_is_cancelled() {
    let mut lambda = crate::start().await;
    let slow = Invocation::new(json!({"echo_sleep_ms": 10_000}).to_string())
        .deadline(Some((now_ms() + 400).to_string()));
    let started = std::time::Instant::now();
    let (error_type, message) = lambda.invoke(slow).await.unwrap().error();
    assert_eq!(error_type, "Timeout", "{message}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "the handler was not cancelled"
    );
    lambda.result(fixture("eventbridge-schedule.json")).await;
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_failures_are_reported_to_init_error() {
    // (variables to set, variables to remove, the name the message must mention)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str);
    let cases: [Case<'_>; 2] = [
        (
            &[("POLYFAAS_BLOB_URL", "ftp://nowhere")],
            &[],
            "POLYFAAS_BLOB_URL",
        ),
        (
            &[],
            &["AWS_LAMBDA_FUNCTION_NAME"],
            "AWS_LAMBDA_FUNCTION_NAME",
        ),
    ];
    for (env, remove, named) in cases {
        let mut options = LambdaOptions::default();
        for (k, v) in env {
            options = options.env(*k, *v);
        }
        for k in remove {
            options = options.remove(*k);
        }
        let mut lambda = crate::start_with(options).await;
        let Some((header, body)) = lambda.api.init_error(Duration::from_secs(60)).await else {
            panic!("no /init/error\n{}", lambda.process.output());
        };
        assert_eq!(header.as_deref(), Some("Runtime.StartupError"), "{body}");
        assert_eq!(body["errorType"], "Runtime.StartupError");
        let message = body["errorMessage"].as_str().unwrap_or_default();
        assert!(message.contains(named), "{message}");
        let status = lambda
            .process
            .wait_timeout(Duration::from_secs(30))
            .expect("the process exits");
        assert!(!status.success(), "exit status {status}");
        assert_eq!(lambda.api.next_calls(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_answer_for_the_same_request_is_refused_by_the_server() {
    // The server side of the rules the shim relies on: one answer per request id.
    let api = RuntimeApi::start().await.unwrap();
    let client_addr: std::net::SocketAddr = api.host_port().parse().unwrap();
    let bogus = http::Request::post("/2018-06-01/runtime/invocation/unknown-id/response")
        .body(bytes::Bytes::from_static(b"{}"))
        .unwrap();
    let response = polyfaas_testkit::client::send(client_addr, bogus).await;
    assert_eq!(response.status(), 400);
    assert_eq!(api.violations().len(), 1);
}
