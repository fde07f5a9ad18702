//! Response streaming (`POLYFAAS_RESPONSE_STREAMING=1`): a Function URL's answer goes through
//! the Runtime API in streaming mode, in the HTTP-integration format, each chunk as echo
//! produces it; every other answer stays whole.

use std::time::Duration;

use polyfaas_testkit::aws::{Invocation, LambdaOptions, Outcome};
use serde_json::{json, Value};

use crate::fixture;

async fn start_streaming() -> polyfaas_testkit::aws::Lambda {
    crate::start_with(LambdaOptions::default().env("POLYFAAS_RESPONSE_STREAMING", "1")).await
}

/// The Function URL fixture with `headers` added.
fn url_event(headers: Value) -> String {
    let mut event: Value = serde_json::from_slice(&fixture("function-url.json")).unwrap();
    for (name, value) in headers.as_object().unwrap() {
        event["headers"][name] = value.clone();
    }
    event.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_chunk_arrives_before_the_last_is_produced() {
    let mut lambda = start_streaming().await;
    let outcome = lambda
        .invoke(Invocation::new(url_event(
            json!({"x-echo-stream-ms": "2500"}),
        )))
        .await
        .unwrap();
    let Outcome::Streamed(streamed) = &outcome else {
        panic!("expected a streamed /response, got {outcome}");
    };
    assert_eq!(
        streamed.content_type.as_deref(),
        Some("application/vnd.awslambda.http-integration-response")
    );
    assert!(streamed.chunked, "{outcome}");
    assert_eq!(
        streamed.declared_trailers,
        [
            "lambda-runtime-function-error-type",
            "lambda-runtime-function-error-body"
        ]
    );
    let prelude = streamed.prelude().expect("a JSON prelude and 8 NUL bytes");
    assert_eq!(prelude["statusCode"], 200, "{outcome}");
    assert_eq!(prelude["headers"]["content-type"], "application/json");
    assert_eq!(prelude["cookies"], json!([]));
    let chunks = streamed.body_chunks();
    assert!(chunks.len() >= 2, "{outcome}");
    let (first, last) = (chunks[0].at, chunks[chunks.len() - 1].at);
    // Echo produces its second half 2.5 s after the first: the first was sent before that (a
    // shim that collected the body would send it all at once). The margin is for a busy machine.
    assert!(
        last.saturating_sub(first) >= Duration::from_millis(1000),
        "first at {first:?}, last at {last:?}\n{outcome}"
    );
    // In order: the chunks, as they arrived, make echo's document, the first its beginning.
    let body = streamed.body();
    assert!(!chunks[0].data.is_empty() && body.starts_with(&chunks[0].data));
    assert!(chunks[0].data.len() < body.len(), "{outcome}");
    let document: Value = serde_json::from_slice(&body).expect("echo's JSON");
    assert_eq!(document["event"]["path"], "/hooks/github");
    assert_eq!(streamed.error(), None);
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_function_urls_stream_and_failures_before_the_first_byte_go_to_error() {
    let mut lambda = start_streaming().await;
    // A whole answer from the handler is streamed too, for a Function URL: status and cookies
    // in the prelude, the body after it.
    let outcome = lambda
        .invoke(Invocation::new(url_event(json!({}))))
        .await
        .unwrap();
    let streamed = outcome.streamed().expect("a streamed /response");
    assert_eq!(streamed.prelude().unwrap()["statusCode"], 200);
    let document: Value = serde_json::from_slice(&streamed.body()).unwrap();
    assert_eq!(document["event"]["method"], "POST");

    // Through the testkit's client view: the answer a Function URL caller gets.
    let answer = lambda
        .send(&polyfaas_testkit::native::AwsEvent {
            payload: url_event(json!({"x-echo-stream-ms": "10"})).into(),
            origin: polyfaas_testkit::native::AwsOrigin::FunctionUrl,
        })
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json().unwrap()["event"]["path"], "/hooks/github");

    // API Gateway (v2), whose integration cannot read a stream, gets its whole JSON answer,
    // the streamed body collected.
    let mut v2: Value = serde_json::from_slice(&fixture("apigw-v2-binary.json")).unwrap();
    v2["headers"]["x-echo-stream-ms"] = json!("10");
    let response = lambda.result(v2.to_string()).await;
    assert_eq!(response["statusCode"], 200, "{response:#}");
    let document: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(document["event"]["method"], "POST");

    // Non-HTTP events answer whole.
    let result = lambda.result(fixture("eventbridge-schedule.json")).await;
    assert_eq!(result["event"]["kind"], "schedule");

    // A handler that fails before its first byte: /error, as without streaming.
    let outcome = lambda
        .invoke(Invocation::new(url_event(json!({"x-echo-fail": "error"}))))
        .await
        .unwrap();
    let (error_type, message) = outcome.error();
    assert_eq!(error_type, "HandlerError");
    assert!(message.contains("echo failed on purpose"), "{message}");
    lambda.assert_healthy();
}
