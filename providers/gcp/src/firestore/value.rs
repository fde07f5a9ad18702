//! Firestore's typed values as plain JSON, from either wire form: the JSON of a Firestore
//! CloudEvent (`{"stringValue": "x"}`, `{"integerValue": "7"}`, ...) and the protobuf
//! `google.events.cloud.firestore.v1.Value`.
//!
//! The rules are the table of the [module above](super).

use crate::json::kind;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use polyfaas_core::BadInput;
use serde_json::{Map, Number, Value};

use super::proto::google::events::cloud::firestore::v1::{value::ValueType, Value as Typed};
use crate::time::rfc3339_nanos;

/// Where a value sits, for error messages: the segments from the data's root.
pub(super) struct Path<'a> {
    segments: Vec<&'a str>,
}

impl<'a> Path<'a> {
    pub(super) fn new(root: &'a str) -> Self {
        Path {
            segments: vec![root],
        }
    }

    /// A path that starts with several segments (`data`, `value`, `fields`).
    pub(super) fn of(segments: &[&'a str]) -> Self {
        Path {
            segments: segments.to_vec(),
        }
    }

    fn push(&mut self, segment: &'a str) {
        self.segments.push(segment);
    }

    fn pop(&mut self) {
        self.segments.pop();
    }

    fn error(&self, reason: impl Into<String>) -> BadInput {
        BadInput::at(self.segments.join("."), reason)
    }
}

/// A document's `fields` (JSON form) as a plain object.
pub(super) fn json_fields<'a>(
    fields: &'a Map<String, Value>,
    path: &mut Path<'a>,
) -> Result<Map<String, Value>, BadInput> {
    let mut out = Map::with_capacity(fields.len());
    for (name, value) in fields {
        path.push(name);
        out.insert(name.clone(), json_value(value, path)?);
        path.pop();
    }
    Ok(out)
}

/// One typed value (JSON form) as plain JSON.
fn json_value<'a>(value: &'a Value, path: &mut Path<'a>) -> Result<Value, BadInput> {
    let Value::Object(typed) = value else {
        return Err(
            path.error("a Firestore value must be an object such as {\"stringValue\": \"x\"}")
        );
    };
    let mut members = typed.iter();
    let (Some((ty, inner)), None) = (members.next(), members.next()) else {
        return Err(path.error(format!(
            "a Firestore value has exactly one member (stringValue, integerValue, ...); this one has {}",
            typed.len()
        )));
    };
    typed_value(ty, inner, path)
}

/// The plain value of a Firestore value of type `ty` (`stringValue`, `mapValue`, ...) whose
/// content is `inner`.
pub(super) fn typed_value<'a>(
    ty: &'a str,
    inner: &'a Value,
    path: &mut Path<'a>,
) -> Result<Value, BadInput> {
    path.push(ty);
    let plain = match (ty, inner) {
        ("stringValue" | "referenceValue" | "timestampValue" | "bytesValue", Value::String(s)) => {
            Value::String(s.clone())
        }
        ("integerValue", Value::String(s)) => integer(s).ok_or_else(|| {
            path.error(format!("{s:?} is not an integer"))
        })?,
        ("integerValue", Value::Number(n)) if n.is_i64() || n.is_u64() => Value::Number(n.clone()),
        ("doubleValue", Value::Number(n)) => Value::Number(n.clone()),
        ("doubleValue", Value::String(s)) => double_text(s)
            .ok_or_else(|| path.error(format!("{s:?} is not a number")))?,
        ("booleanValue", Value::Bool(b)) => Value::Bool(*b),
        ("nullValue", Value::Null) => Value::Null,
        ("nullValue", Value::String(s)) if s == "NULL_VALUE" => Value::Null,
        ("geoPointValue", Value::Object(point)) => {
            let coordinate = |name: &str| match point.get(name) {
                // proto3 JSON leaves out zeros.
                None => Ok(Value::from(0.0)),
                Some(Value::Number(n)) => Ok(Value::Number(n.clone())),
                Some(_) => Err(BadInput::at(
                    format!("{}.{name}", path.segments.join(".")),
                    "must be a number of degrees",
                )),
            };
            let mut out = Map::new();
            out.insert("latitude".into(), coordinate("latitude")?);
            out.insert("longitude".into(), coordinate("longitude")?);
            Value::Object(out)
        }
        ("mapValue", Value::Object(map)) => match map.get("fields") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(Value::Object(fields)) => {
                path.push("fields");
                let out = json_fields(fields, path)?;
                path.pop();
                Value::Object(out)
            }
            Some(_) => return Err(path.error("`fields` must be an object")),
        },
        ("arrayValue", Value::Object(array)) => match array.get("values") {
            None | Some(Value::Null) => Value::Array(Vec::new()),
            Some(Value::Array(values)) => {
                path.push("values");
                let mut out = Vec::with_capacity(values.len());
                for value in values {
                    out.push(json_value(value, path)?);
                }
                path.pop();
                Value::Array(out)
            }
            Some(_) => return Err(path.error("`values` must be an array")),
        },
        (
            "stringValue" | "referenceValue" | "timestampValue" | "bytesValue" | "integerValue"
            | "doubleValue" | "booleanValue" | "nullValue" | "geoPointValue" | "mapValue"
            | "arrayValue",
            other,
        ) => {
            return Err(path.error(format!("has the wrong type ({})", kind(other))));
        }
        (other, _) => {
            return Err(path.error(format!(
                "{other:?} is not a Firestore value type (stringValue, integerValue, doubleValue, booleanValue, nullValue, timestampValue, bytesValue, referenceValue, geoPointValue, arrayValue, mapValue)"
            )))
        }
    };
    path.pop();
    Ok(plain)
}

/// A decimal integer: a number when JSON (as serde_json holds it) keeps it exactly, else the
/// digits as they are; `None` when it is not an integer at all.
fn integer(text: &str) -> Option<Value> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(Value::from(n));
    }
    if let Ok(n) = text.parse::<u64>() {
        return Some(Value::from(n));
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| Value::String(text.to_owned()))
}

/// A double written as a string (proto3 JSON allows it): the special values stay strings.
fn double_text(text: &str) -> Option<Value> {
    match text {
        "NaN" | "Infinity" | "-Infinity" => Some(Value::String(text.to_owned())),
        _ => text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number),
    }
}

/// A double: a number, or `NaN` / `Infinity` / `-Infinity` as strings.
fn double(value: f64) -> Value {
    match Number::from_f64(value) {
        Some(n) => Value::Number(n),
        None if value.is_nan() => Value::String("NaN".into()),
        None if value > 0.0 => Value::String("Infinity".into()),
        None => Value::String("-Infinity".into()),
    }
}

/// A document's `fields` (protobuf form) as a plain object, by field name.
pub(super) fn proto_fields<'a>(
    fields: &'a std::collections::BTreeMap<String, Typed>,
    path: &mut Path<'a>,
) -> Result<Map<String, Value>, BadInput> {
    let mut out = Map::with_capacity(fields.len());
    for (name, value) in fields {
        path.push(name);
        out.insert(name.clone(), proto_value(value, path)?);
        path.pop();
    }
    Ok(out)
}

/// One typed value (protobuf form) as plain JSON.
fn proto_value<'a>(value: &'a Typed, path: &mut Path<'a>) -> Result<Value, BadInput> {
    Ok(match &value.value_type {
        None => return Err(path.error("a Firestore value with no type set")),
        Some(ValueType::NullValue(_)) => Value::Null,
        Some(ValueType::BooleanValue(b)) => Value::Bool(*b),
        Some(ValueType::IntegerValue(n)) => Value::from(*n),
        Some(ValueType::DoubleValue(d)) => double(*d),
        Some(ValueType::TimestampValue(t)) => {
            let nanos = u32::try_from(t.nanos)
                .ok()
                .filter(|n| *n < 1_000_000_000)
                .ok_or_else(|| path.error(format!("timestampValue: {} nanoseconds", t.nanos)))?;
            Value::String(rfc3339_nanos(t.seconds, nanos).ok_or_else(|| {
                path.error(format!(
                    "timestampValue: {} seconds is outside years 0001-9999",
                    t.seconds
                ))
            })?)
        }
        Some(ValueType::StringValue(s) | ValueType::ReferenceValue(s)) => Value::String(s.clone()),
        Some(ValueType::BytesValue(bytes)) => Value::String(BASE64.encode(bytes)),
        Some(ValueType::GeoPointValue(point)) => {
            let mut out = Map::new();
            out.insert("latitude".into(), double(point.latitude));
            out.insert("longitude".into(), double(point.longitude));
            Value::Object(out)
        }
        Some(ValueType::ArrayValue(array)) => {
            path.push("arrayValue");
            let mut out = Vec::with_capacity(array.values.len());
            for value in &array.values {
                out.push(proto_value(value, path)?);
            }
            path.pop();
            Value::Array(out)
        }
        Some(ValueType::MapValue(map)) => {
            path.push("mapValue");
            let out = proto_fields(&map.fields, path)?;
            path.pop();
            Value::Object(out)
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn plain(typed: Value) -> Result<Value, BadInput> {
        let Value::Object(fields) = json!({ "f": typed }) else {
            unreachable!()
        };
        json_fields(&fields, &mut Path::new("data.value.fields"))
            .map(|mut m| m.remove("f").unwrap())
    }

    #[test]
    fn every_json_type() {
        for (typed, expected) in [
            (json!({"stringValue": "x"}), json!("x")),
            (json!({"integerValue": "7"}), json!(7)),
            (
                json!({"integerValue": "-9223372036854775808"}),
                json!(i64::MIN),
            ),
            (
                json!({"integerValue": "18446744073709551615"}),
                json!(u64::MAX),
            ),
            // More digits than a JSON number holds exactly: kept as written.
            (
                json!({"integerValue": "123456789012345678901234567890"}),
                json!("123456789012345678901234567890"),
            ),
            (json!({"integerValue": 12}), json!(12)),
            (json!({"doubleValue": 5.5}), json!(5.5)),
            (json!({"doubleValue": "NaN"}), json!("NaN")),
            (json!({"doubleValue": "-Infinity"}), json!("-Infinity")),
            (json!({"doubleValue": "2.25"}), json!(2.25)),
            (json!({"booleanValue": true}), json!(true)),
            (json!({"nullValue": null}), json!(null)),
            (json!({"nullValue": "NULL_VALUE"}), json!(null)),
            (
                json!({"timestampValue": "2020-04-23T14:23:53.241Z"}),
                json!("2020-04-23T14:23:53.241Z"),
            ),
            (json!({"bytesValue": "AP8="}), json!("AP8=")),
            (
                json!({"referenceValue": "projects/p/databases/(default)/documents/a/b"}),
                json!("projects/p/databases/(default)/documents/a/b"),
            ),
            (
                json!({"geoPointValue": {"latitude": 51.4543, "longitude": -0.9781}}),
                json!({"latitude": 51.4543, "longitude": -0.9781}),
            ),
            (
                json!({"geoPointValue": {"longitude": 3}}),
                json!({"latitude": 0.0, "longitude": 3}),
            ),
            (
                json!({"arrayValue": {"values": [{"integerValue": "1"}, {"stringValue": "a"}]}}),
                json!([1, "a"]),
            ),
            (json!({"arrayValue": {}}), json!([])),
            (
                json!({"mapValue": {"fields": {"k": {"mapValue": {}}}}}),
                json!({"k": {}}),
            ),
        ] {
            assert_eq!(plain(typed.clone()).unwrap(), expected, "{typed}");
        }
    }

    #[test]
    fn errors_name_the_field() {
        for (typed, expected) in [
            (json!("x"), "data.value.fields.f: a Firestore value must be an object"),
            (json!({}), "data.value.fields.f: a Firestore value has exactly one member"),
            (json!({"stringValue": "x", "integerValue": "1"}), "data.value.fields.f: a Firestore value has exactly one member"),
            (json!({"integerValue": "seven"}), "data.value.fields.f.integerValue: \"seven\" is not an integer"),
            (json!({"booleanValue": "yes"}), "data.value.fields.f.booleanValue: has the wrong type (a string)"),
            (json!({"textValue": "x"}), "data.value.fields.f.textValue: \"textValue\" is not a Firestore value type"),
            (json!({"mapValue": {"fields": {"inner": {"arrayValue": {"values": [{"doubleValue": true}]}}}}}),
             "data.value.fields.f.mapValue.fields.inner.arrayValue.values.doubleValue: has the wrong type (a boolean)"),
            (json!({"geoPointValue": {"latitude": "north"}}), "data.value.fields.f.geoPointValue.latitude: must be a number"),
        ] {
            let err = plain(typed.clone()).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{typed}: {err}");
        }
    }

    #[test]
    fn protobuf_values() {
        use crate::firestore::proto::google::events::cloud::firestore::v1::{ArrayValue, MapValue};
        use crate::firestore::proto::google::r#type::LatLng;

        let typed = |v: ValueType| Typed {
            value_type: Some(v),
        };
        let fields = std::collections::BTreeMap::from([
            ("b".to_owned(), typed(ValueType::BooleanValue(true))),
            ("n".to_owned(), typed(ValueType::IntegerValue(i64::MAX))),
            ("d".to_owned(), typed(ValueType::DoubleValue(f64::INFINITY))),
            ("z".to_owned(), typed(ValueType::NullValue(0))),
            (
                "t".to_owned(),
                typed(ValueType::TimestampValue(prost_types::Timestamp {
                    seconds: 1_587_651_833,
                    nanos: 241_000_000,
                })),
            ),
            ("y".to_owned(), typed(ValueType::BytesValue(vec![0, 255]))),
            (
                "g".to_owned(),
                typed(ValueType::GeoPointValue(LatLng {
                    latitude: 1.5,
                    longitude: -2.0,
                })),
            ),
            (
                "a".to_owned(),
                typed(ValueType::ArrayValue(ArrayValue {
                    values: vec![typed(ValueType::StringValue("s".into()))],
                })),
            ),
            (
                "m".to_owned(),
                typed(ValueType::MapValue(MapValue {
                    fields: std::collections::BTreeMap::from([(
                        "r".to_owned(),
                        typed(ValueType::ReferenceValue(
                            "projects/p/databases/d/documents/c/x".into(),
                        )),
                    )]),
                })),
            ),
        ]);
        let plain = proto_fields(&fields, &mut Path::new("data.value.fields")).unwrap();
        assert_eq!(
            Value::Object(plain),
            json!({"a": ["s"], "b": true, "d": "Infinity", "g": {"latitude": 1.5, "longitude": -2.0},
                   "m": {"r": "projects/p/databases/d/documents/c/x"}, "n": i64::MAX,
                   "t": "2020-04-23T14:23:53.241Z", "y": "AP8=", "z": null})
        );
        let empty =
            std::collections::BTreeMap::from([("e".to_owned(), Typed { value_type: None })]);
        let err = proto_fields(&empty, &mut Path::new("data.value.fields")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data.value.fields.e: a Firestore value with no type set"
        );
    }
}
