//! Request ids for invocations that arrive without one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Ids for requests that arrive without one: `<prefix>-<start time, hex ms>-<n>`, unique within
/// the process and unlikely to repeat across restarts. The [`Invoker`](crate::Invoker) keeps one,
/// prefixed with the provider's name.
///
/// ```
/// let ids = polyfaas_core::shim::RequestIds::new("local");
/// let (a, b) = (ids.next(), ids.next());
/// assert!(a.starts_with("local-") && a.ends_with("-1") && b.ends_with("-2"));
/// ```
#[derive(Debug)]
pub struct RequestIds {
    prefix: &'static str,
    started: u64,
    issued: AtomicU64,
}

impl RequestIds {
    /// A generator whose ids start with `prefix`.
    pub fn new(prefix: &'static str) -> Self {
        RequestIds {
            prefix,
            started: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            issued: AtomicU64::new(0),
        }
    }

    /// The next id.
    pub fn next(&self) -> String {
        let n = self.issued.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{}-{:x}-{n}", self.prefix, self.started)
    }
}
