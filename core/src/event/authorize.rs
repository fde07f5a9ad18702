//! Authorizer calls: an HTTP API asks the function whether to let a caller in (API Gateway
//! TOKEN and REQUEST authorizers, HTTP API Lambda authorizers), and the answer.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Request;
use crate::error::{parse_at, BadInput};
use crate::{Error, Response};

/// A request to authorize a caller, before the API calls the real function. Only AWS sends
/// these today (API Gateway REST TOKEN and REQUEST authorizers, HTTP API v2 Lambda
/// authorizers); other platforms authorize before the function runs.
///
/// Answer with an [`Authorization`] (converted into a [`Response`]); the shim writes it as the
/// policy document or simple response the API expects. An error answer makes the API refuse
/// the caller (API Gateway answers 500, or 401 for the message `Unauthorized`).
///
/// ```
/// use polyfaas_core::{AuthRequest, Authorization, Response};
///
/// fn decide(auth: &AuthRequest) -> Response {
///     match auth.token.as_deref() {
///         Some("Bearer good") => Authorization::allow("user-7").with_context("tier", "gold").into(),
///         _ => Authorization::deny("anonymous").into(),
///     }
/// }
/// # let auth = AuthRequest::new("arn:aws:execute-api:eu-west-1:1:api/prod/GET/items");
/// # assert!(decide(&auth).is_success());
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct AuthRequest {
    /// The caller's token: a TOKEN authorizer's `authorizationToken`, or the identity source
    /// (`Authorization` header) of REQUEST and HTTP API authorizers.
    pub token: Option<String>,
    /// What is being called: the method ARN (REST) or route ARN (HTTP API).
    pub resource: String,
    /// The HTTP request being authorized (method, path, query, headers; no body), for REQUEST
    /// and HTTP API authorizers; `None` for TOKEN authorizers.
    pub request: Option<Request>,
}

impl AuthRequest {
    /// A request for `resource`, with no token and no HTTP request.
    pub fn new(resource: impl Into<String>) -> Self {
        AuthRequest {
            token: None,
            resource: resource.into(),
            request: None,
        }
    }
}

/// An authorizer's answer: allow or deny, who the caller is, and values passed on to the
/// function behind the API (API Gateway's `context`).
///
/// ```
/// use polyfaas_core::{Authorization, Response};
///
/// let response: Response = Authorization::allow("user-7").with_context("tier", "gold").into();
/// let back = Authorization::from_response(&response)?;
/// assert!(back.allow);
/// assert_eq!(back.principal, "user-7");
/// assert_eq!(back.context["tier"], "gold");
/// # Ok::<(), polyfaas_core::BadInput>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Authorization {
    /// Whether the caller may call the resource.
    pub allow: bool,
    /// Who the caller is (API Gateway's `principalId`).
    pub principal: String,
    /// Values for the function behind the API: strings, numbers and booleans.
    #[serde(default)]
    pub context: Map<String, Value>,
}

impl Authorization {
    /// Let the caller in.
    pub fn allow(principal: impl Into<String>) -> Self {
        Authorization {
            allow: true,
            principal: principal.into(),
            context: Map::new(),
        }
    }

    /// Keep the caller out.
    pub fn deny(principal: impl Into<String>) -> Self {
        Authorization {
            allow: false,
            ..Authorization::allow(principal)
        }
    }

    /// Adds a context value.
    pub fn with_context(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.context.insert(key.into(), value.into());
        self
    }

    /// Reads the answer a handler gave to an [`AuthRequest`]: the JSON of an `Authorization`.
    /// Anything else is a [`BadInput`] naming the field (for shims).
    pub fn from_response(response: &Response) -> Result<Self, BadInput> {
        parse_at(response.body(), "").map_err(|e| e.within("(authorizer answer)"))
    }
}

impl From<Authorization> for Response {
    fn from(authorization: Authorization) -> Self {
        // A struct of a bool, a string and a JSON map always serialises.
        Response::json(&authorization).unwrap_or_else(|e: Error| {
            Response::text(e.to_string()).with_status(http::StatusCode::INTERNAL_SERVER_ERROR)
        })
    }
}
