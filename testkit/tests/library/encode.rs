//! The encoders' refusals and the losses they name, without running anything.

use polyfaas_testkit::encode::{default_form, forms, EncodeError, Encoder};
use polyfaas_testkit::logical::{Kind, LogicalEvent};
use polyfaas_testkit::native::{NativeEvent, Signature};
use polyfaas_testkit::Platform;
use serde_json::{json, Value};

fn event(json: Value) -> LogicalEvent {
    LogicalEvent::from_json(json).unwrap()
}

#[test]
fn every_kind_has_a_form_where_the_platform_has_a_trigger() {
    let kinds = [
        json!({"kind": "http", "method": "GET", "path": "/"}),
        json!({"kind": "blob", "change": "created", "store": "b", "key": "k"}),
        json!({"kind": "blob", "change": "deleted", "store": "b", "key": "k"}),
        json!({"kind": "message", "id": "1", "source": "q"}),
        json!({"kind": "change", "id": "1", "source": "t", "op": "insert", "key": {"id": "1"}}),
        json!({"kind": "schedule"}),
        json!({"kind": "authorize", "token": "t", "resource": "arn", "request": {"method": "GET", "path": "/"}}),
        json!({"kind": "invoke", "payload": null}),
    ];
    for platform in Platform::ALL {
        for json in &kinds {
            let event = event(json.clone());
            let missing = matches!(
                (platform, event.kind()),
                (Platform::OpenWhisk, Kind::Blob | Kind::Change)
                    | (Platform::Local, Kind::Change)
                    | (
                        Platform::Local | Platform::Gcp | Platform::Azure | Platform::OpenWhisk,
                        Kind::Authorize
                    )
            );
            match Encoder::new(platform).encode(&event) {
                Ok(encoded) => {
                    assert!(!missing, "{platform} {json}");
                    assert_eq!(encoded.native.platform(), platform);
                    assert_eq!(default_form(platform, &event).unwrap().name, encoded.form);
                }
                Err(EncodeError::NoNativeForm { reason, .. }) => {
                    assert!(missing && !reason.is_empty(), "{platform} {json}: {reason}")
                }
                Err(e) => panic!("{platform} {json}: {e}"),
            }
        }
        // Every form's kind is one of the kinds.
        assert!(forms(platform).iter().all(|f| Kind::ALL.contains(&f.kind)));
    }
}

#[test]
fn wrong_forms_and_values_are_refused_by_name() {
    let http = event(json!({"kind": "http", "method": "GET", "path": "/"}));
    let err = Encoder::new(Platform::Aws)
        .form("s3")
        .encode(&http)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "aws form \"s3\" carries blob events, not http events"
    );
    let err = Encoder::new(Platform::Gcp)
        .form("lambda")
        .encode(&http)
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("gcp has no form \"lambda\"; its forms are http, storage"),
        "{err}"
    );
    let err = Encoder::new(Platform::OpenWhisk)
        .encode(&event(
            json!({"kind": "blob", "change": "created", "store": "b", "key": "k"}),
        ))
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("openwhisk has no native form for a blob event: "),
        "{err}"
    );
    let err = Encoder::new(Platform::Azure)
        .form("blob")
        .encode(&event(
            json!({"kind": "blob", "change": "deleted", "store": "b", "key": "k"}),
        ))
        .unwrap_err();
    assert!(err.to_string().contains("form event-grid"), "{err}");
    let err = Encoder::new(Platform::Aws)
        .encode(&event(
            json!({"kind": "change", "id": "1", "source": "t", "op": "insert"}),
        ))
        .unwrap_err();
    assert!(err.to_string().starts_with("event.key: "), "{err}");
    let err = Encoder::new(Platform::Gcp)
        .encode(&event(json!({"kind": "http", "method": "GET", "path": "/",
                              "headers": {"content-length": ["3"]}})))
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("event.headers.content-length: "),
        "{err}"
    );
    let err = Encoder::new(Platform::Aws)
        .encode(&event(json!({"kind": "blob", "change": "created", "store": "b", "key": "k", "size": 1u64 << 40})))
        .unwrap_err();
    assert!(err.to_string().starts_with("event.size: "), "{err}");
}

#[test]
fn what_a_form_cannot_carry_is_named() {
    let fields = |platform, form: &str, json: Value| -> Vec<String> {
        let mut encoder = Encoder::new(platform);
        if !form.is_empty() {
            encoder = encoder.form(form);
        }
        encoder
            .encode(&event(json))
            .unwrap()
            .losses
            .into_iter()
            .map(|l| l.field)
            .collect()
    };
    let repeated = json!({"kind": "http", "method": "GET", "path": "/", "query": "a=1&b=2&a=3",
                          "headers": {"x-a": ["1", "2"], "host": ["h"]}, "source_ip": "127.0.0.1"});
    assert_eq!(
        fields(Platform::Aws, "apigw-v2", repeated.clone()),
        ["headers.x-a"]
    );
    assert_eq!(
        fields(Platform::Aws, "apigw-v1", repeated.clone()),
        ["query"]
    );
    assert_eq!(
        fields(Platform::Aws, "alb", repeated.clone()),
        ["query", "headers.x-a", "source_ip"]
    );
    assert_eq!(
        fields(Platform::Gcp, "", repeated.clone()),
        Vec::<String>::new()
    );
    assert_eq!(
        fields(Platform::OpenWhisk, "", repeated.clone()),
        ["headers.x-a", "source_ip"]
    );
    assert_eq!(fields(Platform::Azure, "", repeated), ["source_ip"]);
    let message = json!({"kind": "message", "id": "1", "source": "q", "body_base64": "/w==", "attributes": {"k": "v"}});
    assert_eq!(
        fields(Platform::Aws, "sns", message.clone()),
        ["body_base64"]
    );
    let azure = fields(Platform::Azure, "", message.clone());
    assert!(
        azure.contains(&"attributes.k".to_owned())
            && azure.contains(&"attributes.dequeue_count".to_owned()),
        "{azure:?}"
    );
    // A Kinesis record has its position and nothing else.
    assert_eq!(
        fields(Platform::Aws, "kinesis", message.clone()),
        [
            "attributes.k",
            "attributes.partition_key",
            "attributes.sequence_number",
            "attributes.enqueued_time"
        ]
    );
    let positioned = json!({"kind": "message", "id": "shardId-0:4959", "source": "orders",
        "body_base64": "/w==", "attributes": {"partition_key": "p", "sequence_number": "4959",
        "enqueued_time": "2026-03-01T09:00:00.500Z"}});
    assert_eq!(
        fields(Platform::Aws, "kinesis", positioned),
        Vec::<String>::new()
    );
    // A Kafka record's id and source are its topic-partition and offset.
    assert_eq!(
        fields(Platform::Aws, "kafka", message),
        ["attributes.partition", "attributes.offset", "source", "id"]
    );
    // An authorizer call: a TOKEN authorizer has no request, the others read the token from
    // the authorization header and get no body.
    let authorize = json!({"kind": "authorize", "token": "Bearer t",
        "resource": "arn:aws:execute-api:eu-west-1:1:api/prod/GET/x",
        "request": {"method": "POST", "path": "/x", "headers": {"authorization": ["Bearer u"]},
                    "body_base64": "aGk="}});
    assert_eq!(
        fields(Platform::Aws, "authorizer-token", authorize.clone()),
        ["request"]
    );
    for form in [
        "authorizer-request",
        "authorizer-v2",
        "authorizer-v2-payload1",
    ] {
        assert_eq!(
            fields(Platform::Aws, form, authorize.clone()),
            ["request.body_base64", "token"],
            "{form}"
        );
    }
    assert!(Encoder::new(Platform::Gcp)
        .encode(&event(authorize))
        .is_err());
    // A direct payload with another source's keys is taken for that source.
    let lookalike = json!({"kind": "invoke", "payload": {"Records": [{"eventSource": "aws:sqs"}]}});
    let encoded = Encoder::new(Platform::Aws)
        .encode(&event(lookalike))
        .unwrap();
    assert_eq!(encoded.losses[0].delivered_as, Some(Kind::Message));
}

#[test]
fn native_events_are_the_platforms_own() {
    let http = event(
        json!({"kind": "http", "method": "POST", "path": "/a b", "query": "x=1",
                            "headers": {"content-type": ["text/plain"], "content-length": ["2"], "host": ["h"]},
                            "body_base64": "aGk="}),
    );
    let NativeEvent::Gcp(gcp) = Encoder::new(Platform::Gcp).encode(&http).unwrap().native else {
        panic!()
    };
    assert_eq!(gcp.signature, Signature::Http);
    assert_eq!(gcp.request.uri(), "/a%20b?x=1");
    let NativeEvent::Azure(azure) = Encoder::new(Platform::Azure).encode(&http).unwrap().native
    else {
        panic!()
    };
    assert_eq!(
        azure.envelope["Data"]["req"]["Url"],
        "http://localhost:7071/a%20b?x=1"
    );
    assert_eq!(
        azure.envelope["Data"]["req"]["Headers"]["Content-Type"],
        json!(["text/plain"])
    );
    assert_eq!(azure.envelope["Data"]["req"]["Body"], "hi");
    assert_eq!(azure.function.name, "http");
    let NativeEvent::OpenWhisk(ow) = Encoder::new(Platform::OpenWhisk)
        .encode(&http)
        .unwrap()
        .native
    else {
        panic!()
    };
    assert!(ow.web);
    assert_eq!(ow.run["value"]["__ow_method"], "post");
    assert_eq!(ow.run["value"]["__ow_path"], "/a%20b");
    // Printed for people: the platform's own wire form.
    let printed = Encoder::new(Platform::Gcp)
        .encode(&http)
        .unwrap()
        .native
        .to_string();
    assert!(
        printed.starts_with("# FUNCTION_SIGNATURE_TYPE=http\nPOST /a%20b?x=1 HTTP/1.1\n"),
        "{printed}"
    );
    // An S3 key is form-encoded; a storage CloudEvent's subject percent-encoded.
    let blob = event(
        json!({"kind": "blob", "change": "created", "store": "b", "key": "a b+c/é.txt", "size": 2}),
    );
    let encoded = Encoder::new(Platform::Aws).encode(&blob).unwrap();
    let NativeEvent::Aws(aws) = &encoded.native else {
        panic!()
    };
    let payload: Value = serde_json::from_slice(&aws.payload).unwrap();
    assert_eq!(
        payload["Records"][0]["s3"]["object"]["key"],
        "a+b%2Bc/%C3%A9.txt"
    );
    assert_eq!(encoded.object.as_ref().unwrap().content.len(), 2);
    let NativeEvent::Gcp(gcp) = Encoder::new(Platform::Gcp).encode(&blob).unwrap().native else {
        panic!()
    };
    assert_eq!(
        gcp.request.headers()["ce-subject"],
        "objects/a%20b+c/%C3%A9.txt"
    );
}
