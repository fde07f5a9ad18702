//! Pub/Sub `messagePublished` CloudEvents as neutral messages.

use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE as BASE64_URL};
use base64::Engine as _;
use bytes::Bytes;
use polyfaas_core::{BadInput, Event, Message};
use serde_json::Value;

use crate::cloudevent::CloudEvent;
use crate::names::PUBSUB_SERVICE;
use crate::schedule;

/// The neutral event of a `messagePublished` CloudEvent: the schedule its
/// [`polyfaas_schedule`](crate::schedule::MARK_ATTRIBUTE) attribute marks (Cloud Scheduler's
/// Pub/Sub target; the time is the message's `publishTime`), else the [`message`].
///
/// ```
/// use polyfaas_core::Event;
/// use polyfaas_gcp::cloudevent::{CloudEvent, Data};
///
/// let mut ce = CloudEvent::new("e-1", "//pubsub.googleapis.com/projects/p/topics/ticks",
///                              "google.cloud.pubsub.topic.v1.messagePublished");
/// ce.data = Data::Json(serde_json::json!({"message": {"data": "e30=", "messageId": "m-1",
///     "publishTime": "2026-03-01T02:00:00.123Z", "attributes": {"polyfaas_schedule": "nightly"}}}));
/// let Event::Schedule(tick) = polyfaas_gcp::pubsub::event(&ce)? else { unreachable!() };
/// assert_eq!(tick.name.as_deref(), Some("nightly"));
/// assert_eq!(tick.time.as_deref(), Some("2026-03-01T02:00:00.123Z"));
/// # Ok::<(), polyfaas_core::BadInput>(())
/// ```
pub fn event(event: &CloudEvent) -> Result<Event, BadInput> {
    let message = message(event)?;
    let published = event
        .json_data()
        .and_then(|data| data.get("message"))
        .and_then(|m| m.get("publishTime").or_else(|| m.get("publish_time")))
        .and_then(Value::as_str);
    match schedule::from_message(&message.attributes, published, "data.message.publishTime")? {
        Some(tick) => Ok(Event::Schedule(tick)),
        None => Ok(Event::Message(message)),
    }
}

/// The message of a `google.cloud.pubsub.topic.v1.messagePublished` CloudEvent, whose data is
/// `{"message": {"data": <base64>, "attributes": {...}, "messageId", "publishTime", ...},
/// "subscription": ...}`.
///
/// - `id`: `message.messageId` (or `message_id`), else the CloudEvent id;
/// - `source`: the topic from `source` (`projects/<p>/topics/<t>`), else `subscription`;
/// - `body`: `message.data` base64-decoded (empty when absent);
/// - `attributes`: `message.attributes`.
///
/// ```
/// use polyfaas_gcp::cloudevent::{CloudEvent, Data};
///
/// let mut ce = CloudEvent::new("e-1", "//pubsub.googleapis.com/projects/p/topics/orders",
///                              "google.cloud.pubsub.topic.v1.messagePublished");
/// ce.data = Data::Json(serde_json::json!({"message": {"data": "aGk=", "messageId": "m-1"}}));
/// let message = polyfaas_gcp::pubsub::message(&ce).unwrap();
/// assert_eq!((message.id.as_str(), message.source.as_str()), ("m-1", "projects/p/topics/orders"));
/// assert_eq!(&message.body[..], b"hi");
/// ```
pub fn message(event: &CloudEvent) -> Result<Message, BadInput> {
    let data = event.json_data().filter(|d| d.is_object()).ok_or_else(|| {
        BadInput::at(
            "data",
            "a messagePublished event's data must be a JSON object with a `message`",
        )
    })?;
    let message = match data.get("message") {
        Some(message @ Value::Object(_)) => message,
        Some(_) => return Err(BadInput::at("data.message", "must be an object")),
        None => return Err(BadInput::at("data.message", "missing")),
    };
    let text = |name: &str| -> Result<Option<&str>, BadInput> {
        match message.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(BadInput::at(
                format!("data.message.{name}"),
                "must be a string",
            )),
        }
    };
    let id = match text("messageId")? {
        Some(id) => id,
        None => text("message_id")?.unwrap_or(&event.id),
    };
    let topic = event
        .source
        .strip_prefix("//")
        .and_then(|s| s.strip_prefix(PUBSUB_SERVICE))
        .and_then(|s| s.strip_prefix('/'))
        .filter(|t| !t.is_empty());
    let source = match topic {
        Some(topic) => topic.to_owned(),
        None => match data.get("subscription").and_then(Value::as_str) {
            Some(subscription) if !subscription.is_empty() => subscription.to_owned(),
            _ => event.source.clone(),
        },
    };
    let body = match text("data")? {
        None => Bytes::new(),
        Some(encoded) => decode_base64(encoded)
            .ok_or_else(|| BadInput::at("data.message.data", "not valid base64"))?,
    };
    let mut out = Message::new(id, source, body);
    match message.get("attributes") {
        None | Some(Value::Null) => {}
        Some(Value::Object(attributes)) => {
            for (name, value) in attributes {
                let Value::String(value) = value else {
                    return Err(BadInput::at(
                        format!("data.message.attributes.{name}"),
                        "must be a string",
                    ));
                };
                out.attributes.insert(name.clone(), value.clone());
            }
        }
        Some(_) => {
            return Err(BadInput::at(
                "data.message.attributes",
                "must be an object of strings",
            ))
        }
    }
    Ok(out)
}

/// Standard base64 (as Pub/Sub writes it), also accepting the URL-safe alphabet and
/// missing padding.
fn decode_base64(text: &str) -> Option<Bytes> {
    let text = text.trim();
    if let Ok(bytes) = BASE64.decode(text) {
        return Some(Bytes::from(bytes));
    }
    let unpadded = text.trim_end_matches('=');
    let mut padded = unpadded.to_owned();
    while !padded.len().is_multiple_of(4) {
        padded.push('=');
    }
    BASE64
        .decode(&padded)
        .or_else(|_| BASE64_URL.decode(&padded))
        .ok()
        .map(Bytes::from)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::cloudevent::Data;
    use crate::names::MESSAGE_PUBLISHED;

    fn event(source: &str, data: Value) -> CloudEvent {
        let mut ce = CloudEvent::new("ce-id-1", source, MESSAGE_PUBLISHED);
        ce.data = Data::Json(data);
        ce
    }

    #[test]
    fn message_fields() {
        let ce = event(
            "//pubsub.googleapis.com/projects/shop/topics/orders",
            json!({"subscription": "projects/shop/subscriptions/billing",
                   "message": {"data": "AAH/", "messageId": "9001", "publishTime": "t",
                               "attributes": {"origin": "web", "priority": "high"}}}),
        );
        let message = message(&ce).unwrap();
        assert_eq!(message.id, "9001");
        assert_eq!(message.source, "projects/shop/topics/orders");
        assert_eq!(&message.body[..], &[0, 1, 255]);
        assert_eq!(message.attributes["priority"], "high");
        assert_eq!(message.attributes.len(), 2);
    }

    #[test]
    fn fallbacks() {
        let ce = event(
            "//pubsub.googleapis.com/",
            json!({"subscription": "projects/shop/subscriptions/billing", "message": {}}),
        );
        let message = message(&ce).unwrap();
        assert_eq!(message.id, "ce-id-1");
        assert_eq!(message.source, "projects/shop/subscriptions/billing");
        assert!(message.body.is_empty());
        let ce = event(
            "//pubsub.googleapis.com/t",
            json!({"message": {"data": "aGk"}}),
        );
        assert_eq!(&super::message(&ce).unwrap().body[..], b"hi");
    }

    #[test]
    fn errors_name_the_field() {
        for (data, expected) in [
            (json!(null), "data: a messagePublished event's data must be"),
            (json!({}), "data.message: missing"),
            (
                json!({"message": {"data": "***"}}),
                "data.message.data: not valid base64",
            ),
            (
                json!({"message": {"data": 5}}),
                "data.message.data: must be a string",
            ),
            (
                json!({"message": {"attributes": {"n": 1}}}),
                "data.message.attributes.n: must be a string",
            ),
        ] {
            let err = message(&event("//pubsub.googleapis.com/x", data.clone()))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(expected), "{data}: {err}");
        }
    }
}
