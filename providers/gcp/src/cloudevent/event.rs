//! The event: its context attributes and data, its structured JSON form, and its place among the
//! platform extras.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use polyfaas_core::shim::media_type;
use polyfaas_core::Extra;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

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

/// The event as it arrived (or was converted), for handlers of blob and message events:
/// `ctx.extra::<CloudEvent>()`; in `ctx.extras().to_json()` under `gcp.cloudevent`.
impl Extra for CloudEvent {
    const NAME: &'static str = "gcp.cloudevent";
}

/// Serialises as the structured-mode JSON form, [`CloudEvent::to_json`].
impl Serialize for CloudEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types() {
        assert!(is_json(None));
        assert!(is_json(Some("application/json; charset=utf-8")));
        assert!(is_json(Some("application/vnd.api+json")));
        assert!(is_json(Some("text/json")));
        assert!(!is_json(Some("text/plain")));
        assert!(!is_json(Some("application/protobuf")));
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

    #[test]
    fn as_an_extra_it_is_its_structured_json() {
        let mut event = CloudEvent::new("1", "//x/y", "t");
        event.data = Data::Text("hi".into());
        let ctx = polyfaas_core::Context::builder(polyfaas_core::Provider::GCP, "r")
            .extra(event.clone())
            .build();
        assert_eq!(ctx.extra::<CloudEvent>(), Some(&event));
        assert_eq!(ctx.extras().to_json()["gcp.cloudevent"], event.to_json());
    }
}
