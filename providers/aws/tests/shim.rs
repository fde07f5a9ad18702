//! The shim end to end in-process (`handle_event` with handlers written for each check), for
//! what the echo binary cannot show: the request's URI, repeated response headers, non-2xx
//! answers, the Lambda extras. The real binary over the Runtime API is
//! `conformance-tests/tests/aws`.

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, SET_COOKIE};
use http::StatusCode;
use polyfaas_aws::{handle_event, invocation, FunctionArn, TraceId};
use polyfaas_core::{
    handler_fn, Context, Error, Event, Failure, Handler, Invocation, Invoker, Provider, Response,
    PANIC_MESSAGE,
};
use serde_json::{json, Value};

fn fixture(name: &str) -> Bytes {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../conformance-tests/fixtures/aws")
        .join(name);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("read {path:?}: {e}"))
        .into()
}

fn invoker(handler: impl Handler) -> Invoker {
    Invoker::builder(Provider::AWS, handler).build()
}

async fn handle(invoker: &Invoker, payload: Bytes) -> Result<Value, Failure> {
    let raw = handle_event(invoker, payload, Invocation::new().request_id("req-1")).await?;
    Ok(serde_json::from_str(raw.get()).unwrap())
}

async fn run(invoker: &Invoker, payload: Bytes) -> Value {
    handle(invoker, payload)
        .await
        .expect("a successful invocation")
}

/// Answers with the request's full URI as text.
fn uri_handler() -> Invoker {
    invoker(handler_fn(|event: Event, _ctx: Context| async move {
        let Event::Http(request) = event else {
            return Err(Error::msg("not http"));
        };
        Ok(Response::text(request.uri().to_string()))
    }))
}

#[tokio::test]
async fn alb_multi_value_requests_keep_host_and_scheme() {
    // lambda_http 1.3.2 builds a relative URI for these.
    let response = run(&uri_handler(), fixture("alb-multi-value.json")).await;
    assert_eq!(response["body"], "https://echo-alb-1234567890.eu-west-1.elb.amazonaws.com/forms/submit?z=26&a=1&a=%2F&m=x%20y");
    let response = run(&uri_handler(), fixture("alb-single-value.json")).await;
    assert_eq!(
        response["body"],
        "http://echo-alb-1234567890.eu-west-1.elb.amazonaws.com/search?q=caf%C3%A9+au+lait&page=3"
    );
}

#[tokio::test]
async fn the_stage_is_never_added_to_the_path() {
    // lambda_http 1.3.2 gives /staging/orders/17/lines (and /beta/beta/... is impossible).
    let response = run(&uri_handler(), fixture("apigw-v1-rest.json")).await;
    assert_eq!(
        response["body"],
        "https://k3x9q2w1ab.execute-api.eu-central-1.amazonaws.com/orders/17/lines?zone=north&tag=red&tag=blue&note=a%26b%20c"
    );
    let response = run(&uri_handler(), fixture("apigw-v2-named-stage.json")).await;
    assert_eq!(
        response["body"],
        "https://p0q1r2s3t4.execute-api.ap-southeast-2.amazonaws.com/reports/2024?b=2&a=1&b=3&q=x%20y"
    );
}

#[tokio::test]
async fn repeated_response_headers_keep_every_value_on_v2_and_function_urls() {
    let handler = invoker(handler_fn(|_event: Event, _ctx: Context| async {
        let multi = HeaderName::from_static("x-multi");
        Ok::<_, Error>(
            Response::text("ok")
                .with_header(multi.clone(), HeaderValue::from_static("a"))
                .with_header(multi, HeaderValue::from_static("b"))
                .with_header(SET_COOKIE, HeaderValue::from_static("s=1"))
                .with_header(SET_COOKIE, HeaderValue::from_static("t=2")),
        )
    }));
    for name in ["apigw-v2-named-stage.json", "function-url.json"] {
        let response = run(&handler, fixture(name)).await;
        // lambda_http 1.3.2 keeps "a" only.
        assert_eq!(response["headers"]["x-multi"], "a, b", "{name}");
        assert_eq!(response["cookies"], json!(["s=1", "t=2"]), "{name}");
    }
    let response = run(&handler, fixture("apigw-v1-rest.json")).await;
    assert_eq!(response["multiValueHeaders"]["x-multi"], json!(["a", "b"]));
}

#[tokio::test]
async fn invalid_base64_is_an_error_not_a_panic() {
    // lambda_http 1.3.2 panics (`Body::from_maybe_encoded` uses expect).
    let failure = handle(&uri_handler(), fixture("malformed/v2-bad-base64.json"))
        .await
        .unwrap_err();
    assert_eq!(failure.error_type(), "InvalidEvent");
    assert!(
        failure
            .message()
            .starts_with("body: isBase64Encoded is true but the body is not base64"),
        "{failure}"
    );
}

#[tokio::test]
async fn statuses_decide_success_only_for_non_http_events() {
    let unavailable = invoker(handler_fn(|_event: Event, _ctx: Context| async {
        Ok::<_, Error>(Response::from_status(StatusCode::SERVICE_UNAVAILABLE))
    }));
    // An HTTP 503 is a successful invocation whose response says 503.
    let response = run(&unavailable, fixture("function-url.json")).await;
    assert_eq!(response["statusCode"], 503);
    // A scheduled event answered 503 failed: Lambda's retry path.
    let failure = handle(&unavailable, fixture("eventbridge-schedule.json"))
        .await
        .unwrap_err();
    assert_eq!(failure.error_type(), "UnsuccessfulResponse");
    assert!(failure.message().contains("503"), "{failure}");
    // In an SQS batch each such record is a batch item failure.
    let response = run(&unavailable, fixture("sqs-batch.json")).await;
    assert_eq!(
        response["batchItemFailures"].as_array().map(Vec::len),
        Some(4)
    );
}

#[tokio::test]
async fn results_of_non_http_events_are_the_body_as_json() {
    let answer = |body: &'static [u8]| {
        invoker(handler_fn(move |_event: Event, _ctx: Context| async move {
            Ok::<_, Error>(Response::new(StatusCode::OK, body))
        }))
    };
    let payload = Bytes::from_static(br#"{"order": 7}"#);
    assert_eq!(
        run(&answer(br#"{"done":true}"#), payload.clone()).await,
        json!({"done": true})
    );
    assert_eq!(
        run(&answer(b"plain words"), payload.clone()).await,
        json!("plain words")
    );
    assert_eq!(run(&answer(b""), payload.clone()).await, Value::Null);
    assert_eq!(run(&answer(&[0xff, 0x00]), payload).await, json!("/wA="));
}

#[tokio::test]
async fn the_context_has_the_arn_and_trace_id() {
    let handler = invoker(handler_fn(|_event: Event, ctx: Context| async move {
        Response::json(&json!({
            "arn": ctx.extra::<FunctionArn>().map(|a| a.0.clone()),
            "trace": ctx.extra::<TraceId>().map(|t| t.0.clone()),
            "trace_id": ctx.trace_id(),
            "extras": ctx.extras().to_json(),
            "request_id": ctx.request_id(),
            "function": ctx.function_name(),
            "deadline": ctx.deadline_ms(),
        }))
    }));
    let mut headers = http::HeaderMap::new();
    for (name, value) in [
        ("lambda-runtime-aws-request-id", "req-9"),
        ("lambda-runtime-deadline-ms", "4102444800000"), // 2100-01-01
        (
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:eu-west-1:1:function:f:live",
        ),
        (
            "lambda-runtime-trace-id",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    let raw = handle_event(
        &handler,
        Bytes::from_static(b"{}"),
        invocation(&headers).unwrap(),
    )
    .await
    .unwrap();
    let json: Value = serde_json::from_str(raw.get()).unwrap();
    let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
    assert_eq!(json["arn"], "arn:aws:lambda:eu-west-1:1:function:f:live");
    assert_eq!(json["trace"], trace);
    assert_eq!(json["trace_id"], trace);
    assert_eq!(
        json["extras"],
        json!({"aws.event": {}, "aws.function_arn": "arn:aws:lambda:eu-west-1:1:function:f:live", "aws.trace_id": trace})
    );
    assert_eq!(json["request_id"], "req-9");
    assert_eq!(json["deadline"], 4_102_444_800_000u64);
}

#[tokio::test]
async fn a_panics_text_goes_to_the_log_not_to_the_error() {
    let panicking = invoker(handler_fn(|event: Event, _ctx: Context| async move {
        if matches!(event, Event::Schedule(_)) {
            panic!("the secret is 42");
        }
        Ok::<_, Error>(Response::ok())
    }));
    let failure = handle(&panicking, fixture("eventbridge-schedule.json"))
        .await
        .unwrap_err();
    assert_eq!(failure.error_type(), "Panic");
    assert_eq!(
        failure.message(),
        format!("{PANIC_MESSAGE} (request id req-1)")
    );
    // The same invoker serves the next invocation.
    assert_eq!(
        run(&panicking, Bytes::from_static(b"{}")).await,
        Value::Null
    );
}

#[tokio::test]
async fn each_record_gets_a_fresh_scratch_directory_removed_after_its_call() {
    let base = tempfile::tempdir().unwrap();
    let handler = handler_fn(|_event: Event, ctx: Context| async move {
        let dir = ctx.scratch_dir()?;
        let fresh = std::fs::read_dir(&dir)?.next().is_none();
        std::fs::write(dir.join("record"), b"x")?;
        Response::json(&json!({"dir": dir, "fresh": fresh, "request_id": ctx.request_id()}))
    });
    let invoker = Invoker::builder(Provider::AWS, handler)
        .scratch_base(base.path())
        .build();
    let record = |id: &str| json!({"EventSource": "aws:sns", "Sns": {"MessageId": id, "TopicArn": "arn:t", "Message": "m"}});
    let payload = json!({"Records": [record("n1"), record("n2")]}).to_string();
    let results = run(&invoker, payload.into()).await;
    let [first, second] = [&results[0], &results[1]];
    assert_eq!(first["fresh"], true, "{results}");
    assert_eq!(second["fresh"], true, "{results}");
    assert_ne!(first["dir"], second["dir"]);
    assert_eq!(first["request_id"], "req-1");
    assert_eq!(second["request_id"], "req-1");
    assert!(std::fs::read_dir(base.path()).unwrap().next().is_none());
}
