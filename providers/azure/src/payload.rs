//! The host's invocation request `{"Data": {...}, "Metadata": {...}}` and the .NET encodings of
//! its values.
//!
//! The host serialises every scalar binding value with `JsonConvert.SerializeObject` and puts
//! the result in a JSON string, so a queue message `aaaaa` arrives as `"\"aaaaa\""`; byte arrays
//! (blob content) arrive as plain base64, dates as plain ISO-8601 text, objects as real JSON
//! objects. [`text`] undoes the string encoding exactly once; [`bytes()`] decodes base64.

use std::borrow::Cow;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use polyfaas_core::shim::rfc3339;
use polyfaas_core::{BadInput, Extra};
use serde::Serialize;
use serde_json::{Map, Value};

pub use crate::json::get_ci;
use crate::json::{kind_of, take_ci};

/// The envelope's `Metadata` (the trigger's binding data and `sys`), an extra of every
/// invocation: `ctx.extra::<polyfaas_azure::AzureMetadata>()`. Each trigger's typed extra
/// ([`BlobMetadata`](crate::BlobMetadata), [`QueueMetadata`](crate::QueueMetadata),
/// [`EventHubsMetadata`](crate::EventHubsMetadata), ...) reads the same values; this one has
/// everything the host sent, as it sent it (scalars double-encoded). For a batch, the per-record
/// arrays (`SequenceNumberArray`, ...) are left out: each record's values are in its own typed
/// extra.
///
/// ```
/// use polyfaas_azure::AzureMetadata;
/// # let ctx = polyfaas_core::Context::builder(polyfaas_core::Provider::AZURE, "1").build();
/// let retry = ctx.extra::<AzureMetadata>().and_then(|m| m.0.get("RetryContext"));
/// # assert!(retry.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AzureMetadata(pub Map<String, Value>);

impl Extra for AzureMetadata {
    const NAME: &'static str = "azure.metadata";
}

impl AzureMetadata {
    /// The metadata every record of an invocation shares: all of it for a single record; for a
    /// batch, all but the `...Array` keys.
    pub(crate) fn shared(metadata: &Map<String, Value>, batch: bool) -> AzureMetadata {
        AzureMetadata(
            metadata
                .iter()
                .filter(|(k, _)| !(batch && is_array_key(k)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }
}

/// One invocation request, parsed.
#[derive(Clone, Debug, Default)]
pub struct Envelope {
    /// The trigger's value under its binding name, and every input binding's.
    pub data: Map<String, Value>,
    /// The trigger's binding data (minus keys ending in `Trigger`) and `sys`.
    pub metadata: Map<String, Value>,
}

impl Envelope {
    /// Parses the request body. `Metadata` may be absent; `Data` may not.
    pub fn parse(body: &[u8]) -> Result<Envelope, BadInput> {
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            BadInput::new(format!("the request body is not JSON: {e}")).with_source(e)
        })?;
        Envelope::from_value(value)
    }

    /// Takes an already parsed body apart.
    pub fn from_value(value: Value) -> Result<Envelope, BadInput> {
        let mut map = match value {
            Value::Object(map) => map,
            other => {
                return Err(BadInput::new(format!(
                    "the request body is JSON {}, not an object with `Data` and `Metadata`",
                    kind_of(&other)
                )))
            }
        };
        let data = match take_ci(&mut map, "Data") {
            Some(Value::Object(data)) => data,
            Some(other) => {
                return Err(BadInput::at(
                    "Data",
                    format!("must be an object, not {}", kind_of(&other)),
                ))
            }
            None => {
                return Err(BadInput::at(
                    "Data",
                    "missing (the request body must be {\"Data\": {...}, \"Metadata\": {...}})",
                ))
            }
        };
        let metadata = match take_ci(&mut map, "Metadata") {
            Some(Value::Object(metadata)) => metadata,
            Some(Value::Null) | None => Map::new(),
            Some(other) => {
                return Err(BadInput::at(
                    "Metadata",
                    format!("must be an object, not {}", kind_of(&other)),
                ))
            }
        };
        Ok(Envelope { data, metadata })
    }

    /// `Metadata.sys.MethodName`: the function's name, as the host sends it.
    pub fn method_name(&self) -> Option<Cow<'_, str>> {
        let sys = get_ci(&self.metadata, "sys")?;
        let sys = match sys {
            Value::Object(sys) => sys,
            _ => return None,
        };
        get_ci(sys, "MethodName").and_then(text)
    }

    /// `Metadata.sys.UtcNow`.
    pub fn utc_now(&self) -> Option<Cow<'_, str>> {
        match get_ci(&self.metadata, "sys")? {
            Value::Object(sys) => get_ci(sys, "UtcNow").and_then(text),
            _ => None,
        }
    }

    /// A `Metadata` value as text (see [`text`]).
    pub fn metadata_text(&self, key: &str) -> Option<Cow<'_, str>> {
        get_ci(&self.metadata, key).and_then(text)
    }

    /// Checks that `Metadata.sys.MethodName`, when present, names `function`.
    pub fn check_method_name(&self, function: &str) -> Result<(), BadInput> {
        match self.method_name() {
            Some(name) if !name.eq_ignore_ascii_case(function) => Err(BadInput::at(
                "Metadata.sys.MethodName",
                format!(
                    "{name:?} is another function than {function:?}, where the request was sent"
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// A value the host double-encoded, as text: a JSON string holding a JSON string literal is
/// decoded once (`"\"aaaaa\""` → `aaaaa`); any other string is taken as it is (dates, base64,
/// numbers such as `"1"`); numbers and booleans become their JSON text. `None` for null, objects
/// and arrays.
///
/// ```
/// use polyfaas_azure::payload::text;
/// use serde_json::json;
///
/// assert_eq!(text(&json!("\"hello.txt\"")).unwrap(), "hello.txt");
/// assert_eq!(text(&json!("1")).unwrap(), "1");
/// assert_eq!(text(&json!("2022-06-13T06:00:06+00:00")).unwrap(), "2022-06-13T06:00:06+00:00");
/// assert_eq!(text(&json!("\"{\\\"id\\\":7}\"")).unwrap(), "{\"id\":7}");
/// assert_eq!(text(&json!(3)).unwrap(), "3");
/// assert!(text(&json!({"a": 1})).is_none());
/// ```
pub fn text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(undouble(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

pub(crate) fn undouble(s: &str) -> Cow<'_, str> {
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        if let Ok(inner) = serde_json::from_str::<String>(s) {
            return Cow::Owned(inner);
        }
    }
    Cow::Borrowed(s)
}

/// A .NET date-time from the envelope as RFC 3339 text: kept when it is RFC 3339 already
/// (`2026-03-01T09:00:00+00:00`); a `DateTime` the host wrote without an offset
/// (`2026-03-01T09:00:00`, `2026-03-01T09:00:00.1234567`: the trigger's `...Utc` values) is
/// UTC and gets `Z`. Anything else is bad input naming `field`.
///
/// ```
/// use polyfaas_azure::payload::utc_time;
/// assert_eq!(utc_time("2026-03-01T09:00:00.5", "Metadata.EnqueuedTimeUtc").unwrap(), "2026-03-01T09:00:00.5Z");
/// assert_eq!(utc_time("2026-03-01T09:00:00+01:00", "t").unwrap(), "2026-03-01T09:00:00+01:00");
/// assert_eq!(utc_time("yesterday", "t").unwrap_err().to_string(), "t: \"yesterday\" is not a date-time");
/// ```
pub fn utc_time(text: &str, field: &str) -> Result<String, BadInput> {
    if let Ok(time) = rfc3339(text, field) {
        return Ok(time);
    }
    rfc3339(&format!("{text}Z"), field)
        .map_err(|_| BadInput::at(field, format!("{text:?} is not a date-time")))
}

/// A base64 value (blob content, binary bodies) as bytes; `field` names it in the error.
///
/// ```
/// use polyfaas_azure::payload::bytes;
/// assert_eq!(bytes("aGk=", "Data.b").unwrap(), b"hi");
/// assert!(bytes("a*b=", "Data.b").unwrap_err().to_string().starts_with("Data.b: not valid base64"));
/// ```
pub fn bytes(value: &str, field: &str) -> Result<Vec<u8>, BadInput> {
    BASE64
        .decode(value)
        .map_err(|e| BadInput::at(field, format!("not valid base64: {e}")).with_source(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn malformed_envelopes_name_the_problem() {
        let err = |body: &[u8]| Envelope::parse(body).unwrap_err().to_string();
        assert!(err(b"not json").starts_with("the request body is not JSON: expected"));
        assert_eq!(
            err(b"[1]"),
            "the request body is JSON an array, not an object with `Data` and `Metadata`"
        );
        assert!(err(br#"{"Metadata": {}}"#).starts_with("Data: missing (the request body must be"));
        assert_eq!(
            err(br#"{"Data": "x"}"#),
            "Data: must be an object, not a string"
        );
        assert_eq!(
            err(br#"{"Data": {}, "Metadata": 3}"#),
            "Metadata: must be an object, not a number"
        );
    }

    #[test]
    fn sys_method_name_and_case_insensitive_names() {
        let env = Envelope::parse(
            br#"{"data": {"x": 1}, "metadata": {"sys": {"MethodName": "Orders", "UtcNow": "2024-05-01T02:00:00Z"}}}"#,
        )
        .unwrap();
        assert_eq!(env.method_name().unwrap(), "Orders");
        assert_eq!(env.utc_now().unwrap(), "2024-05-01T02:00:00Z");
        assert!(env.check_method_name("orders").is_ok());
        assert_eq!(
            env.check_method_name("other").unwrap_err().to_string(),
            "Metadata.sys.MethodName: \"Orders\" is another function than \"other\", where the request was sent"
        );
    }

    #[test]
    fn decoding_happens_exactly_once() {
        // A message whose text itself is a JSON string literal stays one after one decoding.
        assert_eq!(text(&json!("\"\\\"quoted\\\"\"")).unwrap(), "\"quoted\"");
        // A lone quote character is not a JSON literal: taken as it is.
        assert_eq!(text(&json!("\"")).unwrap(), "\"");
        assert_eq!(text(&json!("\"unterminated")).unwrap(), "\"unterminated");
        assert!(text(&Value::Null).is_none());
    }

    #[test]
    fn bad_base64_names_the_field() {
        assert_eq!(bytes("aGk=", "Data.b").unwrap(), b"hi");
        let err = bytes("a*b=", "Data.b").unwrap_err();
        assert_eq!(err.path(), "Data.b");
        assert!(
            err.to_string().starts_with("Data.b: not valid base64: "),
            "{err}"
        );
        assert!(std::error::Error::source(&err).is_some());
    }
}

/// Whether a `Metadata` key is a batch's per-record array (`...Array`, any case). Compared as
/// bytes: a key whose last five bytes cut a multi-byte character is simply not one.
pub(crate) fn is_array_key(key: &str) -> bool {
    let key = key.as_bytes();
    key.len() > 5 && key[key.len() - 5..].eq_ignore_ascii_case(b"array")
}

#[cfg(test)]
mod array_key_tests {
    use super::is_array_key;

    #[test]
    fn array_keys_are_found_by_bytes_whatever_precedes_them() {
        assert!(is_array_key("OffsetArray"));
        assert!(is_array_key("offsetARRAY"));
        assert!(!is_array_key("Array"));
        assert!(!is_array_key("Offset"));
        // Found by the azure_envelope fuzz target: the last five bytes start inside 'ľ'.
        assert!(!is_array_key("<<\u{13e}<sys"));
        assert!(!is_array_key("\u{13e}<sys"));
        assert!(is_array_key("\u{13e}Array"));
    }
}
