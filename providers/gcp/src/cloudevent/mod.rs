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
pub mod structured;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::HeaderMap;
use serde_json::{Map, Value};

use crate::EventError;

/// The CloudEvents version this shim reads.
pub const SPEC_VERSION: &str = "1.0";

/// One CloudEvent: the context attributes and the data.
///
/// ```
/// use polyfaas_gcp::cloudevent::{CloudEvent, Data};
///
/// let mut event = CloudEvent::new("e-1", "//storage.googleapis.com/projects/_/buckets/b", "t");
/// event.data = Data::Json(serde_json::json!({"n": 10}));
/// let json = event.to_json();
/// assert_eq!(json["specversion"], "1.0");
/// assert_eq!(json["data"]["n"], 10);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CloudEvent {
    /// `id`.
    pub id: String,
    /// `source`, a URI reference such as `//pubsub.googleapis.com/projects/p/topics/t`.
    pub source: String,
    /// `specversion` (always `1.0` here).
    pub specversion: String,
    /// `type`, such as `google.cloud.storage.object.v1.finalized`.
    pub ty: String,
    /// `subject`, if any.
    pub subject: Option<String>,
    /// `time`, as the sender wrote it (RFC 3339).
    pub time: Option<String>,
    /// `datacontenttype`, if any (absent means `application/json` for JSON data).
    pub datacontenttype: Option<String>,
    /// `dataschema`, if any.
    pub dataschema: Option<String>,
    /// Extension attributes (`traceparent`, Google's `authtype`, ...), in the order received.
    pub extensions: Map<String, Value>,
    /// The data.
    pub data: Data,
}

/// A CloudEvent's data.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Data {
    /// No data.
    None,
    /// JSON data (`datacontenttype` absent or JSON).
    Json(Value),
    /// Text data of a textual, non-JSON content type.
    Text(String),
    /// Binary data.
    Binary(Bytes),
}

impl CloudEvent {
    /// An event with the required attributes and no data.
    pub fn new(id: impl Into<String>, source: impl Into<String>, ty: impl Into<String>) -> Self {
        CloudEvent {
            id: id.into(),
            source: source.into(),
            specversion: SPEC_VERSION.to_owned(),
            ty: ty.into(),
            subject: None,
            time: None,
            datacontenttype: None,
            dataschema: None,
            extensions: Map::new(),
            data: Data::None,
        }
    }

    /// The data as JSON, if it is JSON.
    pub fn json_data(&self) -> Option<&Value> {
        match &self.data {
            Data::Json(value) => Some(value),
            _ => None,
        }
    }

    /// The structured-mode JSON form of the event (CloudEvents JSON format): attributes at the
    /// top level, then `data` (JSON or text) or `data_base64` (binary).
    pub fn to_json(&self) -> Value {
        self.clone().into_json()
    }

    /// [`to_json`](Self::to_json), consuming the event (no copy of the data).
    pub fn into_json(self) -> Value {
        let mut map = Map::new();
        map.insert("specversion".into(), Value::String(self.specversion));
        map.insert("id".into(), Value::String(self.id));
        map.insert("source".into(), Value::String(self.source));
        map.insert("type".into(), Value::String(self.ty));
        for (name, value) in [
            ("subject", self.subject),
            ("time", self.time),
            ("datacontenttype", self.datacontenttype),
            ("dataschema", self.dataschema),
        ] {
            if let Some(value) = value {
                map.insert(name.into(), Value::String(value));
            }
        }
        map.extend(self.extensions);
        match self.data {
            Data::None => {}
            Data::Json(value) => {
                map.insert("data".into(), value);
            }
            Data::Text(text) => {
                map.insert("data".into(), Value::String(text));
            }
            Data::Binary(bytes) => {
                map.insert("data_base64".into(), Value::String(BASE64.encode(bytes)));
            }
        }
        Value::Object(map)
    }
}

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
pub fn decode(mode: Mode, headers: &HeaderMap, body: &Bytes) -> Result<CloudEvent, EventError> {
    match mode {
        Mode::Binary => binary::decode(headers, body),
        Mode::Structured => structured::decode(body),
        Mode::Batch => Err(EventError::new(
            "batched CloudEvents (application/cloudevents-batch+json) are not supported; send one event per request",
        )),
    }
}

/// The media type of a content type, lower-case, without parameters.
pub(crate) fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether data of this content type is JSON: absent, `*/json` or `*/*+json`.
pub(crate) fn is_json(content_type: Option<&str>) -> bool {
    match content_type {
        None => true,
        Some(content_type) => {
            let media = media_type(content_type);
            media.is_empty() || media.ends_with("/json") || media.ends_with("+json")
        }
    }
}

/// Whether data of this (non-JSON) content type is text: `text/*`, XML, form data.
pub(crate) fn is_text(content_type: &str) -> bool {
    let media = media_type(content_type);
    media.starts_with("text/")
        || media.ends_with("/xml")
        || media.ends_with("+xml")
        || media == "application/x-www-form-urlencoded"
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

    #[test]
    fn json_and_text_content_types() {
        assert!(is_json(None));
        assert!(is_json(Some("application/json; charset=utf-8")));
        assert!(is_json(Some("application/vnd.api+json")));
        assert!(is_json(Some("text/json")));
        assert!(!is_json(Some("text/plain")));
        assert!(!is_json(Some("application/protobuf")));
        assert!(is_text("text/plain; charset=utf-8"));
        assert!(is_text("application/atom+xml"));
        assert!(!is_text("application/octet-stream"));
    }

    #[test]
    fn to_json_writes_binary_data_as_base64_and_keeps_extensions() {
        let mut event = CloudEvent::new("1", "//x/y", "t");
        event.subject = Some("s".into());
        event
            .extensions
            .insert("traceparent".into(), Value::String("00-ab-cd-01".into()));
        event.data = Data::Binary(Bytes::from_static(&[0, 255]));
        let json = event.to_json();
        assert_eq!(json["data_base64"], "AP8=");
        assert!(json.get("data").is_none());
        assert_eq!(json["traceparent"], "00-ab-cd-01");
        assert_eq!(json["subject"], "s");
        assert!(json.get("time").is_none());
    }
}
