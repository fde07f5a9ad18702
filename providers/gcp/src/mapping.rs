//! Legacy event ⇄ CloudEvent, by the Functions Framework mapping rules (conformance
//! `docs/mapping.md`, and what the Go, Node and Python frameworks do where that page differs).
//!
//! Legacy → CloudEvent ([`to_cloudevent`]):
//! - `type` from the event type table ([`cloudevent_type`]); an unknown type is an error.
//! - the service is `context.resource.service`, else follows from the event type's prefix.
//! - `source = "//<service>/<resource part>"`, `subject` = the rest, split per service:
//!   storage `projects/_/buckets/<b>` / `objects/<name>`; Firestore
//!   `projects/<p>/databases/<db>` / `documents/...`; Realtime Database
//!   `projects/_/locations/<loc>/instances/<i>` / `refs/...` (`<loc>` from the event's
//!   `domain`); Analytics `projects/<p>` / `events/<e>`; Auth: the whole resource, subject
//!   `users/<uid>`; Pub/Sub: the whole resource, no subject. A resource that does not fit its
//!   pattern is an error.
//! - `data` unchanged, except Pub/Sub (`{"message": data}` with `messageId` and `publishTime`
//!   filled in where missing) and Auth (`metadata.createdAt → createTime`,
//!   `lastSignedInAt → lastSignInTime`).
//! - Storage: a `#<generation>` suffix on the object name is dropped from the subject, as
//!   mapping.md says (the Go, Node and Python frameworks keep it) — unless the object's
//!   `data.name` really ends that way.
//!
//! CloudEvent → legacy ([`to_legacy`]) is the inverse, for the types in the inverse table.

use polyfaas_core::BadInput;
use serde_json::{json, Map, Value};

use crate::cloudevent::{CloudEvent, Data};
use crate::legacy::LegacyEvent;
pub use crate::names::{
    FIREBASE_AUTH_SERVICE, FIREBASE_DB_SERVICE, FIREBASE_SERVICE, FIRESTORE_SERVICE,
    MESSAGE_PUBLISHED, OBJECT_DELETED, OBJECT_FINALIZED, PUBSUB_MESSAGE_TYPE, PUBSUB_SERVICE,
    STORAGE_SERVICE,
};

/// Legacy type, CloudEvent type, and whether the pair is used for CloudEvent → legacy.
const TYPES: &[(&str, &str, bool)] = &[
    ("google.pubsub.topic.publish", MESSAGE_PUBLISHED, true),
    (
        "providers/cloud.pubsub/eventTypes/topic.publish",
        MESSAGE_PUBLISHED,
        false,
    ),
    ("google.storage.object.finalize", OBJECT_FINALIZED, true),
    (
        "providers/cloud.storage/eventTypes/object.change",
        OBJECT_FINALIZED,
        false,
    ),
    ("google.storage.object.delete", OBJECT_DELETED, true),
    (
        "google.storage.object.archive",
        "google.cloud.storage.object.v1.archived",
        true,
    ),
    (
        "google.storage.object.metadataUpdate",
        "google.cloud.storage.object.v1.metadataUpdated",
        true,
    ),
    (
        "providers/cloud.firestore/eventTypes/document.write",
        "google.cloud.firestore.document.v1.written",
        true,
    ),
    (
        "providers/cloud.firestore/eventTypes/document.create",
        "google.cloud.firestore.document.v1.created",
        true,
    ),
    (
        "providers/cloud.firestore/eventTypes/document.update",
        "google.cloud.firestore.document.v1.updated",
        true,
    ),
    (
        "providers/cloud.firestore/eventTypes/document.delete",
        "google.cloud.firestore.document.v1.deleted",
        true,
    ),
    (
        "providers/firebase.auth/eventTypes/user.create",
        "google.firebase.auth.user.v1.created",
        true,
    ),
    (
        "providers/firebase.auth/eventTypes/user.delete",
        "google.firebase.auth.user.v1.deleted",
        true,
    ),
    (
        "providers/google.firebase.analytics/eventTypes/event.log",
        "google.firebase.analytics.log.v1.written",
        true,
    ),
    (
        "providers/google.firebase.database/eventTypes/ref.create",
        "google.firebase.database.ref.v1.created",
        true,
    ),
    (
        "providers/google.firebase.database/eventTypes/ref.write",
        "google.firebase.database.ref.v1.written",
        true,
    ),
    (
        "providers/google.firebase.database/eventTypes/ref.update",
        "google.firebase.database.ref.v1.updated",
        true,
    ),
    (
        "providers/google.firebase.database/eventTypes/ref.delete",
        "google.firebase.database.ref.v1.deleted",
        true,
    ),
];

/// Legacy event type prefix → service, when the resource does not name one.
const SERVICES_BY_PREFIX: &[(&str, &str)] = &[
    ("providers/cloud.firestore/", FIRESTORE_SERVICE),
    ("providers/google.firebase.analytics/", FIREBASE_SERVICE),
    ("providers/firebase.auth/", FIREBASE_AUTH_SERVICE),
    ("providers/google.firebase.database/", FIREBASE_DB_SERVICE),
    ("providers/cloud.pubsub/", PUBSUB_SERVICE),
    ("providers/cloud.storage/", STORAGE_SERVICE),
    ("google.pubsub", PUBSUB_SERVICE),
    ("google.storage", STORAGE_SERVICE),
];

/// Firebase Auth metadata: legacy name, CloudEvent name.
const AUTH_METADATA: &[(&str, &str)] = &[
    ("createdAt", "createTime"),
    ("lastSignedInAt", "lastSignInTime"),
];

/// The CloudEvent type of a legacy event type.
///
/// ```
/// use polyfaas_gcp::mapping::cloudevent_type;
///
/// assert_eq!(cloudevent_type("google.storage.object.finalize"), Some("google.cloud.storage.object.v1.finalized"));
/// assert_eq!(cloudevent_type("providers/cloud.pubsub/eventTypes/topic.publish"),
///            Some("google.cloud.pubsub.topic.v1.messagePublished"));
/// assert_eq!(cloudevent_type("made.up"), None);
/// ```
pub fn cloudevent_type(legacy_type: &str) -> Option<&'static str> {
    TYPES
        .iter()
        .find(|(legacy, _, _)| *legacy == legacy_type)
        .map(|(_, ce, _)| *ce)
}

/// The legacy event type of a CloudEvent type (the inverse table: the `providers/cloud.pubsub`
/// and `providers/cloud.storage` aliases are never produced).
///
/// ```
/// use polyfaas_gcp::mapping::legacy_type;
///
/// assert_eq!(legacy_type("google.cloud.pubsub.topic.v1.messagePublished"), Some("google.pubsub.topic.publish"));
/// assert_eq!(legacy_type("com.example.thing"), None);
/// ```
pub fn legacy_type(cloudevent_type: &str) -> Option<&'static str> {
    TYPES
        .iter()
        .find(|(_, ce, invertible)| *invertible && *ce == cloudevent_type)
        .map(|(legacy, _, _)| *legacy)
}

/// Converts a legacy event to its CloudEvent (see the module documentation for the rules).
pub fn to_cloudevent(event: &LegacyEvent) -> Result<CloudEvent, BadInput> {
    let legacy_type = event.event_type();
    let ty = cloudevent_type(legacy_type).ok_or_else(|| {
        BadInput::at(
            "eventType",
            format!("{legacy_type:?} is not a legacy event type with a CloudEvent equivalent"),
        )
    })?;
    let (named_service, name) = match event.resource() {
        Some(Value::Object(resource)) => (
            resource
                .get("service")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty()),
            resource.get("name").and_then(Value::as_str),
        ),
        Some(Value::String(name)) => (None, Some(name.as_str())),
        _ => (None, None),
    };
    let service = match named_service {
        Some(service) => service,
        None => SERVICES_BY_PREFIX
            .iter()
            .find(|(prefix, _)| legacy_type.starts_with(prefix))
            .map(|(_, service)| *service)
            .ok_or_else(|| {
                BadInput::at(
                    "resource.service",
                    format!(
                        "missing, and the event type {legacy_type:?} does not tell the service"
                    ),
                )
            })?,
    };
    let name = name.ok_or_else(|| {
        BadInput::at(
            "resource",
            "missing (the CloudEvent source is made from the resource name)",
        )
    })?;
    let id = event
        .event_id()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| BadInput::at("eventId", "missing (it becomes the CloudEvent id)"))?;

    let mut data = event.data.clone();
    let (mut resource, mut subject) = split_resource(service, name, &data)?;
    match service {
        PUBSUB_SERVICE => {
            let mut message = match data {
                Value::Object(message) => message,
                Value::Null => Map::new(),
                _ => {
                    return Err(BadInput::at(
                        "data",
                        "a Pub/Sub message must be a JSON object",
                    ))
                }
            };
            if !message.contains_key("messageId") {
                message.insert("messageId".into(), Value::String(id.to_owned()));
            }
            if let Some(timestamp) = event.timestamp() {
                if !message.contains_key("publishTime") {
                    message.insert("publishTime".into(), Value::String(timestamp.to_owned()));
                }
            }
            let mut wrapped = Map::new();
            if let Some(subscription) = &event.subscription {
                wrapped.insert("subscription".into(), Value::String(subscription.clone()));
            }
            wrapped.insert("message".into(), Value::Object(message));
            data = Value::Object(wrapped);
        }
        FIREBASE_AUTH_SERVICE => {
            rename_metadata(&mut data, false);
            if let Some(uid) = data.get("uid").and_then(Value::as_str) {
                subject = Some(format!("users/{uid}"));
            }
        }
        FIREBASE_DB_SERVICE => {
            let domain = event.domain.as_deref().ok_or_else(|| {
                BadInput::at(
                    "domain",
                    "missing (a Realtime Database event needs it for the location in the CloudEvent source)",
                )
            })?;
            let location = if domain == "firebaseio.com" {
                "us-central1"
            } else {
                domain.split('.').next().unwrap_or_default()
            };
            resource = format!("projects/_/locations/{location}/{resource}");
        }
        _ => {}
    }
    let mut ce = CloudEvent::new(id, format!("//{service}/{resource}"), ty);
    ce.subject = subject;
    ce.time = event.timestamp().map(str::to_owned);
    ce.datacontenttype = Some("application/json".to_owned());
    ce.data = Data::Json(data);
    Ok(ce)
}

/// Splits a legacy resource name into the CloudEvent source's resource part and the subject.
fn split_resource(
    service: &str,
    name: &str,
    data: &Value,
) -> Result<(String, Option<String>), BadInput> {
    let mismatch = |pattern: &str| {
        BadInput::at(
            "resource",
            format!("{name:?} does not match the {service} resource pattern {pattern}"),
        )
    };
    let segments: Vec<&str> = name.split('/').collect();
    let rest = |from: usize| segments[from..].join("/");
    match service {
        STORAGE_SERVICE => {
            const PATTERN: &str = "projects/_/buckets/<bucket>/objects/<name>";
            match segments.as_slice() {
                ["projects", project, "buckets", bucket, "objects", object, ..]
                    if !project.is_empty() && !bucket.is_empty() && !object.is_empty() =>
                {
                    let object = rest(5);
                    let object =
                        strip_generation(&object, data.get("name").and_then(Value::as_str));
                    Ok((
                        format!("projects/{project}/buckets/{bucket}"),
                        Some(format!("objects/{object}")),
                    ))
                }
                _ => Err(mismatch(PATTERN)),
            }
        }
        FIRESTORE_SERVICE => match segments.as_slice() {
            ["projects", project, "databases", database, "documents", first, ..]
                if !project.is_empty() && !database.is_empty() && !first.is_empty() =>
            {
                Ok((
                    format!("projects/{project}/databases/{database}"),
                    Some(format!("documents/{}", rest(5))),
                ))
            }
            _ => Err(mismatch(
                "projects/<project>/databases/(default)/documents/<path>",
            )),
        },
        FIREBASE_DB_SERVICE => match segments.as_slice() {
            ["projects", "_", "instances", instance, "refs", ..]
                if !instance.is_empty() && segments.len() > 5 && !rest(5).is_empty() =>
            {
                Ok((
                    format!("instances/{instance}"),
                    Some(format!("refs/{}", rest(5))),
                ))
            }
            _ => Err(mismatch("projects/_/instances/<instance>/refs/<path>")),
        },
        FIREBASE_SERVICE => match segments.as_slice() {
            ["projects", project, "events", event] if !project.is_empty() && !event.is_empty() => {
                Ok((
                    format!("projects/{project}"),
                    Some(format!("events/{event}")),
                ))
            }
            _ => Err(mismatch("projects/<project>/events/<event>")),
        },
        _ => Ok((name.to_owned(), None)),
    }
}

/// Drops a `#<generation>` suffix from a storage object name, unless the object's own name
/// (`data.name`) really ends that way.
pub(crate) fn strip_generation<'a>(object: &'a str, data_name: Option<&str>) -> &'a str {
    if data_name == Some(object) {
        return object;
    }
    match object.rsplit_once('#') {
        Some((name, generation))
            if !name.is_empty()
                && !generation.is_empty()
                && generation.bytes().all(|b| b.is_ascii_digit()) =>
        {
            name
        }
        _ => object,
    }
}

/// Firebase Auth `metadata` field names: legacy → CloudEvent, or back.
fn rename_metadata(data: &mut Value, to_legacy: bool) {
    let Some(Value::Object(metadata)) = data.get_mut("metadata") else {
        return;
    };
    for (legacy, ce) in AUTH_METADATA {
        let (from, to) = if to_legacy {
            (ce, legacy)
        } else {
            (legacy, ce)
        };
        if let Some(value) = metadata.remove(*from) {
            metadata.insert((*to).to_owned(), value);
        }
    }
}

/// Splits a CloudEvent source `//<service>/<name>`.
fn split_source(source: &str) -> Option<(&str, &str)> {
    let rest = source.strip_prefix("//")?;
    let (service, name) = rest.split_once('/')?;
    (!service.is_empty() && !name.is_empty()).then_some((service, name))
}

/// Converts a CloudEvent of a known Google type to the legacy event an `event` function
/// receives (see the module documentation).
pub fn to_legacy(event: &CloudEvent) -> Result<LegacyEvent, BadInput> {
    let legacy_type = legacy_type(&event.ty).ok_or_else(|| {
        BadInput::at(
            "type",
            format!(
                "{:?} has no legacy event equivalent, so an `event` function cannot receive it (use FUNCTION_SIGNATURE_TYPE=cloudevent)",
                event.ty
            ),
        )
    })?;
    let (service, name) = split_source(&event.source).ok_or_else(|| {
        BadInput::at(
            "source",
            format!(
                "{:?} is not of the form //<service>/<resource>",
                event.source
            ),
        )
    })?;
    let mut data = match &event.data {
        Data::Json(value) => value.clone(),
        Data::None => Value::Null,
        _ => {
            return Err(BadInput::at(
                "data",
                "must be JSON to become a legacy event's data",
            ))
        }
    };
    let with_subject = match &event.subject {
        Some(subject) => format!("{name}/{subject}"),
        None => name.to_owned(),
    };
    let resource = match service {
        PUBSUB_SERVICE => {
            if let Some(message) = data.get_mut("message").map(Value::take) {
                data = message;
            }
            if let Value::Object(message) = &mut data {
                message.remove("messageId");
                message.remove("publishTime");
            }
            json!({ "service": service, "name": name, "type": PUBSUB_MESSAGE_TYPE })
        }
        FIREBASE_AUTH_SERVICE => {
            rename_metadata(&mut data, true);
            Value::String(name.to_owned())
        }
        STORAGE_SERVICE => {
            let mut resource = Map::new();
            resource.insert("name".into(), Value::String(with_subject));
            resource.insert("service".into(), Value::String(service.to_owned()));
            if let Some(kind) = data.get("kind").filter(|k| k.is_string()) {
                resource.insert("type".into(), kind.clone());
            }
            Value::Object(resource)
        }
        FIREBASE_DB_SERVICE => Value::String(without_location(&with_subject)),
        _ => Value::String(with_subject),
    };
    Ok(LegacyEvent::new(
        event.id.clone(),
        event.time.clone(),
        legacy_type,
        resource,
        data,
    ))
}

/// `projects/_/locations/<loc>/instances/...` → `projects/_/instances/...`.
fn without_location(name: &str) -> String {
    if let Some(at) = name.find("/locations/") {
        let after = &name[at + "/locations/".len()..];
        let end = after.find('/').map_or(after.len(), |i| i);
        if end > 0 {
            return format!("{}{}", &name[..at], &after[end..]);
        }
    }
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legacy(value: Value) -> LegacyEvent {
        LegacyEvent::from_json(value, "/").unwrap()
    }

    #[test]
    fn storage_generation_suffixes_are_dropped_unless_they_are_the_name() {
        let event = legacy(
            json!({"context": {"eventId": "g-1", "timestamp": "2021-01-01T00:00:00Z",
            "eventType": "google.storage.object.finalize",
            "resource": {"service": "storage.googleapis.com", "name": "projects/_/buckets/pics/objects/a/b.png#1700000000000001", "type": "storage#object"}},
            "data": {"bucket": "pics", "name": "a/b.png", "generation": "1700000000000001"}}),
        );
        let ce = to_cloudevent(&event).unwrap();
        assert_eq!(
            ce.source,
            "//storage.googleapis.com/projects/_/buckets/pics"
        );
        assert_eq!(ce.subject.as_deref(), Some("objects/a/b.png"));
        assert_eq!(ce.ty, OBJECT_FINALIZED);

        let event = legacy(
            json!({"context": {"eventId": "g-2", "eventType": "google.storage.object.delete",
            "resource": "projects/_/buckets/pics/objects/track#2"}, "data": {"name": "track#2"}}),
        );
        assert_eq!(
            to_cloudevent(&event).unwrap().subject.as_deref(),
            Some("objects/track#2")
        );
        assert_eq!(strip_generation("x#12", None), "x");
        assert_eq!(strip_generation("x#v2", None), "x#v2");
        assert_eq!(strip_generation("#12", None), "#12");
    }

    #[test]
    fn realtime_database_location_comes_from_the_domain() {
        let base = json!({"eventId": "d-1", "timestamp": "t", "eventType": "providers/google.firebase.database/eventTypes/ref.update",
            "resource": "projects/_/instances/shop-db/refs/carts/c1", "data": {"delta": {"qty": 2}}});
        let mut value = base.clone();
        value["domain"] = json!("firebaseio.com");
        let ce = to_cloudevent(&legacy(value)).unwrap();
        assert_eq!(
            ce.source,
            "//firebasedatabase.googleapis.com/projects/_/locations/us-central1/instances/shop-db"
        );
        assert_eq!(ce.subject.as_deref(), Some("refs/carts/c1"));
        let mut value = base.clone();
        value["domain"] = json!("asia-southeast1.firebasedatabase.app");
        let ce = to_cloudevent(&legacy(value)).unwrap();
        assert_eq!(ce.source, "//firebasedatabase.googleapis.com/projects/_/locations/asia-southeast1/instances/shop-db");
        let back = to_legacy(&ce).unwrap();
        assert_eq!(
            back.context["resource"],
            "projects/_/instances/shop-db/refs/carts/c1"
        );
        assert_eq!(
            back.event_type(),
            "providers/google.firebase.database/eventTypes/ref.update"
        );
        let err = to_cloudevent(&legacy(base)).unwrap_err();
        assert!(err.to_string().starts_with("domain: missing"), "{err}");
    }

    #[test]
    fn auth_metadata_is_renamed_both_ways() {
        let event = legacy(
            json!({"eventId": "a-1", "timestamp": "t", "eventType": "providers/firebase.auth/eventTypes/user.delete",
            "resource": "projects/acme", "data": {"uid": "u-42", "metadata": {"createdAt": "c", "lastSignedInAt": "l"}}}),
        );
        let ce = to_cloudevent(&event).unwrap();
        assert_eq!(ce.source, "//firebaseauth.googleapis.com/projects/acme");
        assert_eq!(ce.subject.as_deref(), Some("users/u-42"));
        assert_eq!(
            ce.json_data().unwrap()["metadata"],
            json!({"createTime": "c", "lastSignInTime": "l"})
        );
        let back = to_legacy(&ce).unwrap();
        assert_eq!(back.to_json(), event.to_json());
    }

    #[test]
    fn pubsub_fills_id_and_time_only_where_missing_and_loses_them_on_the_way_back() {
        let event = legacy(
            json!({"eventId": "p-1", "timestamp": "2022-02-02T02:02:02.002Z",
            "eventType": "providers/cloud.pubsub/eventTypes/topic.publish", "resource": "projects/acme/topics/jobs",
            "data": {"@type": PUBSUB_MESSAGE_TYPE, "data": "eA==", "messageId": "original"}}),
        );
        let ce = to_cloudevent(&event).unwrap();
        assert_eq!(
            ce.source,
            "//pubsub.googleapis.com/projects/acme/topics/jobs"
        );
        assert_eq!(ce.subject, None);
        assert_eq!(
            ce.json_data().unwrap(),
            &json!({"message": {"@type": PUBSUB_MESSAGE_TYPE, "data": "eA==",
            "messageId": "original", "publishTime": "2022-02-02T02:02:02.002Z"}})
        );
        let back = to_legacy(&ce).unwrap();
        assert_eq!(back.event_type(), "google.pubsub.topic.publish");
        assert_eq!(
            back.context["resource"],
            json!({"service": PUBSUB_SERVICE, "name": "projects/acme/topics/jobs", "type": PUBSUB_MESSAGE_TYPE})
        );
        assert_eq!(
            back.data,
            json!({"@type": PUBSUB_MESSAGE_TYPE, "data": "eA=="})
        );
    }

    #[test]
    fn firestore_and_analytics_split_and_join() {
        let event = legacy(
            json!({"eventId": "fs-1", "timestamp": "t", "eventType": "providers/cloud.firestore/eventTypes/document.create",
            "resource": "projects/acme/databases/(default)/documents/orders/o-1/lines/2", "data": {"value": {}}}),
        );
        let ce = to_cloudevent(&event).unwrap();
        assert_eq!(
            ce.source,
            "//firestore.googleapis.com/projects/acme/databases/(default)"
        );
        assert_eq!(ce.subject.as_deref(), Some("documents/orders/o-1/lines/2"));
        assert_eq!(to_legacy(&ce).unwrap().to_json(), event.to_json());

        let event = legacy(
            json!({"eventId": "an-1", "timestamp": "t", "eventType": "providers/google.firebase.analytics/eventTypes/event.log",
            "resource": "projects/acme/events/purchase", "data": {"eventDim": []}}),
        );
        let ce = to_cloudevent(&event).unwrap();
        assert_eq!(ce.source, "//firebase.googleapis.com/projects/acme");
        assert_eq!(ce.subject.as_deref(), Some("events/purchase"));
        assert_eq!(to_legacy(&ce).unwrap().to_json(), event.to_json());
    }

    #[test]
    fn conversion_errors_name_the_rule() {
        for (value, expected) in [
            (json!({"eventId": "1", "eventType": "made.up", "resource": "x"}), "eventType: \"made.up\" is not a legacy event type"),
            (json!({"eventId": "1", "eventType": "google.storage.object.finalize", "resource": "buckets/b/o"}), "resource: \"buckets/b/o\" does not match the storage.googleapis.com resource pattern"),
            (json!({"eventId": "1", "eventType": "providers/cloud.firestore/eventTypes/document.write", "resource": "projects/p/documents/x"}), "resource: \"projects/p/documents/x\" does not match"),
            (json!({"eventType": "google.pubsub.topic.publish", "resource": "projects/p/topics/t"}), "eventId: missing"),
            (json!({"eventId": "1", "eventType": "google.pubsub.topic.publish"}), "resource: missing"),
        ] {
            let err = to_cloudevent(&legacy(value.clone())).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{value}: {err}");
        }
        let ce = CloudEvent::new("1", "//x.googleapis.com/a", "com.example.other");
        assert!(to_legacy(&ce)
            .unwrap_err()
            .to_string()
            .starts_with("type: \"com.example.other\" has no legacy"));
        let ce = CloudEvent::new("1", "pubsub", MESSAGE_PUBLISHED);
        assert!(to_legacy(&ce)
            .unwrap_err()
            .to_string()
            .starts_with("source: \"pubsub\" is not of the form"));
    }

    #[test]
    fn locations_are_removed_from_database_names() {
        assert_eq!(
            without_location("projects/_/locations/eu/instances/i/refs/a"),
            "projects/_/instances/i/refs/a"
        );
        assert_eq!(
            without_location("projects/_/instances/i"),
            "projects/_/instances/i"
        );
    }
}
