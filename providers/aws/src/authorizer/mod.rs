//! API Gateway Lambda authorizers: the call is an [`Event::Authorize`](polyfaas_core::Event::Authorize)
//! (never an HTTP request), the handler's [`Authorization`](polyfaas_core::Authorization) goes
//! back as the answer API Gateway expects.
//!
//! | event | recognised by | `token` | `request` | answer |
//! |---|---|---|---|---|
//! | REST API TOKEN authorizer | `"type": "TOKEN"` + `methodArn` | `authorizationToken` | none | IAM policy |
//! | REST API REQUEST authorizer (and WebSocket `$connect`) | `"type": "REQUEST"` + `methodArn` | the `Authorization` header | method, path, query, headers, source IP (none for WebSocket) | IAM policy |
//! | HTTP API, payload 1.0 | as REQUEST, `"version": "1.0"` | the `Authorization` header, else `authorizationToken` | as REQUEST | IAM policy |
//! | HTTP API, payload 2.0 | `"type": "REQUEST"` + `routeArn` + `"version": "2.0"` | the `Authorization` header, else the first `identitySource` | as an HTTP API request | simple response, or IAM policy (below) |
//!
//! `resource` is the `methodArn` (`routeArn`), and the IAM policy allows or denies exactly it.
//!
//! Which answer a payload 2.0 authorizer wants is configured on the API
//! (`EnableSimpleResponses`) and not in the event: [`RESPONSE_VAR`]
//! (`POLYFAAS_AUTHORIZER_RESPONSE`) says it, `simple` (the default) or `iam`. REST APIs and
//! payload 1.0 accept only IAM policies, whatever the variable says. Another value fails every
//! authorizer call with `InvalidConfiguration` naming the variable (API Gateway answers 500).
//!
//! A handler error, panic or timeout, a non-2xx response, or an answer that is not an
//! `Authorization` goes to the Runtime API's `/error`: API Gateway answers the caller 500. A
//! REST API answers 401 instead when the error's message is exactly `Unauthorized`
//! (`Err(Error::msg("Unauthorized"))`), which is how a TOKEN or REQUEST authorizer says "no
//! credentials" as opposed to "denied" (a deny policy: 403).

mod answer;

use std::collections::BTreeMap;

use bytes::Bytes;
use polyfaas_core::{AuthRequest, BadInput, Extra, Failure};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::detect::Shape;
use crate::json::{parse, Pairs, Str, Values};

pub(crate) use answer::answer;

/// The variable that says which answer HTTP API (payload 2.0) authorizers want: `simple` (the
/// default) or `iam`.
pub const RESPONSE_VAR: &str = "POLYFAAS_AUTHORIZER_RESPONSE";

/// The form of an authorizer's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum AuthorizerResponse {
    /// `principalId`, a `policyDocument` allowing or denying `execute-api:Invoke` on the
    /// resource, and `context`: what REST APIs, and HTTP APIs without simple responses, read.
    Iam,
    /// `isAuthorized` and `context`: HTTP APIs with `EnableSimpleResponses` (payload 2.0).
    Simple,
}

/// What API Gateway tells about an authorizer call beyond the neutral [`AuthRequest`], as a
/// platform [`Extra`] (`ctx.extra::<AuthorizerEvent>()`, `aws.authorizer` in
/// `ctx.extras().to_json()`).
///
/// ```
/// use polyfaas_aws::{handle_event, AuthorizerEvent};
/// use polyfaas_core::{handler_fn, Authorization, Context, Error, Event, Invocation, Invoker, Provider, Response};
///
/// async fn authorize(_event: Event, ctx: Context) -> Result<Response, Error> {
///     let call = ctx.extra::<AuthorizerEvent>().ok_or_else(|| Error::msg("not an authorizer call"))?;
///     let stage = call.stage_variables.get("tier").map_or("free", String::as_str);
///     Ok(Authorization::allow("user-7").with_context("tier", stage).into())
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let invoker = Invoker::builder(Provider::AWS, handler_fn(authorize)).build();
/// let event = r#"{"type":"REQUEST","methodArn":"arn:aws:execute-api:eu-west-1:1:api/prod/GET/items",
///   "httpMethod":"GET","path":"/items","headers":{"Authorization":"Bearer t"},
///   "stageVariables":{"tier":"gold"},"requestContext":{"stage":"prod","resourcePath":"/items"}}"#;
/// let answer = handle_event(&invoker, event.into(), Invocation::new()).await.unwrap();
/// let answer: serde_json::Value = serde_json::from_str(answer.get()).unwrap();
/// assert_eq!(answer["principalId"], "user-7");
/// assert_eq!(answer["context"]["tier"], "gold");
/// # });
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AuthorizerEvent {
    /// `type`: `TOKEN` or `REQUEST`.
    pub authorizer_type: String,
    /// `version`: the HTTP API payload format (`1.0`, `2.0`); none for REST APIs.
    pub payload_version: Option<String>,
    /// `methodArn` or `routeArn`: what is being called.
    pub resource: String,
    /// `identitySource`: the values of the configured identity sources (HTTP APIs).
    pub identity_source: Vec<String>,
    /// `routeKey` (HTTP APIs).
    pub route_key: Option<String>,
    /// `pathParameters`.
    pub path_parameters: BTreeMap<String, String>,
    /// `stageVariables`.
    pub stage_variables: BTreeMap<String, String>,
    /// `requestContext`, as API Gateway sent it (none for TOKEN authorizers).
    pub request_context: Option<serde_json::Value>,
    /// The answer the shim writes for this call.
    pub response: AuthorizerResponse,
}

impl Extra for AuthorizerEvent {
    const NAME: &'static str = "aws.authorizer";
}

/// A decoded authorizer call.
pub(crate) struct Call {
    pub request: AuthRequest,
    pub extra: AuthorizerEvent,
    /// An HTTP API payload 2.0 call, which may want either answer.
    payload_v2: bool,
}

impl Call {
    /// Settles the answer's form with `setting` (the value of [`RESPONSE_VAR`]): payload 2.0
    /// takes it (`simple` when unset), the others stay IAM. A `setting` that is neither
    /// `simple` nor `iam` is a failure naming the variable.
    pub(crate) fn choose_response(&mut self, setting: Option<&str>) -> Result<(), Failure> {
        self.extra.response = response_form(self.payload_v2, setting)?;
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthorizerJson<'a> {
    #[serde(borrow, rename = "type")]
    authorizer_type: Str<'a>,
    #[serde(borrow, default)]
    version: Option<Str<'a>>,
    #[serde(borrow, default)]
    method_arn: Option<Str<'a>>,
    #[serde(borrow, default)]
    route_arn: Option<Str<'a>>,
    #[serde(borrow, default)]
    authorization_token: Option<Str<'a>>,
    #[serde(borrow, default)]
    identity_source: Option<IdentitySource<'a>>,
    #[serde(borrow, default)]
    route_key: Option<Str<'a>>,
    #[serde(borrow, default)]
    headers: Option<Pairs<'a>>,
    #[serde(borrow, default)]
    path_parameters: Option<Pairs<'a>>,
    #[serde(borrow, default)]
    stage_variables: Option<Pairs<'a>>,
    #[serde(borrow, default)]
    request_context: Option<&'a RawValue>,
    #[serde(borrow, default)]
    http_method: Option<&'a RawValue>,
}

/// `identitySource`: a list (payload 2.0) or one comma-joined string (payload 1.0).
#[derive(Deserialize)]
#[serde(untagged)]
enum IdentitySource<'a> {
    List(#[serde(borrow)] Values<'a>),
    Joined(#[serde(borrow)] Str<'a>),
}

/// Decodes an authorizer event of the `shape` [`detect`](crate::detect) recognised, with the
/// answer's default form (see [`Call::choose_response`]).
pub(crate) fn decode(shape: Shape, payload: &Bytes, text: &str) -> Result<Call, BadInput> {
    let event: AuthorizerJson<'_> = parse(text, "")?;
    let v2 = shape == Shape::HttpApiAuthorizer;
    let response = if v2 {
        AuthorizerResponse::Simple
    } else {
        AuthorizerResponse::Iam
    };
    let (resource, field) = if v2 {
        (event.route_arn.as_ref(), "routeArn")
    } else {
        (event.method_arn.as_ref(), "methodArn")
    };
    let resource = resource
        .ok_or_else(|| BadInput::at(field, format!("missing field `{field}`")))?
        .as_str()
        .to_owned();
    let mut request = AuthRequest::new(resource.clone());
    let identity_source: Vec<String> = match &event.identity_source {
        Some(IdentitySource::List(values)) => {
            values.0.iter().map(|v| v.as_str().to_owned()).collect()
        }
        Some(IdentitySource::Joined(joined)) if !joined.as_str().is_empty() => {
            joined.as_str().split(',').map(str::to_owned).collect()
        }
        _ => Vec::new(),
    };
    match shape {
        Shape::TokenAuthorizer => {
            let token = event.authorization_token.as_ref().ok_or_else(|| {
                BadInput::at("authorizationToken", "missing field `authorizationToken`")
            })?;
            request.token = Some(token.as_str().to_owned());
        }
        _ => {
            let http_shape = if v2 {
                Shape::ApiGatewayV2
            } else {
                Shape::ApiGatewayV1
            };
            // WebSocket `$connect` authorizers have no method or path: no request then.
            if v2 || event.http_method.is_some() {
                request.request = crate::http::decode(http_shape, payload, text)?.map(|(r, _)| r);
            }
            let header = event.headers.as_ref().and_then(|h| {
                h.0.iter()
                    .find(|(name, _)| name.as_str().eq_ignore_ascii_case("authorization"))
                    .map(|(_, value)| value.as_str().to_owned())
            });
            request.token = header
                .or_else(|| {
                    event
                        .authorization_token
                        .as_ref()
                        .map(|t| t.as_str().to_owned())
                })
                .or_else(|| v2.then(|| identity_source.first().cloned()).flatten());
        }
    }
    let map = |pairs: &Option<Pairs<'_>>| {
        pairs
            .iter()
            .flat_map(|p| p.0.iter())
            .map(|(k, v)| (k.as_str().to_owned(), v.as_str().to_owned()))
            .collect()
    };
    let request_context = event
        .request_context
        .map(|raw| parse(raw.get(), "requestContext"))
        .transpose()?;
    let extra = AuthorizerEvent {
        authorizer_type: event.authorizer_type.as_str().to_owned(),
        payload_version: event.version.as_ref().map(|v| v.as_str().to_owned()),
        resource,
        identity_source,
        route_key: event.route_key.as_ref().map(|r| r.as_str().to_owned()),
        path_parameters: map(&event.path_parameters),
        stage_variables: map(&event.stage_variables),
        request_context,
        response,
    };
    Ok(Call {
        request,
        extra,
        payload_v2: v2,
    })
}

/// The answer's form: payload 2.0 takes `setting` (`simple` when unset), the others IAM; a
/// `setting` that is neither is a failure naming the variable.
fn response_form(v2: bool, setting: Option<&str>) -> Result<AuthorizerResponse, Failure> {
    let chosen = match setting.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) if s.eq_ignore_ascii_case("simple") => Some(AuthorizerResponse::Simple),
        Some(s) if s.eq_ignore_ascii_case("iam") => Some(AuthorizerResponse::Iam),
        Some(other) => {
            return Err(Failure::internal(
                "InvalidConfiguration",
                format!(
                    "{RESPONSE_VAR} is {other:?}: set it to simple or iam (the answer HTTP API authorizers with payload 2.0 give), or leave it unset for simple"
                ),
            ))
        }
    };
    Ok(match (v2, chosen) {
        (true, Some(chosen)) => chosen,
        (true, None) => AuthorizerResponse::Simple,
        (false, _) => AuthorizerResponse::Iam,
    })
}

#[cfg(test)]
mod tests {
    use polyfaas_core::RequestExt;

    use super::*;

    fn call(shape: Shape, json: &str, setting: Option<&str>) -> Call {
        let mut call = decode(shape, &Bytes::copy_from_slice(json.as_bytes()), json).unwrap();
        call.choose_response(setting).unwrap();
        call
    }

    #[test]
    fn a_token_authorizer_gets_the_token_and_no_request() {
        let json = r#"{"type":"TOKEN","authorizationToken":"allow","methodArn":"arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/"}"#;
        let call = call(Shape::TokenAuthorizer, json, Some("simple"));
        assert_eq!(call.request.token.as_deref(), Some("allow"));
        assert_eq!(
            call.request.resource,
            "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/"
        );
        assert!(call.request.request.is_none());
        // REST APIs take IAM policies only.
        assert_eq!(call.extra.response, AuthorizerResponse::Iam);
        let err = decode(
            Shape::TokenAuthorizer,
            &Bytes::new(),
            r#"{"type":"TOKEN","methodArn":"arn"}"#,
        )
        .err()
        .unwrap();
        assert_eq!(
            err.to_string(),
            "authorizationToken: missing field `authorizationToken`"
        );
    }

    #[test]
    fn a_request_authorizer_gets_the_request_and_its_authorization_header() {
        let json = r#"{"type":"REQUEST","methodArn":"arn:aws:execute-api:us-east-1:1:s4x3opwd6i/test/GET/request","resource":"/request","path":"/request","httpMethod":"GET","headers":{"Host":"api.example.com","authorization":"Bearer abc"},"multiValueHeaders":{"Host":["api.example.com"],"authorization":["Bearer abc"]},"queryStringParameters":{"q":"1"},"multiValueQueryStringParameters":{"q":["1"]},"pathParameters":{},"stageVariables":{"StageVar1":"stageValue1"},"requestContext":{"path":"/request","stage":"test","identity":{"sourceIp":"203.0.113.7"},"resourcePath":"/request","httpMethod":"GET"}}"#;
        let call = call(Shape::RequestAuthorizer, json, None);
        assert_eq!(call.request.token.as_deref(), Some("Bearer abc"));
        let request = call.request.request.unwrap();
        assert_eq!(request.method(), "GET");
        assert_eq!(request.decoded_path(), "/request");
        assert_eq!(request.uri().query(), Some("q=1"));
        assert_eq!(call.extra.stage_variables["StageVar1"], "stageValue1");
        assert_eq!(call.extra.request_context.unwrap()["stage"], "test");
    }

    #[test]
    fn an_http_api_authorizer_takes_its_form_from_the_setting() {
        let json = r#"{"version":"2.0","type":"REQUEST","routeArn":"arn:aws:execute-api:us-east-1:1:abcdef123/test/GET/request","identitySource":["user1","123"],"routeKey":"$default","rawPath":"/my/path","rawQueryString":"a=1&a=2","headers":{"header1":"value1"},"requestContext":{"http":{"method":"POST","path":"/my/path","sourceIp":"192.0.2.1"},"stage":"$default"}}"#;
        let simple = call(Shape::HttpApiAuthorizer, json, None);
        assert_eq!(simple.extra.response, AuthorizerResponse::Simple);
        assert_eq!(simple.request.token.as_deref(), Some("user1"));
        assert_eq!(simple.extra.identity_source, ["user1", "123"]);
        let request = simple.request.request.unwrap();
        assert_eq!(request.method(), "POST");
        assert_eq!(request.uri().query(), Some("a=1&a=2"));
        let iam = call(Shape::HttpApiAuthorizer, json, Some(" IAM "));
        assert_eq!(iam.extra.response, AuthorizerResponse::Iam);
        let mut bad = call(Shape::HttpApiAuthorizer, json, None);
        let failure = bad.choose_response(Some("xml")).unwrap_err();
        assert_eq!(failure.error_type(), "InvalidConfiguration");
        assert!(
            failure
                .message()
                .starts_with("POLYFAAS_AUTHORIZER_RESPONSE is \"xml\": set it to simple or iam"),
            "{}",
            failure.message()
        );
    }

    #[test]
    fn a_payload_1_0_authorizer_falls_back_to_its_authorization_token() {
        let json = r#"{"version":"1.0","type":"REQUEST","methodArn":"arn:aws:execute-api:us-east-1:1:abcdef123/test/GET/request","identitySource":"user1,123","authorizationToken":"user1,123","resource":"/request","path":"/request","httpMethod":"GET","headers":{"X-AMZ-Date":"20170718T062915Z"},"queryStringParameters":{"QueryString1":"queryValue1"},"requestContext":{"stage":"test","resourcePath":"/request"}}"#;
        let call = call(Shape::RequestAuthorizer, json, Some("simple"));
        assert_eq!(call.request.token.as_deref(), Some("user1,123"));
        assert_eq!(call.extra.identity_source, ["user1", "123"]);
        assert_eq!(call.extra.payload_version.as_deref(), Some("1.0"));
        assert_eq!(call.extra.response, AuthorizerResponse::Iam);
    }

    #[test]
    fn a_websocket_connect_authorizer_has_no_request() {
        let json = r#"{"type":"REQUEST","methodArn":"arn:aws:execute-api:eu-west-1:1:abcdef123/test/$connect","headers":{"Authorization":"secret"},"requestContext":{"connectionId":"c","eventType":"CONNECT","routeKey":"$connect","stage":"test"}}"#;
        let call = call(Shape::RequestAuthorizer, json, None);
        assert!(call.request.request.is_none());
        assert_eq!(call.request.token.as_deref(), Some("secret"));
    }
}
