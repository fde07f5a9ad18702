//! CloudEvents 1.0 over HTTP: the event, and its two content modes.
//!
//! - [`binary`]: attributes in `ce-*` headers, the body is the data, `Content-Type` is
//!   `datacontenttype` (what Eventarc and the conformance client send).
//! - [`structured`]: the whole event as JSON, `Content-Type: application/cloudevents+json`.
//!
//! [`Mode::of`] tells which one a request uses. A CloudEvent that reaches a handler as
//! [`Event::Invoke`](polyfaas_core::Event::Invoke) carries [`CloudEvent::to_json`], the
//! structured JSON form.

pub mod binary;
mod event;
pub mod structured;

pub(crate) use event::is_json;
pub use event::{CloudEvent, Data, SPEC_VERSION};

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::HeaderMap;
use polyfaas_core::BadInput;

/// How a request carries a CloudEvent (CloudEvents HTTP binding, section 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `ce-*` headers and the data as the body.
    Binary,
    /// `Content-Type: application/cloudevents+json`, the event as the body.
    Structured,
    /// `Content-Type: application/cloudevents-batch+json`: several events (never sent by
    /// Google; refused).
    Batch,
}

impl Mode {
    /// The mode of a request, or `None` when it is not a CloudEvent at all. A `Content-Type`
    /// starting with `application/cloudevents` decides first; otherwise a `ce-specversion` or
    /// `ce-id` header means binary mode.
    pub fn of(headers: &HeaderMap) -> Option<Mode> {
        if let Some(content_type) = headers.get(CONTENT_TYPE) {
            let content_type = content_type.as_bytes().trim_ascii_start();
            let starts_with = |prefix: &str| {
                content_type
                    .get(..prefix.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
            };
            if starts_with("application/cloudevents-batch") {
                return Some(Mode::Batch);
            }
            if starts_with("application/cloudevents") {
                return Some(Mode::Structured);
            }
        }
        (headers.contains_key("ce-specversion") || headers.contains_key("ce-id"))
            .then_some(Mode::Binary)
    }
}

/// Reads the CloudEvent a request carries in `mode`.
pub fn decode(mode: Mode, headers: &HeaderMap, body: &Bytes) -> Result<CloudEvent, BadInput> {
    match mode {
        Mode::Binary => binary::decode(headers, body),
        Mode::Structured => structured::decode(body),
        Mode::Batch => Err(BadInput::new(
            "batched CloudEvents (application/cloudevents-batch+json) are not supported; send one event per request",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mode_comes_from_content_type_then_ce_headers() {
        let mut headers = HeaderMap::new();
        assert_eq!(Mode::of(&headers), None);
        headers.insert("ce-specversion", "1.0".parse().unwrap());
        assert_eq!(Mode::of(&headers), Some(Mode::Binary));
        headers.insert(
            CONTENT_TYPE,
            "Application/CloudEvents+JSON; charset=utf-8"
                .parse()
                .unwrap(),
        );
        assert_eq!(Mode::of(&headers), Some(Mode::Structured));
        headers.insert(
            CONTENT_TYPE,
            "application/cloudevents-batch+json".parse().unwrap(),
        );
        assert_eq!(Mode::of(&headers), Some(Mode::Batch));
        let mut headers = HeaderMap::new();
        headers.insert("Ce-Id", "1".parse().unwrap());
        assert_eq!(Mode::of(&headers), Some(Mode::Binary));
    }
}
