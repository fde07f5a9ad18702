//! API Gateway authorizer calls through echo: recognised as `authorize` events (never as HTTP
//! requests) and answered in the exact shapes API Gateway accepts, as its developer guide
//! documents them ("Output from an API Gateway Lambda authorizer": `principalId`,
//! `policyDocument` with `Version` 2012-10-17 and one `execute-api:Invoke` statement,
//! `context`; HTTP API simple responses: `isAuthorized` and `context`). Echo allows with
//! principal `echo` and its document as `context.echo`, and denies for the token `deny` or the
//! header `x-echo-deny: deny`.

use polyfaas_testkit::aws::{Invocation, LambdaOptions};
use polyfaas_testkit::echo::event_of;
use serde_json::{json, Value};

use crate::fixture;
use crate::streams::json_fixture;

/// The IAM policy answer API Gateway reads, with echo's `context`.
fn policy(effect: &str, resource: &str, context: &Value) -> Value {
    json!({
        "principalId": "echo",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
        "context": context,
    })
}

/// Echo's document in an answer's `context.echo`, its outer shape checked.
fn document(answer: &Value) -> Value {
    let text = answer["context"]["echo"]
        .as_str()
        .expect("context.echo is a string");
    serde_json::from_str(text).expect("context.echo is echo's JSON document")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_authorizers_get_an_iam_policy_on_the_method() {
    let mut lambda = crate::start().await;
    let arn = "arn:aws:execute-api:eu-west-1:210987654321:k7t3stk1t0/prod/GET/orders/42";
    let answer = lambda.result(fixture("authorizer-token.json")).await;
    assert_eq!(answer, policy("Allow", arn, &answer["context"]));
    assert_eq!(answer["context"].as_object().map(|c| c.len()), Some(1));
    let event = event_of(&document(&answer), "aws");
    assert_eq!(
        event,
        json!({"kind": "authorize",
            "token": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTcifQ.c2lnbmF0dXJl",
            "resource": arn, "request": null})
    );
    for token in ["deny", "Bearer deny"] {
        let mut call = json_fixture("authorizer-token.json");
        call["authorizationToken"] = json!(token);
        let answer = lambda.result(call.to_string()).await;
        assert_eq!(answer, policy("Deny", arn, &answer["context"]), "{token}");
    }
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_authorizers_get_the_request_never_as_an_http_event() {
    let mut lambda = crate::start().await;
    let arn = "arn:aws:execute-api:eu-west-1:210987654321:k7t3stk1t0/prod/POST/orders";
    let answer = lambda.result(fixture("authorizer-request.json")).await;
    // Not an HTTP response: no statusCode, a policy.
    assert!(answer.get("statusCode").is_none(), "{answer}");
    assert_eq!(answer, policy("Allow", arn, &answer["context"]));
    let event = event_of(&document(&answer), "aws");
    assert_eq!(event["kind"], "authorize");
    assert_eq!(event["token"], "Bearer request-token");
    assert_eq!(event["resource"], arn);
    assert_eq!(
        event["request"],
        json!({"kind": "http", "method": "POST", "path": "/orders", "query": "dry_run=true",
            "headers": {"authorization": ["Bearer request-token"],
                        "host": ["k7t3stk1t0.execute-api.eu-west-1.amazonaws.com"],
                        "x-tenant": ["acme"]},
            "body_base64": "", "source_ip": "198.51.100.23"})
    );

    let mut call = json_fixture("authorizer-request.json");
    call["multiValueHeaders"]["x-echo-deny"] = json!(["deny"]);
    let answer = lambda.result(call.to_string()).await;
    assert_eq!(answer, policy("Deny", arn, &answer["context"]));

    // The extras of the call, asked for with x-echo-extras.
    let mut call = json_fixture("authorizer-request.json");
    call["multiValueHeaders"]["x-echo-extras"] = json!(["1"]);
    let answer = lambda.result(call.to_string()).await;
    let extras = &document(&answer)["extras"]["aws.authorizer"];
    assert_eq!(extras["authorizer_type"], "REQUEST");
    assert_eq!(extras["resource"], arn);
    assert_eq!(extras["stage_variables"], json!({"tier": "gold"}));
    assert_eq!(
        extras["request_context"]["requestId"],
        "6a3f1b2c-0000-4000-8000-00000000a001"
    );
    assert_eq!(extras["response"], "iam");
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_authorizers_answer_simply_unless_told_iam() {
    let mut lambda = crate::start().await;
    let answer = lambda.result(fixture("authorizer-v2.json")).await;
    assert_eq!(
        answer,
        json!({"isAuthorized": true, "context": {"echo": answer["context"]["echo"]}})
    );
    let event = event_of(&document(&answer), "aws");
    assert_eq!(event["token"], "Bearer v2-token");
    assert_eq!(
        event["resource"],
        "arn:aws:execute-api:eu-west-1:210987654321:p0q1r2s3t4/$default/GET/orders/{id}"
    );
    assert_eq!(event["request"]["method"], "GET");
    assert_eq!(event["request"]["path"], "/orders/42");
    assert_eq!(event["request"]["query"], "expand=lines&expand=customer");
    assert_eq!(
        event["request"]["headers"]["cookie"],
        json!(["session=abc; theme=dark"])
    );
    assert_eq!(event["request"]["source_ip"], "198.51.100.24");

    let mut call = json_fixture("authorizer-v2.json");
    call["headers"]["x-echo-deny"] = json!("deny");
    let answer = lambda.result(call.to_string()).await;
    assert_eq!(answer["isAuthorized"], false, "{answer}");

    // Payload 1.0 takes IAM policies only.
    let answer = lambda.result(fixture("authorizer-v2-payload1.json")).await;
    let arn = "arn:aws:execute-api:eu-west-1:210987654321:p0q1r2s3t4/$default/GET/orders/42";
    assert_eq!(answer, policy("Allow", arn, &answer["context"]));
    assert_eq!(document(&answer)["event"]["token"], "Bearer v1-token");
    lambda.assert_healthy();

    // POLYFAAS_AUTHORIZER_RESPONSE=iam: payload 2.0 gets the policy on the route.
    let mut lambda =
        crate::start_with(LambdaOptions::default().env("POLYFAAS_AUTHORIZER_RESPONSE", "iam"))
            .await;
    let answer = lambda.result(fixture("authorizer-v2.json")).await;
    let route = "arn:aws:execute-api:eu-west-1:210987654321:p0q1r2s3t4/$default/GET/orders/{id}";
    assert_eq!(answer, policy("Allow", route, &answer["context"]));
    let mut call = json_fixture("authorizer-v2.json");
    call["headers"]["x-echo-deny"] = json!("deny");
    let answer = lambda.result(call.to_string()).await;
    assert_eq!(answer, policy("Deny", route, &answer["context"]));
    lambda.assert_healthy();

    // `simple` is also what REST APIs get: IAM, the only answer they read.
    let mut lambda =
        crate::start_with(LambdaOptions::default().env("POLYFAAS_AUTHORIZER_RESPONSE", "simple"))
            .await;
    let answer = lambda.result(fixture("authorizer-token.json")).await;
    assert_eq!(answer["principalId"], "echo");
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_response_setting_fails_authorizer_calls_naming_the_variable() {
    let mut lambda =
        crate::start_with(LambdaOptions::default().env("POLYFAAS_AUTHORIZER_RESPONSE", "policy"))
            .await;
    for call in ["authorizer-v2.json", "authorizer-token.json"] {
        let (error_type, message) = lambda
            .invoke(Invocation::new(fixture(call)))
            .await
            .unwrap()
            .error();
        assert_eq!(error_type, "InvalidConfiguration", "{call}");
        assert!(
            message
                .starts_with("POLYFAAS_AUTHORIZER_RESPONSE is \"policy\": set it to simple or iam"),
            "{message}"
        );
    }
    // Other events do not read it.
    lambda.result(fixture("eventbridge-schedule.json")).await;
    lambda.assert_healthy();
}
