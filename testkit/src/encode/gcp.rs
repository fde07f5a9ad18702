//! Google Cloud requests (gcp.md §3–§6): plain HTTP, Eventarc CloudEvents in binary mode, Pub/Sub
//! pushes, legacy background events, Cloud Scheduler calls; the inverse of `polyfaas-gcp`'s
//! decoders.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::{typed, EncodeError, Form, Input};
use crate::logical::{
    BlobChange, BlobEvent, ChangeEvent, ChangeOp, Kind, LogicalEvent, MessageEvent,
};
use crate::native::{GcpEvent, NativeEvent, Signature};

pub(super) const FORMS: &[Form] = &[
    Form {
        name: "http",
        kind: Kind::Http,
        description: "an HTTP request to an http function",
    },
    Form {
        name: "storage",
        kind: Kind::Blob,
        description: "a Cloud Storage object finalized/deleted CloudEvent (binary mode)",
    },
    Form {
        name: "legacy-storage",
        kind: Kind::Blob,
        description: "a legacy google.storage.object.finalize/delete background event",
    },
    Form {
        name: "pubsub",
        kind: Kind::Message,
        description: "a Pub/Sub messagePublished CloudEvent (binary mode)",
    },
    Form {
        name: "pubsub-push",
        kind: Kind::Message,
        description: "a raw Pub/Sub push to /<topic>",
    },
    Form {
        name: "legacy-pubsub",
        kind: Kind::Message,
        description: "a legacy google.pubsub.topic.publish background event",
    },
    Form {
        name: "firestore",
        kind: Kind::Change,
        description: "a Firestore document CloudEvent (JSON data, binary mode)",
    },
    Form {
        name: "legacy-firestore",
        kind: Kind::Change,
        description: "a legacy providers/cloud.firestore document event",
    },
    Form {
        name: "scheduler",
        kind: Kind::Schedule,
        description: "a Cloud Scheduler HTTP-target call, with the schedule's mark",
    },
    Form {
        name: "cloudevent",
        kind: Kind::Invoke,
        description: "a CloudEvent of a custom type with the payload as its data",
    },
];

pub(super) fn default_form(event: &LogicalEvent) -> Option<&'static str> {
    Some(match event.kind() {
        Kind::Http => "http",
        Kind::Blob => "storage",
        Kind::Message => "pubsub",
        Kind::Change => "firestore",
        Kind::Schedule => "scheduler",
        Kind::Invoke => "cloudevent",
    })
}

const CE_VALUE: &percent_encoding::AsciiSet =
    &percent_encoding::CONTROLS.add(b' ').add(b'"').add(b'%');
const TIME: &str = "2026-03-01T09:00:00.000Z";
/// The header a generated Cloud Scheduler job adds with the schedule's name.
const SCHEDULE_MARK: &str = "x-polyfaas-schedule";
const PROJECT: &str = "polyfaas-testkit";
const GENERATION: &str = "1772355600000000";

pub(super) fn encode(form: &str, mut input: Input<'_>) -> Result<NativeEvent, EncodeError> {
    let (signature, request) = match (form, input.event) {
        ("http", LogicalEvent::Http(http)) => (
            Signature::Http,
            super::local::request(http, &mut input, "a Cloud Run function")?,
        ),
        ("storage", LogicalEvent::Blob(blob)) => {
            check_bucket(blob, &mut input);
            let ty = match blob.change {
                BlobChange::Created => "google.cloud.storage.object.v1.finalized",
                BlobChange::Deleted => "google.cloud.storage.object.v1.deleted",
            };
            let source = format!("//storage.googleapis.com/projects/_/buckets/{}", blob.store);
            let subject = format!("objects/{}", blob.key);
            let attributes = [
                ("id", "7a8b9c0d-0000-4000-8000-t3stk1tb10b1"),
                ("source", source.as_str()),
                ("type", ty),
                ("subject", subject.as_str()),
            ];
            (Signature::CloudEvent, binary(&attributes, &object(blob))?)
        }
        ("legacy-storage", LogicalEvent::Blob(blob)) => {
            check_bucket(blob, &mut input);
            let ty = match blob.change {
                BlobChange::Created => "google.storage.object.finalize",
                BlobChange::Deleted => "google.storage.object.delete",
            };
            let event = json!({
                "context": {
                    "eventId": "7a8b9c0d-0000-4000-8000-t3stk1tb10b2",
                    "timestamp": TIME,
                    "eventType": ty,
                    "resource": {"service": "storage.googleapis.com", "type": "storage#object",
                                 "name": format!("projects/_/buckets/{}/objects/{}", blob.store, blob.key)},
                },
                "data": object(blob),
            });
            (Signature::Event, json_post("/", &event)?)
        }
        ("pubsub", LogicalEvent::Message(message)) => {
            check_topic(message, &mut input);
            let source = format!("//pubsub.googleapis.com/{}", message.source);
            let attributes = [
                ("id", message.id.as_str()),
                ("source", source.as_str()),
                ("type", "google.cloud.pubsub.topic.v1.messagePublished"),
            ];
            let data = json!({
                "message": pubsub_message(message),
                "subscription": format!("projects/{PROJECT}/subscriptions/eventarc-testkit"),
            });
            (Signature::CloudEvent, binary(&attributes, &data)?)
        }
        ("pubsub-push", LogicalEvent::Message(message)) => {
            let path = if is_topic(&message.source) {
                format!("/{}", message.source)
            } else {
                input.lose(
                    "source",
                    "a push names its topic only in the push endpoint's path, as projects/<p>/topics/<t>",
                );
                "/".to_owned()
            };
            let body = json!({
                "message": pubsub_message(message),
                "subscription": format!("projects/{PROJECT}/subscriptions/push-testkit"),
            });
            (Signature::CloudEvent, json_post(&path, &body)?)
        }
        ("legacy-pubsub", LogicalEvent::Message(message)) => {
            check_topic(message, &mut input);
            let mut data = json!({
                "@type": "type.googleapis.com/google.pubsub.v1.PubsubMessage",
                "data": BASE64.encode(&message.body),
            });
            if !message.attributes.is_empty() {
                data["attributes"] = json!(message.attributes);
            }
            let event = json!({
                "context": {
                    "eventId": message.id,
                    "timestamp": TIME,
                    "eventType": "google.pubsub.topic.publish",
                    "resource": {"service": "pubsub.googleapis.com", "name": message.source,
                                 "type": "type.googleapis.com/google.pubsub.v1.PubsubMessage"},
                },
                "data": data,
            });
            (Signature::Event, json_post("/", &event)?)
        }
        ("firestore", LogicalEvent::Change(change)) => {
            input.delivered_as(
                Kind::Invoke,
                "polyfaas-gcp does not decode Firestore events yet: the handler gets the CloudEvent as an invoke payload",
            );
            let (ty, _) = firestore_types(change.op);
            let document = document_path(change)?;
            let source =
                format!("//firestore.googleapis.com/projects/{PROJECT}/databases/(default)");
            let subject = format!("documents/{document}");
            let attributes = [
                ("id", change.id.as_str()),
                ("source", source.as_str()),
                ("type", ty),
                ("subject", subject.as_str()),
            ];
            (
                Signature::CloudEvent,
                binary(&attributes, &firestore_data(change, &document)?)?,
            )
        }
        ("legacy-firestore", LogicalEvent::Change(change)) => {
            input.delivered_as(
                Kind::Invoke,
                "polyfaas-gcp does not decode Firestore events yet: the handler gets the legacy event as an invoke payload",
            );
            let (_, legacy_type) = firestore_types(change.op);
            let document = document_path(change)?;
            let event = json!({
                "data": firestore_data(change, &document)?,
                "context": {
                    "eventId": change.id,
                    "timestamp": TIME,
                    "eventType": legacy_type,
                    "resource": format!("projects/{PROJECT}/databases/(default)/documents/{document}"),
                },
            });
            (Signature::Event, json_post("/", &event)?)
        }
        ("scheduler", LogicalEvent::Schedule(tick)) => {
            input.delivered_as(
                Kind::Http,
                "polyfaas-gcp has no Cloud Scheduler mapping yet: the function gets the HTTP request",
            );
            let mut request = http::Request::new(Bytes::new());
            *request.method_mut() = http::Method::POST;
            *request.uri_mut() = http::Uri::from_static("/");
            let mut headers = vec![
                ("content-type", "application/octet-stream".to_owned()),
                ("user-agent", "Google-Cloud-Scheduler".to_owned()),
                ("x-cloudscheduler", "true".to_owned()),
            ];
            if let Some(name) = &tick.name {
                headers.push((
                    "x-cloudscheduler-jobname",
                    format!("projects/{PROJECT}/locations/europe-west1/jobs/{name}"),
                ));
                // The mark `cargo polyfaas package` puts on its Cloud Scheduler jobs
                // (cli/src/marks.rs: HTTP_HEADER).
                headers.push((SCHEDULE_MARK, name.clone()));
            }
            if let Some(time) = &tick.time {
                headers.push(("x-cloudscheduler-scheduletime", time.clone()));
            }
            for (name, value) in headers {
                let value = http::HeaderValue::from_str(&value)
                    .map_err(|e| EncodeError::invalid(name, e))?;
                request.headers_mut().append(name, value);
            }
            (Signature::Http, request)
        }
        ("cloudevent", LogicalEvent::Invoke(payload)) => {
            input.lose(
                "payload",
                "a cloudevent function gets the whole CloudEvent as the payload; the logical payload is its `data`",
            );
            let attributes = [
                ("id", "7a8b9c0d-0000-4000-8000-t3stk1t1nv0k"),
                ("source", "//polyfaas.dev/testkit"),
                ("type", "dev.polyfaas.testkit.invoke"),
            ];
            (Signature::CloudEvent, binary(&attributes, payload)?)
        }
        (form, event) => {
            return Err(EncodeError::invalid(
                "kind",
                format!("form {form} does not carry {} events", event.kind()),
            ))
        }
    };
    Ok(NativeEvent::Gcp(GcpEvent { signature, request }))
}

/// A binary-mode CloudEvent: `ce-*` headers, JSON data as the body. `attributes` name the
/// event's field each comes from, for the error when a value cannot be a header.
fn binary(attributes: &[(&str, &str)], data: &Value) -> Result<http::Request<Bytes>, EncodeError> {
    let mut request = json_post("/", data)?;
    let headers = request.headers_mut();
    headers.insert("ce-specversion", http::HeaderValue::from_static("1.0"));
    headers.insert("ce-time", http::HeaderValue::from_static(TIME));
    for (name, value) in attributes {
        let header = http::HeaderName::from_bytes(format!("ce-{name}").as_bytes())
            .map_err(|e| EncodeError::invalid(*name, e))?;
        // CloudEvents HTTP binding: space, `"`, `%` and bytes outside printable ASCII are
        // percent-encoded in header values.
        let value = percent_encoding::utf8_percent_encode(value, CE_VALUE).to_string();
        let value = http::HeaderValue::from_str(&value).map_err(|_| {
            EncodeError::invalid(
                *name,
                format!("{value:?} cannot be the ce-{name} header (control characters?)"),
            )
        })?;
        headers.insert(header, value);
    }
    Ok(request)
}

fn json_post(path: &str, body: &Value) -> Result<http::Request<Bytes>, EncodeError> {
    let mut request = http::Request::new(Bytes::from(body.to_string()));
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = path.parse().map_err(|e| {
        EncodeError::invalid("source", format!("{path:?} is not a request path: {e}"))
    })?;
    request.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    Ok(request)
}

fn check_bucket(blob: &BlobEvent, input: &mut Input<'_>) {
    if blob.store.is_empty() || blob.store.contains('/') {
        input.lose("store", "a bucket name has no `/` and is not empty");
    }
}

/// The storage object resource (`data` of storage events).
fn object(blob: &BlobEvent) -> Value {
    let escaped = percent_encoding::utf8_percent_encode(&blob.key, super::text::COMPONENT);
    let mut data = json!({
        "kind": "storage#object",
        "id": format!("{}/{}/{GENERATION}", blob.store, blob.key),
        "selfLink": format!("https://www.googleapis.com/storage/v1/b/{}/o/{escaped}", blob.store),
        "mediaLink": format!(
            "https://storage.googleapis.com/download/storage/v1/b/{}/o/{escaped}?generation={GENERATION}&alt=media",
            blob.store
        ),
        "name": blob.key,
        "bucket": blob.store,
        "generation": GENERATION,
        "metageneration": "1",
        "timeCreated": TIME,
        "updated": TIME,
        "storageClass": "STANDARD",
        "timeStorageClassUpdated": TIME,
    });
    if let Some(size) = blob.size {
        data["size"] = json!(size.to_string());
    }
    if let Some(etag) = &blob.etag {
        data["etag"] = json!(etag);
    }
    if let Some(content_type) = &blob.content_type {
        data["contentType"] = json!(content_type);
    }
    data
}

fn is_topic(source: &str) -> bool {
    let parts: Vec<&str> = source.split('/').collect();
    parts.len() == 4
        && parts[0] == "projects"
        && parts[2] == "topics"
        && !parts[1].is_empty()
        && !parts[3].is_empty()
}

fn check_topic(message: &MessageEvent, input: &mut Input<'_>) {
    if message.source.is_empty() {
        input.lose(
            "source",
            "an empty topic: the shim falls back to the subscription",
        );
    }
}

fn pubsub_message(message: &MessageEvent) -> Value {
    let mut out = json!({
        "@type": "type.googleapis.com/google.pubsub.v1.PubsubMessage",
        "data": BASE64.encode(&message.body),
        "messageId": message.id,
        "publishTime": TIME,
    });
    if !message.attributes.is_empty() {
        out["attributes"] = json!(message.attributes);
    }
    out
}

/// The CloudEvent type and the legacy event type of a change.
fn firestore_types(op: ChangeOp) -> (&'static str, &'static str) {
    match op {
        ChangeOp::Insert => (
            "google.cloud.firestore.document.v1.created",
            "providers/cloud.firestore/eventTypes/document.create",
        ),
        ChangeOp::Modify => (
            "google.cloud.firestore.document.v1.updated",
            "providers/cloud.firestore/eventTypes/document.update",
        ),
        ChangeOp::Remove => (
            "google.cloud.firestore.document.v1.deleted",
            "providers/cloud.firestore/eventTypes/document.delete",
        ),
        ChangeOp::Upsert => (
            "google.cloud.firestore.document.v1.written",
            "providers/cloud.firestore/eventTypes/document.write",
        ),
    }
}

/// `<collection path>/<document id>`: the id is the key (a string, or an object of one string
/// or number).
fn document_path(change: &ChangeEvent) -> Result<String, EncodeError> {
    let id = match &change.key {
        Some(Value::String(id)) => id.clone(),
        Some(Value::Object(map)) if map.len() == 1 => match map.values().next() {
            Some(Value::String(id)) => id.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    if id.is_empty() || id.contains('/') || change.source.is_empty() {
        return Err(EncodeError::invalid(
            "key",
            "a Firestore document is named by its collection (`source`) and an id: a key that is a string or an object of one string",
        ));
    }
    Ok(format!("{}/{id}", change.source.trim_matches('/')))
}

/// `{"oldValue", "value", "updateMask"}` with Firestore documents.
fn firestore_data(change: &ChangeEvent, document: &str) -> Result<Value, EncodeError> {
    let name = format!("projects/{PROJECT}/databases/(default)/documents/{document}");
    let doc = |field: &str, value: &Option<Value>| -> Result<Option<Value>, EncodeError> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => Ok(Some(json!({
                "name": name, "fields": typed::firestore_fields(map),
                "createTime": TIME, "updateTime": TIME,
            }))),
            Some(_) => Err(EncodeError::invalid(
                field,
                "a Firestore document is an object of fields",
            )),
        }
    };
    let mut data = Map::new();
    if let Some(old) = doc("old", &change.old)? {
        data.insert("oldValue".to_owned(), old);
    }
    if let Some(new) = doc("new", &change.new)? {
        data.insert("value".to_owned(), new);
    }
    if let (Some(Value::Object(old)), Some(Value::Object(new))) = (&change.old, &change.new) {
        let mut changed: Vec<&String> = new
            .iter()
            .filter(|(k, v)| old.get(*k) != Some(*v))
            .map(|(k, _)| k)
            .chain(old.keys().filter(|k| !new.contains_key(*k)))
            .collect();
        changed.sort();
        data.insert("updateMask".to_owned(), json!({ "fieldPaths": changed }));
    }
    Ok(Value::Object(data))
}
