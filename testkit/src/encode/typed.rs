//! Plain JSON values as the typed attribute values database change streams send: DynamoDB's
//! (`{"S": "x"}`, `{"N": "7"}`) and Firestore's (`{"stringValue": "x"}`,
//! `{"integerValue": "7"}`), the inverse of the plain JSON DESIGN.md's `change` events carry.

use serde_json::{json, Map, Value};

/// A value as a DynamoDB `AttributeValue`.
pub(super) fn dynamodb(value: &Value) -> Value {
    match value {
        Value::Null => json!({"NULL": true}),
        Value::Bool(b) => json!({ "BOOL": b }),
        Value::Number(n) => json!({"N": n.to_string()}),
        Value::String(s) => json!({ "S": s }),
        Value::Array(items) => json!({"L": items.iter().map(dynamodb).collect::<Vec<_>>()}),
        Value::Object(map) => json!({ "M": dynamodb_map(map) }),
    }
}

/// An object's members as DynamoDB attribute values (`Keys`, `NewImage`, `OldImage`).
pub(super) fn dynamodb_map(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter().map(|(k, v)| (k.clone(), dynamodb(v))).collect()
}

/// A value as a Firestore `Value`.
pub(super) fn firestore(value: &Value) -> Value {
    match value {
        Value::Null => json!({"nullValue": null}),
        Value::Bool(b) => json!({ "booleanValue": b }),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({"integerValue": n.to_string()}),
        Value::Number(n) => json!({ "doubleValue": n }),
        Value::String(s) => json!({ "stringValue": s }),
        Value::Array(items) => {
            json!({"arrayValue": {"values": items.iter().map(firestore).collect::<Vec<_>>()}})
        }
        Value::Object(map) => json!({"mapValue": {"fields": firestore_fields(map)}}),
    }
}

/// An object's members as Firestore `fields`.
pub(super) fn firestore_fields(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter().map(|(k, v)| (k.clone(), firestore(v))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_json_type_has_its_typed_form() {
        let plain = json!({"s": "x", "n": 7, "f": 1.5, "b": true, "z": null, "l": [1, "a"], "m": {"k": "v"}});
        let Value::Object(map) = &plain else {
            unreachable!()
        };
        assert_eq!(
            Value::Object(dynamodb_map(map)),
            json!({"s": {"S": "x"}, "n": {"N": "7"}, "f": {"N": "1.5"}, "b": {"BOOL": true},
                   "z": {"NULL": true}, "l": {"L": [{"N": "1"}, {"S": "a"}]}, "m": {"M": {"k": {"S": "v"}}}})
        );
        assert_eq!(
            Value::Object(firestore_fields(map)),
            json!({"s": {"stringValue": "x"}, "n": {"integerValue": "7"}, "f": {"doubleValue": 1.5},
                   "b": {"booleanValue": true}, "z": {"nullValue": null},
                   "l": {"arrayValue": {"values": [{"integerValue": "1"}, {"stringValue": "a"}]}},
                   "m": {"mapValue": {"fields": {"k": {"stringValue": "v"}}}}})
        );
    }
}
