//! Firestore document events and Cloud Scheduler calls (issue 14), made by the test kit's
//! encoders from logical events and sent to the real echo binary: every form of one logical
//! event gives that same canonical event.

use conformance_tests::build::echo_binary;
use polyfaas_testkit::encode::Encoder;
use polyfaas_testkit::logical::LogicalEvent;
use polyfaas_testkit::{Function, Platform};
use serde_json::{json, Value};

/// Echo under the test kit's Functions Framework, one process per signature type.
async fn echo() -> Function {
    Function::start(Platform::Gcp, &echo_binary(Platform::Gcp))
        .await
        .unwrap_or_else(|e| panic!("start echo: {e}"))
}

/// Sends `event` in `form` and returns echo's canonical event and the losses the encoder named.
async fn through(function: &mut Function, form: &str, event: &Value) -> (Value, Vec<String>) {
    let logical = LogicalEvent::from_json(event.clone()).unwrap();
    let encoded = Encoder::new(Platform::Gcp)
        .form(form)
        .encode(&logical)
        .unwrap_or_else(|e| panic!("{form}: {e}"));
    let answer = function
        .send_encoded(&encoded)
        .await
        .unwrap_or_else(|e| panic!("{form}: {e}"));
    if let Some(failure) = &answer.failure {
        panic!("{form}: {failure}\n{}", answer.logs);
    }
    let document = answer
        .json()
        .unwrap_or_else(|| panic!("{form}: not JSON: {}", answer.text()));
    let losses = encoded.losses.iter().map(|l| l.field.clone()).collect();
    (document["event"].clone(), losses)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_logical_change_gives_one_canonical_event_through_every_firestore_form() {
    let mut function = echo().await;
    let changes = [
        json!({"kind": "change", "id": "c-ins", "source": "orders", "op": "insert", "key": "orders/o-7",
               "old": null, "new": {"status": "new", "total": 12, "lines": [{"sku": "pear", "qty": 3}], "gift": false}}),
        json!({"kind": "change", "id": "c-mod", "source": "orders", "op": "modify", "key": "orders/o-7",
               "old": {"status": "new", "total": 12}, "new": {"status": "paid", "total": 12.5, "note": null}}),
        json!({"kind": "change", "id": "c-rem", "source": "users/u1/orders", "op": "remove", "key": "users/u1/orders/o-1",
               "old": {"status": "paid", "tags": {"vip": true}}, "new": null}),
        json!({"kind": "change", "id": "c-ups", "source": "orders", "op": "upsert", "key": "orders/caf\u{e9} 1",
               "old": null, "new": {"emoji": "\u{1f350}", "big": -9007199254740993_i64}}),
    ];
    for change in &changes {
        for form in ["firestore", "firestore-protobuf", "legacy-firestore"] {
            let (echoed, losses) = through(&mut function, form, change).await;
            assert!(losses.is_empty(), "{form}: {losses:?}");
            assert_eq!(&echoed, change, "{form}");
        }
    }
    // Echo logs every change record (as a Cloud Logging line: FUNCTION_TARGET is set).
    let logs = function.output();
    assert!(
        logs.contains("echo record {\\\"kind\\\":\\\"change\\\",\\\"id\\\":\\\"c-rem\\\""),
        "{logs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_that_is_not_a_path_comes_back_as_the_document_path() {
    let mut function = echo().await;
    // The same record as DynamoDB would key it: Firestore names it by its path instead.
    let change = json!({"kind": "change", "id": "c-1", "source": "orders", "op": "modify",
                        "key": {"id": "order-7"}, "old": {"n": 1}, "new": {"n": 2}});
    for form in ["firestore", "firestore-protobuf", "legacy-firestore"] {
        let (echoed, losses) = through(&mut function, form, &change).await;
        assert_eq!(losses, ["key"], "{form}");
        assert_eq!(echoed["key"], "orders/order-7", "{form}");
        let mut expected = change.clone();
        expected["key"] = echoed["key"].clone();
        assert_eq!(echoed, expected, "{form}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_scheduler_calls_are_schedules_through_both_targets() {
    let mut function = echo().await;
    for tick in [
        json!({"kind": "schedule", "name": "nightly", "time": "2026-03-01T02:00:00Z"}),
        json!({"kind": "schedule", "name": "every-5-min", "time": "2026-03-01T02:05:00.000+01:00"}),
        json!({"kind": "schedule", "name": "once", "time": null}),
    ] {
        for form in ["scheduler", "scheduler-pubsub"] {
            let (echoed, losses) = through(&mut function, form, &tick).await;
            assert!(losses.is_empty(), "{form}: {losses:?}");
            assert_eq!(echoed, tick, "{form}");
        }
    }
    // A job with no name: Cloud Scheduler's own header still marks the HTTP call; a Pub/Sub
    // message without the attribute is a message, as the encoder says.
    let unnamed = json!({"kind": "schedule", "name": null, "time": "2026-03-01T02:00:00Z"});
    let (echoed, losses) = through(&mut function, "scheduler", &unnamed).await;
    assert!(losses.is_empty());
    assert_eq!(echoed, unnamed);
    let (echoed, losses) = through(&mut function, "scheduler-pubsub", &unnamed).await;
    assert_eq!(losses, ["kind"]);
    assert_eq!(echoed["kind"], "message");
}

#[tokio::test]
async fn a_plain_post_and_a_post_with_only_the_scheduler_user_agent_are_http() {
    let echo = crate::start("http", &[]);
    for request in [
        http::Request::post("/").body(bytes::Bytes::new()).unwrap(),
        http::Request::post("/")
            .header("user-agent", "Google-Cloud-Scheduler")
            .body(bytes::Bytes::new())
            .unwrap(),
    ] {
        let answer = polyfaas_testkit::client::json(
            &polyfaas_testkit::client::send(echo.addr, request).await,
        );
        assert_eq!(answer["event"]["kind"], "http", "{answer}");
        assert_eq!(answer["event"]["method"], "POST");
    }
}
