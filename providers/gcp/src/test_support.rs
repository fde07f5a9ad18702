//! What the unit tests share.

use http::header::{HeaderName, HeaderValue};
use http::HeaderMap;

/// A header map of `(name, value)` pairs, in order; a repeated name keeps every value.
pub(crate) fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}
