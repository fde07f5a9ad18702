//! Per-record extras in echo's `extras` (echo started with `ECHO_EXTRAS=1`): SQS system
//! attributes and ids, the SNS subject and topic, S3 record details, from other projects'
//! published events read in place (`../shared/fixtures/aws/lambda-events`, never copied); the
//! stream positions of Kinesis, DynamoDB and Kafka records from the project's own fixtures.
//! Batch sources answer with the partial-batch response, so their extras are read from echo's
//! `echo extras {...}` log lines, one per record.

use conformance_tests::build::shared_dir;
use polyfaas_testkit::aws::{Lambda, LambdaOptions};
use polyfaas_testkit::echo::{event_of, logged, sha256_hex};
use serde_json::{json, Value};

use crate::fixture;

/// A published event from `shared/fixtures/aws/lambda-events`.
fn published(name: &str) -> Vec<u8> {
    let path = shared_dir().join("fixtures/aws/lambda-events").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn start() -> Lambda {
    crate::start_with(LambdaOptions::default().env("ECHO_EXTRAS", "1")).await
}

/// Invokes with `payload`: the result, and the extras echo logged for each record.
async fn logged_extras(lambda: &Lambda, payload: Vec<u8>) -> (Value, Vec<Value>) {
    let mark = lambda.process.mark();
    let result = lambda.result(payload).await;
    let logs = lambda.process.logs_since(mark);
    let text = format!("{}{}", logs.stdout, logs.stderr);
    (result, logged(&text, "echo extras "))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_records_carry_their_system_attributes() {
    let mut lambda = start().await;
    let (result, extras) = logged_extras(&lambda, published("example-sqs-event.json")).await;
    assert_eq!(result, json!({"batchItemFailures": []}));
    assert_eq!(extras.len(), 1);
    assert_eq!(
        extras[0]["aws.sqs"],
        json!({
            "message_id": "MessageID_1",
            "receipt_handle": "MessageReceiptHandle",
            "md5_of_body": "fce0ea8dd236ccb3ed9b37dae260836f",
            "event_source_arn": "arn:aws:sqs:us-west-2:123456789012:SQSQueue",
            "aws_region": "us-west-2",
            "attributes": {
                "approximate_receive_count": 2,
                "sent_timestamp": 1520621625029_u64,
                "sender_id": "AROAIWPX5BD2BHG722MW4:sender",
                "approximate_first_receive_timestamp": 1520621634884_u64,
                "message_group_id": null,
                "message_deduplication_id": null,
                "sequence_number": null,
                "aws_trace_header": null,
                "dead_letter_queue_source_arn": null,
                "other": {},
            },
        })
    );
    // The invocation's own extras are there too.
    assert!(extras[0]["aws.function_arn"].is_string(), "{:#}", extras[0]);

    // FIFO attributes, each record its own.
    let mut fifo: Value = serde_json::from_slice(&fixture("sqs-batch.json")).unwrap();
    for (i, record) in fifo["Records"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        record["eventSourceARN"] = json!("arn:aws:sqs:eu-west-1:210987654321:orders.fifo");
        record["attributes"]["MessageGroupId"] = json!("order-42");
        record["attributes"]["MessageDeduplicationId"] = json!(format!("dedup-{i}"));
        record["attributes"]["SequenceNumber"] = json!(format!("1879000000000000000{i}"));
    }
    let (_, extras) = logged_extras(&lambda, fifo.to_string().into_bytes()).await;
    // The second record fails, the FIFO batch stops there: two records ran.
    assert_eq!(extras.len(), 2);
    let attributes = &extras[1]["aws.sqs"]["attributes"];
    assert_eq!(attributes["message_group_id"], "order-42");
    assert_eq!(attributes["message_deduplication_id"], "dedup-1");
    assert_eq!(attributes["sequence_number"], "18790000000000000001");
    assert_eq!(attributes["approximate_receive_count"], 3);
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sns_notifications_and_s3_records_carry_their_details() {
    let mut lambda = start().await;
    let document = lambda.result(published("example-sns-event.json")).await;
    assert_eq!(
        event_of(&document, "aws")["body_base64"],
        "SGVsbG8NCndvcmxkIQ=="
    );
    assert_eq!(
        document["extras"]["aws.sns"],
        json!({
            "message_id": "82833b5c-8d5d-56d0-b0e1-7511f8253eb8",
            "topic_arn": "arn:aws:sns:us-east-1:246796806071:snsNetTest",
            "subject": "Greetings",
            "timestamp": "2015-08-18T18:02:32.111Z",
            "notification_type": "Notification",
            "subscription_arn": "arn:aws:sns:EXAMPLE",
        })
    );

    // The published S3 event names `Happy%20Face.jpg` in bucket `sourcebucket`.
    let content = b"a happy face";
    std::fs::write(lambda.sandbox.blob_dir().join("Happy Face.jpg"), content).unwrap();
    let document = lambda.result(published("example-s3-event.json")).await;
    let event = event_of(&document, "aws");
    assert_eq!(event["key"], "Happy Face.jpg");
    assert_eq!(event["local_sha256"], sha256_hex(content));
    assert_eq!(
        document["extras"]["aws.s3"],
        json!({
            "event_name": "ObjectCreated:Put",
            "event_time": "1970-01-01T00:00:00.123Z",
            "aws_region": "us-east-1",
            "principal_id": "EXAMPLE",
            "request_parameters": {"sourceIPAddress": "127.0.0.1"},
            "response_elements": {
                "x-amz-request-id": "C3D13FE58DE4C810",
                "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
            },
            "configuration_id": "testConfigRule",
            "bucket_arn": "arn:aws:s3:::mybucket",
            "bucket_owner": "EXAMPLE",
            "version_id": "version",
            "sequencer": "Happy Sequencer",
        })
    );
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_records_carry_their_positions() {
    let mut lambda = start().await;
    let (_, extras) = logged_extras(&lambda, fixture("kinesis-batch.json")).await;
    assert_eq!(extras.len(), 3);
    assert_eq!(
        extras[1]["aws.kinesis"],
        json!({
            "event_id": "shardId-000000000003:49654367201839275690398712445327840839283172376819204162",
            "shard_id": "shardId-000000000003",
            "event_source_arn": "arn:aws:kinesis:eu-west-1:210987654321:stream/clicks",
            "partition_key": "user-9",
            "sequence_number": "49654367201839275690398712445327840839283172376819204162",
            "approximate_arrival_timestamp": 1795255201.5,
            "encryption_type": "KMS",
            "aws_region": "eu-west-1",
            "invoke_identity_arn": "arn:aws:iam::210987654321:role/orders-consumer",
        })
    );

    let (_, extras) = logged_extras(&lambda, fixture("dynamodb-stream.json")).await;
    assert_eq!(
        extras[2]["aws.dynamodb"],
        json!({
            "event_id": "eccbc87e4b5ce2fe28308fd9f2a7baf3",
            "event_name": "REMOVE",
            "event_source_arn": "arn:aws:dynamodb:eu-west-1:210987654321:table/orders/stream/2026-11-20T00:00:00.000",
            "aws_region": "eu-west-1",
            "sequence_number": "111100000000000000000003",
            "size_bytes": 61,
            "stream_view_type": "NEW_AND_OLD_IMAGES",
            "approximate_creation_time": "2026-11-21T10:01:00.000Z",
            "identity_type": "Service",
            "principal_id": "dynamodb.amazonaws.com",
        })
    );
    assert_eq!(extras[0]["aws.dynamodb"]["principal_id"], Value::Null);

    let (result, _) = logged_extras(&lambda, fixture("kafka-msk.json")).await;
    assert_eq!(
        result[2]["extras"]["aws.kafka"],
        json!({
            "event_source": "aws:kafka",
            "event_source_arn": "arn:aws:kafka:eu-west-1:210987654321:cluster/orders-cluster/5a0c8f2e-3b1d-4e6f-9a7b-2c4d6e8f0a1b-3",
            "bootstrap_servers": "b-1.orders-cluster.x1y2z3.c3.kafka.eu-west-1.amazonaws.com:9098,b-2.orders-cluster.x1y2z3.c3.kafka.eu-west-1.amazonaws.com:9098",
            "topic": "orders",
            "partition": 1,
            "offset": 77,
            "timestamp": 1795255201000_i64,
            "timestamp_type": "LOG_APPEND_TIME",
        })
    );
    lambda.assert_healthy();
}
