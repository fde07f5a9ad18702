//! What cargo-lambda's emulator (1.9.2) does differently from Lambda, which the shim must
//! survive: a `Lambda-Runtime-Deadline-Ms` that is a constant `600000` rather than an epoch
//! time, `AWS_LAMBDA_RUNTIME_API` with a scheme and a `/.rt` prefix, 200 instead of 202
//! answers, and Function URL events with a stray `httpMethod`, nulls, a `cookie` header next to
//! `cookies`, and `timeEpoch` in seconds.

use http::StatusCode;
use polyfaas_testkit::echo::header_values;

use polyfaas_testkit::aws::LambdaOptions;
use polyfaas_testkit::aws::{Invocation, RuntimeApi};

use crate::fixture;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cargo_lambda_style_runtime_api() {
    let api = RuntimeApi::start_with("/.rt", StatusCode::OK)
        .await
        .unwrap();
    let mut lambda = crate::start_with(LambdaOptions::default().api(api).use_url(true)).await;

    // A deadline of 600000 ms after the epoch would cancel every handler at once: ignored.
    let invocation =
        Invocation::new(fixture("cargo-lambda-url.json")).deadline(Some("600000".into()));
    let response = lambda.invoke(invocation).await.unwrap().response_json();
    assert_eq!(response["statusCode"], 200, "{response:#}");
    let document: serde_json::Value =
        serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(document["context"]["deadline_ms"], serde_json::Value::Null);
    let event = &document["event"];
    // The method is requestContext.http.method, not the stray top-level "httpMethod": "GET".
    assert_eq!(event["method"], "DELETE");
    assert_eq!(event["path"], "/items/7");
    assert_eq!(event["query"], "x=1");
    assert_eq!(header_values(event, "cookie"), ["a=1; b=2"]);
    assert_eq!(event["source_ip"], "127.0.0.1");

    // Several in a row through the prefixed API, the 200 answers accepted.
    for _ in 0..3 {
        let document = lambda.result(fixture("eventbridge-schedule.json")).await;
        assert_eq!(document["event"]["kind"], "schedule");
    }
    lambda.assert_healthy();
}
