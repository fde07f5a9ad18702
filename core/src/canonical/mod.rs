//! The canonical JSON of every [`Event`], and its inverse.
//!
//! One JSON shape per kind of event, the same on every platform, so the conformance suite can
//! compare what four platforms delivered byte for byte (see DESIGN.md):
//!
//! ```json
//! { "kind": "http", "method": "POST", "path": "/items/7", "query": "a=1&a=2",
//!   "headers": { "x-a": ["1", "2"] }, "body_base64": "aGk=", "source_ip": null }
//! { "kind": "blob", "change": "created", "store": "bucket", "key": "a/b.txt",
//!   "size": 3, "etag": null, "content_type": null, "local_sha256": null }
//! { "kind": "message", "id": "m1", "source": "orders", "body_base64": "", "attributes": {} }
//! { "kind": "change", "id": "e1", "source": "orders", "op": "modify",
//!   "key": {"id": "o-7"}, "old": {"id": "o-7", "total": 10}, "new": {"id": "o-7", "total": 12} }
//! { "kind": "schedule", "name": "nightly", "time": "2024-05-01T02:00:00Z" }
//! { "kind": "authorize", "token": "Bearer x", "resource": "arn:aws:execute-api:...",
//!   "request": { "kind": "http", ... } | null }
//! { "kind": "invoke", "payload": {"any": "json"} }
//! ```
//!
//! - `path` is percent-decoded; `query` is the raw query string, order kept, `""` when none.
//! - `headers` are keyed by lower-case name in sorted order, each with every value in order.
//! - `local_sha256` is filled in by the echo function, which reads the local file; an event
//!   itself always writes `null` there, and reading ignores it.
//!
//! Reading is strict: unknown fields, wrong types and invalid values are errors that name the
//! field ([`BadInput`], with paths under `event`).
//!
//! Directories of events in this JSON, one file each, are the [`record`] format.
//!
//! ```
//! use polyfaas_core::{canonical, Event};
//!
//! let event = canonical::from_slice(br#"{"kind":"message","id":"1","source":"q","body_base64":"aGk="}"#)?;
//! let Event::Message(msg) = &event else { unreachable!() };
//! assert_eq!(&msg.body[..], b"hi");
//! assert_eq!(canonical::to_json(&event)["attributes"], serde_json::json!({}));
//!
//! let err = canonical::from_slice(br#"{"kind":"http","method":"GET","path":5}"#).unwrap_err();
//! assert_eq!(err.to_string(), "event.path: invalid type: integer `5`, expected a string");
//! # Ok::<(), polyfaas_core::BadInput>(())
//! ```

pub mod record;

use std::collections::BTreeMap;
use std::net::IpAddr;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use percent_encoding::{percent_decode_str, utf8_percent_encode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{from_value_at, BadInput};
use crate::event::{
    AuthRequest, BlobChange, BlobEvent, Change, ChangeOp, Event, Message, Request, SourceIp, Tick,
};

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpJson {
    #[serde(skip_deserializing)]
    kind: &'static str,
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

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BlobJson {
    #[serde(skip_deserializing)]
    kind: &'static str,
    change: BlobChange,
    store: String,
    key: String,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    etag: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
    /// Filled in by the echo function; accepted and ignored when read.
    #[serde(default)]
    local_sha256: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageJson {
    #[serde(skip_deserializing)]
    kind: &'static str,
    id: String,
    source: String,
    #[serde(default)]
    body_base64: String,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeJson {
    #[serde(skip_deserializing)]
    kind: &'static str,
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

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorizeJson {
    #[serde(skip_deserializing)]
    kind: &'static str,
    #[serde(default)]
    token: Option<String>,
    resource: String,
    #[serde(default)]
    request: Option<Value>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleJson {
    #[serde(skip_deserializing)]
    kind: &'static str,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    time: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InvokeJson {
    #[serde(skip_deserializing)]
    kind: &'static str,
    payload: Value,
}

/// The canonical JSON of an event.
pub fn to_json(event: &Event) -> Value {
    let json = match event {
        Event::Http(request) => serde_json::to_value(http_json(request)),
        Event::Blob(blob) => serde_json::to_value(BlobJson {
            kind: "blob",
            change: blob.change,
            store: blob.store.clone(),
            key: blob.key.clone(),
            size: blob.size,
            etag: blob.etag.clone(),
            content_type: blob.content_type.clone(),
            local_sha256: None,
        }),
        Event::Message(message) => serde_json::to_value(MessageJson {
            kind: "message",
            id: message.id.clone(),
            source: message.source.clone(),
            body_base64: BASE64.encode(&message.body),
            attributes: message.attributes.clone(),
        }),
        Event::Change(change) => serde_json::to_value(ChangeJson {
            kind: "change",
            id: change.id.clone(),
            source: change.source.clone(),
            op: change.op,
            key: change.key.clone(),
            old: change.old.clone(),
            new: change.new.clone(),
        }),
        Event::Authorize(auth) => serde_json::to_value(AuthorizeJson {
            kind: "authorize",
            token: auth.token.clone(),
            resource: auth.resource.clone(),
            request: auth
                .request
                .as_ref()
                .and_then(|r| serde_json::to_value(http_json(r)).ok()),
        }),
        Event::Schedule(tick) => serde_json::to_value(ScheduleJson {
            kind: "schedule",
            name: tick.name.clone(),
            time: tick.time.clone(),
        }),
        Event::Invoke(payload) => serde_json::to_value(InvokeJson {
            kind: "invoke",
            payload: payload.clone(),
        }),
    };
    // Serialising these plain structs (string keys, no custom impls) cannot fail.
    json.unwrap_or(Value::Null)
}

fn http_json(request: &Request) -> HttpJson {
    let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in request.headers() {
        headers
            .entry(name.as_str().to_owned())
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    HttpJson {
        kind: "http",
        method: request.method().as_str().to_owned(),
        path: percent_decode_str(request.uri().path())
            .decode_utf8_lossy()
            .into_owned(),
        query: request.uri().query().unwrap_or("").to_owned(),
        headers,
        body_base64: BASE64.encode(request.body()),
        source_ip: request
            .extensions()
            .get::<SourceIp>()
            .map(|ip| ip.0.to_string()),
    }
}

/// Reads an event from canonical JSON bytes.
pub fn from_slice(json: &[u8]) -> Result<Event, BadInput> {
    let value: Value = serde_json::from_slice(json)
        .map_err(|e| BadInput::new(format!("the event is not valid JSON: {e}")).with_source(e))?;
    from_json(value)
}

/// Reads an event from a canonical JSON value.
pub fn from_json(value: Value) -> Result<Event, BadInput> {
    let not_an_event = |got: &str| {
        BadInput::new(format!(
            "the event must be a JSON object with a \"kind\" field; got {got}"
        ))
    };
    let kind = match &value {
        Value::Object(map) => match map.get("kind") {
            Some(Value::String(kind)) => kind.clone(),
            Some(_) => return Err(field("kind", "must be a string")),
            None => return Err(field("kind", "missing field `kind`")),
        },
        Value::Array(_) => return Err(not_an_event("an array")),
        Value::String(_) => return Err(not_an_event("a string")),
        Value::Number(_) => return Err(not_an_event("a number")),
        Value::Bool(_) => return Err(not_an_event("a boolean")),
        Value::Null => return Err(not_an_event("null")),
    };
    let mut value = value;
    if let Value::Object(map) = &mut value {
        map.remove("kind");
    }
    match kind.as_str() {
        "http" => http_event(parse(value)?, "event"),
        "blob" => {
            let json: BlobJson = parse(value)?;
            let mut blob = BlobEvent::new(json.change, json.store, json.key);
            blob.size = json.size;
            blob.etag = json.etag;
            blob.content_type = json.content_type;
            Ok(Event::Blob(blob))
        }
        "message" => {
            let json: MessageJson = parse(value)?;
            let mut message = Message::new(
                json.id,
                json.source,
                base64(&json.body_base64, "body_base64")?,
            );
            message.attributes = json.attributes;
            Ok(Event::Message(message))
        }
        "schedule" => {
            let json: ScheduleJson = parse(value)?;
            Ok(Event::Schedule(Tick {
                name: json.name,
                time: json.time,
            }))
        }
        "change" => {
            let json: ChangeJson = parse(value)?;
            let mut change = Change::new(json.id, json.source, json.op);
            change.key = json.key.filter(|v| !v.is_null());
            change.old = json.old.filter(|v| !v.is_null());
            change.new = json.new.filter(|v| !v.is_null());
            Ok(Event::Change(change))
        }
        "authorize" => {
            let json: AuthorizeJson = parse(value)?;
            let mut auth = AuthRequest::new(json.resource);
            auth.token = json.token;
            auth.request = match json.request.filter(|v| !v.is_null()) {
                None => None,
                Some(mut request) => {
                    // The nested request is an http event's canonical JSON.
                    if let Value::Object(map) = &mut request {
                        if map.remove("kind").is_some_and(|k| k != "http") {
                            return Err(field("request.kind", "must be \"http\""));
                        }
                    }
                    let http: HttpJson = from_value_at(request, "event.request")?;
                    match http_event(http, "event.request")? {
                        Event::Http(request) => Some(request),
                        _ => None,
                    }
                }
            };
            Ok(Event::Authorize(auth))
        }
        "invoke" => Ok(Event::Invoke(parse::<InvokeJson>(value)?.payload)),
        _ => Err(field(
            "kind",
            format!("unknown kind {kind:?}; expected \"http\", \"blob\", \"message\", \"change\", \"schedule\", \"authorize\" or \"invoke\""),
        )),
    }
}

/// A problem with one field of the event: `event.<path>: <message>`.
fn field(path: impl AsRef<str>, message: impl Into<String>) -> BadInput {
    BadInput::at(path.as_ref(), message).within("event")
}

fn parse<T: DeserializeOwned>(value: Value) -> Result<T, BadInput> {
    from_value_at(value, "event")
}

/// Moves an error found under `event` to `base`.
fn relocate(error: BadInput, base: &str) -> BadInput {
    match error.path().strip_prefix("event.") {
        Some(rest) if base != "event" => {
            BadInput::at(rest, error.message().to_owned()).within(base)
        }
        _ => error,
    }
}

fn base64(text: &str, name: &str) -> Result<Bytes, BadInput> {
    BASE64
        .decode(text)
        .map(Bytes::from)
        .map_err(|e| field(name, format!("not valid base64: {e}")).with_source(e))
}

/// An http event from its canonical JSON at `base` (`event`, or `event.request` inside an
/// authorize event).
fn http_event(json: HttpJson, base: &str) -> Result<Event, BadInput> {
    let field = |path: &str, message: &dyn std::fmt::Display| {
        BadInput::at(path, message.to_string()).within(base)
    };
    let method = http::Method::from_bytes(json.method.as_bytes()).map_err(|_| {
        field(
            "method",
            &format!("{:?} is not an HTTP method", json.method),
        )
    })?;
    if !json.path.starts_with('/') {
        return Err(field(
            "path",
            &format!("{:?} does not start with `/`", json.path),
        ));
    }
    let mut uri = utf8_percent_encode(&json.path, crate::shim::uri::DECODED_PATH).to_string();
    if !json.query.is_empty() {
        uri.push('?');
        uri.push_str(&json.query);
    }
    let uri: http::Uri = uri.parse().map_err(|e| {
        field(
            "query",
            &format!("{:?} is not a valid query string: {e}", json.query),
        )
    })?;
    let mut request = http::Request::new(
        base64(&json.body_base64, "body_base64").map_err(|e| relocate(e, base))?,
    );
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    for (name, values) in json.headers {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| field(&format!("headers.{name}"), &"not a valid header name"))?;
        for (i, value) in values.iter().enumerate() {
            let value = HeaderValue::from_str(value).map_err(|_| {
                field(
                    &format!("headers.{name}[{i}]"),
                    &"not a valid header value (control characters?)",
                )
            })?;
            request.headers_mut().append(header.clone(), value);
        }
    }
    if let Some(ip) = json.source_ip {
        let ip: IpAddr = ip
            .parse()
            .map_err(|_| field("source_ip", &format!("{ip:?} is not an IP address")))?;
        request.extensions_mut().insert(SourceIp(ip));
    }
    Ok(Event::Http(request))
}

#[cfg(test)]
mod tests;
