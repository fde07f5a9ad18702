//! From an event request to the neutral event, per signature type.
//!
//! | signature | arrives as | becomes |
//! |---|---|---|
//! | `cloudevent` | binary or structured CloudEvent | itself |
//! | `cloudevent` | legacy event (nested, flat) or raw Pub/Sub push | its CloudEvent ([`mapping::to_cloudevent`]) |
//! | `event` | legacy event or raw Pub/Sub push | itself |
//! | `event` | binary or structured CloudEvent of a known Google type | its legacy event ([`mapping::to_legacy`]) |
//!
//! Then, whatever the signature: Cloud Storage `finalized` / `deleted` → `Event::Blob`, Pub/Sub
//! `messagePublished` → `Event::Message`, anything else → `Event::Invoke` with the whole event
//! as the function type sees it (the CloudEvent's structured JSON, or the legacy
//! `{"data", "context"}`).

use bytes::Bytes;
use http::HeaderMap;
use polyfaas_core::{BadInput, Event};
use serde_json::Value;

use crate::cloudevent::{self, CloudEvent, Mode};
use crate::headers::traceparent_trace;
use crate::legacy::LegacyEvent;
use crate::mapping;
use crate::names::MESSAGE_PUBLISHED;
use crate::{pubsub, storage, SignatureType};

/// A decoded event request.
#[derive(Debug)]
pub(crate) struct Decoded {
    /// The neutral event.
    pub event: Event,
    /// The event's id (CloudEvent `id`, legacy `eventId`), if it has one.
    pub id: Option<String>,
    /// For blob and message events: the CloudEvent, as it arrived or was made. (An
    /// `Event::Invoke` carries the whole event as its payload already.)
    pub cloudevent: Option<CloudEvent>,
    /// For blob and message events: the legacy event, as it arrived or was made.
    pub legacy: Option<LegacyEvent>,
    /// The trace id of a CloudEvent's `traceparent` extension attribute (Eventarc sets it).
    pub trace_id: Option<String>,
}

/// Decodes an event request for a `cloudevent` or `event` function.
pub(crate) fn decode(
    signature: SignatureType,
    headers: &HeaderMap,
    path: &str,
    body: &Bytes,
) -> Result<Decoded, BadInput> {
    let arrived = match Mode::of(headers) {
        Some(mode) => Arrived::Cloud(cloudevent::decode(mode, headers, body)?),
        None => Arrived::Legacy(LegacyEvent::decode(body, path)?),
    };
    let trace_id = match &arrived {
        Arrived::Cloud(ce) => ce
            .extensions
            .get("traceparent")
            .and_then(Value::as_str)
            .and_then(traceparent_trace)
            .map(str::to_owned),
        Arrived::Legacy(_) => None,
    };
    let mut decoded = convert(signature, arrived)?;
    decoded.trace_id = trace_id;
    Ok(decoded)
}

/// The neutral event of an event as it arrived, for a function of `signature`.
fn convert(signature: SignatureType, arrived: Arrived) -> Result<Decoded, BadInput> {
    match (signature, arrived) {
        (SignatureType::Event, Arrived::Legacy(legacy)) => {
            let id = legacy.event_id().map(str::to_owned);
            if mapping::cloudevent_type(legacy.event_type()).is_some_and(is_blob_or_message) {
                Decoded::neutral(mapping::to_cloudevent(&legacy)?, Some(legacy), id)
            } else {
                Ok(Decoded::invoke(legacy.into_json(), id))
            }
        }
        (SignatureType::Event, Arrived::Cloud(ce)) => {
            // The legacy form is what an `event` function gets; a CloudEvent without one is
            // refused, as the frameworks do.
            let legacy = mapping::to_legacy(&ce)?;
            let id = Some(ce.id.clone());
            if is_blob_or_message(&ce.ty) {
                Decoded::neutral(ce, Some(legacy), id)
            } else {
                Ok(Decoded::invoke(legacy.into_json(), id))
            }
        }
        (_, arrived) => {
            let (ce, legacy) = match arrived {
                Arrived::Cloud(ce) => (ce, None),
                Arrived::Legacy(legacy) => (mapping::to_cloudevent(&legacy)?, Some(legacy)),
            };
            let id = Some(ce.id.clone());
            if is_blob_or_message(&ce.ty) {
                Decoded::neutral(ce, legacy, id)
            } else {
                Ok(Decoded::invoke(ce.into_json(), id))
            }
        }
    }
}

impl Decoded {
    /// A storage or Pub/Sub event: the neutral `Blob` or `Message`, with the CloudEvent and the
    /// legacy form kept for the handler.
    fn neutral(
        ce: CloudEvent,
        legacy: Option<LegacyEvent>,
        id: Option<String>,
    ) -> Result<Self, BadInput> {
        Ok(Decoded {
            event: blob_or_message(&ce)?,
            id,
            cloudevent: Some(ce),
            legacy,
            trace_id: None,
        })
    }

    /// Any other event: the whole event, as the function type sees it, as `Event::Invoke`.
    fn invoke(payload: serde_json::Value, id: Option<String>) -> Self {
        Decoded {
            event: Event::Invoke(payload),
            id,
            cloudevent: None,
            legacy: None,
            trace_id: None,
        }
    }
}

enum Arrived {
    Cloud(CloudEvent),
    Legacy(LegacyEvent),
}

fn is_blob_or_message(ty: &str) -> bool {
    ty == MESSAGE_PUBLISHED || storage::change_of(ty).is_some()
}

/// The neutral event of a storage or Pub/Sub CloudEvent.
fn blob_or_message(ce: &CloudEvent) -> Result<Event, BadInput> {
    match storage::change_of(&ce.ty) {
        Some(change) => Ok(Event::Blob(storage::blob_event(ce, change)?)),
        None => Ok(Event::Message(pubsub::message(ce)?)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    fn run(
        signature: SignatureType,
        pairs: &[(&str, &str)],
        body: Value,
    ) -> Result<Decoded, BadInput> {
        decode(
            signature,
            &headers(pairs),
            "/",
            &Bytes::from(body.to_string()),
        )
    }

    const FIRESTORE_CE: [(&str, &str); 6] = [
        ("ce-id", "fs-9"),
        (
            "ce-source",
            "//firestore.googleapis.com/projects/acme/databases/(default)",
        ),
        ("ce-specversion", "1.0"),
        ("ce-type", "google.cloud.firestore.document.v1.deleted"),
        ("ce-subject", "documents/users/u1"),
        ("content-type", "application/json"),
    ];

    #[test]
    fn a_cloudevent_function_gets_other_events_whole() {
        let decoded = run(
            SignatureType::CloudEvent,
            &FIRESTORE_CE,
            json!({"oldValue": {}}),
        )
        .unwrap();
        let Event::Invoke(payload) = decoded.event else {
            panic!()
        };
        assert_eq!(payload["subject"], "documents/users/u1");
        assert_eq!(payload["data"], json!({"oldValue": {}}));
        assert_eq!(decoded.id.as_deref(), Some("fs-9"));
        assert_eq!(decoded.trace_id, None);
        let mut traced = FIRESTORE_CE.to_vec();
        traced.push((
            "ce-traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ));
        let decoded = run(SignatureType::Event, &traced, json!({})).unwrap();
        assert_eq!(
            decoded.trace_id.as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
    }

    #[test]
    fn an_event_function_gets_the_legacy_form() {
        let decoded = run(SignatureType::Event, &FIRESTORE_CE, json!({"oldValue": {}})).unwrap();
        let Event::Invoke(payload) = decoded.event else {
            panic!()
        };
        assert_eq!(
            payload,
            json!({"data": {"oldValue": {}}, "context": {"eventId": "fs-9",
                   "eventType": "providers/cloud.firestore/eventTypes/document.delete",
                   "resource": "projects/acme/databases/(default)/documents/users/u1"}})
        );
        // A type without a legacy equivalent is refused.
        let mut other = FIRESTORE_CE;
        other[3] = ("ce-type", "com.example.custom");
        let err = run(SignatureType::Event, &other, json!({})).unwrap_err();
        assert!(
            err.to_string().starts_with("type: \"com.example.custom\""),
            "{err}"
        );
    }

    #[test]
    fn storage_and_pubsub_become_blobs_and_messages_for_both_signatures() {
        let legacy = json!({"context": {"eventId": "l-1", "timestamp": "t", "eventType": "google.storage.object.finalize",
            "resource": {"service": "storage.googleapis.com", "name": "projects/_/buckets/b/objects/k.txt", "type": "storage#object"}},
            "data": {"bucket": "b", "name": "k.txt", "size": "3"}});
        for signature in [SignatureType::Event, SignatureType::CloudEvent] {
            let decoded = run(
                signature,
                &[("content-type", "application/json")],
                legacy.clone(),
            )
            .unwrap();
            let Event::Blob(blob) = decoded.event else {
                panic!()
            };
            assert_eq!(
                (blob.store.as_str(), blob.key.as_str(), blob.size),
                ("b", "k.txt", Some(3))
            );
        }
        let push = json!({"subscription": "projects/p/subscriptions/s", "message": {"data": "aGk=", "messageId": "m1"}});
        for signature in [SignatureType::Event, SignatureType::CloudEvent] {
            let decoded = run(signature, &[], push.clone()).unwrap();
            let Event::Message(message) = decoded.event else {
                panic!()
            };
            assert_eq!(message.source, "projects/p/subscriptions/s");
            assert_eq!(decoded.id.as_deref(), Some("m1"));
        }
    }

    #[test]
    fn a_legacy_event_of_an_unknown_type_still_reaches_an_event_function() {
        let decoded = run(
            SignatureType::Event,
            &[],
            json!({"eventId": "x", "eventType": "providers/firebase.remoteConfig/remoteconfig.update", "resource": "projects/p", "data": {}}),
        )
        .unwrap();
        assert!(matches!(decoded.event, Event::Invoke(_)));
        let err = run(
            SignatureType::CloudEvent,
            &[],
            json!({"eventId": "x", "eventType": "providers/firebase.remoteConfig/remoteconfig.update", "resource": "projects/p", "data": {}}),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("eventType: "), "{err}");
    }
}
