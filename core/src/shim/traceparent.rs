//! The W3C Trace Context `traceparent` header, parsed once for every shim.

/// A W3C `traceparent` value: `<version>-<trace id>-<parent id>-<flags>`
/// (<https://www.w3.org/TR/trace-context/#traceparent-header>).
///
/// [`parse`](Self::parse) follows the specification's rules: two lower-case hex digits of
/// version (not `ff`), 32 of trace id and 16 of parent id (neither all zeros), two of flags;
/// version `00` has exactly these four parts, a later version may add more after a `-`.
///
/// ```
/// use polyfaas_core::shim::Traceparent;
///
/// let tp = Traceparent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
/// assert_eq!(tp.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_eq!(tp.parent_id, "00f067aa0ba902b7");
/// assert!(tp.sampled());
/// assert!(Traceparent::parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01").is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Traceparent<'a> {
    /// The version (`00` today).
    pub version: u8,
    /// The trace id: 32 lower-case hex digits.
    pub trace_id: &'a str,
    /// The parent (span) id: 16 lower-case hex digits.
    pub parent_id: &'a str,
    /// The trace flags (bit 0: sampled).
    pub flags: u8,
}

impl<'a> Traceparent<'a> {
    /// Parses a header value (surrounding spaces allowed); `None` when it is not a valid
    /// `traceparent`.
    pub fn parse(value: &'a str) -> Option<Self> {
        let value = value.trim();
        let mut parts = value.splitn(5, '-');
        let version = parts.next()?;
        let trace_id = parts.next()?;
        let parent_id = parts.next()?;
        let flags = parts.next()?;
        let rest = parts.next();
        let version = hex_byte(version)?;
        if version == 0xff || (version == 0 && rest.is_some()) {
            return None;
        }
        let lower_hex = |s: &str, len: usize| {
            s.len() == len
                && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                && s.bytes().any(|b| b != b'0')
        };
        if !lower_hex(trace_id, 32) || !lower_hex(parent_id, 16) {
            return None;
        }
        Some(Traceparent {
            version,
            trace_id,
            parent_id,
            flags: hex_byte(flags)?,
        })
    }

    /// Whether the caller sampled the trace (flag bit 0).
    pub fn sampled(&self) -> bool {
        self.flags & 1 == 1
    }
}

/// Two lower-case hex digits.
fn hex_byte(s: &str) -> Option<u8> {
    if s.len() != 2 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    u8::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    #[test]
    fn valid_values() {
        let value = format!(" 00-{TRACE}-00f067aa0ba902b7-00 ");
        let tp = Traceparent::parse(&value).unwrap();
        assert_eq!((tp.version, tp.trace_id, tp.flags), (0, TRACE, 0));
        assert!(!tp.sampled());
        // A later version may carry more parts.
        let value = format!("01-{TRACE}-00f067aa0ba902b7-01-extra");
        let tp = Traceparent::parse(&value).unwrap();
        assert_eq!(tp.version, 1);
    }

    #[test]
    fn invalid_values() {
        for bad in [
            String::new(),
            "garbage".to_owned(),
            format!("ff-{TRACE}-00f067aa0ba902b7-01"),
            format!("00-{TRACE}-00f067aa0ba902b7-01-extra"),
            format!("00-{}-00f067aa0ba902b7-01", TRACE.to_uppercase()),
            format!("00-{TRACE}-0000000000000000-01"),
            format!("00-{TRACE}-00f067aa0ba902b-01"),
            format!("00-{TRACE}-00f067aa0ba902b7-1"),
            format!("0-{TRACE}-00f067aa0ba902b7-01"),
        ] {
            assert!(Traceparent::parse(&bad).is_none(), "{bad}");
        }
    }
}
