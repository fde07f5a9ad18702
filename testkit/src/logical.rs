//! One logical event, independent of any platform: the `event` of DESIGN.md's canonical JSON,
//! as data the encoders read.
//!
//! ```json
//! { "kind": "http", "method": "POST", "path": "/items/7", "query": "a=1&a=2",
//!   "headers": { "content-type": ["text/plain"] }, "body_base64": "aGk=", "source_ip": null }
//! { "kind": "blob", "change": "created", "store": "uploads", "key": "a/b.txt",
//!   "size": 3, "etag": null, "content_type": null }
//! { "kind": "message", "id": "m1", "source": "orders", "body_base64": "aGk=", "attributes": {} }
//! { "kind": "change", "id": "e1", "source": "users", "op": "modify",
//!   "key": {"id": "u1"}, "old": {"n": 1}, "new": {"n": 2} }
//! { "kind": "schedule", "name": "nightly", "time": "2024-05-01T02:00:00Z" }
//! { "kind": "authorize", "token": "Bearer x", "resource": "arn:aws:execute-api:...",
//!   "request": { "kind": "http", ... } }
//! { "kind": "invoke", "payload": {"any": "json"} }
//! ```
//!
//! This is the same JSON `polyfaas_core::canonical` reads and echo writes, plus the `change` kind
//! DESIGN.md defines for database change streams (which the core does not decode yet: the
//! encoders can already produce DynamoDB, Firestore and Cosmos DB records from it). Reading is
//! strict: an unknown field, a wrong type or a bad value is an [`EventError`] naming the field.
//! Optional fields may be left out; `local_sha256` (which echo adds to blob events) is accepted
//! and ignored.
//!
//! ```
//! use polyfaas_testkit::logical::LogicalEvent;
//!
//! let event = LogicalEvent::from_json(serde_json::json!(
//!     {"kind": "message", "id": "1", "source": "orders", "body_base64": "aGk="}))?;
//! let LogicalEvent::Message(message) = &event else { unreachable!() };
//! assert_eq!(message.body, b"hi");
//! assert_eq!(event.to_json()["attributes"], serde_json::json!({}));
//!
//! let err = LogicalEvent::from_json(serde_json::json!({"kind": "http", "method": "GET", "path": 5}));
//! assert_eq!(err.unwrap_err().to_string(), "event.path: invalid type: integer `5`, expected a string");
//! # Ok::<(), polyfaas_testkit::logical::EventError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A logical event could not be read; the message names the field.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The text is not JSON.
    #[error("the event is not valid JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// The JSON is not an object with a `kind`.
    #[error("the event must be a JSON object with a \"kind\" field; got {0}")]
    NotAnEvent(&'static str),
    /// `kind` names no event kind.
    #[error(
        "event.kind: unknown kind {0:?}; expected http, blob, message, change, schedule, authorize or invoke"
    )]
    UnknownKind(String),
    /// A field is missing, has the wrong type or an invalid value.
    #[error("event.{field}: {reason}")]
    Field {
        /// The field's path, such as `headers.x-a[1]`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl EventError {
    pub(crate) fn field(field: impl Into<String>, reason: impl fmt::Display) -> Self {
        EventError::Field {
            field: field.into(),
            reason: reason.to_string(),
        }
    }
}

/// The kinds of logical event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `http`.
    Http,
    /// `blob`.
    Blob,
    /// `message`.
    Message,
    /// `change`.
    Change,
    /// `schedule`.
    Schedule,
    /// `authorize`.
    Authorize,
    /// `invoke`.
    Invoke,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 7] = [
        Kind::Http,
        Kind::Blob,
        Kind::Message,
        Kind::Change,
        Kind::Schedule,
        Kind::Authorize,
        Kind::Invoke,
    ];

    /// The kind's name in the canonical JSON.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Http => "http",
            Kind::Blob => "blob",
            Kind::Message => "message",
            Kind::Change => "change",
            Kind::Schedule => "schedule",
            Kind::Authorize => "authorize",
            Kind::Invoke => "invoke",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One logical event; see the [module docs](self).
#[derive(Clone, Debug, PartialEq)]
pub enum LogicalEvent {
    /// An HTTP request.
    Http(HttpEvent),
    /// An object created in or deleted from a bucket or container.
    Blob(BlobEvent),
    /// One message from a queue, topic or stream.
    Message(MessageEvent),
    /// One record of a database change stream.
    Change(ChangeEvent),
    /// A timer fired.
    Schedule(ScheduleEvent),
    /// An API asks whether to let a caller in (API Gateway authorizers).
    Authorize(AuthorizeEvent),
    /// A direct invocation with a JSON payload.
    Invoke(Value),
}

/// An HTTP request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpEvent {
    /// The method, upper-case.
    pub method: String,
    /// The path the client asked for, percent-decoded.
    pub path: String,
    /// The raw query string without `?` (`""` for none), order kept.
    pub query: String,
    /// Lower-case header names, each with every value in order.
    pub headers: BTreeMap<String, Vec<String>>,
    /// The body.
    pub body: Vec<u8>,
    /// The client's address, where the platform tells it.
    pub source_ip: Option<String>,
}

impl HttpEvent {
    /// The values of one header (none when absent).
    pub fn header(&self, name: &str) -> &[String] {
        self.headers.get(name).map_or(&[], Vec::as_slice)
    }

    /// The first value of one header.
    pub fn first_header(&self, name: &str) -> Option<&str> {
        self.header(name).first().map(String::as_str)
    }
}

/// Whether a blob was created or deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlobChange {
    /// Created or overwritten.
    Created,
    /// Deleted.
    Deleted,
}

/// An object created in or deleted from a bucket or container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobEvent {
    /// Created or deleted.
    pub change: BlobChange,
    /// The bucket or container.
    pub store: String,
    /// The object's key.
    pub key: String,
    /// Its size in bytes, where the platform tells it.
    pub size: Option<u64>,
    /// Its ETag, where the platform tells it.
    pub etag: Option<String>,
    /// Its content type, where the platform tells it.
    pub content_type: Option<String>,
}

/// One message from a queue, topic or stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageEvent {
    /// The message's id.
    pub id: String,
    /// The queue, topic or stream.
    pub source: String,
    /// The body.
    pub body: Vec<u8>,
    /// Attributes (stream positions use DESIGN.md's names: `partition_key`, `sequence_number`,
    /// `partition`, `offset`, `enqueued_time`, `delivery_count`).
    pub attributes: BTreeMap<String, String>,
}

impl MessageEvent {
    /// The attribute `name`, or `default` when the message has none.
    pub fn attribute_or(&self, name: &str, default: &str) -> String {
        self.attributes
            .get(name)
            .map_or_else(|| default.to_owned(), Clone::clone)
    }
}

/// What a change record did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeOp {
    /// A record was inserted.
    Insert,
    /// A record was modified.
    Modify,
    /// A record was removed.
    Remove,
    /// Inserted or modified (the source cannot tell which).
    Upsert,
}

impl ChangeOp {
    /// The name in the canonical JSON.
    pub fn name(self) -> &'static str {
        match self {
            ChangeOp::Insert => "insert",
            ChangeOp::Modify => "modify",
            ChangeOp::Remove => "remove",
            ChangeOp::Upsert => "upsert",
        }
    }
}

/// One record of a database change stream.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeEvent {
    /// The event's id.
    pub id: String,
    /// The table or collection path.
    pub source: String,
    /// What happened.
    pub op: ChangeOp,
    /// The record's key, as plain JSON.
    pub key: Option<Value>,
    /// The record before, as plain JSON.
    pub old: Option<Value>,
    /// The record after, as plain JSON.
    pub new: Option<Value>,
}

/// A timer fired.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScheduleEvent {
    /// The schedule's (or rule's, or function's) name.
    pub name: Option<String>,
    /// When it fired (RFC 3339).
    pub time: Option<String>,
}

/// An API asks whether to let a caller in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizeEvent {
    /// The caller's token, where there is one.
    pub token: Option<String>,
    /// What is called: the method or route ARN.
    pub resource: String,
    /// The request being authorized (no body), where the authorizer gets it.
    pub request: Option<HttpEvent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpJson {
    method: String,
    path: String,
    #[serde(default)]
    query: String,
    #[serde(default)]
    headers: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    body_base64: String,
    #[serde(default)]
    source_ip: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlobJson {
    change: BlobChange,
    store: String,
    key: String,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    etag: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
    /// Echo's, accepted and ignored.
    #[serde(default, rename = "local_sha256")]
    _local_sha256: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageJson {
    id: String,
    source: String,
    #[serde(default)]
    body_base64: String,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeJson {
    id: String,
    source: String,
    op: ChangeOp,
    #[serde(default)]
    key: Option<Value>,
    #[serde(default)]
    old: Option<Value>,
    #[serde(default)]
    new: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleJson {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    time: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorizeJson {
    #[serde(default)]
    token: Option<String>,
    resource: String,
    #[serde(default)]
    request: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InvokeJson {
    payload: Value,
}

impl LogicalEvent {
    /// Reads an event from canonical JSON text.
    pub fn from_slice(json: &[u8]) -> Result<LogicalEvent, EventError> {
        LogicalEvent::from_json(serde_json::from_slice(json).map_err(EventError::NotJson)?)
    }

    /// Reads an event from a canonical JSON value.
    pub fn from_json(value: Value) -> Result<LogicalEvent, EventError> {
        let Value::Object(mut map) = value else {
            return Err(EventError::NotAnEvent(match value {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }));
        };
        let kind = match map.remove("kind") {
            Some(Value::String(kind)) => kind,
            Some(_) => return Err(EventError::field("kind", "must be a string")),
            None => return Err(EventError::field("kind", "missing field `kind`")),
        };
        let value = Value::Object(map);
        Ok(match kind.as_str() {
            "http" => {
                let json: HttpJson = parse(value)?;
                if !json.path.starts_with('/') {
                    return Err(EventError::field(
                        "path",
                        format!("{:?} does not start with `/`", json.path),
                    ));
                }
                if http::Method::from_bytes(json.method.as_bytes()).is_err() {
                    return Err(EventError::field(
                        "method",
                        format!("{:?} is not an HTTP method", json.method),
                    ));
                }
                let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for (name, values) in json.headers {
                    if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                        return Err(EventError::field(
                            format!("headers.{name}"),
                            "not a valid header name",
                        ));
                    }
                    headers
                        .entry(name.to_ascii_lowercase())
                        .or_default()
                        .extend(values);
                }
                LogicalEvent::Http(HttpEvent {
                    method: json.method,
                    path: json.path,
                    query: json.query,
                    headers,
                    body: base64(&json.body_base64, "body_base64")?,
                    source_ip: json.source_ip,
                })
            }
            "blob" => {
                let json: BlobJson = parse(value)?;
                LogicalEvent::Blob(BlobEvent {
                    change: json.change,
                    store: json.store,
                    key: json.key,
                    size: json.size,
                    etag: json.etag,
                    content_type: json.content_type,
                })
            }
            "message" => {
                let json: MessageJson = parse(value)?;
                LogicalEvent::Message(MessageEvent {
                    id: json.id,
                    source: json.source,
                    body: base64(&json.body_base64, "body_base64")?,
                    attributes: json.attributes,
                })
            }
            "change" => {
                let json: ChangeJson = parse(value)?;
                LogicalEvent::Change(ChangeEvent {
                    id: json.id,
                    source: json.source,
                    op: json.op,
                    key: json.key,
                    old: json.old,
                    new: json.new,
                })
            }
            "schedule" => {
                let json: ScheduleJson = parse(value)?;
                LogicalEvent::Schedule(ScheduleEvent {
                    name: json.name,
                    time: json.time,
                })
            }
            "authorize" => {
                let json: AuthorizeJson = parse(value)?;
                let request = match json.request {
                    None | Some(Value::Null) => None,
                    Some(mut request) => {
                        // The request's own `kind` may be left out: it is always http.
                        if let Value::Object(map) = &mut request {
                            map.entry("kind").or_insert_with(|| json!("http"));
                        }
                        match LogicalEvent::from_json(request) {
                            Ok(LogicalEvent::Http(http)) => Some(http),
                            Ok(other) => {
                                return Err(EventError::field(
                                    "request.kind",
                                    format!("the request is an http event, not {}", other.kind()),
                                ))
                            }
                            Err(EventError::Field { field, reason }) => {
                                return Err(EventError::field(format!("request.{field}"), reason))
                            }
                            Err(e) => return Err(EventError::field("request", e)),
                        }
                    }
                };
                LogicalEvent::Authorize(AuthorizeEvent {
                    token: json.token,
                    resource: json.resource,
                    request,
                })
            }
            "invoke" => LogicalEvent::Invoke(parse::<InvokeJson>(value)?.payload),
            _ => return Err(EventError::UnknownKind(kind)),
        })
    }

    /// The event's canonical JSON, every field written (`null` where absent), in the order
    /// echo writes them.
    pub fn to_json(&self) -> Value {
        let (kind, fields) = match self {
            LogicalEvent::Http(e) => (
                Kind::Http,
                json!({"method": e.method, "path": e.path, "query": e.query, "headers": e.headers,
                       "body_base64": BASE64.encode(&e.body), "source_ip": e.source_ip}),
            ),
            LogicalEvent::Blob(e) => (
                Kind::Blob,
                json!({"change": e.change, "store": e.store, "key": e.key, "size": e.size,
                       "etag": e.etag, "content_type": e.content_type}),
            ),
            LogicalEvent::Message(e) => (
                Kind::Message,
                json!({"id": e.id, "source": e.source, "body_base64": BASE64.encode(&e.body),
                       "attributes": e.attributes}),
            ),
            LogicalEvent::Change(e) => (
                Kind::Change,
                json!({"id": e.id, "source": e.source, "op": e.op, "key": e.key, "old": e.old,
                       "new": e.new}),
            ),
            LogicalEvent::Schedule(e) => (Kind::Schedule, json!({"name": e.name, "time": e.time})),
            LogicalEvent::Authorize(e) => (
                Kind::Authorize,
                json!({"token": e.token, "resource": e.resource,
                       "request": e.request.clone().map(|r| LogicalEvent::Http(r).to_json())}),
            ),
            LogicalEvent::Invoke(payload) => (Kind::Invoke, json!({ "payload": payload })),
        };
        let mut out = serde_json::Map::new();
        out.insert("kind".to_owned(), Value::String(kind.name().to_owned()));
        if let Value::Object(fields) = fields {
            out.extend(fields);
        }
        Value::Object(out)
    }

    /// The event's kind.
    pub fn kind(&self) -> Kind {
        match self {
            LogicalEvent::Http(_) => Kind::Http,
            LogicalEvent::Blob(_) => Kind::Blob,
            LogicalEvent::Message(_) => Kind::Message,
            LogicalEvent::Change(_) => Kind::Change,
            LogicalEvent::Schedule(_) => Kind::Schedule,
            LogicalEvent::Authorize(_) => Kind::Authorize,
            LogicalEvent::Invoke(_) => Kind::Invoke,
        }
    }
}

fn parse<T: DeserializeOwned>(value: Value) -> Result<T, EventError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if path == "." {
            // A missing or unknown field: serde names it in the message.
            let field = inner.split('`').nth(1).unwrap_or("(event)").to_owned();
            EventError::field(field, inner)
        } else {
            EventError::field(path, inner)
        }
    })
}

fn base64(text: &str, field: &str) -> Result<Vec<u8>, EventError> {
    BASE64
        .decode(text)
        .map_err(|e| EventError::field(field, format!("not valid base64: {e}")))
}
