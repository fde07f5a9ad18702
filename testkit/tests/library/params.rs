//! Sample parameters: each key sets its field, and a wrong one says what there is.

use polyfaas_testkit::logical::LogicalEvent;
use polyfaas_testkit::{sample, Params, Platform};
use serde_json::json;

fn event(name: &str, params: &[&str]) -> serde_json::Value {
    sample::find(Platform::Local, name)
        .unwrap()
        .event(&Params::parse(params).unwrap())
        .unwrap()
        .to_json()
}

#[test]
fn each_key_sets_its_field() {
    let http = event(
        "http",
        &[
            "header.accept=text/html",
            "header.x-a=1",
            "header.x-a=2",
            "body=hi",
            "source_ip=",
        ],
    );
    assert_eq!(http["headers"]["accept"], json!(["text/html"]));
    assert_eq!(http["headers"]["x-a"], json!(["1", "2"]));
    assert_eq!(http["headers"]["content-length"], json!(["2"]));
    assert_eq!(http["body_base64"], "aGk=");
    assert_eq!(http["source_ip"], json!(null));

    let blob = event(
        "blob-created",
        &["container=photos", "key=a b.png", "content=meow", "etag="],
    );
    assert_eq!(
        (
            blob["store"].as_str(),
            blob["key"].as_str(),
            blob["size"].as_u64()
        ),
        (Some("photos"), Some("a b.png"), Some(4))
    );
    assert_eq!(blob["etag"], json!(null));
    assert_eq!(event("blob-deleted", &[])["change"], "deleted");

    let message = event(
        "message",
        &[
            "topic=alerts",
            "attribute.origin=",
            "attribute.level=high",
            "body_base64=AAE=",
        ],
    );
    assert_eq!(message["source"], "alerts");
    assert_eq!(message["attributes"], json!({"level": "high"}));
    assert_eq!(message["body_base64"], "AAE=");

    let invoke = event(
        "invoke",
        &["payload={\"a\":1}", "payload.b=[2]", "payload.c=text"],
    );
    assert_eq!(invoke["payload"], json!({"a": 1, "b": [2], "c": "text"}));

    let schedule = event("schedule", &["name=hourly", "time="]);
    assert_eq!(
        schedule,
        json!({"kind": "schedule", "name": "hourly", "time": null})
    );

    let change = sample::find(Platform::Aws, "dynamodb")
        .unwrap()
        .event(
            &Params::parse(["table=users", "op=insert", "key.id=u1", "old=", "new.n=7"]).unwrap(),
        )
        .unwrap();
    let LogicalEvent::Change(change) = change else {
        panic!()
    };
    assert_eq!(change.source, "users");
    assert_eq!(change.key, Some(json!({"id": "u1"})));
    assert_eq!(change.old, None);
    assert_eq!(change.new.unwrap()["n"], 7);
}

#[test]
fn a_wrong_key_or_value_is_named() {
    let fails = |name: &str, param: &str| {
        sample::find(Platform::Local, name)
            .unwrap()
            .event(&Params::parse([param]).unwrap())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(fails("http", "bucket=x"), "\"bucket\" is not a field of http events; use method, path, query, header.<name>, body, body_base64, source_ip");
    assert_eq!(
        fails("http", "path=items"),
        "path=\"items\": a path starts with `/`"
    );
    assert!(fails("http", "source_ip=nowhere").starts_with("source_ip=\"nowhere\": "));
    assert!(fails("http", "header.x-a=a\nb").starts_with("header.x-a=\"a\\nb\": "));
    assert!(fails("blob-created", "size=big").starts_with("size=\"big\": "));
    assert_eq!(
        fails("blob-created", "change=moved"),
        "change=\"moved\": created or deleted"
    );
    assert!(fails("message", "body_base64=***").contains("not base64"));
    assert!(fails("invoke", "payload={").starts_with("payload=\"{\": "));
    assert_eq!(
        Params::parse(["novalue"]).unwrap_err().to_string(),
        "\"novalue\" is not key=value"
    );
}
