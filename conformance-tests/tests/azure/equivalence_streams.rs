//! Equivalence, Azure's side: one logical change record and one logical stream message, in
//! DESIGN.md's canonical form, encoded the way the host sends them (the test kit's Cosmos DB,
//! Event Hubs and Service Bus forms) come back from echo exactly, with no field lost: the same
//! canonical event the other platforms' change and stream triggers give for them.

use polyfaas_testkit::echo::event_of;
use polyfaas_testkit::encode::Encoder;
use polyfaas_testkit::logical::LogicalEvent;
use polyfaas_testkit::{Function, Platform};
use serde_json::{json, Value};

use conformance_tests::build::echo_binary;

/// The one logical change record (Cosmos DB cannot tell an insert from an update: `upsert`,
/// and sends no old value).
fn change() -> Value {
    json!({"kind": "change", "id": "0000d0c0-0000-0d00-0000-65f1c3a20000", "source": "shop/orders",
           "op": "upsert", "key": {"id": "order-7"}, "old": null,
           "new": {"id": "order-7", "status": "paid", "total": 129.9, "tags": ["a", "b"]}})
}

/// The one logical stream message, with DESIGN.md's position attributes.
fn message(source: &str, attributes: Value) -> Value {
    json!({"kind": "message", "id": "m-7", "source": source,
           "body_base64": "eyJvcmRlciI6N30=", "attributes": attributes})
}

#[tokio::test]
async fn a_change_and_a_stream_message_come_back_as_the_same_canonical_events() {
    let mut function = Function::start(Platform::Azure, &echo_binary(Platform::Azure))
        .await
        .unwrap();
    let stream = json!({"partition_key": "device-7", "sequence_number": "42", "offset": "4096",
                        "enqueued_time": "2026-03-01T09:00:00Z", "partition": "0",
                        "origin": "web"});
    let queue = json!({"delivery_count": "1", "sequence_number": "310",
                       "enqueued_time": "2026-03-01T09:00:00Z", "session_id": "s-1",
                       "origin": "web"});
    let cases = [
        ("cosmos", change()),
        ("event-hubs", message("telemetry", stream.clone())),
        ("event-hubs-batch", message("telemetry", stream)),
        ("service-bus", message("orders", queue.clone())),
        (
            "service-bus-topic",
            message("orders/subscriptions/billing", queue),
        ),
    ];
    for (form, logical) in cases {
        let event = LogicalEvent::from_json(logical.clone()).unwrap();
        let encoded = Encoder::new(Platform::Azure)
            .form(form)
            .encode(&event)
            .unwrap();
        assert!(encoded.losses.is_empty(), "{form}: {:?}", encoded.losses);
        let answer = function.send_encoded(&encoded).await.unwrap();
        assert!(answer.failure.is_none(), "{form}: {:?}", answer.failure);
        let mut document = answer
            .json()
            .unwrap_or_else(|| panic!("{form}: {}", answer.text()));
        if form == "cosmos" || form == "event-hubs-batch" {
            // A batch of one: the array of its records' results.
            document = document[0].take();
        }
        assert_eq!(event_of(&document, "azure"), logical, "{form}");
        // Echo logged the same record (batch sources are seen through their logs).
        let logged: Vec<Value> = answer
            .logs
            .platform
            .iter()
            .filter_map(|line| {
                line.split_once("echo record ")?
                    .1
                    .split(" request_id=")
                    .next()
            })
            .filter_map(|json| serde_json::from_str(json).ok())
            .collect();
        assert_eq!(logged, [logical], "{form}");
    }

    // The positions keep their text; a fraction of a second survives in a batch only (the
    // host re-parses a single event's time from its culture's text, which drops it).
    let precise = json!({"partition_key": "k", "sequence_number": "1", "offset": "0",
                         "enqueued_time": "2026-03-01T09:00:00.125Z", "partition": "0"});
    let event = LogicalEvent::from_json(message("telemetry", precise)).unwrap();
    let batch = Encoder::new(Platform::Azure)
        .form("event-hubs-batch")
        .encode(&event)
        .unwrap();
    assert!(batch.losses.is_empty(), "{:?}", batch.losses);
    let single = Encoder::new(Platform::Azure)
        .form("event-hubs")
        .encode(&event)
        .unwrap();
    assert_eq!(single.losses.len(), 1, "{:?}", single.losses);
    assert_eq!(single.losses[0].field, "attributes.enqueued_time");
    let answer = function.send_encoded(&single).await.unwrap();
    assert_eq!(
        answer.json().unwrap()["event"]["attributes"]["enqueued_time"],
        "2026-03-01T09:00:00Z"
    );
}
