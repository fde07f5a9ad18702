//! A trigger's records, one (`cardinality: one`) or a batch (`cardinality: many`), and each
//! record's metadata.
//!
//! With `cardinality: one`, `Data.<binding>` is the record and `Metadata.<Key>` its metadata,
//! scalars double-encoded as everywhere in the envelope. With `many`, the host serialises the
//! .NET arrays with `JsonConvert.SerializeObject`: `Data.<binding>` and every `Metadata.<Key>Array`
//! arrive as the JSON text of an array, in a string (`"[\"a\",\"b\"]"`, `"[0,1,2]"`); their
//! elements are plain JSON, not double-encoded. A real JSON array is taken too. Element `i` of
//! each array belongs to record `i`.

use std::borrow::Cow;

use bytes::Bytes;
use polyfaas_core::{BadInput, Message};
use serde_json::{Map, Value};

use crate::function_json::FunctionDef;
use crate::json::{get_ci, kind_of};
use crate::payload::{bytes, is_array_key, text, undouble, utc_time, Envelope};

/// One record decoded: its event, how to name it when it fails (`sequence number 42`), and the
/// trigger's typed metadata of it.
#[derive(Debug)]
pub(crate) struct Record<T> {
    pub(crate) event: polyfaas_core::Event,
    pub(crate) label: String,
    pub(crate) extra: T,
}

/// The records of one envelope.
#[derive(Debug)]
pub(crate) struct Records<'a> {
    binding: &'a str,
    items: Vec<Value>,
    many: bool,
    binary: bool,
    metadata: &'a Map<String, Value>,
    /// `Metadata.<Key>Array`: key (as sent), value, its elements (`None`: not an array, which
    /// is an error only if a record's metadata is asked for).
    arrays: Vec<(&'a str, &'a Value, Option<Vec<Value>>)>,
}

impl<'a> Records<'a> {
    /// The records of `function`'s trigger in `envelope`. A batch that is not an array (nor the
    /// JSON text of one) is bad input naming `Data.<binding>`.
    pub(crate) fn read(
        envelope: &'a Envelope,
        function: &'a FunctionDef,
    ) -> Result<Records<'a>, BadInput> {
        let binding = function.trigger.name.as_str();
        let field = format!("Data.{binding}");
        let value = get_ci(&envelope.data, binding)
            .ok_or_else(|| BadInput::at(&field, "missing (the trigger's records)"))?;
        let many = function.trigger.is_many();
        let items = if many {
            array(value, &field)?
        } else {
            vec![value.clone()]
        };
        let arrays = if many {
            envelope
                .metadata
                .iter()
                .filter(|(k, _)| is_array_key(k))
                .map(|(k, v)| (k.as_str(), v, array(v, "").ok()))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Records {
            binding,
            items,
            many,
            binary: function.trigger.is_binary(),
            metadata: &envelope.metadata,
            arrays,
        })
    }

    /// How many records there are.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the trigger delivers batches (`cardinality: many`).
    pub(crate) fn is_batch(&self) -> bool {
        self.many
    }

    /// The path of record `i`'s value: `Data.<binding>` or `Data.<binding>[i]`.
    pub(crate) fn field(&self, i: usize) -> String {
        if self.many {
            format!("Data.{}[{i}]", self.binding)
        } else {
            format!("Data.{}", self.binding)
        }
    }

    /// Record `i`'s value as JSON: a document, or a message's text or base64 as a string. A
    /// single record's string is decoded once (the host double-encodes it).
    pub(crate) fn value(&self, i: usize) -> Result<Cow<'_, Value>, BadInput> {
        let value = self
            .items
            .get(i)
            .ok_or_else(|| BadInput::at(self.field(i), "missing"))?;
        Ok(match value {
            Value::String(s) if !self.many && !self.binary => {
                Cow::Owned(Value::String(undouble(s).into_owned()))
            }
            other => Cow::Borrowed(other),
        })
    }

    /// Record `i`'s body as bytes: base64 decoded with `dataType: binary`, text as its UTF-8,
    /// a JSON value (an older host parses JSON bodies) as its JSON text.
    pub(crate) fn body(&self, i: usize) -> Result<Bytes, BadInput> {
        let value = self.value(i)?;
        Ok(match value.as_ref() {
            Value::String(s) if self.binary => Bytes::from(bytes(s, &self.field(i))?),
            Value::String(s) => Bytes::from(s.clone()),
            Value::Null => Bytes::new(),
            other => Bytes::from(other.to_string()),
        })
    }

    /// Record `i`'s metadata `key`: `Metadata.<key>` for a single record, element `i` of
    /// `Metadata.<key>Array` for a batch; with its path for error messages. `None` when the host
    /// did not send it (or sent null).
    pub(crate) fn meta(&self, i: usize, key: &str) -> Result<Option<(Meta<'_>, String)>, BadInput> {
        if !self.many {
            return Ok(get_ci(self.metadata, key)
                .filter(|v| !v.is_null())
                .map(|v| (Meta::Single(v), format!("Metadata.{key}"))));
        }
        let wanted = format!("{key}Array");
        let Some((name, raw, elements)) = self
            .arrays
            .iter()
            .find(|(k, _, _)| k.eq_ignore_ascii_case(&wanted))
        else {
            return Ok(None);
        };
        let Some(elements) = elements else {
            return Err(array(raw, &format!("Metadata.{name}"))
                .err()
                .unwrap_or_else(|| BadInput::at(format!("Metadata.{name}"), "is not an array")));
        };
        if elements.len() != self.items.len() {
            return Err(BadInput::at(
                format!("Metadata.{name}"),
                format!(
                    "has {} elements for a batch of {} records",
                    elements.len(),
                    self.items.len()
                ),
            ));
        }
        Ok(elements
            .get(i)
            .filter(|v| !v.is_null())
            .map(|v| (Meta::Element(v), format!("Metadata.{name}[{i}]"))))
    }

    /// [`meta`](Self::meta) as text (a number as its digits), without its path.
    pub(crate) fn meta_text(&self, i: usize, key: &str) -> Result<Option<String>, BadInput> {
        Ok(self.meta(i, key)?.and_then(|(m, _)| m.text()))
    }

    /// [`meta`](Self::meta) as a number of type `T`; anything else is bad input naming it
    /// (`what` says what it must be: `a sequence number`).
    pub(crate) fn meta_number<T: std::str::FromStr>(
        &self,
        i: usize,
        key: &str,
        what: &str,
    ) -> Result<Option<T>, BadInput> {
        match self.meta(i, key)? {
            None => Ok(None),
            Some((meta, path)) => meta
                .text()
                .and_then(|t| t.parse().ok())
                .map(Some)
                .ok_or_else(|| BadInput::at(path, format!("must be {what}"))),
        }
    }

    /// The first of `keys` the record has, as an RFC 3339 time ([`utc_time`]: a .NET UTC
    /// `DateTime` without an offset gets `Z`); a value that is not a time is bad input naming it.
    pub(crate) fn meta_time(&self, i: usize, keys: &[&str]) -> Result<Option<String>, BadInput> {
        for key in keys {
            if let Some((meta, path)) = self.meta(i, key)? {
                return utc_time(&meta.text().unwrap_or_default(), &path).map(Some);
            }
        }
        Ok(None)
    }

    /// [`meta`](Self::meta) as an object (`Properties`, `SystemProperties`): an empty map when
    /// absent; anything but an object is bad input naming it.
    pub(crate) fn meta_object(&self, i: usize, key: &str) -> Result<Map<String, Value>, BadInput> {
        match self.meta(i, key)? {
            None => Ok(Map::new()),
            Some((meta, path)) => match meta.value() {
                Value::Object(map) => Ok(map.clone()),
                // A batch's element, or a value an older host serialised: JSON text of an object.
                Value::String(s) => match serde_json::from_str::<Value>(&undouble(s)) {
                    Ok(Value::Object(map)) => Ok(map),
                    _ => Err(BadInput::at(path, "must be an object of properties")),
                },
                other => Err(BadInput::at(
                    path,
                    format!("must be an object of properties, not {}", kind_of(other)),
                )),
            },
        }
    }

    /// The metadata shared by every record (`PartitionContext`, `sys`): `Metadata.<key>`.
    pub(crate) fn shared(&self, key: &str) -> Option<&'a Value> {
        get_ci(self.metadata, key)
    }
}

/// A metadata value: a single record's (double-encoded scalars), or a batch array's element
/// (plain JSON).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Meta<'a> {
    Single(&'a Value),
    Element(&'a Value),
}

impl<'a> Meta<'a> {
    /// The JSON value as sent.
    pub(crate) fn value(self) -> &'a Value {
        match self {
            Meta::Single(v) | Meta::Element(v) => v,
        }
    }

    /// The value as text: a single record's string decoded once, an element's string as it is,
    /// numbers and booleans as their JSON text; `None` for objects and arrays.
    pub(crate) fn text(self) -> Option<String> {
        match self {
            Meta::Single(v) => text(v).map(Cow::into_owned),
            Meta::Element(Value::String(s)) => Some(s.clone()),
            Meta::Element(v) => text(v).map(Cow::into_owned),
        }
    }
}

/// The application properties as attributes (a string as it is, any other value as its JSON
/// text), except where a position attribute of the same name is already set.
pub(crate) fn properties_as_attributes(message: &mut Message, properties: &Map<String, Value>) {
    for (name, value) in properties {
        let value = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        message.attributes.entry(name.clone()).or_insert(value);
    }
}

/// A batch value: a JSON array, or a string holding the JSON text of one (once more
/// JSON-encoded by older hosts).
fn array(value: &Value, field: &str) -> Result<Vec<Value>, BadInput> {
    let bad = |what: &str| {
        BadInput::at(
            field,
            format!("must be the batch's array (or its JSON text), not {what}"),
        )
    };
    match value {
        Value::Array(items) => Ok(items.clone()),
        Value::String(s) => match serde_json::from_str::<Value>(&undouble(s)) {
            Ok(Value::Array(items)) => Ok(items),
            Ok(other) => Err(bad(&format!("the JSON text of {}", kind_of(&other)))),
            Err(_) => Err(bad("a string that is not JSON")),
        },
        other => Err(bad(kind_of(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn function(binding: Value) -> FunctionDef {
        FunctionDef::from_json(
            "f",
            &json!({ "bindings": [binding] }),
            std::path::Path::new("f/function.json"),
        )
        .unwrap()
    }

    #[test]
    fn a_batch_and_its_metadata_arrays_as_the_host_serialises_them() {
        let f = function(json!({"type": "eventHubTrigger", "name": "events",
                                "cardinality": "many", "dataType": "binary"}));
        let env = Envelope::from_value(json!({
            "Data": {"events": "[\"AAE=\",\"aGk=\"]"},
            "Metadata": {"SequenceNumberArray": "[41,42]", "PartitionKeyArray": [null, "pk"],
                         "OffsetArray": "[\"4096\"]", "PropertiesArray": "[{\"a\":1},{}]",
                         "PartitionContext": {"PartitionId": "3"}}
        }))
        .unwrap();
        let records = Records::read(&env, &f).unwrap();
        assert_eq!(records.len(), 2);
        assert!(records.is_batch());
        assert_eq!(records.body(0).unwrap().as_ref(), [0, 1]);
        assert_eq!(records.body(1).unwrap().as_ref(), b"hi");
        assert_eq!(records.field(1), "Data.events[1]");
        assert_eq!(
            records.meta_text(1, "SequenceNumber").unwrap().as_deref(),
            Some("42")
        );
        assert_eq!(records.meta_text(0, "PartitionKey").unwrap(), None);
        assert_eq!(
            records.meta_text(1, "PartitionKey").unwrap().as_deref(),
            Some("pk")
        );
        assert_eq!(records.meta_object(0, "Properties").unwrap()["a"], 1);
        assert_eq!(
            records.meta_text(0, "Offset").unwrap_err().to_string(),
            "Metadata.OffsetArray: has 1 elements for a batch of 2 records"
        );
        assert_eq!(
            records.shared("PartitionContext").unwrap()["PartitionId"],
            "3"
        );
    }

    #[test]
    fn a_single_record_is_decoded_once() {
        let f = function(json!({"type": "serviceBusTrigger", "name": "message"}));
        let env = Envelope::from_value(json!({
            "Data": {"message": "\"\\\"quoted\\\" text\""},
            "Metadata": {"MessageId": "\"m-1\"", "DeliveryCount": "2", "UserProperties": {"k": "v"}}
        }))
        .unwrap();
        let records = Records::read(&env, &f).unwrap();
        assert!(!records.is_batch());
        assert_eq!(records.body(0).unwrap().as_ref(), br#""quoted" text"#);
        assert_eq!(
            records.meta_text(0, "MessageId").unwrap().as_deref(),
            Some("m-1")
        );
        assert_eq!(
            records.meta_text(0, "DeliveryCount").unwrap().as_deref(),
            Some("2")
        );
        assert_eq!(records.meta_object(0, "UserProperties").unwrap()["k"], "v");
        // A JSON message an older host parsed: its JSON text.
        let env = Envelope::from_value(json!({"Data": {"message": {"n": 1}}})).unwrap();
        assert_eq!(
            Records::read(&env, &f).unwrap().body(0).unwrap().as_ref(),
            br#"{"n":1}"#
        );
    }

    #[test]
    fn what_is_not_a_batch_is_named() {
        let f =
            function(json!({"type": "eventHubTrigger", "name": "events", "cardinality": "many"}));
        let err = |data: Value| {
            let env = Envelope::from_value(json!({ "Data": data })).unwrap();
            Records::read(&env, &f).unwrap_err().to_string()
        };
        assert_eq!(
            err(json!({"events": "x"})),
            "Data.events: must be the batch's array (or its JSON text), not a string that is not JSON"
        );
        assert_eq!(
            err(json!({"events": "{\"a\":1}"})),
            "Data.events: must be the batch's array (or its JSON text), not the JSON text of an object"
        );
        assert_eq!(
            err(json!({})),
            "Data.events: missing (the trigger's records)"
        );
        let env = Envelope::from_value(json!({"Data": {"events": []},
            "Metadata": {"SequenceNumberArray": 7}}))
        .unwrap();
        let records = Records::read(&env, &f).unwrap();
        assert_eq!(records.len(), 0);
    }
}
