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
        name: "firestore-protobuf",
        kind: Kind::Change,
        description: "a Firestore document CloudEvent (application/protobuf DocumentEventData, binary mode)",
    },
    Form {
        name: "legacy-firestore",
        kind: Kind::Change,
        description: "a legacy providers/cloud.firestore document event",
    },
    Form {
        name: "scheduler",
        kind: Kind::Schedule,
        description: "a Cloud Scheduler HTTP-target call with the x-polyfaas-schedule mark",
    },
    Form {
        name: "scheduler-pubsub",
        kind: Kind::Schedule,
        description: "a Cloud Scheduler Pub/Sub-target message (attribute polyfaas_schedule) through Eventarc",
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
        Kind::Authorize => return None,
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
        ("firestore" | "firestore-protobuf", LogicalEvent::Change(change)) => {
            let (ty, _) = firestore_types(change.op);
            let document = document_path(change, &mut input)?;
            let source =
                format!("//firestore.googleapis.com/projects/{PROJECT}/databases/(default)");
            let subject = format!("documents/{document}");
            let attributes = [
                ("id", change.id.as_str()),
                ("source", source.as_str()),
                ("type", ty),
                ("subject", subject.as_str()),
                ("database", "(default)"),
                ("document", document.as_str()),
            ];
            let data = firestore_data(change, &document)?;
            let request = if form == "firestore" {
                binary(&attributes, &data)?
            } else {
                let mut request = binary(&attributes, &data)?;
                *request.body_mut() = Bytes::from(firestore_pb::document_event_data(&data));
                request.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("application/protobuf"),
                );
                request
            };
            (Signature::CloudEvent, request)
        }
        ("legacy-firestore", LogicalEvent::Change(change)) => {
            let (_, legacy_type) = firestore_types(change.op);
            let document = document_path(change, &mut input)?;
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
            let mut request = http::Request::new(Bytes::new());
            *request.method_mut() = http::Method::POST;
            *request.uri_mut() = http::Uri::from_static("/");
            // What a job made by `cargo polyfaas package` sends: the mark, then Cloud
            // Scheduler's own headers (the job id as X-CloudScheduler-JobName).
            let mut headers = vec![
                ("content-type", "application/octet-stream".to_owned()),
                ("user-agent", "Google-Cloud-Scheduler".to_owned()),
                ("x-cloudscheduler", "true".to_owned()),
            ];
            if let Some(name) = &tick.name {
                headers.push((SCHEDULE_MARK, name.clone()));
                headers.push(("x-cloudscheduler-jobname", format!("polyfaas-{name}")));
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
        ("scheduler-pubsub", LogicalEvent::Schedule(tick)) => {
            let mut message = json!({
                "@type": "type.googleapis.com/google.pubsub.v1.PubsubMessage",
                "data": BASE64.encode("{}"),
                "messageId": "7a8b9c0d-0000-4000-8000-t3stk1tt1ck0",
            });
            match &tick.name {
                Some(name) => message["attributes"] = json!({ "polyfaas_schedule": name }),
                None => input.delivered_as(
                    Kind::Message,
                    "a Pub/Sub message is a schedule only with its polyfaas_schedule attribute, which names it",
                ),
            }
            if let Some(time) = &tick.time {
                message["publishTime"] = json!(time);
            }
            let source =
                format!("//pubsub.googleapis.com/projects/{PROJECT}/topics/polyfaas-schedules");
            let attributes = [
                ("id", "7a8b9c0d-0000-4000-8000-t3stk1tt1ck0"),
                ("source", source.as_str()),
                ("type", "google.cloud.pubsub.topic.v1.messagePublished"),
            ];
            let data = json!({
                "message": message,
                "subscription": format!("projects/{PROJECT}/subscriptions/eventarc-schedules"),
            });
            (Signature::CloudEvent, binary(&attributes, &data)?)
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

/// The document's path: the key, when it is `<source>/<id>` (what the shim decodes), else
/// `<source>/<id>` from a key that is an object of one string or number (noted as lost: the
/// key comes back as the path).
fn document_path(change: &ChangeEvent, input: &mut Input<'_>) -> Result<String, EncodeError> {
    let collection = change.source.trim_matches('/');
    let valid_collection = !collection.is_empty()
        && !collection.split('/').count().is_multiple_of(2)
        && !collection.split('/').any(str::is_empty);
    let id = match &change.key {
        // A bare id: the document in `source`.
        Some(Value::String(id)) if !id.contains('/') => {
            input.lose(
                "key",
                "Firestore names a document by its path: the key comes back as \"<collection>/<id>\"",
            );
            id.clone()
        }
        Some(Value::String(path)) => path
            .strip_prefix(collection)
            .and_then(|p| p.strip_prefix('/'))
            .unwrap_or_default()
            .to_owned(),
        Some(Value::Object(map)) if map.len() == 1 => {
            input.lose(
                "key",
                "Firestore names a document by its path: the key comes back as \"<collection>/<id>\"",
            );
            match map.values().next() {
                Some(Value::String(id)) => id.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            }
        }
        _ => String::new(),
    };
    if !valid_collection || id.is_empty() || id.contains('/') {
        return Err(EncodeError::invalid(
            "key",
            "a Firestore document is named by its collection (`source`) and an id: a key that is \"<source>/<id>\", or an object of one string",
        ));
    }
    Ok(format!("{collection}/{id}"))
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

/// `google.events.cloud.firestore.v1.DocumentEventData` on the wire, written from the JSON form
/// the `firestore` form sends, with prost's wire-format primitives: independent of the shim's
/// generated messages, so the two check each other.
mod firestore_pb {
    use prost::encoding::{encode_key, encode_varint, WireType};
    use serde_json::Value;

    /// The protobuf encoding of `data` (`{"value", "oldValue", "updateMask"}`).
    pub(super) fn document_event_data(data: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        for (tag, member) in [(1, "value"), (2, "oldValue")] {
            if let Some(doc) = data.get(member).filter(|d| d.is_object()) {
                message(&mut out, tag, &document(doc));
            }
        }
        if let Some(paths) = data["updateMask"]["fieldPaths"].as_array() {
            let mut mask = Vec::new();
            for path in paths.iter().filter_map(Value::as_str) {
                message(&mut mask, 1, path.as_bytes());
            }
            message(&mut out, 3, &mask);
        }
        out
    }

    /// A length-delimited field.
    fn message(out: &mut Vec<u8>, tag: u32, bytes: &[u8]) {
        encode_key(tag, WireType::LengthDelimited, out);
        encode_varint(bytes.len() as u64, out);
        out.extend_from_slice(bytes);
    }

    fn varint(out: &mut Vec<u8>, tag: u32, value: u64) {
        encode_key(tag, WireType::Varint, out);
        encode_varint(value, out);
    }

    fn double(out: &mut Vec<u8>, tag: u32, value: f64) {
        encode_key(tag, WireType::SixtyFourBit, out);
        out.extend_from_slice(&value.to_le_bytes());
    }

    fn document(doc: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(name) = doc["name"].as_str() {
            message(&mut out, 1, name.as_bytes());
        }
        if let Some(fields) = doc["fields"].as_object() {
            fields_into(&mut out, 2, fields);
        }
        for (tag, member) in [(3, "createTime"), (4, "updateTime")] {
            if let Some(time) = doc[member].as_str().and_then(timestamp) {
                message(&mut out, tag, &time);
            }
        }
        out
    }

    /// A `map<string, Value>`: one entry message (key 1, value 2) per field.
    fn fields_into(out: &mut Vec<u8>, tag: u32, fields: &serde_json::Map<String, Value>) {
        for (name, typed) in fields {
            let mut entry = Vec::new();
            message(&mut entry, 1, name.as_bytes());
            message(&mut entry, 2, &value(typed));
            message(out, tag, &entry);
        }
    }

    /// One typed value (`{"stringValue": "x"}`, ...).
    fn value(typed: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        let Some((ty, inner)) = typed.as_object().and_then(|m| m.iter().next()) else {
            return out;
        };
        match ty.as_str() {
            "nullValue" => varint(&mut out, 11, 0),
            "booleanValue" => varint(&mut out, 1, u64::from(inner.as_bool() == Some(true))),
            "integerValue" => {
                let n = inner
                    .as_str()
                    .and_then(|s| s.parse::<i64>().ok())
                    .or_else(|| inner.as_i64())
                    .unwrap_or_default();
                // int64 on the wire: two's complement as a 64-bit varint.
                varint(&mut out, 2, n as u64);
            }
            "doubleValue" => double(&mut out, 3, inner.as_f64().unwrap_or_default()),
            "timestampValue" => {
                if let Some(time) = inner.as_str().and_then(timestamp) {
                    message(&mut out, 10, &time);
                }
            }
            "stringValue" => message(&mut out, 17, inner.as_str().unwrap_or_default().as_bytes()),
            "referenceValue" => message(&mut out, 5, inner.as_str().unwrap_or_default().as_bytes()),
            "arrayValue" => {
                let mut array = Vec::new();
                for item in inner["values"].as_array().into_iter().flatten() {
                    message(&mut array, 1, &value(item));
                }
                message(&mut out, 9, &array);
            }
            "mapValue" => {
                let mut map = Vec::new();
                if let Some(fields) = inner["fields"].as_object() {
                    fields_into(&mut map, 1, fields);
                }
                message(&mut out, 6, &map);
            }
            _ => {}
        }
        out
    }

    /// `google.protobuf.Timestamp` of `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
    fn timestamp(text: &str) -> Option<Vec<u8>> {
        let text = text.strip_suffix('Z')?;
        let (date, time) = text.split_once('T')?;
        let mut date = date.split('-').map(|p| p.parse::<i64>());
        let (year, month, day) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
        let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
        let mut clock = clock.split(':').map(|p| p.parse::<i64>());
        let (hour, minute, second) = (
            clock.next()?.ok()?,
            clock.next()?.ok()?,
            clock.next()?.ok()?,
        );
        // Days from the civil date (H. Hinnant's algorithm).
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
        let nanos: u64 = format!("{fraction:0<9}").get(..9)?.parse().ok()?;
        let mut out = Vec::new();
        varint(&mut out, 1, seconds as u64);
        if nanos > 0 {
            varint(&mut out, 2, nanos);
        }
        Some(out)
    }
}
