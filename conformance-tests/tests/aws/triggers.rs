//! The non-HTTP triggers: S3, SQS, SNS, EventBridge schedules, direct invocations.

use polyfaas_testkit::echo::{base64, event_of, sha256_hex};
use serde_json::{json, Value};

use crate::fixture;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_notifications_become_blob_events_with_a_local_file() {
    let mut lambda = crate::start().await;
    // The event's key is `photos/red+flower%2Bstem.txt`: `+` is a space, %2B a plus.
    let content = b"26 bytes of flower content";
    let object = lambda.sandbox.blob_dir().join("photos/red flower+stem.txt");
    std::fs::create_dir_all(object.parent().unwrap()).unwrap();
    std::fs::write(&object, content).unwrap();

    let document = lambda.result(fixture("s3-put.json")).await;
    let event = event_of(&document, "aws");
    assert_eq!(
        event,
        json!({
            "kind": "blob", "change": "created", "store": "polyfaas-uploads",
            "key": "photos/red flower+stem.txt", "size": 26,
            "etag": "0f343b0931126a20f133d67c2b018a3b", "content_type": null,
            "local_sha256": sha256_hex(content),
        })
    );

    let document = lambda.result(fixture("s3-delete.json")).await;
    let event = event_of(&document, "aws");
    assert_eq!(event["change"], "deleted");
    assert_eq!(event["key"], "old/report 2025.csv");
    assert_eq!(event["size"], Value::Null);
    assert_eq!(event["local_sha256"], Value::Null);

    // A created object that is not in the store: the download fails, the invocation fails
    // (Lambda retries S3 events), and the next one is served.
    std::fs::remove_file(&object).unwrap();
    let (error_type, message) = lambda
        .invoke(polyfaas_testkit::aws::Invocation::new(fixture(
            "s3-put.json",
        )))
        .await
        .unwrap()
        .error();
    assert_eq!(error_type, "BlobError", "{message}");
    assert!(
        lambda.sandbox.scratch_is_empty(),
        "scratch files left behind"
    );
    lambda.result(fixture("eventbridge-schedule.json")).await;
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_batches_report_the_failed_records_only() {
    let mut lambda = crate::start().await;
    // Records 2 and 3 ask echo to fail (error, panic); 1 and 4 succeed.
    let response = lambda.result(fixture("sqs-batch.json")).await;
    assert_eq!(
        response,
        json!({"batchItemFailures": [
            {"itemIdentifier": "9a1c2f4e-0000-4000-8000-000000000002"},
            {"itemIdentifier": "9a1c2f4e-0000-4000-8000-000000000003"},
        ]})
    );

    // A FIFO queue stops at the first failure: the rest are reported failed too, in order.
    let fifo = String::from_utf8(fixture("sqs-batch.json"))
        .unwrap()
        .replace(":orders\"", ":orders.fifo\"");
    let response = lambda.result(fifo).await;
    let failed: Vec<&str> = response["batchItemFailures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["itemIdentifier"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed,
        [
            "9a1c2f4e-0000-4000-8000-000000000002",
            "9a1c2f4e-0000-4000-8000-000000000003",
            "9a1c2f4e-0000-4000-8000-000000000004",
        ]
    );

    // All succeed: an empty list.
    let only_first = json!({"Records": [serde_json::from_slice::<Value>(&fixture("sqs-batch.json")).unwrap()["Records"][0]]});
    assert_eq!(
        lambda.result(only_first.to_string()).await,
        json!({"batchItemFailures": []})
    );
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sns_notifications_and_schedules() {
    let mut lambda = crate::start().await;
    let document = lambda.result(fixture("sns.json")).await;
    assert_eq!(
        event_of(&document, "aws"),
        json!({
            "kind": "message", "id": "5f2b6c1e-0000-4000-8000-00000000000b",
            "source": "arn:aws:sns:us-east-2:210987654321:alerts",
            "body_base64": base64(b"disk almost full\r\non host-7"),
            "attributes": {"severity": "warning"},
        })
    );

    let document = lambda.result(fixture("eventbridge-schedule.json")).await;
    assert_eq!(
        event_of(&document, "aws"),
        json!({"kind": "schedule", "name": "nightly-cleanup", "time": "2026-11-21T02:00:00Z"})
    );
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anything_else_is_an_invocation_with_the_payload_untouched() {
    let mut lambda = crate::start().await;
    for name in ["direct-invoke.json", "websocket-message.json"] {
        let payload: Value = serde_json::from_slice(&fixture(name)).unwrap();
        let document = lambda.result(fixture(name)).await;
        let event = event_of(&document, "aws");
        assert_eq!(event["kind"], "invoke", "{name}");
        // Same members, same order.
        assert_eq!(event["payload"].to_string(), payload.to_string(), "{name}");
    }
    // Not an object at all.
    let document = lambda.result("[1, \"two\", null]").await;
    assert_eq!(
        event_of(&document, "aws")["payload"],
        json!([1, "two", null])
    );
    lambda.assert_healthy();
}
