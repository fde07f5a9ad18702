//! `key=value` parameters that set the fields of a logical event (`--set` on the command line).

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::Value;

use crate::logical::{BlobChange, ChangeOp, Kind, LogicalEvent};

/// A parameter could not be applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParamError {
    /// Not `key=value`.
    #[error("{0:?} is not key=value")]
    Malformed(String),
    /// No such key for this kind of event.
    #[error("{key:?} is not a field of {kind} events; use {valid}")]
    Unknown {
        /// The key.
        key: String,
        /// The event's kind.
        kind: Kind,
        /// The keys there are.
        valid: &'static str,
    },
    /// The value does not fit the key.
    #[error("{key}={value:?}: {reason}")]
    Invalid {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// Why.
        reason: String,
    },
}

/// Ordered `key=value` parameters; later ones win, except that repeated `header.<name>` and
/// `attribute.<name>` keys add values.
///
/// | kind | keys |
/// |---|---|
/// | http | `method`, `path`, `query`, `header.<name>` (the first replaces the sample's values, more add values), `body` (text; sets `content-length`), `body_base64`, `source_ip` |
/// | blob | `change` (`created`, `deleted`), `store` (or `bucket`, `container`), `key`, `size`, `etag`, `content_type`, `content` / `content_base64` (the object's bytes; sets `size`) |
/// | message | `id`, `source` (or `queue`, `topic`, `stream`), `body`, `body_base64`, `attribute.<name>` |
/// | change | `id`, `source` (or `table`, `collection`), `op`, `key`, `key.<field>`, `old.<field>`, `new.<field>` (JSON values, or text) |
/// | schedule | `name`, `time` |
/// | authorize | `token`, `resource`, `request` (empty: no request), and the http keys, which set the request's |
/// | invoke | `payload` (JSON), `payload.<field>` (a JSON value, or text) |
///
/// An empty value sets an optional field to null.
///
/// ```
/// use polyfaas_testkit::Params;
///
/// let params = Params::parse(["bucket=photos", "key=cats/tom.png", "size=1024"])?;
/// assert_eq!(params.get("key"), Some("cats/tom.png"));
/// assert!(Params::parse(["no-equals"]).is_err());
/// # Ok::<(), polyfaas_testkit::sample::ParamError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

const HTTP_KEYS: &str = "method, path, query, header.<name>, body, body_base64, source_ip";
const BLOB_KEYS: &str =
    "change, store (bucket, container), key, size, etag, content_type, content, content_base64";
const MESSAGE_KEYS: &str = "id, source (queue, topic, stream), body, body_base64, attribute.<name>";
const CHANGE_KEYS: &str =
    "id, source (table, collection), op, key, key.<field>, old.<field>, new.<field>";
const SCHEDULE_KEYS: &str = "name, time";
const INVOKE_KEYS: &str = "payload, payload.<field>";
const AUTHORIZE_KEYS: &str =
    "token, resource, request (empty: none), and the http keys for the request";

impl Params {
    /// No parameters.
    pub fn new() -> Params {
        Params::default()
    }

    /// Reads `key=value` strings.
    pub fn parse<I, S>(args: I) -> Result<Params, ParamError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut params = Params::new();
        for arg in args {
            let arg = arg.as_ref();
            let (key, value) = arg
                .split_once('=')
                .ok_or_else(|| ParamError::Malformed(arg.to_owned()))?;
            params = params.set(key.trim(), value);
        }
        Ok(params)
    }

    /// Adds one parameter.
    #[must_use]
    pub fn set(mut self, key: impl Into<String>, value: impl Into<String>) -> Params {
        self.pairs.push((key.into(), value.into()));
        self
    }

    /// The last value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The parameters in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The object's bytes a blob sample sends (`content` or `content_base64`), if given.
    pub fn blob_content(&self) -> Result<Option<Vec<u8>>, ParamError> {
        let mut content = None;
        for (key, value) in self.iter() {
            match key {
                "content" => content = Some(value.as_bytes().to_vec()),
                "content_base64" => content = Some(decode_base64(key, value)?),
                _ => {}
            }
        }
        Ok(content)
    }

    /// Applies the parameters to `event`.
    pub fn apply(&self, event: &mut LogicalEvent) -> Result<(), ParamError> {
        let mut replaced = std::collections::BTreeSet::new();
        let mut body_set = false;
        let mut request_params = Params::new();
        for (key, value) in self.iter() {
            let invalid = |reason: &dyn fmt::Display| ParamError::Invalid {
                key: key.to_owned(),
                value: value.to_owned(),
                reason: reason.to_string(),
            };
            let unknown = |kind: Kind, valid| ParamError::Unknown {
                key: key.to_owned(),
                kind,
                valid,
            };
            let optional = || (!value.is_empty()).then(|| value.to_owned());
            match event {
                LogicalEvent::Http(http) => match key {
                    "method" => {
                        http::Method::from_bytes(value.as_bytes()).map_err(|e| invalid(&e))?;
                        http.method = value.to_owned();
                    }
                    "path" if value.starts_with('/') => http.path = value.to_owned(),
                    "path" => return Err(invalid(&"a path starts with `/`")),
                    "query" => http.query = value.trim_start_matches('?').to_owned(),
                    "body" => {
                        http.body = value.as_bytes().to_vec();
                        body_set = true;
                    }
                    "body_base64" => {
                        http.body = decode_base64(key, value)?;
                        body_set = true;
                    }
                    "source_ip" => {
                        if !value.is_empty() {
                            value.parse::<std::net::IpAddr>().map_err(|e| invalid(&e))?;
                        }
                        http.source_ip = optional();
                    }
                    _ => match key.strip_prefix("header.") {
                        Some(name) if !name.is_empty() => {
                            let name = name.to_ascii_lowercase();
                            http::HeaderName::from_bytes(name.as_bytes())
                                .map_err(|e| invalid(&e))?;
                            http::HeaderValue::from_str(value).map_err(|e| invalid(&e))?;
                            let values = http.headers.entry(name.clone()).or_default();
                            if replaced.insert(name) {
                                values.clear();
                            }
                            if !value.is_empty() {
                                values.push(value.to_owned());
                            }
                        }
                        _ => return Err(unknown(Kind::Http, HTTP_KEYS)),
                    },
                },
                LogicalEvent::Blob(blob) => match key {
                    "store" | "bucket" | "container" => blob.store = value.to_owned(),
                    "key" => blob.key = value.to_owned(),
                    "change" => {
                        blob.change = match value {
                            "created" => BlobChange::Created,
                            "deleted" => BlobChange::Deleted,
                            _ => return Err(invalid(&"created or deleted")),
                        }
                    }
                    "size" if value.is_empty() => blob.size = None,
                    "size" => blob.size = Some(value.parse().map_err(|e| invalid(&e))?),
                    "etag" => blob.etag = optional(),
                    "content_type" => blob.content_type = optional(),
                    "content" => blob.size = Some(value.len() as u64),
                    "content_base64" => {
                        blob.size = Some(decode_base64(key, value)?.len() as u64);
                    }
                    _ => return Err(unknown(Kind::Blob, BLOB_KEYS)),
                },
                LogicalEvent::Message(message) => match key {
                    "id" => message.id = value.to_owned(),
                    "source" | "queue" | "topic" | "stream" => message.source = value.to_owned(),
                    "body" => message.body = value.as_bytes().to_vec(),
                    "body_base64" => message.body = decode_base64(key, value)?,
                    _ => match key.strip_prefix("attribute.") {
                        Some(name) if !name.is_empty() => {
                            if value.is_empty() {
                                message.attributes.remove(name);
                            } else {
                                message.attributes.insert(name.to_owned(), value.to_owned());
                            }
                        }
                        _ => return Err(unknown(Kind::Message, MESSAGE_KEYS)),
                    },
                },
                LogicalEvent::Change(change) => match key {
                    "id" => change.id = value.to_owned(),
                    "source" | "table" | "collection" => change.source = value.to_owned(),
                    "op" => {
                        change.op = match value {
                            "insert" => ChangeOp::Insert,
                            "modify" => ChangeOp::Modify,
                            "remove" => ChangeOp::Remove,
                            "upsert" => ChangeOp::Upsert,
                            _ => return Err(invalid(&"insert, modify, remove or upsert")),
                        }
                    }
                    "key" | "old" | "new" => {
                        let slot = match key {
                            "key" => &mut change.key,
                            "old" => &mut change.old,
                            _ => &mut change.new,
                        };
                        *slot = (!value.is_empty()).then(|| json_or_text(value));
                    }
                    _ => {
                        let (slot, field) = if let Some(field) = key.strip_prefix("key.") {
                            (&mut change.key, field)
                        } else if let Some(field) = key.strip_prefix("old.") {
                            (&mut change.old, field)
                        } else if let Some(field) = key.strip_prefix("new.") {
                            (&mut change.new, field)
                        } else {
                            return Err(unknown(Kind::Change, CHANGE_KEYS));
                        };
                        set_member(slot, field, value).map_err(|reason| invalid(&reason))?;
                    }
                },
                LogicalEvent::Schedule(tick) => match key {
                    "name" => tick.name = optional(),
                    "time" => tick.time = optional(),
                    _ => return Err(unknown(Kind::Schedule, SCHEDULE_KEYS)),
                },
                LogicalEvent::Authorize(auth) => match key {
                    "token" => auth.token = optional(),
                    "resource" => auth.resource = value.to_owned(),
                    "request" if value.is_empty() => auth.request = None,
                    "request" => return Err(invalid(&"only an empty value (no request)")),
                    _ if auth.request.is_some() => {
                        request_params
                            .pairs
                            .push((key.to_owned(), value.to_owned()));
                    }
                    _ => return Err(unknown(Kind::Authorize, AUTHORIZE_KEYS)),
                },
                LogicalEvent::Invoke(payload) => match key {
                    "payload" => {
                        *payload = serde_json::from_str(value).map_err(|e| invalid(&e))?;
                    }
                    _ => match key.strip_prefix("payload.") {
                        Some(field) if !field.is_empty() => {
                            let mut slot = Some(std::mem::take(payload));
                            let result = set_member(&mut slot, field, value);
                            *payload = slot.unwrap_or(Value::Null);
                            result.map_err(|reason| invalid(&reason))?;
                        }
                        _ => return Err(unknown(Kind::Invoke, INVOKE_KEYS)),
                    },
                },
            }
        }
        if let LogicalEvent::Authorize(auth) = event {
            if let Some(request) = auth.request.take() {
                let mut http = LogicalEvent::Http(request);
                request_params.apply(&mut http)?;
                if let LogicalEvent::Http(request) = http {
                    auth.request = Some(request);
                }
            }
        }
        if let (LogicalEvent::Http(http), true) = (event, body_set) {
            if !replaced.contains("content-length") {
                if http.body.is_empty() {
                    http.headers.remove("content-length");
                } else {
                    http.headers.insert(
                        "content-length".to_owned(),
                        vec![http.body.len().to_string()],
                    );
                }
            }
        }
        Ok(())
    }
}

fn decode_base64(key: &str, value: &str) -> Result<Vec<u8>, ParamError> {
    BASE64.decode(value).map_err(|e| ParamError::Invalid {
        key: key.to_owned(),
        value: value.to_owned(),
        reason: format!("not base64: {e}"),
    })
}

/// A JSON value if the text is one, else the text as a string.
fn json_or_text(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// Sets `field` of the object in `slot` (made an object if it is empty); an empty value removes it.
fn set_member(slot: &mut Option<Value>, field: &str, value: &str) -> Result<(), String> {
    let object = slot.get_or_insert_with(|| Value::Object(serde_json::Map::new()));
    if object.is_null() {
        *object = Value::Object(serde_json::Map::new());
    }
    let Value::Object(map) = object else {
        return Err(format!(
            "the value is {object}, not an object to set {field} in"
        ));
    };
    if value.is_empty() {
        map.remove(field);
    } else {
        map.insert(field.to_owned(), json_or_text(value));
    }
    Ok(())
}
