//! Stream and change records through echo: DynamoDB Streams as `change` events, Kinesis and
//! Kafka (MSK and self-managed) as `message` events with their positions; per-record failure
//! by sequence number for the ordered sources, the invocation failing at the first failed
//! Kafka record; malformed records and schedule times named.
//!
//! Batch sources answer with the partial-batch response, so what echo saw is read from its
//! `echo record {...}` log lines.

use bytes::Bytes;
use polyfaas_testkit::aws::{Invocation, Lambda};
use polyfaas_testkit::echo::{base64, event_of, logged};
use serde_json::{json, Value};

use crate::fixture;

/// Invokes with `payload`: the `/response` JSON, and the records echo logged meanwhile.
pub async fn with_records(lambda: &Lambda, payload: impl Into<Bytes>) -> (Value, Vec<Value>) {
    let mark = lambda.process.mark();
    let result = lambda.result(payload).await;
    (result, records_since(lambda, mark))
}

/// Invokes with `payload`, which must fail: the error type and message, and the records echo
/// logged meanwhile.
pub async fn failing(lambda: &Lambda, payload: impl Into<Bytes>) -> (String, String, Vec<Value>) {
    let mark = lambda.process.mark();
    let outcome = lambda.invoke(Invocation::new(payload)).await.unwrap();
    let (error_type, message) = outcome.error();
    (error_type, message, records_since(lambda, mark))
}

fn records_since(lambda: &Lambda, mark: polyfaas_testkit::process::OutputMark) -> Vec<Value> {
    let logs = lambda.process.logs_since(mark);
    logged(&format!("{}{}", logs.stdout, logs.stderr), "echo record ")
}

/// A fixture as JSON, to change before sending.
pub fn json_fixture(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).unwrap()
}

/// `batchItemFailures` naming `items`.
fn failures(items: &[&str]) -> Value {
    json!({"batchItemFailures": items.iter().map(|i| json!({"itemIdentifier": i})).collect::<Vec<_>>()})
}

const SEQ: [&str; 3] = [
    "111100000000000000000001",
    "111100000000000000000002",
    "111100000000000000000003",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_records_become_changes_with_plain_json_values() {
    let mut lambda = crate::start().await;
    let (result, records) = with_records(&lambda, fixture("dynamodb-stream.json")).await;
    assert_eq!(result, failures(&[]));
    assert_eq!(
        records,
        [
            json!({"kind": "change", "id": "7de3041dd709b024af6f29e4fa13d34c", "source": "orders",
                "op": "insert", "key": {"pk": "order#42", "sk": 1}, "old": null,
                "new": {"pk": "order#42", "sk": 1, "total": 12.5, "count": -3,
                    // 38 digits: no JSON number holds them, so the text is kept.
                    "ledger": "12345678901234567890123456789012345678",
                    "photo": "iVBORw0KGgo=", "paid": true, "note": null,
                    "address": {"city": "Lyon", "floor": 2}, "lines": ["tea", 3.25, []],
                    "tags": ["gift", "rush"], "sizes": [38, 40.5], "blobs": ["AAE=", "/w=="]}}),
            json!({"kind": "change", "id": "c4ca4238a0b923820dcc509a6f75849b", "source": "orders",
                "op": "modify", "key": {"pk": "order#42", "sk": 1},
                "old": {"pk": "order#42", "sk": 1, "status": "new"},
                "new": {"pk": "order#42", "sk": 1, "status": "paid"}}),
            json!({"kind": "change", "id": "eccbc87e4b5ce2fe28308fd9f2a7baf3", "source": "orders",
                "op": "remove", "key": {"pk": "session#9", "sk": 0},
                "old": {"pk": "session#9", "sk": 0, "ttl": 1795255200}, "new": null}),
        ]
    );
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_change_is_reported_with_every_later_record_by_sequence_number() {
    let mut lambda = crate::start().await;
    for how in ["error", "panic"] {
        let mut event = json_fixture("dynamodb-stream.json");
        event["Records"][1]["dynamodb"]["NewImage"]["echo_fail"] = json!({"S": how});
        let (result, records) = with_records(&lambda, event.to_string()).await;
        // The shard is ordered: the third record is not run, and reported too.
        assert_eq!(result, failures(&SEQ[1..]), "{how}");
        assert_eq!(records.len(), 2, "{how}: {records:#?}");
        assert_eq!(records[1]["new"]["echo_fail"], how);
    }
    // The first record failing reports the whole batch.
    let mut event = json_fixture("dynamodb-stream.json");
    event["Records"][0]["dynamodb"]["NewImage"]["echo_fail"] = json!({"S": "error"});
    let (result, records) = with_records(&lambda, event.to_string()).await;
    assert_eq!(result, failures(&SEQ));
    assert_eq!(records.len(), 1);
    // ... and the next batch is served.
    let (result, records) = with_records(&lambda, fixture("dynamodb-stream.json")).await;
    assert_eq!((result, records.len()), (failures(&[]), 3));
    lambda.assert_healthy();
}

const KINESIS_SEQ: [&str; 3] = [
    "49654367201839275690398712445327840839283172376819204146",
    "49654367201839275690398712445327840839283172376819204162",
    "49654367201839275690398712445327840839283172376819204178",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kinesis_records_become_messages_with_their_position() {
    let mut lambda = crate::start().await;
    let (result, records) = with_records(&lambda, fixture("kinesis-batch.json")).await;
    assert_eq!(result, failures(&[]));
    assert_eq!(records.len(), 3, "{records:#?}");
    assert_eq!(
        records[0],
        json!({"kind": "message",
            "id": format!("shardId-000000000003:{}", KINESIS_SEQ[0]),
            "source": "clicks",
            "body_base64": base64(br#"{"click":"buy","item":42}"#),
            "attributes": {"partition_key": "user-7", "sequence_number": KINESIS_SEQ[0],
                           "enqueued_time": "2026-11-21T10:00:00.125Z"}})
    );
    // Binary data arrives as it was.
    assert_eq!(records[1]["body_base64"], base64(&[0, 255, 254, 128, 10]));
    assert_eq!(
        records[1]["attributes"]["enqueued_time"],
        "2026-11-21T10:00:01.500Z"
    );
    assert_eq!(
        records[2]["attributes"]["enqueued_time"],
        "2026-11-21T10:00:02.000Z"
    );

    // A record whose data is JSON with echo_fail fails; the shard stops there.
    let mut event = json_fixture("kinesis-batch.json");
    event["Records"][1]["kinesis"]["data"] = json!(base64(br#"{"echo_fail":"error"}"#));
    let (result, records) = with_records(&lambda, event.to_string()).await;
    assert_eq!(result, failures(&KINESIS_SEQ[1..]));
    assert_eq!(records.len(), 2);
    let mut event = json_fixture("kinesis-batch.json");
    event["Records"][2]["kinesis"]["data"] = json!(base64(br#"{"echo_fail":"panic"}"#));
    let (result, _) = with_records(&lambda, event.to_string()).await;
    assert_eq!(result, failures(&KINESIS_SEQ[2..]));
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_records_become_messages_and_the_first_failure_fails_the_invocation() {
    let mut lambda = crate::start().await;
    let (result, records) = with_records(&lambda, fixture("kafka-msk.json")).await;
    // No partial batch response for Kafka: the result is echo's answer to each record.
    let answers = result.as_array().expect("one answer per record");
    assert_eq!(answers.len(), 3);
    assert_eq!(event_of(&answers[2], "aws")["source"], "orders-1");
    assert_eq!(
        records[0],
        json!({"kind": "message", "id": "orders-0:1041", "source": "orders-0",
            "body_base64": base64(br#"{"order":42}"#),
            "attributes": {"partition": "0", "offset": "1041",
                "enqueued_time": "2026-11-21T10:00:00.250Z", "key": "order-42",
                "tenant": "acme",
                // Not UTF-8 (and written as Java's signed bytes): given as base64.
                "trace_base64": base64(&[0x00, 0x9f, 0x92, 0x96])}})
    );
    // A tombstone (null value) has an empty body.
    assert_eq!(records[1]["body_base64"], "");
    assert_eq!(records[1]["attributes"]["key"], "order-43");
    // No key: no key attribute.
    assert_eq!(
        records[2]["attributes"],
        json!({"partition": "1", "offset": "77", "enqueued_time": "2026-11-21T10:00:01.000Z"})
    );

    let (result, records) = with_records(&lambda, fixture("kafka-self-managed.json")).await;
    assert_eq!(event_of(&result, "aws")["id"], "payments-2:9");
    assert_eq!(records[0]["attributes"]["source"], "web");

    let mut event = json_fixture("kafka-msk.json");
    event["records"]["orders-0"][1]["value"] = json!(base64(br#"{"echo_fail":"error"}"#));
    let (error_type, message, records) = failing(&lambda, event.to_string()).await;
    assert_eq!(error_type, "HandlerError");
    assert_eq!(
        message,
        "records.orders-0[1] (offset 1042): echo failed on purpose (echo_fail: error)"
    );
    // orders-1 was not run.
    assert_eq!(records.len(), 2);
    lambda.result(fixture("kafka-self-managed.json")).await;
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_records_and_schedule_times_are_named() {
    let mut lambda = crate::start().await;
    let cases = [
        (
            "malformed/eventbridge-bad-time.json",
            "time: \"-1\" is not an RFC 3339 date-time",
        ),
        (
            "malformed/dynamodb-bad-number.json",
            "Records[0].dynamodb.NewImage.price.N: \"twelve\" is not a number",
        ),
        (
            "malformed/kinesis-bad-data.json",
            "Records[0].kinesis.data: not valid base64",
        ),
    ];
    for (name, expected) in cases {
        let (error_type, message) = lambda
            .invoke(Invocation::new(fixture(name)))
            .await
            .unwrap()
            .error();
        assert_eq!(error_type, "InvalidEvent", "{name}: {message}");
        assert!(message.starts_with(expected), "{name}: {message}");
        // The next event is served.
        let document = lambda.result(fixture("eventbridge-schedule.json")).await;
        assert_eq!(event_of(&document, "aws")["kind"], "schedule");
    }
    lambda.assert_healthy();
}
