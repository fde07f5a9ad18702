//! Legacy ("background function") events: what an `event` function receives as
//! `(data, context)`.
//!
//! Three body shapes arrive, all `POST` with a JSON body:
//! 1. **nested**: `{"context": {"eventId", "timestamp", "eventType", "resource": {...}}, "data": ...}`;
//! 2. **flat**: `eventId`, `timestamp`, `eventType`, `resource` (a string) and `data` at the top
//!    level, plus keys that are neither (`params`, `auth`, `domain`, ...) and do not reach the
//!    function;
//! 3. **raw Pub/Sub push**: `{"subscription": ..., "message": {"data", "messageId", ...}}`,
//!    rewritten to form 1 with `eventType: google.pubsub.topic.publish` and the topic taken from
//!    the request path (`.../projects/<p>/topics/<t>...`) when it is there.

use bytes::Bytes;
use polyfaas_core::shim::parse_at;
use polyfaas_core::{BadInput, Extra};
use serde::{Serialize, Serializer};
use serde_json::{json, Map, Value};

use crate::names::{PUBSUB_MESSAGE_TYPE, PUBSUB_SERVICE};
use crate::time::rfc3339_now;

/// The legacy event type of a Pub/Sub message.
pub const PUBSUB_PUBLISH: &str = "google.pubsub.topic.publish";

/// One legacy event.
///
/// ```
/// use polyfaas_gcp::LegacyEvent;
///
/// let body = br#"{"eventId":"7","timestamp":"2024-01-01T00:00:00Z","eventType":"providers/cloud.firestore/eventTypes/document.write",
///                 "resource":"projects/p/databases/(default)/documents/c/d","params":{"x":1},"data":{"value":{}}}"#;
/// let event = LegacyEvent::decode(&bytes::Bytes::from_static(body), "/").unwrap();
/// assert_eq!(event.event_id(), Some("7"));
/// let json = event.to_json();
/// assert_eq!(json["context"]["resource"], "projects/p/databases/(default)/documents/c/d");
/// assert!(json.get("params").is_none());
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LegacyEvent {
    /// The context as the function sees it: the nested `context` object as received, or
    /// `eventId`, `timestamp`, `eventType`, `resource` of a flat event. Always has a string
    /// `eventType`.
    pub context: Map<String, Value>,
    /// The data.
    pub data: Value,
    /// A flat event's top-level `domain` (Firebase Realtime Database), needed to convert it.
    pub domain: Option<String>,
    /// The subscription of a raw Pub/Sub push, if the event was one.
    pub subscription: Option<String>,
}

impl LegacyEvent {
    /// An event with a context of the four usual fields (`timestamp` left out when `None`).
    pub fn new(
        event_id: impl Into<String>,
        timestamp: Option<String>,
        event_type: impl Into<String>,
        resource: Value,
        data: Value,
    ) -> Self {
        let mut context = Map::new();
        context.insert("eventId".into(), Value::String(event_id.into()));
        if let Some(timestamp) = timestamp {
            context.insert("timestamp".into(), Value::String(timestamp));
        }
        context.insert("eventType".into(), Value::String(event_type.into()));
        context.insert("resource".into(), resource);
        LegacyEvent {
            context,
            data,
            domain: None,
            subscription: None,
        }
    }

    /// `context.eventType`.
    pub fn event_type(&self) -> &str {
        self.context
            .get("eventType")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// `context.eventId`, if it is a string.
    pub fn event_id(&self) -> Option<&str> {
        self.context.get("eventId").and_then(Value::as_str)
    }

    /// `context.timestamp`, if it is a string.
    pub fn timestamp(&self) -> Option<&str> {
        self.context.get("timestamp").and_then(Value::as_str)
    }

    /// `context.resource`: a string, or an object with `service`, `name`, `type`.
    pub fn resource(&self) -> Option<&Value> {
        self.context.get("resource").filter(|r| !r.is_null())
    }

    /// `{"data": ..., "context": {...}}`: what an `event` function receives.
    pub fn to_json(&self) -> Value {
        json!({ "data": self.data, "context": self.context })
    }

    /// [`to_json`](Self::to_json), consuming the event (no copy of the data).
    pub fn into_json(self) -> Value {
        let mut map = Map::new();
        map.insert("data".into(), self.data);
        map.insert("context".into(), Value::Object(self.context));
        Value::Object(map)
    }

    /// Reads a legacy event from a request body; `path` is the request path, where a raw
    /// Pub/Sub push may name its topic.
    pub fn decode(body: &Bytes, path: &str) -> Result<Self, BadInput> {
        let value: Value = parse_at(body, "body").map_err(|e| {
            BadInput::at(
                "body",
                format!(
                    "not a CloudEvent (no ce-* headers, not application/cloudevents+json) and not a legacy event, which must be JSON: {}",
                    e.message()
                ),
            )
            .with_source(e)
        })?;
        Self::from_json(value, path)
    }

    /// Reads a legacy event from its JSON; see [`LegacyEvent::decode`].
    pub fn from_json(value: Value, path: &str) -> Result<Self, BadInput> {
        let Value::Object(mut map) = value else {
            return Err(BadInput::at("body", "a legacy event must be a JSON object"));
        };
        if let Some(context) = map.remove("context") {
            let Value::Object(context) = context else {
                return Err(BadInput::at("context", "must be an object"));
            };
            check_context(&context, "context.")?;
            return Ok(LegacyEvent {
                context,
                data: map.remove("data").unwrap_or(Value::Null),
                domain: string_field(&map, "domain", "")?,
                subscription: None,
            });
        }
        if map.contains_key("eventType") {
            let mut context = Map::new();
            for name in ["eventId", "timestamp", "eventType", "resource"] {
                if let Some(value) = map.remove(name) {
                    context.insert(name.to_owned(), value);
                }
            }
            check_context(&context, "")?;
            return Ok(LegacyEvent {
                context,
                data: map.remove("data").unwrap_or(Value::Null),
                domain: string_field(&map, "domain", "")?,
                subscription: None,
            });
        }
        if map.get("message").is_some_and(Value::is_object) {
            return from_push(map, path);
        }
        Err(BadInput::new(
            "the body is neither a CloudEvent (no ce-* headers, not application/cloudevents+json) nor a legacy event (no `context`, no `eventType`) nor a Pub/Sub push (no `message`)",
        ))
    }
}

/// The event as it arrived (or was converted), for handlers of blob and message events:
/// `ctx.extra::<LegacyEvent>()`; in `ctx.extras().to_json()` under `gcp.legacy_event`.
impl Extra for LegacyEvent {
    const NAME: &'static str = "gcp.legacy_event";
}

/// Serialises as what an `event` function receives, [`LegacyEvent::to_json`].
impl Serialize for LegacyEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

fn check_context(context: &Map<String, Value>, prefix: &str) -> Result<(), BadInput> {
    match context.get("eventType") {
        Some(Value::String(s)) if !s.is_empty() => {}
        Some(Value::String(_)) => {
            return Err(BadInput::at(
                format!("{prefix}eventType"),
                "must not be empty",
            ))
        }
        Some(_) => {
            return Err(BadInput::at(
                format!("{prefix}eventType"),
                "must be a string",
            ))
        }
        None => return Err(BadInput::at(format!("{prefix}eventType"), "missing")),
    }
    for name in ["eventId", "timestamp"] {
        if let Some(value) = context.get(name) {
            if !value.is_string() && !value.is_null() {
                return Err(BadInput::at(format!("{prefix}{name}"), "must be a string"));
            }
        }
    }
    match context.get("resource") {
        None | Some(Value::Null | Value::String(_)) => Ok(()),
        Some(Value::Object(resource)) => match resource.get("name") {
            None | Some(Value::Null | Value::String(_)) => {
                for name in ["service", "type"] {
                    if resource
                        .get(name)
                        .is_some_and(|v| !v.is_string() && !v.is_null())
                    {
                        return Err(BadInput::at(
                            format!("{prefix}resource.{name}"),
                            "must be a string",
                        ));
                    }
                }
                Ok(())
            }
            Some(_) => Err(BadInput::at(
                format!("{prefix}resource.name"),
                "must be a string",
            )),
        },
        Some(_) => Err(BadInput::at(
            format!("{prefix}resource"),
            "must be a string or an object",
        )),
    }
}

fn string_field(
    map: &Map<String, Value>,
    name: &str,
    prefix: &str,
) -> Result<Option<String>, BadInput> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(BadInput::at(format!("{prefix}{name}"), "must be a string")),
    }
}

/// A raw Pub/Sub push body, rewritten as a nested legacy event.
fn from_push(mut map: Map<String, Value>, path: &str) -> Result<LegacyEvent, BadInput> {
    let subscription = string_field(&map, "subscription", "")?;
    let Some(Value::Object(message)) = map.remove("message") else {
        return Err(BadInput::at("message", "must be an object"));
    };
    // Push bodies carry both spellings; the camelCase one is documented.
    let pick = |camel: &str, snake: &str| -> Result<Option<String>, BadInput> {
        match string_field(&message, camel, "message.")? {
            Some(v) => Ok(Some(v)),
            None => string_field(&message, snake, "message."),
        }
    };
    let message_id = pick("messageId", "message_id")?.ok_or_else(|| {
        BadInput::at(
            "message.messageId",
            "missing (a Pub/Sub push message has one)",
        )
    })?;
    let publish_time = pick("publishTime", "publish_time")?.unwrap_or_else(rfc3339_now);
    let mut data = Map::new();
    data.insert("@type".into(), Value::String(PUBSUB_MESSAGE_TYPE.into()));
    if let Some(payload) = message.get("data").filter(|d| !d.is_null()) {
        if !payload.is_string() {
            return Err(BadInput::at("message.data", "must be a base64 string"));
        }
        data.insert("data".into(), payload.clone());
    }
    let attributes = match message.get("attributes") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(attributes @ Value::Object(_)) => attributes.clone(),
        Some(_) => {
            return Err(BadInput::at(
                "message.attributes",
                "must be an object of strings",
            ))
        }
    };
    data.insert("attributes".into(), attributes);
    let topic = topic_in_path(path).unwrap_or_default();
    let resource = json!({
        "service": PUBSUB_SERVICE,
        "type": PUBSUB_MESSAGE_TYPE,
        "name": topic,
    });
    let mut event = LegacyEvent::new(
        message_id,
        Some(publish_time),
        PUBSUB_PUBLISH,
        resource,
        Value::Object(data),
    );
    event.subscription = subscription;
    Ok(event)
}

/// The first `projects/<p>/topics/<t>` in a request path (segments without `/` or `?`).
pub(crate) fn topic_in_path(path: &str) -> Option<String> {
    let mut rest = path;
    while let Some(at) = rest.find("projects/") {
        let candidate = &rest[at..];
        let mut parts = candidate.splitn(5, '/');
        let (Some("projects"), Some(project), Some("topics"), Some(topic)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            rest = &rest[at + "projects/".len()..];
            continue;
        };
        let topic = topic.split('?').next().unwrap_or_default();
        if !project.is_empty() && !project.contains('?') && !topic.is_empty() {
            return Some(format!("projects/{project}/topics/{topic}"));
        }
        rest = &rest[at + "projects/".len()..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(value: Value, path: &str) -> Result<LegacyEvent, BadInput> {
        LegacyEvent::decode(&Bytes::from(value.to_string()), path)
    }

    #[test]
    fn nested_events_keep_their_context() {
        let event = decode(
            json!({"context": {"eventId": "n-1", "timestamp": "2024-03-04T05:06:07.089Z",
                   "eventType": "google.storage.object.delete",
                   "resource": {"service": "storage.googleapis.com", "name": "projects/_/buckets/b/objects/o", "type": "storage#object"}},
                   "data": {"name": "o"}}),
            "/",
        )
        .unwrap();
        assert_eq!(event.event_type(), "google.storage.object.delete");
        assert_eq!(
            event.to_json()["context"]["resource"]["type"],
            "storage#object"
        );
        assert_eq!(event.data["name"], "o");
    }

    #[test]
    fn flat_events_drop_keys_that_are_neither_data_nor_context() {
        let event = decode(
            json!({"eventId": "f-1", "timestamp": "t", "eventType": "providers/google.firebase.database/eventTypes/ref.create",
                   "resource": "projects/_/instances/i/refs/a", "params": {"p": 1}, "auth": {"admin": false},
                   "domain": "firebaseio.com", "data": {"delta": 5.5}}),
            "/",
        )
        .unwrap();
        assert_eq!(
            event.to_json(),
            json!({"data": {"delta": 5.5}, "context": {"eventId": "f-1", "timestamp": "t",
                    "eventType": "providers/google.firebase.database/eventTypes/ref.create",
                    "resource": "projects/_/instances/i/refs/a"}})
        );
        assert_eq!(event.domain.as_deref(), Some("firebaseio.com"));
    }

    #[test]
    fn raw_pubsub_push_becomes_a_nested_publish_event() {
        let event = decode(
            json!({"subscription": "projects/p1/subscriptions/s1",
                   "message": {"data": "aGVsbG8=", "messageId": "m-77", "message_id": "m-77",
                               "publishTime": "2024-05-06T07:08:09.100Z", "attributes": {"k": "v"}}}),
            "/push/projects/p1/topics/orders?token=x",
        )
        .unwrap();
        assert_eq!(
            event.to_json(),
            json!({"data": {"@type": PUBSUB_MESSAGE_TYPE, "data": "aGVsbG8=", "attributes": {"k": "v"}},
                   "context": {"eventId": "m-77", "timestamp": "2024-05-06T07:08:09.100Z",
                               "eventType": "google.pubsub.topic.publish",
                               "resource": {"service": "pubsub.googleapis.com", "type": PUBSUB_MESSAGE_TYPE,
                                            "name": "projects/p1/topics/orders"}}})
        );
        assert_eq!(
            event.subscription.as_deref(),
            Some("projects/p1/subscriptions/s1")
        );

        // No topic in the path, no publish time, snake_case id, no attributes.
        let event = decode(
            json!({"subscription": "projects/p1/subscriptions/s1", "message": {"data": "", "message_id": "m-78"}}),
            "/",
        )
        .unwrap();
        assert_eq!(event.event_id(), Some("m-78"));
        assert_eq!(event.resource().unwrap()["name"], "");
        assert_eq!(event.data["attributes"], json!({}));
        assert!(event.timestamp().unwrap().ends_with('Z'));
    }

    #[test]
    fn errors_name_the_field() {
        for (value, expected) in [
            (json!("x"), "body: a legacy event must be a JSON object"),
            (json!({"context": 5}), "context: must be an object"),
            (
                json!({"context": {"eventId": "1"}}),
                "context.eventType: missing",
            ),
            (json!({"eventType": 3}), "eventType: must be a string"),
            (
                json!({"eventType": "t", "resource": 5}),
                "resource: must be a string or an object",
            ),
            (
                json!({"message": {"data": "aGk="}}),
                "message.messageId: missing",
            ),
            (
                json!({"message": {"messageId": "1", "data": 5}}),
                "message.data: must be a base64 string",
            ),
            (
                json!({"hello": "world"}),
                "the body is neither a CloudEvent",
            ),
        ] {
            let err = decode(value.clone(), "/").unwrap_err().to_string();
            assert!(err.starts_with(expected), "{value}: {err}");
        }
        let err = LegacyEvent::decode(&Bytes::from_static(b"not json"), "/").unwrap_err();
        assert!(
            err.to_string().contains("legacy event, which must be JSON"),
            "{err}"
        );
    }

    #[test]
    fn topics_in_paths() {
        assert_eq!(
            topic_in_path("/projects/p/topics/t").as_deref(),
            Some("projects/p/topics/t")
        );
        assert_eq!(
            topic_in_path("/x/projects/a/b/projects/p/topics/t/more").as_deref(),
            Some("projects/p/topics/t")
        );
        assert_eq!(topic_in_path("/projects/p/subscriptions/s"), None);
        assert_eq!(topic_in_path("/"), None);
    }
}
