//! Firestore document events as neutral change records.
//!
//! | CloudEvent type (also `….withAuthContext`) | legacy event type | `op` |
//! |---|---|---|
//! | `google.cloud.firestore.document.v1.created` | `providers/cloud.firestore/eventTypes/document.create` | `insert` |
//! | `google.cloud.firestore.document.v1.updated` | `providers/cloud.firestore/eventTypes/document.update` | `modify` |
//! | `google.cloud.firestore.document.v1.deleted` | `providers/cloud.firestore/eventTypes/document.delete` | `remove` |
//! | `google.cloud.firestore.document.v1.written` | `providers/cloud.firestore/eventTypes/document.write` | `upsert` (whatever happened: `old` / `new` tell) |
//!
//! - `id`: the CloudEvent `id` (legacy: `eventId`);
//! - `key`: the document's path below the database, `users/u1` (from the CloudEvent `subject`
//!   `documents/users/u1`, else its `document` extension, else the documents' `name`; legacy:
//!   the `resource`);
//! - `source`: the document's collection path, the key without its last segment (`users`, or
//!   `users/u1/orders` for a subcollection);
//! - `new` / `old`: the fields of `value` / `oldValue` as plain JSON (below); null when the
//!   event has none (a creation has no old document, a deletion no new one). `updateMask`,
//!   `createTime` and `updateTime` stay in the event (the [`CloudEvent`] or
//!   [`LegacyEvent`] extra).
//!
//! | Firestore value | plain JSON |
//! |---|---|
//! | `stringValue`, `referenceValue` | the string (a reference is the document's full resource name) |
//! | `integerValue` (a decimal string in JSON, int64 in protobuf) | the number; digits beyond what a JSON number holds exactly stay a string |
//! | `doubleValue` | the number; `NaN`, `Infinity`, `-Infinity` are those strings |
//! | `booleanValue`, `nullValue` | `true` / `false`, `null` |
//! | `timestampValue` | the RFC 3339 string (as sent in JSON; UTC with 0, 3, 6 or 9 fraction digits from protobuf) |
//! | `bytesValue` | the bytes as standard base64 |
//! | `geoPointValue` | `{"latitude": <number>, "longitude": <number>}` |
//! | `arrayValue`, `mapValue` | an array of the values, an object of the fields |
//!
//! The data is JSON (`application/json`, what `gcloud eventarc triggers create
//! --event-data-content-type=application/json` asks for) or protobuf (`application/protobuf`,
//! Eventarc's default for Firestore), decoded as `google.events.cloud.firestore.v1.DocumentEventData`
//! with the project's own `.proto` (`providers/gcp/proto`) and prost.

mod direct;
#[rustfmt::skip]
mod proto;
mod value;

use std::borrow::Cow;

use polyfaas_core::{BadInput, Change, ChangeOp};
use prost::Message as _;
use serde_json::{Map, Value};

use crate::cloudevent::{CloudEvent, Data};
use crate::legacy::LegacyEvent;
use crate::mapping;
use proto::google::events::cloud::firestore::v1 as pb;
use value::Path;

/// The CloudEvent types' common prefix.
const TYPE_PREFIX: &str = "google.cloud.firestore.document.v1.";

/// The change a Firestore document CloudEvent type stands for (see the [module docs](self));
/// `None` for any other type.
///
/// ```
/// use polyfaas_core::ChangeOp;
/// use polyfaas_gcp::firestore::op_of;
///
/// assert_eq!(op_of("google.cloud.firestore.document.v1.created"), Some(ChangeOp::Insert));
/// assert_eq!(op_of("google.cloud.firestore.document.v1.written.withAuthContext"), Some(ChangeOp::Upsert));
/// assert_eq!(op_of("google.cloud.storage.object.v1.finalized"), None);
/// ```
pub fn op_of(ty: &str) -> Option<ChangeOp> {
    let ty = ty.strip_suffix(".withAuthContext").unwrap_or(ty);
    match ty.strip_prefix(TYPE_PREFIX)? {
        "created" => Some(ChangeOp::Insert),
        "updated" => Some(ChangeOp::Modify),
        "deleted" => Some(ChangeOp::Remove),
        "written" => Some(ChangeOp::Upsert),
        _ => None,
    }
}

/// The change of a legacy Firestore event type (`providers/cloud.firestore/eventTypes/document.*`).
pub fn legacy_op_of(legacy_type: &str) -> Option<ChangeOp> {
    mapping::cloudevent_type(legacy_type).and_then(op_of)
}

/// The change record of a Firestore document CloudEvent.
///
/// ```
/// use polyfaas_core::ChangeOp;
/// use polyfaas_gcp::cloudevent::{CloudEvent, Data};
/// use serde_json::json;
///
/// let mut ce = CloudEvent::new("e-1", "//firestore.googleapis.com/projects/p/databases/(default)",
///                              "google.cloud.firestore.document.v1.updated");
/// ce.subject = Some("documents/users/u1".into());
/// ce.data = Data::Json(json!({
///     "oldValue": {"name": "projects/p/databases/(default)/documents/users/u1", "fields": {"n": {"integerValue": "1"}}},
///     "value": {"name": "projects/p/databases/(default)/documents/users/u1", "fields": {"n": {"integerValue": "2"}}},
///     "updateMask": {"fieldPaths": ["n"]}}));
/// let change = polyfaas_gcp::firestore::change(&ce)?;
/// assert_eq!((change.source.as_str(), change.op), ("users", ChangeOp::Modify));
/// assert_eq!(change.key, Some(json!("users/u1")));
/// assert_eq!((change.old, change.new), (Some(json!({"n": 1})), Some(json!({"n": 2}))));
/// # Ok::<(), polyfaas_core::BadInput>(())
/// ```
pub fn change(event: &CloudEvent) -> Result<Change, BadInput> {
    let op = op_of(&event.ty).ok_or_else(|| {
        BadInput::at(
            "type",
            format!("{:?} is not a Firestore document event type", event.ty),
        )
    })?;
    let documents = match &event.data {
        Data::None => Documents::default(),
        Data::Json(data) => Documents::from_json(data, "data")?,
        Data::Binary(bytes) => {
            let content_type = event.datacontenttype.as_deref().unwrap_or_default();
            if !is_protobuf(content_type) {
                return Err(BadInput::at(
                    "datacontenttype",
                    format!(
                        "{content_type:?}: Firestore event data is JSON or application/protobuf"
                    ),
                ));
            }
            Documents::from_protobuf(bytes)?
        }
        Data::Text(_) => {
            return Err(BadInput::at(
                "datacontenttype",
                format!(
                    "{:?}: Firestore event data is JSON or application/protobuf, not text",
                    event.datacontenttype.as_deref().unwrap_or_default()
                ),
            ))
        }
    };
    documents_change(event, documents, op)
}

/// [`change`] of an event whose data is still the request `body`, JSON by its content type:
/// read straight from the bytes ([`direct`]), without building the data's JSON tree. `None`
/// when that is not the event's common form (not a Firestore type, data or subject not as
/// expected): [`change`] of the decoded event then decides, and names what is wrong.
///
/// Public for the fuzz target, which checks it against [`change`]; not part of the API.
#[doc(hidden)]
pub fn change_from_body(event: &CloudEvent, body: &[u8]) -> Option<Change> {
    let op = op_of(&event.ty)?;
    let documents = direct::documents(body)?;
    documents_change(event, documents, op).ok()
}

/// The change of `documents`, at the path the event's subject names (else its `document`
/// extension, else the documents' own name).
fn documents_change(
    event: &CloudEvent,
    documents: Documents,
    op: ChangeOp,
) -> Result<Change, BadInput> {
    let path = match event.subject.as_deref() {
        Some(subject) => Cow::Borrowed(subject.strip_prefix("documents/").ok_or_else(|| {
            BadInput::at(
                "subject",
                format!("{subject:?} names no document (documents/<collection>/<id>)"),
            )
        })?),
        None => match event.extensions.get("document").and_then(Value::as_str) {
            Some(document) => Cow::Borrowed(document),
            None => Cow::Owned(documents.path().map(str::to_owned).ok_or_else(|| {
                BadInput::at(
                    "subject",
                    "missing, and neither the `document` attribute nor the data names the document",
                )
            })?),
        },
    };
    documents.into_change(&event.id, &path, op, "subject")
}

/// The change record of a legacy Firestore event (`{"data": {"value", "oldValue", ...},
/// "context": {"eventId", "eventType", "resource", ...}}`).
pub fn legacy_change(event: &LegacyEvent) -> Result<Change, BadInput> {
    let op = legacy_op_of(event.event_type()).ok_or_else(|| {
        BadInput::at(
            "eventType",
            format!(
                "{:?} is not a Firestore document event type",
                event.event_type()
            ),
        )
    })?;
    let resource = match event.resource() {
        Some(Value::String(name)) => Some(name.as_str()),
        Some(Value::Object(resource)) => resource.get("name").and_then(Value::as_str),
        _ => None,
    };
    let documents = match &event.data {
        Value::Null => Documents::default(),
        data => Documents::from_json(data, "data")?,
    };
    let path = match resource {
        Some(name) => Cow::Borrowed(below_documents(name).ok_or_else(|| {
            BadInput::at(
                "resource",
                format!("{name:?} names no document (projects/<p>/databases/<d>/documents/<path>)"),
            )
        })?),
        None => Cow::Owned(
            documents
                .path()
                .map(str::to_owned)
                .ok_or_else(|| BadInput::at("resource", "missing (it names the document)"))?,
        ),
    };
    let id = event.event_id().unwrap_or_default();
    documents.into_change(id, &path, op, "resource")
}

/// `application/protobuf` and its spellings (`application/x-protobuf`,
/// `application/vnd.google.protobuf`).
fn is_protobuf(content_type: &str) -> bool {
    let media = polyfaas_core::shim::media_type(content_type);
    media.is_empty()
        || media.eq_ignore_ascii_case("application/protobuf")
        || media.eq_ignore_ascii_case("application/x-protobuf")
        || media.eq_ignore_ascii_case("application/vnd.google.protobuf")
}

/// The part of a document's resource name after `/documents/`.
fn below_documents(name: &str) -> Option<&str> {
    name.split_once("/documents/").map(|(_, path)| path)
}

/// The documents of one event, their fields already plain JSON.
#[derive(Debug, Default)]
struct Documents {
    new: Option<Document>,
    old: Option<Document>,
}

#[derive(Debug)]
struct Document {
    /// The resource name, when the event gives it.
    name: Option<String>,
    fields: Map<String, Value>,
}

impl Documents {
    /// The JSON form: `{"value": {...}, "oldValue": {...}, "updateMask": {...}}`.
    fn from_json(data: &Value, root: &str) -> Result<Self, BadInput> {
        let Value::Object(data) = data else {
            return Err(BadInput::at(
                root,
                "Firestore event data must be an object with `value` / `oldValue`",
            ));
        };
        let document = |member: &'static str| -> Result<Option<Document>, BadInput> {
            let doc = match data.get(member) {
                None | Some(Value::Null) => return Ok(None),
                Some(Value::Object(doc)) => doc,
                Some(_) => {
                    return Err(BadInput::at(
                        format!("{root}.{member}"),
                        "must be a document object",
                    ))
                }
            };
            let name = match doc.get("name") {
                None | Some(Value::Null) => None,
                Some(Value::String(name)) => Some(name.clone()).filter(|n| !n.is_empty()),
                Some(_) => {
                    return Err(BadInput::at(
                        format!("{root}.{member}.name"),
                        "must be a string",
                    ))
                }
            };
            let fields = match doc.get("fields") {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(fields)) => {
                    value::json_fields(fields, &mut Path::of(&[root, member, "fields"]))?
                }
                Some(_) => {
                    return Err(BadInput::at(
                        format!("{root}.{member}.fields"),
                        "must be an object of Firestore values",
                    ))
                }
            };
            // Eventarc sends `"oldValue": {}` for a creation: no document.
            if name.is_none() && fields.is_empty() && doc.is_empty() {
                return Ok(None);
            }
            Ok(Some(Document { name, fields }))
        };
        Ok(Documents {
            new: document("value")?,
            old: document("oldValue")?,
        })
    }

    /// The protobuf form, `DocumentEventData`.
    fn from_protobuf(bytes: &[u8]) -> Result<Self, BadInput> {
        let data = pb::DocumentEventData::decode(bytes).map_err(|e| {
            BadInput::at(
                "data",
                format!("not a protobuf google.events.cloud.firestore.v1.DocumentEventData: {e}"),
            )
            .with_source(e)
        })?;
        let document =
            |doc: Option<pb::Document>, member: &str| -> Result<Option<Document>, BadInput> {
                let Some(doc) = doc else { return Ok(None) };
                if doc.name.is_empty() && doc.fields.is_empty() && doc.create_time.is_none() {
                    return Ok(None);
                }
                let prefix = format!("data.{member}.fields");
                let fields = value::proto_fields(&doc.fields, &mut Path::new(&prefix))?;
                Ok(Some(Document {
                    name: Some(doc.name).filter(|n| !n.is_empty()),
                    fields,
                }))
            };
        Ok(Documents {
            new: document(data.value, "value")?,
            old: document(data.old_value, "oldValue")?,
        })
    }

    /// The document's path below the database, from the documents' names.
    fn path(&self) -> Option<&str> {
        [&self.new, &self.old]
            .into_iter()
            .flatten()
            .find_map(|doc| doc.name.as_deref().and_then(below_documents))
    }

    fn into_change(
        self,
        id: &str,
        path: &str,
        op: ChangeOp,
        field: &str,
    ) -> Result<Change, BadInput> {
        let segments = path.split('/').count();
        let Some((collection, _)) = path
            .rsplit_once('/')
            .filter(|_| segments.is_multiple_of(2) && !path.split('/').any(str::is_empty))
        else {
            return Err(BadInput::at(
                field,
                format!(
                    "{path:?} is not a document path (<collection>/<id>[/<collection>/<id>...])"
                ),
            ));
        };
        let mut change = Change::new(id, collection, op);
        change.key = Some(Value::String(path.to_owned()));
        change.new = self.new.map(|doc| Value::Object(doc.fields));
        change.old = self.old.map(|doc| Value::Object(doc.fields));
        Ok(change)
    }
}

#[cfg(test)]
mod tests;
