//! HTTP events in, per-origin responses out.

use polyfaas_testkit::echo::{body_of, header_values};
use serde_json::json;

use crate::fixture;

const BINARY: [u8; 9] = [0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, b'\n', 0x00, 0x7f];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_api_v1_events() {
    let mut lambda = crate::start().await;

    let (response, event) = crate::http_event(&lambda, fixture("apigw-v1-rest.json")).await;
    assert_eq!(event["method"], "POST");
    // The path without the stage: lambda_http 1.3.2 makes it /staging/orders/17/lines.
    assert_eq!(event["path"], "/orders/17/lines");
    // Rebuilt from multiValueQueryStringParameters in the event's key order (lambda_http
    // loses the order), every value kept, each re-encoded.
    assert_eq!(event["query"], "zone=north&tag=red&tag=blue&note=a%26b%20c");
    assert_eq!(header_values(&event, "x-trace"), ["first", "second"]);
    assert_eq!(
        header_values(&event, "content-type"),
        ["text/plain; charset=utf-8"]
    );
    assert_eq!(body_of(&event), b"two lines\nof text");
    assert_eq!(event["source_ip"], "198.51.100.23");
    // v1 answers: every header in multiValueHeaders, nothing in headers.
    assert_eq!(
        response["multiValueHeaders"],
        json!({"content-type": ["application/json"]})
    );
    assert!(response.get("headers").is_none(), "{response:#}");
    assert_eq!(response["isBase64Encoded"], false);

    let (_, event) = crate::http_event(&lambda, fixture("apigw-v1-binary.json")).await;
    assert_eq!(event["method"], "PUT");
    assert_eq!(event["path"], "/upload");
    assert_eq!(event["query"], "");
    assert_eq!(body_of(&event), BINARY);
    assert_eq!(event["source_ip"], "2001:db8::7");
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_v2_events() {
    let mut lambda = crate::start().await;

    let (response, event) = crate::http_event(&lambda, fixture("apigw-v2-named-stage.json")).await;
    assert_eq!(event["method"], "GET");
    // The named stage API Gateway put in front of rawPath is removed.
    assert_eq!(event["path"], "/reports/2024");
    // rawQueryString verbatim: order and encoding as the client sent them.
    assert_eq!(event["query"], "b=2&a=1&b=3&q=x%20y");
    // Already comma-joined by API Gateway: stays one value.
    assert_eq!(header_values(&event, "x-multi"), ["one,two"]);
    assert_eq!(header_values(&event, "accept-encoding"), ["gzip, br"]);
    assert_eq!(header_values(&event, "cookie"), ["session=s3cr3t; lang=de"]);
    assert_eq!(event["source_ip"], "203.0.113.77");
    assert_eq!(event["body_base64"], "");
    // v2 answers: headers + cookies, no multiValueHeaders.
    assert_eq!(
        response["headers"],
        json!({"content-type": "application/json"})
    );
    assert_eq!(response["cookies"], json!([]));
    assert!(response.get("multiValueHeaders").is_none(), "{response:#}");

    let (_, event) = crate::http_event(&lambda, fixture("apigw-v2-binary.json")).await;
    assert_eq!(event["method"], "POST");
    assert_eq!(event["path"], "/images/a b.png");
    assert_eq!(event["body_base64"], "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB");
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn function_url_events_use_cookies_once() {
    let mut lambda = crate::start().await;
    let (response, event) = crate::http_event(&lambda, fixture("function-url.json")).await;
    assert_eq!(event["method"], "POST");
    assert_eq!(event["path"], "/hooks/github");
    assert_eq!(event["query"], "delivery=42&delivery=43");
    // Both a cookie header and cookies[]: one source, never both concatenated.
    assert_eq!(header_values(&event, "cookie"), ["a=1; b=2"]);
    assert_eq!(header_values(&event, "x-github-event"), ["push"]);
    assert_eq!(body_of(&event), br#"{"ref":"refs/heads/main"}"#);
    assert_eq!(event["source_ip"], "192.0.2.44");
    assert_eq!(response["cookies"], json!([]));
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alb_events_in_both_header_modes() {
    let mut lambda = crate::start().await;

    let (response, event) = crate::http_event(&lambda, fixture("alb-single-value.json")).await;
    assert_eq!(event["method"], "GET");
    assert_eq!(event["path"], "/search");
    // ALB leaves query values encoded: passed through as they came, in order.
    assert_eq!(event["query"], "q=caf%C3%A9+au+lait&page=3");
    assert_eq!(header_values(&event, "x-repeated"), ["last"]);
    assert_eq!(event["source_ip"], serde_json::Value::Null);
    assert_eq!(response["statusDescription"], "200 OK");
    assert_eq!(
        response["headers"],
        json!({"content-type": "application/json"})
    );
    assert!(response.get("multiValueHeaders").is_none(), "{response:#}");

    let (response, event) = crate::http_event(&lambda, fixture("alb-multi-value.json")).await;
    assert_eq!(event["method"], "POST");
    assert_eq!(event["path"], "/forms/submit");
    // Key order of the event kept (lambda_http sorts it through a HashMap).
    assert_eq!(event["query"], "z=26&a=1&a=%2F&m=x%20y");
    assert_eq!(header_values(&event, "x-repeated"), ["first", "second"]);
    assert_eq!(body_of(&event), b"name=J%C3%BCrgen&x=1");
    // Answered in the request's mode: multi-value.
    assert_eq!(response["statusDescription"], "200 OK");
    assert_eq!(
        response["multiValueHeaders"],
        json!({"content-type": ["application/json"]})
    );
    assert!(response.get("headers").is_none(), "{response:#}");
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_context_carries_the_runtime_api_headers() {
    let mut lambda = crate::start().await;
    let invocation = polyfaas_testkit::aws::Invocation::new(fixture("apigw-v2-binary.json"));
    let request_id = invocation.request_id.clone();
    let deadline: u64 = invocation.deadline.as_deref().unwrap().parse().unwrap();
    let response = lambda.invoke(invocation).await.unwrap().response_json();
    let document: serde_json::Value =
        serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(document["provider"], "aws");
    assert_eq!(document["context"]["request_id"], request_id);
    assert_eq!(document["context"]["deadline_ms"], deadline);
    assert_eq!(document["context"]["function"], crate::FUNCTION);
    lambda.assert_healthy();
}
