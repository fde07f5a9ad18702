//! Cross-platform equivalence, AWS side: the shared logical change record and stream message
//! (`polyfaas_testkit::equivalence`), encoded by the test kit as a DynamoDB Streams record and
//! a Kinesis record, come back from echo as the same canonical events, exactly (their encodings
//! lose nothing).

use polyfaas_testkit::encode::Encoder;
use polyfaas_testkit::equivalence::{logical_change, logical_stream_message};
use polyfaas_testkit::native::NativeEvent;
use polyfaas_testkit::Platform;
use serde_json::json;

use crate::streams::with_records;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_change_and_stream_message_come_back_as_they_went_in() {
    let mut lambda = crate::start().await;
    for (event, form) in [
        (logical_change(), "dynamodb"),
        (logical_stream_message(), "kinesis"),
    ] {
        let encoded = Encoder::new(Platform::Aws)
            .form(form)
            .encode(&event)
            .unwrap();
        assert_eq!(encoded.losses, [], "{form}");
        let NativeEvent::Aws(native) = encoded.native else {
            panic!("an AWS event")
        };
        let (result, records) = with_records(&lambda, native.payload).await;
        assert_eq!(result, json!({"batchItemFailures": []}), "{form}");
        assert_eq!(records, [event.to_json()], "{form}");
    }
    lambda.assert_healthy();
}
