//! Input the platform sent that cannot become an event: one error type for every decoder, with
//! the path of the field at fault, and [`parse_at`], the one way decoders read JSON.

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::json_path;
use super::BoxError;

/// Input that cannot be turned into an event (malformed JSON, a field of the wrong type, bad
/// base64, a missing header), naming where: the field's path in the platform's own payload
/// (`Records[0].body`, `Data.req.Method`, `ce-id`, `event.headers.x[1]`), and what is wrong.
///
/// Every shim answers it in its platform's error format with the error type `InvalidEvent` and
/// serves the next invocation.
///
/// ```
/// use polyfaas_core::BadInput;
///
/// let err = BadInput::at("body", "isBase64Encoded is true but the body is not base64");
/// assert_eq!(err.to_string(), "body: isBase64Encoded is true but the body is not base64");
/// assert_eq!(err.within("Records[2]").path(), "Records[2].body");
/// assert_eq!(BadInput::new("not UTF-8 text").to_string(), "not UTF-8 text");
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{}", self.describe())]
pub struct BadInput {
    path: String,
    message: String,
    #[source]
    source: Option<BoxError>,
}

impl BadInput {
    /// A problem with the input as a whole.
    pub fn new(message: impl Into<String>) -> Self {
        BadInput::at("", message)
    }

    /// A problem with one field (or header), named by its path.
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        BadInput {
            path: path.into(),
            message: message.into(),
            source: None,
        }
    }

    /// Keeps the error that revealed the problem (a base64 or JSON error) as the source.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The same problem, seen from an enclosing value: `within("Records[0]")` turns `body` into
    /// `Records[0].body`.
    pub fn within(mut self, prefix: &str) -> Self {
        self.path = join_path(prefix, &self.path);
        self
    }

    /// The field's path; empty when the problem is the input as a whole.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }

    fn describe(&self) -> String {
        if self.path.is_empty() {
            self.message.clone()
        } else {
            format!("{}: {}", self.path, self.message)
        }
    }
}

/// `a` + `b` as a field path: `Records[0]` + `body` = `Records[0].body`, `x` + `[1]` = `x[1]`.
///
/// ```
/// use polyfaas_core::shim::join_path;
/// assert_eq!(join_path("Records[0]", "body"), "Records[0].body");
/// assert_eq!(join_path("headers", "[1]"), "headers[1]");
/// assert_eq!(join_path("", "body"), "body");
/// ```
pub fn join_path(prefix: &str, field: &str) -> String {
    if field.is_empty() || field == "." {
        prefix.to_owned()
    } else if prefix.is_empty() {
        field.to_owned()
    } else if field.starts_with('[') {
        format!("{prefix}{field}")
    } else {
        format!("{prefix}.{field}")
    }
}

/// Reads `json` as a `T`; a failure is a [`BadInput`] naming the field under `path` (the place
/// of `json` in the whole input; `""` for the whole input).
///
/// `serde_json` reads it once; when it fails, the field is found from where it stopped (one walk
/// over the text, the same code for every `T`; reading the input again through
/// `serde_path_to_error` would compile every decoded type twice). A missing field is named itself
/// (`requestContext.http`, not its parent), and serde_json's "at line 1 column 80" is dropped: it
/// says nothing to someone reading a field.
///
/// ```
/// use polyfaas_core::shim::parse_at;
///
/// #[derive(serde::Deserialize, Debug)]
/// struct Record { body: String }
/// #[derive(serde::Deserialize, Debug)]
/// struct Batch { #[serde(rename = "Records")] records: Vec<Record> }
///
/// let err = parse_at::<Batch>(br#"{"Records":[{"body":"a"},{"body":7}]}"#, "").unwrap_err();
/// assert_eq!(err.to_string(), "Records[1].body: invalid type: integer `7`, expected a string");
/// let err = parse_at::<Record>(b"{}", "event").unwrap_err();
/// assert_eq!(err.to_string(), "event.body: missing field `body`");
/// ```
pub fn parse_at<'a, T: Deserialize<'a>>(json: &'a [u8], path: &str) -> Result<T, BadInput> {
    serde_json::from_slice(json).map_err(|error| json_error_at(json, path, error))
}

/// The [`BadInput`] for `error`, which `serde_json` returned reading `json` (from a slice, a
/// `&str` or a reader: its line and column are all that is used), naming the field at fault
/// under `path`, as [`parse_at`] does. For a decoder that calls `serde_json` itself (say with
/// `from_str`) without compiling its types a second time for `parse_at`'s reader.
///
/// ```
/// use polyfaas_core::shim::json_error_at;
///
/// #[derive(serde::Deserialize, Debug)]
/// struct Record { body: String }
///
/// let text = r#"{"body": 7}"#;
/// let error = serde_json::from_str::<Record>(text).unwrap_err();
/// let err = json_error_at(text.as_bytes(), "Records[0]", error);
/// assert_eq!(err.to_string(), "Records[0].body: invalid type: integer `7`, expected a string");
/// ```
pub fn json_error_at(json: &[u8], path: &str, error: serde_json::Error) -> BadInput {
    let message = error.to_string();
    let container_level = json_path::is_container_level(&message);
    let found = json_path::offset_of(json, error.line(), error.column())
        .map(|offset| {
            // An error a `deserialize_with` raised after reading its value carries no place of
            // its own: serde_json gives it the end of the object being read, which ends right
            // after the failing member when that was the last one (otherwise the error is placed
            // right after the member). A missing field or a wrong length is the container's own.
            let own = message.starts_with("missing field") || message.starts_with("invalid length");
            let closed = offset > 0 && matches!(json.get(offset - 1), Some(b'}' | b']'));
            let at = if error.is_data() && closed && !own {
                offset - 1
            } else {
                offset
            };
            json_path::path_at(json, at, container_level)
        })
        .unwrap_or_default();
    located(&found, &message, path).with_source(error)
}

/// [`parse_at`] for a JSON value that is already parsed.
///
/// ```
/// use polyfaas_core::shim::from_value_at;
/// let err = from_value_at::<u32>(serde_json::json!("x"), "size").unwrap_err();
/// assert_eq!(err.to_string(), "size: invalid type: string \"x\", expected u32");
/// ```
pub fn from_value_at<T: DeserializeOwned>(
    value: serde_json::Value,
    path: &str,
) -> Result<T, BadInput> {
    serde_path_to_error::deserialize(value).map_err(|e| from_located(e, path))
}

fn from_located(error: serde_path_to_error::Error<serde_json::Error>, base: &str) -> BadInput {
    let found = error.path().to_string();
    let inner = error.into_inner();
    // `?` is serde_path_to_error's segment for a place it could not name (the key of a member
    // that never came, in truncated JSON): name the deepest place it could.
    let mut found = found.as_str();
    while let Some(parent) = found.strip_suffix(".?").or_else(|| found.strip_suffix('?')) {
        found = parent;
    }
    let found = if found == "." { "" } else { found };
    located(found, &inner.to_string(), base).with_source(inner)
}

/// The error `message` (serde's) of the value at `found` (relative to `base`). serde reports a
/// missing field at its parent: the field itself is named. (An unknown field's path already ends
/// with it.)
fn located(found: &str, message: &str, base: &str) -> BadInput {
    let message = strip_position(message);
    let named = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next());
    let field = match named {
        Some(name) => join_path(found, name),
        None => found.to_owned(),
    };
    BadInput::at(join_path(base, &field), message)
}

/// serde_json's " at line 1 column 80" says nothing to someone reading an event's field.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        http: Http,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Http {
        method: String,
    }

    #[test]
    fn fields_are_named_where_they_are() {
        let err = parse_at::<Inner>(br#"{"http":{}}"#, "requestContext").unwrap_err();
        assert_eq!(err.path(), "requestContext.http.method");
        assert_eq!(err.message(), "missing field `method`");
        let err = parse_at::<Inner>(br#"{"http":{"method":"GET","x":1}}"#, "").unwrap_err();
        assert_eq!(err.path(), "http.x");
        let err = parse_at::<Inner>(b"{\"http\":", "").unwrap_err();
        assert_eq!(err.path(), "http");
        // Truncated after a comma: the member that never came has no name.
        let err = parse_at::<Inner>(b"{\"http\":{\"method\":\"GET\"},", "body").unwrap_err();
        assert_eq!(err.to_string(), "body: EOF while parsing a value");
        assert!(!err.to_string().contains("line 1"), "{err}");
        assert!(std::error::Error::source(&err).is_some());
        // A `deserialize_with` that fails after reading its value: the member is named.
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Timed {
            #[serde(deserialize_with = "never")]
            at: u8,
        }
        fn never<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
            match String::deserialize(d)? {
                text if text == "now" => Ok(0),
                text => Err(serde::de::Error::custom(format!("{text:?} is not a time"))),
            }
        }
        let err = parse_at::<Timed>(br#"{"at": "soon"}"#, "").unwrap_err();
        assert_eq!(err.to_string(), "at: \"soon\" is not a time");
        let err = parse_at::<Vec<Timed>>(br#"[{"at": "now"}, {"at": "soon"} ]"#, "x").unwrap_err();
        assert_eq!(err.path(), "x[1].at");
        // Truncated after a member's value: the object is at fault, not the member.
        let err = parse_at::<serde_json::Value>(br#"{"value":{"a":1}"#, "").unwrap_err();
        assert_eq!(err.to_string(), "EOF while parsing an object");
    }
}
