//! What every request handler shares: the invocation skeleton, the app's functions and its
//! settings; and what the host's headers tell about one invocation.

use http::HeaderMap;
use polyfaas_core::{Invocation, Invoker};

use crate::config::AzureConfig;
use crate::function_json::Functions;
use crate::logs;

/// The header carrying the host's invocation id.
pub(crate) const INVOCATION_ID: &str = "x-azure-functions-invocationid";

/// The header carrying the host's version.
pub(crate) const HOST_VERSION: &str = "x-azure-functions-hostversion";

/// The server's state, shared by every request.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) invoker: Invoker,
    pub(crate) functions: Functions,
    pub(crate) config: AzureConfig,
}

impl App {
    /// What the host's headers tell about an invocation of `function`: its id (the host's
    /// `X-Azure-Functions-InvocationId`, or one made up when a caller other than the host left
    /// it out) and the W3C trace id of `traceparent`.
    pub(crate) fn invocation(&self, headers: &HeaderMap, function: Option<&str>) -> Invocation {
        let id = header(headers, INVOCATION_ID)
            .map_or_else(|| self.invoker.next_request_id(), str::to_owned);
        let mut invocation = Invocation::new().request_id(id).trace_id(trace_id(headers));
        if let Some(name) = function {
            invocation = invocation.function_name(name);
        }
        invocation
    }

    /// [`invocation`](Self::invocation) for an envelope: it runs in a span whose log lines are
    /// captured for the reply's `Logs`. Returns the invocation, its id and the span.
    pub(crate) fn capturing(
        &self,
        headers: &HeaderMap,
        function: &str,
    ) -> (Invocation, String, tracing::Span) {
        let invocation = self.invocation(headers, Some(function));
        let id = invocation.request_id_given().unwrap_or_default().to_owned();
        let span = logs::invocation_span(&id, function, trace_id(headers).as_deref());
        (invocation.span(span.clone()), id, span)
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The trace id of a `traceparent` header (`00-<trace id>-<parent id>-<flags>`).
fn trace_id(headers: &HeaderMap) -> Option<String> {
    header(headers, "traceparent")?
        .split('-')
        .nth(1)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trace_id_is_the_second_part_of_traceparent() {
        let mut headers = HeaderMap::new();
        assert_eq!(trace_id(&headers), None);
        headers.insert(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            trace_id(&headers).as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
    }
}
