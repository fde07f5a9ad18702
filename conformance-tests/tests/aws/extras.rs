//! Lambda's extras through the real binary: echo's `extras` (on `x-echo-extras: 1` or
//! `echo_extras`) shows every extra a handler can read: an authorizer's claims or context, path
//! parameters, stage variables, the route key, API Gateway's request id and domain name, the
//! event as received, the ARN and the trace header.

use polyfaas_testkit::aws::Invocation;
use serde_json::{json, Value};

use crate::fixture;

/// Echo's whole answer document for an HTTP event, with the response around it.
async fn echoed(lambda: &polyfaas_testkit::aws::Lambda, payload: Vec<u8>) -> Value {
    let response = lambda.result(payload).await;
    assert_eq!(response["statusCode"], 200, "{response:#}");
    serde_json::from_str(response["body"].as_str().expect("a text body")).expect("echo's JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jwt_authorizers_claims_and_a_path_parameter_reach_the_handler() {
    let mut lambda = crate::start().await;
    let payload = fixture("apigw-v2-jwt-authorizer.json");
    let sent: Value = serde_json::from_slice(&payload).unwrap();
    let document = echoed(&lambda, payload).await;
    let extras = &document["extras"];
    let api = &extras["aws.api_gateway_v2"];
    let claims = &api["requestContext"]["authorizer"]["jwt"]["claims"];
    assert_eq!(claims["sub"], "9f1c2d3e-user", "{extras:#}");
    assert_eq!(claims["email"], "ada@example.com");
    assert_eq!(claims["cognito:groups"], "[admins readers]");
    assert_eq!(
        api["requestContext"]["authorizer"]["jwt"]["scopes"],
        json!(["orders/read", "orders/list"])
    );
    assert_eq!(api["pathParameters"], json!({"customerId": "c-42"}));
    assert_eq!(api["stageVariables"], json!({"backend": "orders-v3"}));
    assert_eq!(api["routeKey"], "GET /customers/{customerId}/orders");
    assert_eq!(api["requestContext"]["requestId"], "JWTa1bC2dE3fG4h=");
    assert_eq!(
        api["requestContext"]["domainName"],
        "r7t8y9u0io.execute-api.eu-north-1.amazonaws.com"
    );
    // The event as Lambda sent it, and the Runtime API's extras.
    assert_eq!(extras["aws.event"], sent);
    assert_eq!(
        extras["aws.function_arn"],
        "arn:aws:lambda:eu-west-1:123456789012:function:echo-fn:live"
    );
    assert!(extras["aws.trace_id"]
        .as_str()
        .unwrap()
        .starts_with("Root=1-"));
    // Only this origin's context; the canonical event is unchanged.
    for other in ["aws.api_gateway_v1", "aws.function_url", "aws.alb"] {
        assert!(extras.get(other).is_none(), "{other} in {extras:#}");
    }
    assert_eq!(document["event"]["path"], "/customers/c-42/orders");
    assert_eq!(document["event"]["query"], "status=open");
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lambda_authorizers_context_and_the_rest_apis_context() {
    let mut lambda = crate::start().await;
    let document = echoed(&lambda, fixture("apigw-v1-lambda-authorizer.json")).await;
    let api = &document["extras"]["aws.api_gateway_v1"];
    let authorizer = &api["requestContext"]["authorizer"];
    assert_eq!(authorizer["principalId"], "tenant-17", "{api:#}");
    assert_eq!(authorizer["tier"], "gold");
    assert_eq!(authorizer["seats"], 12);
    assert_eq!(api["pathParameters"], json!({"invoiceId": "inv-2026-0007"}));
    assert_eq!(api["stageVariables"], json!({"ledger": "eu-books"}));
    assert_eq!(api["resource"], "/invoices/{invoiceId}");
    assert_eq!(api["requestContext"]["stage"], "prod");
    assert_eq!(
        api["requestContext"]["requestId"],
        "1d2c3b4a-0000-4e5f-8a9b-00000000c0de"
    );
    assert_eq!(
        api["requestContext"]["identity"]["sourceIp"],
        "198.51.100.140"
    );
    // The stage stays out of the path.
    assert_eq!(document["event"]["path"], "/invoices/inv-2026-0007");
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn function_url_iam_callers_and_alb_target_groups() {
    let mut lambda = crate::start().await;
    let mut url: Value = serde_json::from_slice(&fixture("function-url.json")).unwrap();
    url["headers"]["x-echo-extras"] = json!("1");
    url["requestContext"]["authorizer"] = json!({"iam": {
        "accessKey": "ASIAEXAMPLE", "accountId": "210987654321", "callerId": "AROAEXAMPLE:ci",
        "userArn": "arn:aws:sts::210987654321:assumed-role/deployer/ci", "userId": "AROAEXAMPLE:ci"
    }});
    let document = echoed(&lambda, url.to_string().into_bytes()).await;
    let context = &document["extras"]["aws.function_url"]["requestContext"];
    assert_eq!(
        context["authorizer"]["iam"]["userArn"],
        "arn:aws:sts::210987654321:assumed-role/deployer/ci",
        "{document:#}"
    );
    assert_eq!(context["requestId"], "3a6e9f0c-2222-4b4b-8c8c-000000000003");

    let mut alb: Value = serde_json::from_slice(&fixture("alb-multi-value.json")).unwrap();
    alb["multiValueHeaders"]["x-echo-extras"] = json!(["1"]);
    let document = echoed(&lambda, alb.to_string().into_bytes()).await;
    assert_eq!(
        document["extras"]["aws.alb"]["requestContext"]["elb"]["targetGroupArn"],
        "arn:aws:elasticloadbalancing:eu-west-1:210987654321:targetgroup/echo-tg/0123456789abcdef"
    );
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_trigger_carries_its_raw_event() {
    let mut lambda = crate::start().await;
    let payload = json!({"echo_extras": true, "order": {"id": 7, "lines": [1, 2]}});
    let document = lambda
        .invoke(Invocation::new(payload.to_string()))
        .await
        .unwrap()
        .response_json();
    let extras = &document["extras"];
    assert_eq!(extras["aws.event"], payload, "{extras:#}");
    let keys: Vec<&String> = extras.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["aws.event", "aws.function_arn", "aws.trace_id"]);

    // An SNS notification (one record: its answer is echo's document) asks with an attribute.
    let mut sns: Value = serde_json::from_slice(&fixture("sns.json")).unwrap();
    let records = sns["Records"].as_array_mut().unwrap();
    records.truncate(1);
    records[0]["Sns"]["MessageAttributes"]["echo_extras"] = json!({"Type": "String", "Value": "1"});
    let document = lambda.result(sns.to_string()).await;
    assert_eq!(document["extras"]["aws.event"], sns, "{document:#}");
    assert_eq!(document["event"]["kind"], "message");
    lambda.assert_healthy();
}
