//! The W3C Trace Context `traceparent` header (`00-<trace id>-<parent id>-<flags>`), read by one
//! parser for every platform that sends it (Google Cloud, Azure Functions, any HTTP caller).

use std::fmt;

/// A valid `traceparent` value, as <https://www.w3.org/TR/trace-context/#traceparent-header>
/// defines it: lower-case hex fields of 2, 32, 16 and 2 digits, neither id all zeros, version
/// not `ff`. A value that is not valid is no trace context at all (the specification says to
/// start a new trace then), so [`parse`](Self::parse) answers `None` rather than an error.
///
/// A version above `00` may carry more fields after the flags (`-...`); they are ignored, as the
/// specification asks.
///
/// ```
/// use polyfaas_core::shim::Traceparent;
///
/// let tp = Traceparent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
/// assert_eq!(tp.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_eq!(tp.parent_id(), "00f067aa0ba902b7");
/// assert!(tp.sampled());
/// assert_eq!(tp.to_string(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
///
/// assert!(Traceparent::parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01").is_none());
/// assert!(Traceparent::parse("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01").is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Traceparent {
    version: u8,
    trace_id: String,
    parent_id: String,
    flags: u8,
}

impl Traceparent {
    /// Reads a `traceparent` value (surrounding spaces allowed); `None` when it is not valid.
    pub fn parse(value: &str) -> Option<Traceparent> {
        let mut parts = value.trim().split('-');
        let version = hex_field(parts.next()?, 2)?;
        let trace_id = parts.next()?;
        let parent_id = parts.next()?;
        let flags = hex_field(parts.next()?, 2)?;
        let more = parts.next();
        // Version 00 has exactly four fields; later versions may add more, which are skipped.
        if version == "ff" || (version == "00" && more.is_some()) {
            return None;
        }
        hex_field(trace_id, 32).filter(|t| !is_zero(t))?;
        hex_field(parent_id, 16).filter(|p| !is_zero(p))?;
        Some(Traceparent {
            version: u8::from_str_radix(version, 16).ok()?,
            trace_id: trace_id.to_owned(),
            parent_id: parent_id.to_owned(),
            flags: u8::from_str_radix(flags, 16).ok()?,
        })
    }

    /// The trace id: 32 lower-case hex digits.
    pub fn trace_id(&self) -> &str {
        &self.trace_id
    }

    /// The caller's span id: 16 lower-case hex digits.
    pub fn parent_id(&self) -> &str {
        &self.parent_id
    }

    /// The trace flags.
    pub fn flags(&self) -> u8 {
        self.flags
    }

    /// Whether the caller sampled the trace (flag `01`).
    pub fn sampled(&self) -> bool {
        self.flags & 1 == 1
    }
}

impl fmt::Display for Traceparent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02x}-{}-{}-{:02x}",
            self.version, self.trace_id, self.parent_id, self.flags
        )
    }
}

/// `field` when it is exactly `len` lower-case hex digits.
fn hex_field(field: &str, len: usize) -> Option<&str> {
    (field.len() == len
        && field
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    .then_some(field)
}

fn is_zero(field: &str) -> bool {
    field.bytes().all(|b| b == b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_values_are_read_and_written_back() {
        let tp = Traceparent::parse(" 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00 ")
            .unwrap();
        assert_eq!(tp.trace_id(), "0af7651916cd43dd8448eb211c80319c");
        assert!(!tp.sampled());
        assert_eq!(tp.flags(), 0);
        // A later version may carry more fields, which are skipped.
        let tp =
            Traceparent::parse("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-09-extra")
                .unwrap();
        assert!(tp.sampled());
        assert_eq!(
            tp.to_string(),
            "cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-09"
        );
    }

    #[test]
    fn invalid_values_are_no_trace_context() {
        for bad in [
            "",
            "00",
            "0af7651916cd43dd8448eb211c80319c",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
            "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "00-0af7651916cd43dd8448eb211c80319-b7ad6b7169203331-01",
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333g-01",
            "0-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1",
        ] {
            assert!(Traceparent::parse(bad).is_none(), "{bad:?}");
        }
    }
}
