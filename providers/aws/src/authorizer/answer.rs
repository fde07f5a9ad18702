//! The handler's [`Authorization`] as the answer API Gateway reads from a Lambda authorizer
//! (API Gateway developer guide, "Output from an API Gateway Lambda authorizer" and "Working
//! with AWS Lambda authorizers for HTTP APIs"):
//!
//! ```json
//! {"principalId": "user-7",
//!  "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke",
//!    "Effect": "Allow", "Resource": "arn:aws:execute-api:eu-west-1:123456789012:api/prod/GET/items"}]},
//!  "context": {"tier": "gold"}}
//! {"isAuthorized": true, "context": {"tier": "gold"}}
//! ```
//!
//! `context` is left out when empty. Its values must be strings, numbers or booleans (API
//! Gateway refuses anything else); the principal of an IAM answer must not be empty. A simple
//! answer has no principal: API Gateway has no place for it.

use polyfaas_core::{Authorization, Failure, FailureKind, Response};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::AuthorizerResponse;
use crate::batch::to_raw;

/// The error type of an answer API Gateway would refuse.
const INVALID: &str = "InvalidAuthorization";

/// The result payload for the handler's `response` to an authorizer call on `resource`: the
/// [`Authorization`] it holds, in the `form` API Gateway wants. A non-2xx response is an
/// unsuccessful answer; a body that is not an `Authorization`, or one API Gateway would refuse,
/// is `InvalidAuthorization` naming the field.
pub(crate) fn answer(
    response: &Response,
    resource: &str,
    form: AuthorizerResponse,
) -> Result<Box<RawValue>, Failure> {
    if !response.is_success() {
        return Err(Failure::unsuccessful("authorize", response));
    }
    let authorization =
        Authorization::from_response(response).map_err(|e| invalid(e.to_string()))?;
    encode(&authorization, resource, form)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IamAnswer<'a> {
    principal_id: &'a str,
    policy_document: PolicyDocument<'a>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    context: &'a Map<String, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyDocument<'a> {
    version: &'static str,
    statement: [Statement<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Statement<'a> {
    action: &'static str,
    effect: &'static str,
    resource: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SimpleAnswer<'a> {
    is_authorized: bool,
    #[serde(skip_serializing_if = "Map::is_empty")]
    context: &'a Map<String, Value>,
}

fn encode(
    authorization: &Authorization,
    resource: &str,
    form: AuthorizerResponse,
) -> Result<Box<RawValue>, Failure> {
    for (key, value) in &authorization.context {
        let kind = match value {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => continue,
            Value::Null => "null",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        };
        return Err(invalid(format!(
            "(authorizer answer).context.{key}: API Gateway passes on strings, numbers and booleans only, not {kind}"
        )));
    }
    Ok(match form {
        AuthorizerResponse::Iam => {
            if authorization.principal.is_empty() {
                return Err(invalid(
                    "(authorizer answer).principal: API Gateway needs a principal id",
                ));
            }
            to_raw(&IamAnswer {
                principal_id: &authorization.principal,
                policy_document: PolicyDocument {
                    version: "2012-10-17",
                    statement: [Statement {
                        action: "execute-api:Invoke",
                        effect: if authorization.allow { "Allow" } else { "Deny" },
                        resource,
                    }],
                },
                context: &authorization.context,
            })
        }
        AuthorizerResponse::Simple => to_raw(&SimpleAnswer {
            is_authorized: authorization.allow,
            context: &authorization.context,
        }),
    })
}

/// An answer API Gateway would refuse: the handler's fault, so a 500 like a handler error.
fn invalid(message: impl Into<String>) -> Failure {
    Failure::new(
        FailureKind::Handler,
        http::StatusCode::INTERNAL_SERVER_ERROR,
        INVALID,
        message,
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ARN: &str = "arn:aws:execute-api:eu-west-1:123456789012:k7t3stk1t0/prod/GET/hello";

    fn json(raw: &RawValue) -> Value {
        serde_json::from_str(raw.get()).unwrap()
    }

    #[test]
    fn allow_and_deny_as_iam_policies() {
        let allow = Authorization::allow("user-7")
            .with_context("tier", "gold")
            .with_context("level", 3)
            .with_context("admin", false);
        let iam = answer(&allow.into(), ARN, AuthorizerResponse::Iam).unwrap();
        // The documented example's shape, member for member.
        assert_eq!(
            json(&iam),
            json!({"principalId": "user-7",
                   "policyDocument": {"Version": "2012-10-17", "Statement": [
                       {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": ARN}]},
                   "context": {"tier": "gold", "level": 3, "admin": false}})
        );
        let deny = answer(
            &Authorization::deny("anonymous").into(),
            ARN,
            AuthorizerResponse::Iam,
        )
        .unwrap();
        assert_eq!(
            deny.get(),
            format!(
                r#"{{"principalId":"anonymous","policyDocument":{{"Version":"2012-10-17","Statement":[{{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"{ARN}"}}]}}}}"#
            )
        );
    }

    #[test]
    fn allow_and_deny_as_simple_answers() {
        let allow = Authorization::allow("user-7").with_context("tier", "gold");
        let raw = answer(&allow.into(), ARN, AuthorizerResponse::Simple).unwrap();
        assert_eq!(
            raw.get(),
            r#"{"isAuthorized":true,"context":{"tier":"gold"}}"#
        );
        let raw = answer(
            &Authorization::deny("x").into(),
            ARN,
            AuthorizerResponse::Simple,
        )
        .unwrap();
        assert_eq!(raw.get(), r#"{"isAuthorized":false}"#);
    }

    #[test]
    fn answers_api_gateway_would_refuse_are_named() {
        let nested = Authorization::allow("u").with_context("claims", json!({"sub": "u"}));
        let failure = answer(&nested.into(), ARN, AuthorizerResponse::Simple).unwrap_err();
        assert_eq!(failure.error_type(), "InvalidAuthorization");
        assert_eq!(failure.status().as_u16(), 500);
        assert_eq!(
            failure.message(),
            "(authorizer answer).context.claims: API Gateway passes on strings, numbers and booleans only, not an object"
        );
        let failure = answer(
            &Authorization::allow("").into(),
            ARN,
            AuthorizerResponse::Iam,
        )
        .unwrap_err();
        assert_eq!(
            failure.message(),
            "(authorizer answer).principal: API Gateway needs a principal id"
        );
        let failure = answer(&Response::text("yes"), ARN, AuthorizerResponse::Iam).unwrap_err();
        assert_eq!(failure.error_type(), "InvalidAuthorization");
        assert!(
            failure.message().starts_with("(authorizer answer)"),
            "{}",
            failure.message()
        );
        let failure = answer(
            &Response::text("no").with_status(http::StatusCode::FORBIDDEN),
            ARN,
            AuthorizerResponse::Iam,
        )
        .unwrap_err();
        assert_eq!(failure.error_type(), "UnsuccessfulResponse");
    }

    #[test]
    fn the_answers_read_back_as_aws_lambda_events_types() {
        let allow = Authorization::allow("user-7").with_context("tier", "gold");
        let iam = answer(&allow.clone().into(), ARN, AuthorizerResponse::Iam).unwrap();
        let read: aws_lambda_events::apigw::ApiGatewayCustomAuthorizerResponse =
            serde_json::from_str(iam.get()).unwrap();
        assert_eq!(read.principal_id.as_deref(), Some("user-7"));
        assert_eq!(
            read.policy_document.statement[0].effect,
            aws_lambda_events::iam::IamPolicyEffect::Allow
        );
        let simple = answer(&allow.into(), ARN, AuthorizerResponse::Simple).unwrap();
        let read: aws_lambda_events::apigw::ApiGatewayV2CustomAuthorizerSimpleResponse =
            serde_json::from_str(simple.get()).unwrap();
        assert!(read.is_authorized);
    }
}
