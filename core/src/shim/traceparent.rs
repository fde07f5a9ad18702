//! The W3C Trace Context `traceparent` header, as Google Cloud, Azure and OpenTelemetry send it.

/// A parsed `traceparent`: `00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>`.
///
/// ```
/// use polyfaas_core::shim::Traceparent;
///
/// let t = Traceparent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
/// assert_eq!(t.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_eq!(t.span_id, "00f067aa0ba902b7");
/// assert!(t.sampled);
/// assert!(Traceparent::parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01").is_none());
/// assert!(Traceparent::parse("not a traceparent").is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Traceparent {
    /// The trace id: 32 lower-case hex digits, not all zero.
    pub trace_id: String,
    /// The parent span id: 16 lower-case hex digits, not all zero.
    pub span_id: String,
    /// Whether the caller sampled the trace (flag `01`).
    pub sampled: bool,
}

impl Traceparent {
    /// Parses the header's value; `None` when it is not a valid `traceparent` (version 00, or a
    /// later version read as 00, as the spec says).
    pub fn parse(value: &str) -> Option<Traceparent> {
        let mut parts = value.trim().split('-');
        let version = parts.next()?;
        let trace_id = parts.next()?;
        let span_id = parts.next()?;
        let flags = parts.next()?;
        let hex = |s: &str, len: usize| {
            s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        };
        let zero = |s: &str| s.bytes().all(|b| b == b'0');
        if !hex(version, 2) || version == "ff" || (version == "00" && parts.next().is_some()) {
            return None;
        }
        if !hex(trace_id, 32) || zero(trace_id) || !hex(span_id, 16) || zero(span_id) {
            return None;
        }
        if !hex(flags, 2) {
            return None;
        }
        let flags = u8::from_str_radix(flags, 16).ok()?;
        Some(Traceparent {
            trace_id: trace_id.to_owned(),
            span_id: span_id.to_owned(),
            sampled: flags & 1 == 1,
        })
    }
}
