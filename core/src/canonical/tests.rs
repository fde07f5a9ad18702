use serde_json::json;

use super::*;
use crate::RequestExt;

fn round_trip(json: Value) {
    let event = from_json(json.clone()).unwrap_or_else(|e| panic!("{json}: {e}"));
    assert_eq!(to_json(&event), json);
}

#[test]
fn every_kind_round_trips_from_json_to_event_and_back() {
    round_trip(json!({
        "kind": "http", "method": "POST", "path": "/items/7 ünï/caf%é", "query": "a=1&b=x%20y&a=2",
        "headers": {"accept": ["*/*"], "x-multi": ["1", "2", "3"]},
        "body_base64": "AP8QgA==", "source_ip": "203.0.113.9"
    }));
    round_trip(json!({
        "kind": "http", "method": "GET", "path": "/", "query": "", "headers": {},
        "body_base64": "", "source_ip": null
    }));
    round_trip(json!({
        "kind": "blob", "change": "created", "store": "uploads", "key": "photos/a b.jpg",
        "size": 1234, "etag": "\"abc\"", "content_type": "image/jpeg", "local_sha256": null
    }));
    round_trip(json!({
        "kind": "blob", "change": "deleted", "store": "uploads", "key": "k",
        "size": null, "etag": null, "content_type": null, "local_sha256": null
    }));
    round_trip(json!({
        "kind": "message", "id": "m-1", "source": "orders", "body_base64": "eyJpZCI6N30=",
        "attributes": {"a": "1", "b": "2"}
    }));
    round_trip(json!({"kind": "schedule", "name": "nightly", "time": "2024-05-01T02:00:00Z"}));
    round_trip(json!({"kind": "schedule", "name": null, "time": null}));
    round_trip(json!({"kind": "invoke", "payload": {"nested": [1, "two", null, {"x": true}]}}));
    round_trip(json!({"kind": "invoke", "payload": null}));
}

#[test]
fn an_http_request_becomes_its_canonical_json() {
    let mut request = http::Request::builder()
        .method("PUT")
        .uri("/caf%C3%A9/%E2%9C%93?b=2&a=1&b=1")
        .header("X-Repeat", "one")
        .header("x-repeat", "two")
        .header("Content-Type", "application/octet-stream")
        .body(Bytes::from_static(&[0, 159, 146, 150]))
        .unwrap();
    request
        .extensions_mut()
        .insert(SourceIp("::1".parse().unwrap()));
    let json = to_json(&Event::Http(request));
    assert_eq!(
        json,
        json!({
            "kind": "http", "method": "PUT", "path": "/café/✓", "query": "b=2&a=1&b=1",
            "headers": {"content-type": ["application/octet-stream"], "x-repeat": ["one", "two"]},
            "body_base64": "AJ+Slg==", "source_ip": "::1"
        })
    );
    // The field order is the one DESIGN.md gives.
    let text = serde_json::to_string(&json).unwrap();
    assert!(
        text.starts_with(r#"{"kind":"http","method":"PUT","path""#),
        "{text}"
    );
}

#[test]
fn canonical_json_becomes_a_usable_request() {
    let event = from_slice(
        r#"{"kind":"http","method":"GET","path":"/a b/ü?#","query":"x=1&x=2",
             "headers":{"X-Up":["a","b"]},"body_base64":"aGk="}"#
            .as_bytes(),
    )
    .unwrap();
    let Event::Http(request) = event else {
        panic!("not http")
    };
    assert_eq!(request.uri().path(), "/a%20b/%C3%BC%3F%23");
    assert_eq!(request.decoded_path(), "/a b/ü?#");
    assert_eq!(request.uri().query(), Some("x=1&x=2"));
    let values: Vec<_> = request.headers().get_all("x-up").iter().collect();
    assert_eq!(values, ["a", "b"]);
    assert_eq!(&request.body()[..], b"hi");
    assert_eq!(request.source_ip(), None);
}

#[test]
fn optional_fields_default() {
    let event = from_slice(br#"{"kind":"http","method":"GET","path":"/"}"#).unwrap();
    assert_eq!(to_json(&event)["query"], "");
    let event = from_slice(br#"{"kind":"schedule"}"#).unwrap();
    assert_eq!(
        to_json(&event),
        json!({"kind":"schedule","name":null,"time":null})
    );
    let event = from_slice(br#"{"kind":"message","id":"1","source":"q"}"#).unwrap();
    assert_eq!(to_json(&event)["body_base64"], "");
}

#[test]
fn echo_output_with_local_sha256_reads_back() {
    let event = from_slice(
        br#"{"kind":"blob","change":"created","store":"s","key":"k","local_sha256":"00ff"}"#,
    )
    .unwrap();
    assert_eq!(to_json(&event)["local_sha256"], Value::Null);
}

#[test]
fn bad_input_names_the_field() {
    let cases: &[(&str, &str)] = &[
        ("not json", "the event is not valid JSON"),
        ("[1,2]", "got an array"),
        ("null", "got null"),
        (r#"{"method":"GET"}"#, "event.kind: missing field `kind`"),
        (r#"{"kind":7}"#, "event.kind: must be a string"),
        (
            r#"{"kind":"carrier-pigeon"}"#,
            "event.kind: unknown kind \"carrier-pigeon\"",
        ),
        (
            r#"{"kind":"http","path":"/"}"#,
            "event.method: missing field `method`",
        ),
        (
            r#"{"kind":"http","method":"GET","path":5}"#,
            "event.path: invalid type: integer `5`, expected a string",
        ),
        (
            r#"{"kind":"http","method":"GET","path":"x"}"#,
            "event.path: \"x\" does not start with `/`",
        ),
        (
            r#"{"kind":"http","method":"G T","path":"/"}"#,
            "event.method: \"G T\" is not an HTTP method",
        ),
        (
            r#"{"kind":"http","method":"GET","path":"/","query":"a b"}"#,
            "event.query: \"a b\" is not a valid query string",
        ),
        (
            r#"{"kind":"http","method":"GET","path":"/","body_base64":"!!"}"#,
            "event.body_base64: not valid base64",
        ),
        (
            r#"{"kind":"http","method":"GET","path":"/","headers":{"x":"v"}}"#,
            "event.headers.x: invalid type: string \"v\", expected a sequence",
        ),
        (
            r#"{"kind":"http","method":"GET","path":"/","headers":{"x":["ok",3]}}"#,
            "event.headers.x[1]: invalid type: integer `3`",
        ),
        (
            r#"{"kind":"http","method":"GET","path":"/","headers":{"bad name":["v"]}}"#,
            "event.headers.bad name: not a valid header name",
        ),
        (
            r#"{"kind":"http","method":"GET","path":"/","headers":{"x":["a\nb"]}}"#,
            "event.headers.x[0]: not a valid header value",
        ),
        (
            r#"{"kind":"http","method":"GET","path":"/","source_ip":"localhost"}"#,
            "event.source_ip: \"localhost\" is not an IP address",
        ),
        (
            r#"{"kind":"http","method":"GET","path":"/","heders":{}}"#,
            "event.heders: unknown field `heders`",
        ),
        (
            r#"{"kind":"blob","change":"moved","store":"s","key":"k"}"#,
            "event.change: unknown variant `moved`",
        ),
        (
            r#"{"kind":"blob","change":"created","store":"s","key":"k","size":-1}"#,
            "event.size: invalid value: integer `-1`",
        ),
        (
            r#"{"kind":"message","id":"1","source":"q","body_base64":"%%%"}"#,
            "event.body_base64: not valid base64",
        ),
        (
            r#"{"kind":"message","id":"1","source":"q","attributes":{"a":1}}"#,
            "event.attributes.a: invalid type: integer `1`",
        ),
        (
            r#"{"kind":"invoke"}"#,
            "event.payload: missing field `payload`",
        ),
    ];
    for (input, expected) in cases {
        let err = from_slice(input.as_bytes()).expect_err(input).to_string();
        assert!(
            err.contains(expected),
            "{input}\n  got: {err}\n want: {expected}"
        );
    }
}

#[test]
fn change_and_authorize_events_round_trip() {
    round_trip(json!({
        "kind": "change", "id": "e-1", "source": "orders", "op": "modify",
        "key": {"id": "o-7"}, "old": {"id": "o-7", "total": 10}, "new": {"id": "o-7", "total": "12345678901234567890"}
    }));
    round_trip(json!({
        "kind": "change", "id": "e-2", "source": "projects/p/databases/(default)/documents/users/u1",
        "op": "remove", "key": null, "old": {"name": "Ada"}, "new": null
    }));
    round_trip(json!({
        "kind": "authorize", "token": "Bearer abc",
        "resource": "arn:aws:execute-api:eu-west-1:123456789012:api/prod/GET/items", "request": null
    }));
    round_trip(json!({
        "kind": "authorize", "token": null, "resource": "arn:aws:execute-api:eu-west-1:1:api/$default/GET/",
        "request": {
            "kind": "http", "method": "GET", "path": "/items/7", "query": "a=1",
            "headers": {"authorization": ["Bearer abc"]}, "body_base64": "", "source_ip": "203.0.113.9"
        }
    }));
}

#[test]
fn bad_change_and_authorize_events_name_the_field() {
    for (input, want) in [
        (
            json!({"kind": "change", "id": "1", "source": "t", "op": "replace"}),
            "event.op: unknown variant `replace`",
        ),
        (
            json!({"kind": "change", "id": "1", "op": "insert"}),
            "event.source: missing field `source`",
        ),
        (
            json!({"kind": "authorize", "token": "t"}),
            "event.resource: missing field `resource`",
        ),
        (
            json!({"kind": "authorize", "resource": "r", "request": {"kind": "message"}}),
            "event.request.kind: must be \"http\"",
        ),
        (
            json!({"kind": "authorize", "resource": "r", "request": {"method": "GET", "path": "x"}}),
            "event.request.path: \"x\" does not start with `/`",
        ),
        (
            json!({"kind": "authorize", "resource": "r",
                   "request": {"method": "GET", "path": "/", "body_base64": "@"}}),
            "event.request.body_base64: not valid base64",
        ),
    ] {
        let err = from_json(input.clone()).unwrap_err().to_string();
        assert!(
            err.starts_with(want),
            "{input}\n  got: {err}\n want: {want}"
        );
    }
}
