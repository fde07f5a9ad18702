//! The whole request context of an HTTP event as a typed platform extra, one type per origin:
//! [`ApiGatewayV1Context`] (REST API), [`ApiGatewayV2Context`] (HTTP API),
//! [`FunctionUrlContext`], [`AlbContext`]. They hold what the neutral `Request` leaves out:
//! the authorizer (JWT claims and scopes, a Lambda authorizer's context, the IAM identity), path
//! parameters, stage variables, the route key, API Gateway's request id, the domain name.
//!
//! The request contexts are `aws_lambda_events`' types. Parsing one costs as much as the rest
//! of the invocation, and few handlers read it, so each extra is lazy
//! ([`Invocation::lazy_extra`]): it is parsed from the event's bytes the first time the handler
//! asks for it (`ctx.extra::<ApiGatewayV2Context>()`, `ctx.extras().to_json()`). A context that
//! does not fit the type (a field of another JSON type) reads as absent, with a warning naming
//! the field; the event itself is always in [`RawEvent`](crate::RawEvent).

use std::collections::BTreeMap;

use aws_lambda_events::alb::AlbTargetGroupRequestContext;
use aws_lambda_events::apigw::{ApiGatewayProxyRequestContext, ApiGatewayV2httpRequestContext};
use aws_lambda_events::lambda_function_urls::LambdaFunctionUrlRequestContext;
use bytes::Bytes;
use polyfaas_core::shim::parse_at;
use polyfaas_core::{Extra, Invocation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use super::response::Origin;

/// A map that API Gateway sends as `null` when it is empty.
type Params = BTreeMap<String, String>;

fn nullable<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Params, D::Error> {
    Ok(Option::<Params>::deserialize(deserializer)?.unwrap_or_default())
}

/// An API Gateway REST API request (payload format 1.0) beyond the neutral request: the
/// resource, path parameters, stage variables and the whole `requestContext` (the authorizer's
/// principal, claims and context, the caller's identity, API Gateway's request id, the stage,
/// the domain name). `aws.api_gateway_v1` in `ctx.extras().to_json()`.
///
/// ```
/// use polyfaas_aws::ApiGatewayV1Context;
///
/// # let event = br#"{"resource":"/orders/{id}","pathParameters":{"id":"17"},"stageVariables":null,
/// #   "requestContext":{"httpMethod":"GET","stage":"prod","requestId":"c0ffee",
/// #   "authorizer":{"principalId":"user-7","tier":"gold"},"identity":{"sourceIp":"198.51.100.23"}}}"#;
/// # let ctx: ApiGatewayV1Context = serde_json::from_slice(event).unwrap();
/// // In a handler: let Some(ctx) = ctx.extra::<ApiGatewayV1Context>() else { ... };
/// assert_eq!(ctx.path_parameters["id"], "17");
/// assert_eq!(ctx.request_context.stage.as_deref(), Some("prod"));
/// assert_eq!(ctx.request_context.authorizer.fields["principalId"], "user-7");
/// assert_eq!(ctx.request_context.authorizer.fields["tier"], "gold");
/// assert_eq!(ctx.request_context.identity.source_ip.as_deref(), Some("198.51.100.23"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApiGatewayV1Context {
    /// The resource template the request matched (`/orders/{id}`).
    #[serde(default)]
    pub resource: Option<String>,
    /// The values of the resource's path parameters (`{"id": "17"}`).
    #[serde(default, deserialize_with = "nullable")]
    pub path_parameters: Params,
    /// The stage's variables.
    #[serde(default, deserialize_with = "nullable")]
    pub stage_variables: Params,
    /// `requestContext`, whole.
    pub request_context: ApiGatewayProxyRequestContext,
}

impl Extra for ApiGatewayV1Context {
    const NAME: &'static str = "aws.api_gateway_v1";
}

/// An API Gateway HTTP API request (payload format 2.0) beyond the neutral request: the route
/// key, path parameters, stage variables and the whole `requestContext` (the JWT authorizer's
/// claims and scopes, a Lambda authorizer's context, the IAM caller, API Gateway's request id,
/// the stage, the domain name, the client certificate). `aws.api_gateway_v2` in
/// `ctx.extras().to_json()`.
///
/// ```
/// use polyfaas_aws::ApiGatewayV2Context;
///
/// # let event = br#"{"routeKey":"GET /reports/{year}","pathParameters":{"year":"2024"},
/// #   "requestContext":{"http":{"method":"GET"},"requestId":"Qx1yZw2E","domainName":"api.example.com",
/// #   "authorizer":{"jwt":{"claims":{"sub":"user-7"},"scopes":["reports:read"]}}}}"#;
/// # let ctx: ApiGatewayV2Context = serde_json::from_slice(event).unwrap();
/// // In a handler: let Some(ctx) = ctx.extra::<ApiGatewayV2Context>() else { ... };
/// assert_eq!(ctx.route_key.as_deref(), Some("GET /reports/{year}"));
/// assert_eq!(ctx.path_parameters["year"], "2024");
/// assert_eq!(ctx.jwt_claims().map(|c| c["sub"].as_str()), Some("user-7"));
/// assert_eq!(ctx.jwt_scopes(), ["reports:read"]);
/// assert_eq!(ctx.request_context.request_id.as_deref(), Some("Qx1yZw2E"));
/// assert_eq!(ctx.request_context.domain_name.as_deref(), Some("api.example.com"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApiGatewayV2Context {
    /// The route the request matched (`GET /reports/{year}`, `$default`).
    #[serde(default)]
    pub route_key: Option<String>,
    /// The values of the route's path parameters.
    #[serde(default, deserialize_with = "nullable")]
    pub path_parameters: Params,
    /// The stage's variables.
    #[serde(default, deserialize_with = "nullable")]
    pub stage_variables: Params,
    /// `requestContext`, whole.
    pub request_context: ApiGatewayV2httpRequestContext,
}

impl ApiGatewayV2Context {
    /// The JWT authorizer's claims (API Gateway passes each as a string), if one ran.
    pub fn jwt_claims(&self) -> Option<&std::collections::HashMap<String, String>> {
        let jwt = self.request_context.authorizer.as_ref()?.jwt.as_ref()?;
        Some(&jwt.claims)
    }

    /// The JWT authorizer's scopes; none when no JWT authorizer ran.
    pub fn jwt_scopes(&self) -> &[String] {
        self.request_context
            .authorizer
            .as_ref()
            .and_then(|a| a.jwt.as_ref())
            .and_then(|jwt| jwt.scopes.as_deref())
            .unwrap_or_default()
    }
}

impl Extra for ApiGatewayV2Context {
    const NAME: &'static str = "aws.api_gateway_v2";
}

/// A Function URL request beyond the neutral request: the whole `requestContext` (the IAM
/// caller when the URL's auth type is `AWS_IAM`, the request id, the domain name).
/// `aws.function_url` in `ctx.extras().to_json()`.
///
/// ```
/// use polyfaas_aws::FunctionUrlContext;
///
/// # let event = br#"{"requestContext":{"requestId":"3a6e","domainName":"abc.lambda-url.eu-west-1.on.aws",
/// #   "timeEpoch":1795255200002,"http":{"method":"POST"},
/// #   "authorizer":{"iam":{"userArn":"arn:aws:iam::123456789012:user/ci"}}}}"#;
/// # let ctx: FunctionUrlContext = serde_json::from_slice(event).unwrap();
/// // In a handler: let Some(ctx) = ctx.extra::<FunctionUrlContext>() else { ... };
/// let iam = ctx.request_context.authorizer.as_ref().and_then(|a| a.iam.as_ref()).unwrap();
/// assert_eq!(iam.user_arn.as_deref(), Some("arn:aws:iam::123456789012:user/ci"));
/// assert_eq!(ctx.request_context.request_id.as_deref(), Some("3a6e"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FunctionUrlContext {
    /// `requestContext`, whole.
    pub request_context: LambdaFunctionUrlRequestContext,
}

impl Extra for FunctionUrlContext {
    const NAME: &'static str = "aws.function_url";
}

/// An Application Load Balancer request beyond the neutral request: the target group.
/// `aws.alb` in `ctx.extras().to_json()`.
///
/// ```
/// use polyfaas_aws::AlbContext;
///
/// # let event = br#"{"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/echo/0a"}}}"#;
/// # let ctx: AlbContext = serde_json::from_slice(event).unwrap();
/// // In a handler: let Some(ctx) = ctx.extra::<AlbContext>() else { ... };
/// assert!(ctx.request_context.elb.target_group_arn.as_deref().unwrap().contains("targetgroup/echo"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AlbContext {
    /// `requestContext`, whole.
    pub request_context: AlbTargetGroupRequestContext,
}

impl Extra for AlbContext {
    const NAME: &'static str = "aws.alb";
}

/// Adds the request context extra of `origin`, parsed from `event` only if the handler reads it.
pub(crate) fn attach(invocation: Invocation, origin: Origin, event: &Bytes) -> Invocation {
    match origin {
        Origin::ApiGatewayV1 => invocation.lazy_extra(lazy::<ApiGatewayV1Context>(event.clone())),
        Origin::ApiGatewayV2 => invocation.lazy_extra(lazy::<ApiGatewayV2Context>(event.clone())),
        Origin::FunctionUrl => invocation.lazy_extra(lazy::<FunctionUrlContext>(event.clone())),
        Origin::Alb { .. } => invocation.lazy_extra(lazy::<AlbContext>(event.clone())),
    }
}

/// Parses a `T` out of the event when called; a mismatch is logged, naming the field.
fn lazy<T: Extra + DeserializeOwned>(event: Bytes) -> impl Fn() -> Option<T> + Send + Sync {
    move || match parse_at::<T>(&event, "") {
        Ok(context) => Some(context),
        Err(error) => {
            tracing::warn!(extra = T::NAME, %error, "the request context does not fit its type; the extra is absent (the event is in aws.event)");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use polyfaas_core::{handler_fn, Context, Error, Event, Invoker, Provider, Response};
    use serde_json::{json, Value};

    use super::*;

    fn fixture(name: &str) -> Bytes {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../conformance-tests/fixtures/aws")
            .join(name);
        std::fs::read(&path)
            .unwrap_or_else(|e| panic!("read {path:?}: {e}"))
            .into()
    }

    /// The extras JSON a handler sees for `event` arriving as `origin`.
    fn extras(origin: Origin, event: Bytes) -> serde_json::Map<String, Value> {
        let handler = handler_fn(|_e: Event, _c: Context| async { Ok::<_, Error>(Response::ok()) });
        let invoker = Invoker::builder(Provider::AWS, handler).build();
        let ctx = invoker.context(attach(Invocation::new(), origin, &event));
        ctx.extras().to_json()
    }

    #[test]
    fn every_origin_has_its_context() {
        let v1 = extras(Origin::ApiGatewayV1, fixture("apigw-v1-rest.json"));
        assert_eq!(
            v1["aws.api_gateway_v1"]["pathParameters"],
            json!({"id": "17"})
        );
        assert_eq!(v1["aws.api_gateway_v1"]["resource"], "/orders/{id}");
        assert_eq!(
            v1["aws.api_gateway_v1"]["requestContext"]["requestId"],
            "c0ffee00-1111-4a4a-9b9b-000000000001"
        );
        let v2 = extras(Origin::ApiGatewayV2, fixture("apigw-v2-named-stage.json"));
        assert_eq!(v2["aws.api_gateway_v2"]["routeKey"], "GET /reports/{year}");
        assert_eq!(v2["aws.api_gateway_v2"]["pathParameters"]["year"], "2024");
        assert_eq!(v2["aws.api_gateway_v2"]["requestContext"]["stage"], "beta");
        let url = extras(Origin::FunctionUrl, fixture("function-url.json"));
        assert_eq!(
            url["aws.function_url"]["requestContext"]["domainName"],
            "zz4kx7qv2mfg3pndl6hw0e5cyu0lwbta.lambda-url.us-west-2.on.aws"
        );
        let alb = extras(
            Origin::Alb { multi_value: true },
            fixture("alb-multi-value.json"),
        );
        assert!(alb["aws.alb"]["requestContext"]["elb"]["targetGroupArn"]
            .as_str()
            .unwrap()
            .contains("targetgroup/echo-tg"));
    }

    #[test]
    fn a_context_that_does_not_fit_reads_as_absent() {
        let event = Bytes::from_static(br#"{"requestContext":{"http":{"method":7}}}"#);
        let json = extras(Origin::ApiGatewayV2, event);
        assert_eq!(json["aws.api_gateway_v2"], Value::Null);
    }

    #[test]
    fn the_public_fixture_corpus_parses_into_the_context_types() {
        // Other projects' payloads (../shared/fixtures), read in place as an outside oracle.
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/aws");
        let cases: [(&str, Origin, &str); 6] = [
            (
                "lambda-events/example-apigw-request.json",
                Origin::ApiGatewayV1,
                "aws.api_gateway_v1",
            ),
            (
                "lambda-events/example-apigw-v2-request-jwt-authorizer.json",
                Origin::ApiGatewayV2,
                "aws.api_gateway_v2",
            ),
            (
                "lambda-events/example-apigw-v2-request-no-authorizer.json",
                Origin::ApiGatewayV2,
                "aws.api_gateway_v2",
            ),
            (
                "lambda-http/lambda_function_url_request.json",
                Origin::FunctionUrl,
                "aws.function_url",
            ),
            (
                "lambda-events/example-alb-lambda-target-request-headers-only.json",
                Origin::Alb { multi_value: false },
                "aws.alb",
            ),
            (
                "lambda-http/alb_health_check.json",
                Origin::Alb { multi_value: false },
                "aws.alb",
            ),
        ];
        let read = |name: &str| -> Bytes {
            std::fs::read(dir.join(name))
                .unwrap_or_else(|e| panic!("{name}: {e}: the outside-oracle fixtures are read from ../shared beside the checkout, as CI has them"))
                .into()
        };
        for (name, origin, key) in cases {
            let json = extras(origin, read(name));
            assert!(json[key].is_object(), "{name}: {json:?}");
        }
        let jwt = read("lambda-events/example-apigw-v2-request-jwt-authorizer.json");
        let context: ApiGatewayV2Context = serde_json::from_slice(&jwt).unwrap();
        assert_eq!(context.jwt_claims().unwrap()["claim1"], "value1");
        assert_eq!(context.jwt_scopes(), ["scope1", "scope2"]);
        assert_eq!(context.stage_variables["stageVariable1"], "value1");
    }
}
