//! HTTP methods by core's one rule (`shim::http_method`), in every HTTP origin: a standard
//! method in any case becomes upper case, another upper-case token is kept, anything else is
//! refused as bad input naming the field.

use polyfaas_testkit::aws::Invocation;
use serde_json::{json, Value};

use crate::fixture;

/// `fixture` with the method at `path` (JSON pointer) set to `method`.
fn with_method(name: &str, pointer: &str, method: &str) -> String {
    let mut event: Value = serde_json::from_slice(&fixture(name)).unwrap();
    *event.pointer_mut(pointer).expect("the method's field") = json!(method);
    event.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lower_case_standard_methods_become_upper_case_in_every_origin() {
    let mut lambda = crate::start().await;
    let cases = [
        ("apigw-v2-binary.json", "/requestContext/http/method"),
        ("function-url.json", "/requestContext/http/method"),
        ("apigw-v1-rest.json", "/httpMethod"),
        ("alb-single-value.json", "/httpMethod"),
    ];
    for (name, pointer) in cases {
        for (sent, seen) in [
            ("post", "POST"),
            ("Delete", "DELETE"),
            ("PROPFIND", "PROPFIND"),
        ] {
            let (_, event) = crate::http_event(&lambda, with_method(name, pointer, sent)).await;
            assert_eq!(event["method"], seen, "{name}: {sent}");
        }
    }
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_method_that_is_not_one_is_refused_naming_the_field() {
    let mut lambda = crate::start().await;
    let cases = [
        (
            "apigw-v2-binary.json",
            "/requestContext/http/method",
            "true",
            "requestContext.http.method",
        ),
        (
            "function-url.json",
            "/requestContext/http/method",
            "get it",
            "requestContext.http.method",
        ),
        (
            "apigw-v1-rest.json",
            "/httpMethod",
            "propfind",
            "httpMethod",
        ),
        ("alb-single-value.json", "/httpMethod", "", "httpMethod"),
    ];
    for (name, pointer, sent, field) in cases {
        let outcome = lambda
            .invoke(Invocation::new(with_method(name, pointer, sent)))
            .await
            .unwrap();
        let (error_type, message) = outcome.error();
        assert_eq!(error_type, "InvalidEvent", "{name}: {message}");
        assert_eq!(message, format!("{field}: {sent:?} is not an HTTP method"));
        let document = lambda.result(fixture("eventbridge-schedule.json")).await;
        assert_eq!(document["event"]["kind"], "schedule");
    }
    lambda.assert_healthy();
}
