//! What every request handler shares: the invocation skeleton, the app's functions and its
//! settings; and what the host's headers tell about one invocation ([`Call`]).

use http::HeaderMap;
use polyfaas_core::shim::Traceparent;
use polyfaas_core::{Extra, Invocation, Invoker};
use serde::Serialize;

use crate::config::AzureConfig;
use crate::function_json::Functions;
use crate::logs;

/// The header carrying the host's invocation id.
pub(crate) const INVOCATION_ID: &str = "x-azure-functions-invocationid";

/// The header carrying the host's version.
pub(crate) const HOST_VERSION: &str = "x-azure-functions-hostversion";

/// The host's id of the invocation (`X-Azure-Functions-InvocationId`), an extra of every
/// invocation the host sent: `ctx.extra::<polyfaas_azure::InvocationId>()`. It is also the
/// request id (`ctx.request_id()`); this extra says the host gave it (a caller other than the
/// host that leaves the header out gets a generated request id and no `InvocationId`).
///
/// ```
/// use polyfaas_azure::InvocationId;
/// # let ctx = polyfaas_core::Context::builder(polyfaas_core::Provider::AZURE, "1")
/// #     .extra(InvocationId("5e2a6c1d-0000-4000-8000-000000000001".into())).build();
/// let id = ctx.extra::<InvocationId>().map(|id| id.0.as_str());
/// assert_eq!(id, Some("5e2a6c1d-0000-4000-8000-000000000001"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvocationId(pub String);

impl Extra for InvocationId {
    const NAME: &'static str = "azure.invocation_id";
}

/// The server's state, shared by every request.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) invoker: Invoker,
    pub(crate) functions: Functions,
    pub(crate) config: AzureConfig,
}

/// What the host's headers tell about one invocation: its id, the W3C trace context, the
/// function, and the span its log lines are captured in. [`invocation`](Call::invocation) may be
/// called once per record of a batch: every record runs as part of the same invocation.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    /// The request id: the host's invocation id, or one made up for a caller that left it out.
    pub(crate) id: String,
    /// Whether the host gave the id.
    given: bool,
    trace_id: Option<String>,
    /// The function's name (the host's spelling, once the envelope tells it).
    pub(crate) function: Option<String>,
    span: Option<tracing::Span>,
}

impl Call {
    /// A fresh [`Invocation`] for this call (each context of a batch's records gets one).
    pub(crate) fn invocation(&self) -> Invocation {
        let mut invocation = Invocation::new()
            .request_id(self.id.clone())
            .trace_id(self.trace_id.clone());
        if self.given {
            invocation = invocation.extra(InvocationId(self.id.clone()));
        }
        if let Some(name) = &self.function {
            invocation = invocation.function_name(name.clone());
        }
        if let Some(span) = &self.span {
            invocation = invocation.span(span.clone());
        }
        invocation
    }

    /// The span the invocation's log lines are captured in (for the reply's `Logs`), when the
    /// call has one.
    pub(crate) fn span(&self) -> tracing::Span {
        self.span.clone().unwrap_or_else(tracing::Span::none)
    }
}

impl App {
    /// What the host's headers tell about an invocation of `function`: its id (the host's
    /// `X-Azure-Functions-InvocationId`, or one made up when a caller other than the host left
    /// it out) and the trace id of a valid `traceparent`.
    pub(crate) fn call(&self, headers: &HeaderMap, function: Option<&str>) -> Call {
        let given = header(headers, INVOCATION_ID);
        Call {
            id: given.map_or_else(|| self.invoker.next_request_id(), str::to_owned),
            given: given.is_some(),
            trace_id: header(headers, "traceparent")
                .and_then(Traceparent::parse)
                .map(|tp| tp.trace_id().to_owned()),
            function: function.map(str::to_owned),
            span: None,
        }
    }

    /// [`call`](Self::call) for an envelope: it runs in a span whose log lines are captured for
    /// the reply's `Logs`.
    pub(crate) fn capturing(&self, headers: &HeaderMap, function: &str) -> Call {
        let mut call = self.call(headers, Some(function));
        call.span = Some(logs::invocation_span(
            &call.id,
            function,
            call.trace_id.as_deref(),
        ));
        call
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}
