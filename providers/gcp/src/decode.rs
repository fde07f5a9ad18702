//! From an event request to the neutral event, per signature type.
//!
//! | signature | arrives as | the function's form (the extra) |
//! |---|---|---|
//! | `cloudevent` | binary or structured CloudEvent | itself |
//! | `cloudevent` | legacy event (nested, flat) or raw Pub/Sub push | its CloudEvent ([`mapping::to_cloudevent`]) |
//! | `event` | legacy event or raw Pub/Sub push | itself |
//! | `event` | binary or structured CloudEvent of a known Google type | its legacy event ([`mapping::to_legacy`]) |
//!
//! Then, whatever the signature: Cloud Storage `finalized` / `deleted` → `Event::Blob`, Pub/Sub
//! `messagePublished` → `Event::Message` (or `Event::Schedule` when it carries the schedule
//! mark), Firestore document events → `Event::Change`, anything else → `Event::Invoke` with the
//! whole event in the function's form (the CloudEvent's structured JSON, or the legacy
//! `{"data", "context"}`). The other form is never built unless the conversion needs it (a
//! handler that wants it calls [`mapping::to_legacy`] or [`mapping::to_cloudevent`]).

use bytes::Bytes;
use http::HeaderMap;
use polyfaas_core::{BadInput, Change, Event};
use serde_json::Value;

use crate::cloudevent::{self, CloudEvent, Mode};
use crate::legacy::LegacyEvent;
use crate::mapping;
use crate::names::MESSAGE_PUBLISHED;
use crate::trace::Trace;
use crate::{firestore, pubsub, storage, SignatureType};

/// A decoded event request.
#[derive(Debug)]
pub(crate) struct Decoded {
    /// The neutral event.
    pub event: Event,
    /// The event's id (CloudEvent `id`, legacy `eventId`), if it has one.
    pub id: Option<String>,
    /// The event in the form the function's signature type speaks: the platform extra.
    pub form: Form,
    /// The trace of a CloudEvent's `traceparent` extension attribute (Eventarc sets it).
    pub trace: Option<Trace>,
}

/// An event in one of its two forms.
#[derive(Debug)]
pub(crate) enum Form {
    /// A CloudEvent (`cloudevent` functions).
    Cloud(CloudEvent),
    /// A CloudEvent whose data is still the request body (JSON, already checked to be well
    /// formed): parsed into [`CloudEvent::data`] only if the handler reads the extra.
    CloudUnread(CloudEvent, Bytes),
    /// A legacy event (`event` functions).
    Legacy(LegacyEvent),
}

/// Decodes an event request for a `cloudevent` or `event` function.
pub(crate) fn decode(
    signature: SignatureType,
    headers: &HeaderMap,
    path: &str,
    body: &Bytes,
) -> Result<Decoded, BadInput> {
    let arrived = match Mode::of(headers) {
        Some(Mode::Binary) => {
            // The attributes are read once, whichever way the data is then read.
            let ce = cloudevent::binary::attributes(headers)?;
            if let Some(change) = firestore_from_body(signature, &ce, body) {
                return Ok(Decoded {
                    event: Event::Change(change),
                    id: Some(ce.id.clone()),
                    trace: trace_of(&ce),
                    form: Form::CloudUnread(ce, body.clone()),
                });
            }
            Form::Cloud(cloudevent::binary::with_data(ce, body)?)
        }
        Some(mode) => Form::Cloud(cloudevent::decode(mode, headers, body)?),
        None => Form::Legacy(LegacyEvent::decode(body, path)?),
    };
    let trace = match &arrived {
        Form::Cloud(ce) | Form::CloudUnread(ce, _) => trace_of(ce),
        Form::Legacy(_) => None,
    };
    let (event, form) = match (signature, arrived) {
        (SignatureType::Event, Form::Legacy(legacy)) => (of_legacy(&legacy)?, Form::Legacy(legacy)),
        (SignatureType::Event, Form::Cloud(ce) | Form::CloudUnread(ce, _)) => {
            // The legacy form is what an `event` function gets; a CloudEvent without one is
            // refused, as the frameworks do.
            let legacy = mapping::to_legacy(&ce)?;
            let event = match neutral(&ce)? {
                Some(event) => event,
                None => Event::Invoke(legacy.to_json()),
            };
            (event, Form::Legacy(legacy))
        }
        (_, arrived) => {
            let ce = match arrived {
                Form::Cloud(ce) | Form::CloudUnread(ce, _) => ce,
                Form::Legacy(legacy) => mapping::to_cloudevent(&legacy)?,
            };
            let event = match neutral(&ce)? {
                Some(event) => event,
                None => Event::Invoke(ce.to_json()),
            };
            (event, Form::Cloud(ce))
        }
    };
    let id = match &form {
        Form::Cloud(ce) | Form::CloudUnread(ce, _) => Some(ce.id.clone()),
        Form::Legacy(legacy) => legacy.event_id().map(str::to_owned),
    };
    Ok(Decoded {
        event,
        id,
        form,
        trace,
    })
}

/// The change of a binary-mode Firestore event with JSON data to a `cloudevent` (or `http`)
/// function, its common form, read straight from the body (the CloudEvent extra's data is then
/// parsed only if the handler reads it). `None` for every other event, and whenever the body
/// or an attribute is not as expected: [`decode`]'s general path then decides (the same answer,
/// or the error naming what is wrong).
fn firestore_from_body(signature: SignatureType, ce: &CloudEvent, body: &Bytes) -> Option<Change> {
    if signature == SignatureType::Event
        || firestore::op_of(&ce.ty).is_none()
        || body.is_empty()
        || !cloudevent::is_json(ce.datacontenttype.as_deref())
    {
        return None;
    }
    firestore::change_from_body(ce, body)
}

/// The trace of a CloudEvent's `traceparent` extension attribute.
fn trace_of(ce: &CloudEvent) -> Option<Trace> {
    ce.extensions
        .get("traceparent")
        .and_then(Value::as_str)
        .and_then(Trace::from_traceparent)
}

/// The neutral event of a CloudEvent of a type Google defines one for: Cloud Storage, Pub/Sub,
/// Firestore; `None` for any other type.
fn neutral(ce: &CloudEvent) -> Result<Option<Event>, BadInput> {
    if let Some(change) = storage::change_of(&ce.ty) {
        return Ok(Some(Event::Blob(storage::blob_event(ce, change)?)));
    }
    if ce.ty == MESSAGE_PUBLISHED {
        return pubsub::event(ce).map(Some);
    }
    if firestore::op_of(&ce.ty).is_some() {
        return Ok(Some(Event::Change(firestore::change(ce)?)));
    }
    Ok(None)
}

/// The neutral event of a legacy event, for an `event` function: Firestore directly, storage
/// and Pub/Sub through their CloudEvent, anything else (even a type without a CloudEvent)
/// `Event::Invoke` with `{"data", "context"}`.
fn of_legacy(legacy: &LegacyEvent) -> Result<Event, BadInput> {
    if firestore::legacy_op_of(legacy.event_type()).is_some() {
        return Ok(Event::Change(firestore::legacy_change(legacy)?));
    }
    let blob_or_message = mapping::cloudevent_type(legacy.event_type())
        .is_some_and(|ty| ty == MESSAGE_PUBLISHED || storage::change_of(ty).is_some());
    if blob_or_message {
        if let Some(event) = neutral(&mapping::to_cloudevent(legacy)?)? {
            return Ok(event);
        }
    }
    Ok(Event::Invoke(legacy.to_json()))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::test_support::headers;

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
        let mut custom = FIRESTORE_CE;
        custom[3] = ("ce-type", "com.example.audit.v1.logged");
        let decoded = run(SignatureType::CloudEvent, &custom, json!({"who": "me"})).unwrap();
        let Event::Invoke(payload) = decoded.event else {
            panic!()
        };
        assert_eq!(payload["subject"], "documents/users/u1");
        assert_eq!(payload["data"], json!({"who": "me"}));
        assert_eq!(decoded.id.as_deref(), Some("fs-9"));
        assert_eq!(decoded.trace, None);
        assert!(
            matches!(decoded.form, Form::Cloud(ref ce) if ce.ty == "com.example.audit.v1.logged")
        );
        let mut traced = FIRESTORE_CE.to_vec();
        traced.push((
            "ce-traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ));
        let decoded = run(SignatureType::Event, &traced, json!({})).unwrap();
        assert_eq!(
            decoded.trace.map(|t| t.trace_id).as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
    }

    #[test]
    fn firestore_events_are_changes_for_both_signatures_each_with_its_form() {
        let data = json!({"oldValue": {"name": "projects/acme/databases/(default)/documents/users/u1",
                                       "fields": {"n": {"integerValue": "1"}}}});
        let decoded = run(SignatureType::Event, &FIRESTORE_CE, data.clone()).unwrap();
        let Event::Change(change) = decoded.event else {
            panic!()
        };
        assert_eq!(
            (change.source.as_str(), change.old),
            ("users", Some(json!({"n": 1})))
        );
        let Form::Legacy(legacy) = decoded.form else {
            panic!()
        };
        assert_eq!(
            legacy.to_json(),
            json!({"data": data, "context": {"eventId": "fs-9",
                   "eventType": "providers/cloud.firestore/eventTypes/document.delete",
                   "resource": "projects/acme/databases/(default)/documents/users/u1"}})
        );
        let decoded = run(SignatureType::CloudEvent, &FIRESTORE_CE, data).unwrap();
        assert!(matches!(decoded.event, Event::Change(_)));
        assert!(matches!(
            decoded.form,
            Form::Cloud(_) | Form::CloudUnread(..)
        ));
        // A type without a legacy equivalent is refused by an event function.
        let mut other = FIRESTORE_CE;
        other[3] = ("ce-type", "com.example.custom");
        let err = run(SignatureType::Event, &other, json!({})).unwrap_err();
        assert!(
            err.to_string().starts_with("type: \"com.example.custom\""),
            "{err}"
        );
    }

    #[test]
    fn a_pubsub_message_with_the_schedule_mark_is_a_schedule() {
        let push = json!({"subscription": "projects/p/subscriptions/s",
                          "message": {"data": "e30=", "messageId": "m1", "publishTime": "2026-03-01T02:00:00Z",
                                      "attributes": {"polyfaas_schedule": "nightly"}}});
        for signature in [SignatureType::Event, SignatureType::CloudEvent] {
            let decoded = run(signature, &[], push.clone()).unwrap();
            let Event::Schedule(tick) = decoded.event else {
                panic!()
            };
            assert_eq!(tick.name.as_deref(), Some("nightly"));
            assert_eq!(tick.time.as_deref(), Some("2026-03-01T02:00:00Z"));
        }
        let mut bad = push;
        bad["message"]["publishTime"] = json!("-1");
        let err = run(SignatureType::CloudEvent, &[], bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data.message.publishTime: \"-1\" is not an RFC 3339 date-time"
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
