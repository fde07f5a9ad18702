//! The controller's side of web actions (apache/openwhisk `WebActions.scala`), for `.http`
//! requests to a raw web action (`--web raw`):
//! - [`raw_params`]: the request as the `__ow_*` parameters (`__ow_headers` keeps one value per
//!   name: the last, as Scala's `toMap`; `content-type` comes from the entity; `__ow_body` is
//!   base64 for binary media types and for `application/json`, text otherwise, `""` when empty).
//! - [`project`]: the action's result as the HTTP reply (`resultAsHttp`; an application error
//!   projects its `error` field first).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::{json, Map, Value};

/// The HTTP reply the controller would send.
#[derive(Clone, Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers, lower-case names, in order; the content type last.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Reply {
    /// Every value of one header.
    pub fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// For tests: the body as JSON.
    ///
    /// # Panics
    ///
    /// When the body is not JSON, with the status and the body.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "reply body is not JSON ({e}): {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// akka-http's binary media types, as far as these tests need: everything but text/* and the
/// textual application types.
pub(crate) fn is_binary(media: &str) -> bool {
    !(media.starts_with("text/")
        || matches!(
            media,
            "application/json"
                | "application/xml"
                | "application/xhtml+xml"
                | "application/javascript"
                | "application/x-www-form-urlencoded"
        ))
}

fn is_json_family(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json")
}

/// `type/subtype` of a content type, lower-case, without parameters.
pub(crate) fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The parameters of a raw web action for one request. `path` is what follows
/// `<action>.http` (`""` for nothing), percent-encoded; `query` the raw query.
pub fn raw_params(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Value {
    let mut ow_headers = Map::new();
    let mut content_type = None;
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        if name == "content-type" {
            content_type = Some((*value).to_owned());
            continue;
        }
        // Scala's `toMap`: a repeated name keeps its last value.
        ow_headers.insert(name, json!(value));
    }
    if body.is_empty() {
        content_type = None;
    } else if content_type.is_none() {
        content_type = Some("application/octet-stream".to_owned());
    }
    let ow_body = match &content_type {
        None => String::new(),
        Some(ct) => {
            let media = media_type(ct);
            if is_binary(&media) || media == "application/json" {
                BASE64.encode(body)
            } else {
                // akka-http decodes a textual entity with its charset; bytes that are not UTF-8
                // become U+FFFD.
                String::from_utf8_lossy(body).into_owned()
            }
        }
    };
    if let Some(ct) = content_type {
        ow_headers.insert("content-type".to_owned(), json!(ct));
    }
    json!({
        "__ow_method": method.to_ascii_lowercase(),
        "__ow_headers": ow_headers,
        "__ow_path": path,
        "__ow_query": query,
        "__ow_body": ow_body,
    })
}

/// The `.http` projection of an activation result.
pub fn project(result: &Value) -> Reply {
    let bad = |why: &str| Reply {
        status: 400,
        headers: vec![],
        body: format!("invalid media: {why} in {result}").into_bytes(),
    };
    // An application error: the `error` field is projected instead.
    let fields = match result.get("error") {
        Some(error) => error,
        None => result,
    };
    let Some(fields) = fields.as_object() else {
        return bad("not an object");
    };
    let mut headers = Vec::new();
    if let Some(hs) = fields.get("headers") {
        let Some(hs) = hs.as_object() else {
            return bad("headers not an object");
        };
        for (name, value) in hs {
            let values = match value {
                Value::Array(values) => values.clone(),
                single => vec![single.clone()],
            };
            for value in values {
                let text = match value {
                    Value::String(s) => s,
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return bad("invalid header"),
                };
                headers.push((name.to_ascii_lowercase(), text));
            }
        }
    }
    let status = match fields.get("statusCode") {
        None => None,
        Some(Value::Number(n)) => n.as_u64().map(|n| n as u16),
        Some(Value::String(s)) => s.parse().ok(),
        Some(_) => return bad("illegal status code"),
    };
    let content_type = headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .map(|(_, v)| v.clone());
    headers.retain(|(k, _)| k != "content-type");
    match fields.get("body") {
        None | Some(Value::Null) => Reply {
            status: status.unwrap_or(204),
            headers,
            body: vec![],
        },
        Some(Value::String(s)) if s.is_empty() => Reply {
            status: status.unwrap_or(204),
            headers,
            body: vec![],
        },
        Some(Value::String(s)) => {
            let ct = content_type.unwrap_or_else(|| "text/html".to_owned());
            let media = media_type(&ct);
            let body = if is_binary(&media) {
                match BASE64.decode(s) {
                    Ok(bytes) => bytes,
                    Err(_) => return bad("binary body is not base64"),
                }
            } else if is_json_family(&media) && BASE64.decode(s).is_ok() {
                // The legacy rule: JSON bodies that look like base64 are decoded.
                BASE64.decode(s).unwrap_or_default()
            } else {
                s.clone().into_bytes()
            };
            headers.push(("content-type".to_owned(), ct));
            Reply {
                status: status.unwrap_or(200),
                headers,
                body,
            }
        }
        Some(value) => {
            let ct = content_type.unwrap_or_else(|| "application/json".to_owned());
            if !is_json_family(&media_type(&ct)) {
                return bad("a JSON body needs a JSON content type");
            }
            headers.push(("content-type".to_owned(), ct));
            Reply {
                status: status.unwrap_or(200),
                headers,
                body: value.to_string().into_bytes(),
            }
        }
    }
}
