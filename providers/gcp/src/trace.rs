//! The trace an invocation belongs to, as Cloud Trace and Cloud Logging name it: from the W3C
//! `traceparent` header, else Google's `X-Cloud-Trace-Context`, else (for a CloudEvent) its
//! `traceparent` extension attribute.

use http::HeaderMap;
use polyfaas_core::shim::Traceparent;

/// A trace id (32 hex digits), the caller's span id (16 hex digits) and whether the caller
/// sampled the trace, where the request tells them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Trace {
    pub trace_id: String,
    pub span_id: Option<String>,
    pub sampled: Option<bool>,
}

impl Trace {
    /// From a W3C `traceparent` value.
    pub(crate) fn from_traceparent(value: &str) -> Option<Trace> {
        let tp = Traceparent::parse(value)?;
        Some(Trace {
            trace_id: tp.trace_id().to_owned(),
            span_id: Some(tp.parent_id().to_owned()),
            sampled: Some(tp.sampled()),
        })
    }

    /// From an `X-Cloud-Trace-Context` value, `TRACE_ID[/SPAN_ID][;o=OPTIONS]`, whose span id is
    /// decimal (written here in hex, as Cloud Logging's `spanId` wants it).
    pub(crate) fn from_cloud_trace_context(value: &str) -> Option<Trace> {
        let (ids, options) = match value.split_once(';') {
            Some((ids, options)) => (ids, Some(options)),
            None => (value, None),
        };
        let (trace_id, span) = match ids.split_once('/') {
            Some((trace_id, span)) => (trace_id.trim(), Some(span.trim())),
            None => (ids.trim(), None),
        };
        if trace_id.is_empty() || !trace_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let span_id = span
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| *s != 0)
            .map(|s| format!("{s:016x}"));
        let sampled = options
            .and_then(|o| o.trim().strip_prefix("o="))
            .map(|o| o.trim() == "1");
        Some(Trace {
            trace_id: trace_id.to_ascii_lowercase(),
            span_id,
            sampled,
        })
    }

    /// From a request's headers: `traceparent`, else `X-Cloud-Trace-Context`.
    pub(crate) fn of_headers(headers: &HeaderMap) -> Option<Trace> {
        let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
        header("traceparent")
            .and_then(Trace::from_traceparent)
            .or_else(|| header("x-cloud-trace-context").and_then(Trace::from_cloud_trace_context))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::headers;

    const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn traceparent_first_then_google_header() {
        assert_eq!(Trace::of_headers(&HeaderMap::new()), None);
        let cloud = (
            "x-cloud-trace-context",
            "105445AA7843BC8BF206B12000100000/1;o=1",
        );
        assert_eq!(
            Trace::of_headers(&headers(&[cloud])),
            Some(Trace {
                trace_id: "105445aa7843bc8bf206b12000100000".into(),
                span_id: Some("0000000000000001".into()),
                sampled: Some(true),
            })
        );
        assert_eq!(
            Trace::of_headers(&headers(&[cloud, ("traceparent", TRACEPARENT)])),
            Some(Trace {
                trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
                span_id: Some("00f067aa0ba902b7".into()),
                sampled: Some(true),
            })
        );
        // A traceparent that is not one falls back to Google's header.
        let trace = Trace::of_headers(&headers(&[cloud, ("traceparent", "garbage")])).unwrap();
        assert_eq!(trace.trace_id, "105445aa7843bc8bf206b12000100000");
    }

    #[test]
    fn cloud_trace_context_forms() {
        let trace = Trace::from_cloud_trace_context("abc123;o=0").unwrap();
        assert_eq!((trace.span_id, trace.sampled), (None, Some(false)));
        let trace = Trace::from_cloud_trace_context("abc123/18446744073709551615").unwrap();
        assert_eq!(trace.span_id.as_deref(), Some("ffffffffffffffff"));
        assert_eq!(trace.sampled, None);
        assert_eq!(Trace::from_cloud_trace_context("not hex/1"), None);
        assert_eq!(Trace::from_cloud_trace_context(""), None);
    }
}
