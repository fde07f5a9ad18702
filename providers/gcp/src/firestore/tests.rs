use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::json;

use super::*;
use pb::value::ValueType;

const SOURCE: &str = "//firestore.googleapis.com/projects/orchard/databases/(default)";
const NAME: &str = "projects/orchard/databases/(default)/documents/trees/t-17";

fn event(ty: &str, data: Data) -> CloudEvent {
    let mut ce = CloudEvent::new("fs-1", SOURCE, format!("{TYPE_PREFIX}{ty}"));
    ce.subject = Some("documents/trees/t-17".into());
    ce.data = data;
    ce
}

fn document(fields: Value) -> Value {
    json!({"name": NAME, "fields": fields, "createTime": "2025-06-01T10:00:00Z", "updateTime": "2025-06-01T10:00:00Z"})
}

#[test]
fn every_type_and_its_op() {
    for (ty, op) in [
        ("created", ChangeOp::Insert),
        ("updated", ChangeOp::Modify),
        ("deleted", ChangeOp::Remove),
        ("written", ChangeOp::Upsert),
        ("created.withAuthContext", ChangeOp::Insert),
        ("deleted.withAuthContext", ChangeOp::Remove),
    ] {
        assert_eq!(op_of(&format!("{TYPE_PREFIX}{ty}")), Some(op), "{ty}");
    }
    assert_eq!(op_of("google.cloud.firestore.document.v1.moved"), None);
    assert_eq!(op_of("google.cloud.firestore.document.v2.created"), None);
    assert_eq!(
        legacy_op_of("providers/cloud.firestore/eventTypes/document.write"),
        Some(ChangeOp::Upsert)
    );
    assert_eq!(legacy_op_of("google.storage.object.finalize"), None);
}

#[test]
fn json_data_becomes_plain_old_and_new() {
    let ce = event(
        "updated",
        Data::Json(json!({
            "oldValue": document(json!({"height": {"doubleValue": 2.5}})),
            "value": document(json!({"height": {"doubleValue": 2.75}, "pruned": {"booleanValue": true}})),
            "updateMask": {"fieldPaths": ["height", "pruned"]},
        })),
    );
    let change = change(&ce).unwrap();
    assert_eq!(change.id, "fs-1");
    assert_eq!(change.source, "trees");
    assert_eq!(change.op, ChangeOp::Modify);
    assert_eq!(change.key, Some(json!("trees/t-17")));
    assert_eq!(change.old, Some(json!({"height": 2.5})));
    assert_eq!(change.new, Some(json!({"height": 2.75, "pruned": true})));
}

#[test]
fn a_creation_has_no_old_document_and_a_deletion_no_new_one() {
    // Eventarc writes `"oldValue": {}` for a creation.
    let ce = event(
        "created",
        Data::Json(
            json!({"oldValue": {}, "value": document(json!({"n": {"integerValue": "1"}})), "updateMask": {}}),
        ),
    );
    let change = change(&ce).unwrap();
    assert_eq!((change.old, change.new), (None, Some(json!({"n": 1}))));
    let ce = event(
        "deleted",
        Data::Json(json!({"oldValue": document(json!({}))})),
    );
    let change = super::change(&ce).unwrap();
    assert_eq!((change.old, change.new), (Some(json!({})), None));
}

#[test]
fn subcollections_and_where_the_path_comes_from() {
    let mut ce = event(
        "written",
        Data::Json(
            json!({"value": {"name": "projects/p/databases/d/documents/a/1/b/2", "fields": {}}}),
        ),
    );
    ce.subject = Some("documents/a/1/b/2".into());
    let change = change(&ce).unwrap();
    assert_eq!(
        (change.source.as_str(), change.key),
        ("a/1/b", Some(json!("a/1/b/2")))
    );
    // No subject: the `document` extension, then the documents' names.
    ce.subject = None;
    ce.extensions.insert("document".into(), json!("x/9"));
    assert_eq!(super::change(&ce).unwrap().key, Some(json!("x/9")));
    ce.extensions.clear();
    assert_eq!(super::change(&ce).unwrap().key, Some(json!("a/1/b/2")));
    ce.data = Data::None;
    let err = super::change(&ce).unwrap_err().to_string();
    assert!(err.starts_with("subject: missing"), "{err}");
}

#[test]
fn bad_paths_and_data_are_named() {
    for (subject, expected) in [
        ("trees/t-17", "subject: \"trees/t-17\" names no document"),
        (
            "documents/trees",
            "subject: \"trees\" is not a document path",
        ),
        (
            "documents/trees//x/y",
            "subject: \"trees//x/y\" is not a document path",
        ),
    ] {
        let mut ce = event("created", Data::None);
        ce.subject = Some(subject.into());
        let err = change(&ce).unwrap_err().to_string();
        assert!(err.starts_with(expected), "{subject}: {err}");
    }
    for (data, expected) in [
        (
            Data::Json(json!([1])),
            "data: Firestore event data must be an object",
        ),
        (
            Data::Json(json!({"value": 5})),
            "data.value: must be a document object",
        ),
        (
            Data::Json(json!({"value": {"fields": []}})),
            "data.value.fields: must be an object",
        ),
        (
            Data::Json(json!({"oldValue": {"fields": {"n": {"integerValue": "x"}}}})),
            "data.oldValue.fields.n.integerValue: \"x\" is not an integer",
        ),
        (
            Data::Text("hello".into()),
            "datacontenttype: \"\": Firestore event data is JSON or application/protobuf, not text",
        ),
        (
            Data::Binary(Bytes::from_static(b"\xff\xff\xff")),
            "data: not a protobuf google.events.cloud.firestore.v1.DocumentEventData",
        ),
    ] {
        let err = change(&event("updated", data)).unwrap_err().to_string();
        assert!(err.starts_with(expected), "{err}");
    }
    let mut ce = event("updated", Data::Binary(Bytes::new()));
    ce.datacontenttype = Some("image/png".into());
    let err = change(&ce).unwrap_err().to_string();
    assert!(err.starts_with("datacontenttype: \"image/png\""), "{err}");
}

fn typed(v: ValueType) -> pb::Value {
    pb::Value {
        value_type: Some(v),
    }
}

#[test]
fn protobuf_data_gives_what_the_json_gives() {
    let fields = |height: f64| {
        BTreeMap::from([
            ("height".to_owned(), typed(ValueType::DoubleValue(height))),
            (
                "name".to_owned(),
                typed(ValueType::StringValue("pear".into())),
            ),
            ("count".to_owned(), typed(ValueType::IntegerValue(3))),
        ])
    };
    let time = prost_types::Timestamp {
        seconds: 1_748_772_000,
        nanos: 0,
    };
    let data = pb::DocumentEventData {
        value: Some(pb::Document {
            name: NAME.into(),
            fields: fields(2.75),
            create_time: Some(time),
            update_time: Some(time),
        }),
        old_value: Some(pb::Document {
            name: NAME.into(),
            fields: fields(2.5),
            create_time: Some(time),
            update_time: Some(time),
        }),
        update_mask: Some(pb::DocumentMask {
            field_paths: vec!["height".into()],
        }),
    };
    let mut ce = event("updated", Data::Binary(Bytes::from(data.encode_to_vec())));
    ce.datacontenttype = Some("application/protobuf".into());
    let from_protobuf = change(&ce).unwrap();
    let json_fields = |height: f64| json!({"count": {"integerValue": "3"}, "height": {"doubleValue": height}, "name": {"stringValue": "pear"}});
    let ce = event(
        "updated",
        Data::Json(
            json!({"value": document(json_fields(2.75)), "oldValue": document(json_fields(2.5))}),
        ),
    );
    assert_eq!(from_protobuf, change(&ce).unwrap());
    assert_eq!(
        from_protobuf.new,
        Some(json!({"count": 3, "height": 2.75, "name": "pear"}))
    );

    // A deletion: no `value` on the wire.
    let data = pb::DocumentEventData {
        old_value: Some(pb::Document {
            name: NAME.into(),
            fields: fields(1.0),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut ce = event("deleted", Data::Binary(Bytes::from(data.encode_to_vec())));
    ce.datacontenttype = Some("application/protobuf".into());
    let change = super::change(&ce).unwrap();
    assert_eq!(
        (change.op, change.new.is_none(), change.old.is_some()),
        (ChangeOp::Remove, true, true)
    );
}

#[test]
fn legacy_events() {
    let legacy = LegacyEvent::from_json(
        json!({"eventId": "l-1", "timestamp": "2020-09-29T11:32:00.123Z",
               "eventType": "providers/cloud.firestore/eventTypes/document.create",
               "resource": NAME, "params": {"tree": "t-17"},
               "data": {"value": document(json!({"n": {"integerValue": "4"}}))}}),
        "/",
    )
    .unwrap();
    let change = legacy_change(&legacy).unwrap();
    assert_eq!(change.id, "l-1");
    assert_eq!(change.op, ChangeOp::Insert);
    assert_eq!(
        (change.source.as_str(), change.key),
        ("trees", Some(json!("trees/t-17")))
    );
    assert_eq!(change.new, Some(json!({"n": 4})));
    let bad = LegacyEvent::from_json(
        json!({"eventId": "l-2", "eventType": "providers/cloud.firestore/eventTypes/document.delete",
               "resource": "projects/p/databases/(default)", "data": {}}),
        "/",
    )
    .unwrap();
    let err = legacy_change(&bad).unwrap_err().to_string();
    assert!(
        err.starts_with("resource: \"projects/p/databases/(default)\" names no document"),
        "{err}"
    );
}

/// Every object under `value` that looks like Firestore event data (has `value` or `oldValue`).
fn firestore_data_in(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::Object(map) => {
            if map.contains_key("value") || map.contains_key("oldValue") {
                out.push(value.clone());
            }
            map.values().for_each(|v| firestore_data_in(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| firestore_data_in(v, out)),
        _ => {}
    }
}

#[test]
fn the_direct_reader_agrees_with_the_general_path_or_leaves_it_the_case() {
    let mut bodies: Vec<String> = [
        r#"{"oldValue": {"fields": {"height": {"doubleValue": 2.5}}}, "value": {"fields": {"height": {"doubleValue": 2.75}, "pruned": {"booleanValue": true}}}, "updateMask": {"fieldPaths": ["height", "pruned"]}}"#,
        r#"{"value": {"name": "projects/p/databases/(default)/documents/a/b", "fields": {"n": {"integerValue": "7"}, "s": {"stringValue": "x"}, "big": {"integerValue": "99999999999999999999"}}}, "oldValue": {}}"#,
        r#"{"value": {"fields": {"m": {"mapValue": {"fields": {"deep": {"arrayValue": {"values": [{"nullValue": null}, {"nullValue": "NULL_VALUE"}, {"geoPointValue": {"latitude": 1.5}}, {"timestampValue": "2025-01-01T00:00:00Z"}]}}}}}, "e": {"mapValue": {}}, "a": {"arrayValue": {}}, "an": {"arrayValue": {"values": null}}}}}"#,
        r#"{"value": {"fields": {"d": {"doubleValue": "NaN"}, "i": {"integerValue": 3}, "b": {"bytesValue": "AAE="}, "r": {"referenceValue": "projects/p/databases/(default)/documents/x/y"}}}}"#,
        r#"{"value": null, "oldValue": null}"#,
        r#"{"value": {"name": ""}}"#,
        r#"{"value": {"createTime": "2025-01-01T00:00:00Z"}}"#,
        r#"{"value": {"fields": null, "name": null}}"#,
        // Refused by both, or only the general path can say why.
        r#"{"value": {"fields": {"x": {"stringValue": "a", "integerValue": "1"}}}}"#,
        r#"{"value": {"fields": {"x": {"stringValue": "a", "stringValue": "b"}}}}"#,
        r#"{"value": {"fields": {"x": {"integerValue": "x1"}}}}"#,
        r#"{"value": {"fields": {"x": {"unknownValue": 1}}}}"#,
        r#"{"value": {"fields": {"x": {}}}}"#,
        r#"{"value": {"fields": {"x": "plain"}}}"#,
        r#"{"value": {"fields": {"x": {"mapValue": {"fields": 3}}}}}"#,
        r#"{"value": {"fields": {"x": {"arrayValue": {"values": {}}}}}}"#,
        r#"{"value": {"fields": {"x": {"booleanValue": "true"}}}}"#,
        r#"{"value": {"fields": []}}"#,
        r#"{"value": {"name": 7}}"#,
        r#"{"value": {"name": "a"}, "value": {"name": "b"}}"#,
        r#"{"value": {"fields": {"a": {"stringValue": "1"}, "a": {"integerValue": "2"}}}}"#,
        r#"{"value": 3}"#,
        r#"[]"#,
        r#"null"#,
        r#"{"value": {}} trailing"#,
        r#"{"value": {"fields": {"x": {"stringValue": "a"}}}"#,
    ]
    .map(str::to_owned)
    .to_vec();
    let fixtures = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../conformance-tests/fixtures/gcp"
    );
    for entry in std::fs::read_dir(fixtures).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        if let Ok(json) = serde_json::from_str::<Value>(&text) {
            let mut found = Vec::new();
            firestore_data_in(&json, &mut found);
            bodies.extend(found.iter().map(Value::to_string));
        }
    }
    assert!(bodies.len() > 30, "{}", bodies.len());
    for subject in [Some("documents/trees/t-17"), Some("trees"), None] {
        for body in &bodies {
            let mut ce = event("written", Data::None);
            ce.subject = subject.map(str::to_owned);
            ce.datacontenttype = Some("application/json".into());
            let direct = change_from_body(&ce, body.as_bytes());
            let general =
                crate::cloudevent::binary::with_data(ce.clone(), &Bytes::from(body.clone()))
                    .and_then(|ce| change(&ce));
            match (direct, general) {
                // Debug also shows the fields' order (the maps' equality ignores it).
                (Some(direct), Ok(general)) => {
                    assert_eq!(format!("{direct:?}"), format!("{general:?}"), "{body}")
                }
                (None, _) => {}
                (Some(direct), Err(e)) => panic!("{body}: direct {direct:?}, general {e}"),
            }
        }
    }
    // The common form is read directly.
    let ce = event("written", Data::None);
    assert!(change_from_body(&ce, bodies[0].as_bytes()).is_some());
    assert!(change_from_body(&ce, bodies[2].as_bytes()).is_some());
}
