//! Structured content mode: the whole event as one JSON object
//! (`Content-Type: application/cloudevents+json`, CloudEvents JSON format).

use crate::json::kind;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use polyfaas_core::shim::parse_at;
use polyfaas_core::BadInput;
use serde_json::{Map, Value};

use super::event::{is_json, CloudEvent, Data, SPEC_VERSION};

/// Reads a structured-mode CloudEvent from the request body.
///
/// - `data_base64` → binary data; `data` with a JSON `datacontenttype` (or none) → JSON (a
///   JSON string stays a string); `data` with another content type → text.
/// - `data` and `data_base64` together are an error, as are missing or empty `id`, `source`,
///   `specversion`, `type`. Optional attributes set to `null` count as absent.
///
/// ```
/// use polyfaas_gcp::cloudevent::{structured, Data};
///
/// let body = br#"{"specversion":"1.0","id":"1","source":"//a/b","type":"t","data_base64":"AP8="}"#;
/// let event = structured::decode(&bytes::Bytes::from_static(body)).unwrap();
/// assert_eq!(event.data, Data::Binary(bytes::Bytes::from_static(&[0, 255])));
/// ```
pub fn decode(body: &Bytes) -> Result<CloudEvent, BadInput> {
    let value: Value = parse_at(body, "body").map_err(|e| {
        BadInput::at(
            "body",
            format!(
                "a structured-mode CloudEvent must be a JSON object, and this is not JSON: {}",
                e.message()
            ),
        )
        .with_source(e)
    })?;
    from_json(value)
}

/// Reads a CloudEvent from its JSON form (the inverse of [`CloudEvent::to_json`]).
pub fn from_json(value: Value) -> Result<CloudEvent, BadInput> {
    let Value::Object(mut map) = value else {
        return Err(BadInput::at(
            "body",
            "a structured-mode CloudEvent must be a JSON object",
        ));
    };
    let required = |map: &mut Map<String, Value>, name: &str| match map.remove(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) => Err(BadInput::at(name, "must not be empty")),
        Some(other) => Err(BadInput::at(
            name,
            format!("must be a string, not {}", kind(&other)),
        )),
        None => Err(BadInput::at(
            name,
            "missing (a CloudEvent needs id, source, specversion and type)",
        )),
    };
    let specversion = required(&mut map, "specversion")?;
    if specversion != SPEC_VERSION {
        return Err(BadInput::at(
            "specversion",
            format!("{specversion:?} is not supported; this shim reads CloudEvents {SPEC_VERSION}"),
        ));
    }
    let id = required(&mut map, "id")?;
    let source = required(&mut map, "source")?;
    let ty = required(&mut map, "type")?;
    let mut event = CloudEvent::new(id, source, ty);
    event.subject = optional(&mut map, "subject")?;
    event.time = optional(&mut map, "time")?;
    event.datacontenttype = optional(&mut map, "datacontenttype")?;
    event.dataschema = optional(&mut map, "dataschema")?;
    let data = map.remove("data");
    let data_base64 = map.remove("data_base64");
    event.data = match (data, data_base64) {
        (Some(_), Some(_)) => {
            return Err(BadInput::at(
                "data_base64",
                "`data` and `data_base64` cannot both be present",
            ))
        }
        (None, None) => Data::None,
        (None, Some(Value::String(text))) => {
            Data::Binary(BASE64.decode(text.trim()).map(Bytes::from).map_err(|e| {
                BadInput::at("data_base64", format!("not valid base64: {e}")).with_source(e)
            })?)
        }
        (None, Some(Value::Null)) => Data::None,
        (None, Some(other)) => {
            return Err(BadInput::at(
                "data_base64",
                format!("must be a base64 string, not {}", kind(&other)),
            ))
        }
        (Some(value), None) => {
            if is_json(event.datacontenttype.as_deref()) {
                Data::Json(value)
            } else {
                match value {
                    Value::String(text) => Data::Text(text),
                    // A non-JSON content type with JSON data: keep the JSON as it is.
                    other => Data::Json(other),
                }
            }
        }
    };
    for (name, value) in map {
        if name.is_empty() {
            return Err(BadInput::at("(attribute)", "an attribute needs a name"));
        }
        if !value.is_null() {
            event.extensions.insert(name, value);
        }
    }
    Ok(event)
}

fn optional(map: &mut Map<String, Value>, name: &str) -> Result<Option<String>, BadInput> {
    match map.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(BadInput::at(
            name,
            format!("must be a string, not {}", kind(&other)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn decode_json(value: Value) -> Result<CloudEvent, BadInput> {
        decode(&Bytes::from(value.to_string()))
    }

    fn base() -> Value {
        json!({"specversion": "1.0", "id": "e-9", "source": "//svc/thing", "type": "t.v1"})
    }

    #[test]
    fn json_data_stays_json_and_a_json_string_stays_a_string() {
        let mut value = base();
        value["data"] = json!("{\"not\": \"parsed again\"}");
        let event = decode_json(value).unwrap();
        assert_eq!(
            event.data,
            Data::Json(Value::String("{\"not\": \"parsed again\"}".into()))
        );
        let mut value = base();
        value["datacontenttype"] = json!("application/json");
        value["data"] = json!({"n": 10, "f": 5.5, "z": null});
        let event = decode_json(value.clone()).unwrap();
        assert_eq!(event.to_json(), value);
    }

    #[test]
    fn text_and_base64_data() {
        let mut value = base();
        value["datacontenttype"] = json!("text/plain");
        value["data"] = json!("hello");
        assert_eq!(decode_json(value).unwrap().data, Data::Text("hello".into()));
        let mut value = base();
        value["data_base64"] = json!("aGk=");
        assert_eq!(
            decode_json(value).unwrap().data,
            Data::Binary(Bytes::from_static(b"hi"))
        );
    }

    #[test]
    fn extensions_are_kept_and_null_optionals_are_absent() {
        let mut value = base();
        value["subject"] = Value::Null;
        value["traceparent"] = json!("00-1-2-01");
        value["retries"] = json!(3);
        let event = decode_json(value).unwrap();
        assert_eq!(event.subject, None);
        assert_eq!(event.extensions["traceparent"], "00-1-2-01");
        assert_eq!(event.extensions["retries"], 3);
    }

    #[test]
    fn errors_name_the_attribute() {
        let cases: Vec<(Value, &str)> = vec![
            (
                json!([1]),
                "body: a structured-mode CloudEvent must be a JSON object",
            ),
            (
                json!({"id": "1", "source": "s", "type": "t"}),
                "specversion: missing",
            ),
            (
                json!({"specversion": "1.0", "source": "s", "type": "t"}),
                "id: missing",
            ),
            (
                json!({"specversion": "1.0", "id": 7, "source": "s", "type": "t"}),
                "id: must be a string, not a number",
            ),
            (
                json!({"specversion": "1.0", "id": "1", "source": "", "type": "t"}),
                "source: must not be empty",
            ),
            (
                json!({"specversion": "1.0", "id": "1", "source": "s", "type": "t", "subject": 1}),
                "subject: must be a string",
            ),
            (
                json!({"specversion": "1.0", "id": "1", "source": "s", "type": "t", "data": 1, "data_base64": "AA=="}),
                "data_base64: `data` and `data_base64` cannot both be present",
            ),
            (
                json!({"specversion": "1.0", "id": "1", "source": "s", "type": "t", "data_base64": "%%%"}),
                "data_base64: not valid base64",
            ),
        ];
        for (value, expected) in cases {
            let err = decode_json(value.clone()).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{value}: {err}");
        }
        let err = decode(&Bytes::from_static(b"{nope"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("this is not JSON"), "{err}");
    }
}
