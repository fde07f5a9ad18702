//! What a request's headers tell about the invocation: the platform's request id and execution
//! id, and the client's address. (The trace: [`trace`](crate::trace).)

use std::net::{IpAddr, SocketAddr};

use http::HeaderMap;
use polyfaas_core::shim::Traceparent;

/// A header's value, trimmed; `None` when absent, empty or not text.
pub(crate) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The trace id of an `X-Cloud-Trace-Context` value (`<trace id>/<span id>;o=1`).
fn cloud_trace(value: &str) -> Option<&str> {
    value
        .split(['/', ';'])
        .next()
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The execution id Cloud Run functions sends, `Function-Execution-Id`.
pub(crate) fn execution_id(headers: &HeaderMap) -> Option<&str> {
    header(headers, "function-execution-id")
}

/// The request id the platform sent: `Function-Execution-Id`, else the trace id of
/// `X-Cloud-Trace-Context`, else that of `traceparent`.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    header(headers, "function-execution-id")
        .or_else(|| header(headers, "x-cloud-trace-context").and_then(cloud_trace))
        .map(str::to_owned)
        .or_else(|| {
            header(headers, "traceparent")
                .and_then(Traceparent::parse)
                .map(|tp| tp.trace_id().to_owned())
        })
}

/// The client: behind Google's front end (`behind_proxy`) the first `X-Forwarded-For` hop, else
/// the peer.
pub(crate) fn client_ip(headers: &HeaderMap, peer: SocketAddr, behind_proxy: bool) -> IpAddr {
    let forwarded = || {
        header(headers, "x-forwarded-for")?
            .split(',')
            .next()?
            .trim()
            .parse::<IpAddr>()
            .ok()
    };
    match behind_proxy.then(forwarded).flatten() {
        Some(ip) => ip,
        None => peer.ip(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::headers;

    const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn request_ids_from_headers() {
        assert_eq!(request_id(&HeaderMap::new()), None);
        let mut pairs = vec![("traceparent", TRACEPARENT)];
        assert_eq!(
            request_id(&headers(&pairs)).as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        pairs.push((
            "x-cloud-trace-context",
            "105445aa7843bc8bf206b12000100000/1;o=1",
        ));
        assert_eq!(
            request_id(&headers(&pairs)).as_deref(),
            Some("105445aa7843bc8bf206b12000100000")
        );
        pairs.push(("function-execution-id", "exec-1"));
        assert_eq!(request_id(&headers(&pairs)).as_deref(), Some("exec-1"));
    }

    #[test]
    fn the_forwarded_client_counts_only_behind_the_proxy() {
        let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let map = headers(&[("x-forwarded-for", "203.0.113.7, 10.0.0.1")]);
        assert_eq!(client_ip(&map, peer, true).to_string(), "203.0.113.7");
        assert_eq!(client_ip(&map, peer, false).to_string(), "127.0.0.1");
        let bad = headers(&[("x-forwarded-for", "not-an-ip")]);
        assert_eq!(client_ip(&bad, peer, true).to_string(), "127.0.0.1");
    }
}
