//! Kinesis Data Streams batches: each record one [`Event::Message`](polyfaas_core::Event::Message)
//! with its [`KinesisRecord`] extra; failures reported by sequence number.
//!
//! `id` = `eventID` (`shardId-…:<sequence number>`), `source` = the stream's name (the
//! `eventSourceARN` after `stream/`), body = `kinesis.data` base64-decoded, attributes =
//! `partition_key`, `sequence_number` and `enqueued_time` (`approximateArrivalTimestamp` as
//! RFC 3339 in UTC, to the millisecond). A shard is ordered: the batch stops at the first
//! failed record, and `batchItemFailures` names it and every later record by sequence number
//! (Lambda retries from the lowest; the mapping needs `ReportBatchItemFailures`).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use polyfaas_core::{BadInput, Event, Extra, Message};
use serde::{Deserialize, Serialize};

use crate::batch::{Batch, Record, Report};
use crate::json::{parse, Str};
use crate::time;

/// What Kinesis tells about one record beyond the neutral message: its shard, position and
/// encryption, as a platform [`Extra`] (`ctx.extra::<KinesisRecord>()`, `aws.kinesis` in
/// `ctx.extras().to_json()`).
///
/// ```
/// use polyfaas_aws::{handle_event, KinesisRecord};
/// use polyfaas_core::{handler_fn, Context, Error, Event, Invocation, Invoker, Provider, Response};
///
/// async fn handle(_event: Event, ctx: Context) -> Result<Response, Error> {
///     let kinesis = ctx.extra::<KinesisRecord>().ok_or_else(|| Error::msg("not from Kinesis"))?;
///     if kinesis.shard_id != "shardId-000000000003" {
///         return Err(Error::msg(format!("unexpected shard {}", kinesis.shard_id)));
///     }
///     Ok(Response::ok())
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let invoker = Invoker::builder(Provider::AWS, handler_fn(handle)).build();
/// let event = r#"{"Records":[{"eventSource":"aws:kinesis","eventID":"shardId-000000000003:4959",
///   "eventSourceARN":"arn:aws:kinesis:eu-west-1:1:stream/orders",
///   "kinesis":{"partitionKey":"o-7","sequenceNumber":"4959","data":"aGk=","approximateArrivalTimestamp":1772355600.5}}]}"#;
/// let result = handle_event(&invoker, event.into(), Invocation::new()).await.unwrap();
/// assert_eq!(result.get(), r#"{"batchItemFailures":[]}"#);
/// # });
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct KinesisRecord {
    /// `eventID`, also the message's `id`.
    pub event_id: String,
    /// The shard: `eventID` before its `:`.
    pub shard_id: String,
    /// `eventSourceARN`: the stream.
    pub event_source_arn: String,
    /// `kinesis.partitionKey`.
    pub partition_key: String,
    /// `kinesis.sequenceNumber`: the record's `itemIdentifier` when it fails.
    pub sequence_number: String,
    /// `kinesis.approximateArrivalTimestamp`: epoch seconds, with a fraction.
    pub approximate_arrival_timestamp: Option<f64>,
    /// `kinesis.encryptionType` (`KMS`), when the stream is encrypted.
    pub encryption_type: Option<String>,
    /// `awsRegion`.
    pub aws_region: Option<String>,
    /// `invokeIdentityArn`: the role the mapping reads the stream with.
    pub invoke_identity_arn: Option<String>,
}

impl Extra for KinesisRecord {
    const NAME: &'static str = "aws.kinesis";
}

#[derive(Deserialize)]
struct KinesisEvent<'a> {
    #[serde(borrow, rename = "Records")]
    records: Vec<RecordJson<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordJson<'a> {
    #[serde(borrow)]
    kinesis: Data<'a>,
    #[serde(borrow, rename = "eventID")]
    event_id: Str<'a>,
    #[serde(borrow, rename = "eventSourceARN")]
    event_source_arn: Str<'a>,
    #[serde(borrow, default)]
    aws_region: Option<Str<'a>>,
    #[serde(borrow, default)]
    invoke_identity_arn: Option<Str<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data<'a> {
    #[serde(borrow)]
    partition_key: Str<'a>,
    #[serde(borrow)]
    sequence_number: Str<'a>,
    #[serde(borrow)]
    data: Str<'a>,
    #[serde(default)]
    approximate_arrival_timestamp: Option<f64>,
    #[serde(borrow, default)]
    encryption_type: Option<Str<'a>>,
}

/// The batch's records, stopping at the first failure.
pub(crate) fn decode(text: &str) -> Result<Batch, BadInput> {
    let event: KinesisEvent<'_> = parse(text, "")?;
    let mut records = Vec::with_capacity(event.records.len());
    for (i, record) in event.records.into_iter().enumerate() {
        let data = record.kinesis;
        let body = BASE64.decode(data.data.as_str()).map_err(|e| {
            BadInput::at(
                format!("Records[{i}].kinesis.data"),
                format!("not valid base64: {e}"),
            )
            .with_source(e)
        })?;
        let arn = record.event_source_arn.0.into_owned();
        let stream = arn
            .split_once(":stream/")
            .map_or(arn.as_str(), |(_, name)| name);
        let id = record.event_id.0.into_owned();
        let sequence = data.sequence_number.0.into_owned();
        let partition_key = data.partition_key.0.into_owned();
        let mut message = Message::new(id.clone(), stream, body);
        message
            .attributes
            .insert("partition_key".to_owned(), partition_key.clone());
        message
            .attributes
            .insert("sequence_number".to_owned(), sequence.clone());
        if let Some(time) = data
            .approximate_arrival_timestamp
            .and_then(time::from_seconds)
        {
            message.attributes.insert("enqueued_time".to_owned(), time);
        }
        let extra = KinesisRecord {
            shard_id: id
                .split_once(':')
                .map_or(id.as_str(), |(shard, _)| shard)
                .to_owned(),
            event_id: id,
            event_source_arn: arn,
            partition_key,
            sequence_number: sequence.clone(),
            approximate_arrival_timestamp: data.approximate_arrival_timestamp,
            encryption_type: data.encryption_type.map(Str::into_string),
            aws_region: record.aws_region.map(Str::into_string),
            invoke_identity_arn: record.invoke_identity_arn.map(Str::into_string),
        };
        let label = format!("Records[{i}] (sequence number {sequence})");
        records.push(Record::new(Event::Message(message), sequence, label, extra));
    }
    Ok(Batch {
        records,
        report: Report::FirstFailedAndLater,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = r#"{"Records":[{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"s1","sequenceNumber":"49568167373333333333333333333333333333333333333333333333","data":"SGVsbG8gV29ybGQ=","approximateArrivalTimestamp":1480641523.477,"encryptionType":"KMS"},"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":"shardId-000000000000:49568167373333333333333333333333333333333333333333333333","eventName":"aws:kinesis:record","invokeIdentityArn":"arn:aws:iam::123456789012:role/LambdaRole","awsRegion":"us-east-1","eventSourceARN":"arn:aws:kinesis:us-east-1:123456789012:stream/simple-stream"}]}"#;

    #[test]
    fn a_record_becomes_a_message_with_its_position() {
        let batch = decode(RECORD).unwrap();
        assert_eq!(batch.report, Report::FirstFailedAndLater);
        let record = &batch.records[0];
        assert_eq!(
            record.name.item,
            "49568167373333333333333333333333333333333333333333333333"
        );
        let Event::Message(message) = &record.event else {
            panic!("a message")
        };
        assert_eq!(message.source, "simple-stream");
        assert_eq!(&message.body[..], b"Hello World");
        assert_eq!(message.attributes["partition_key"], "s1");
        assert_eq!(
            message.attributes["sequence_number"],
            "49568167373333333333333333333333333333333333333333333333"
        );
        assert_eq!(
            message.attributes["enqueued_time"],
            "2016-12-02T01:18:43.477Z"
        );
    }

    #[test]
    fn bad_data_is_named() {
        let bad = RECORD.replace("SGVsbG8gV29ybGQ=", "not base64!");
        let err = decode(&bad).err().unwrap().to_string();
        assert!(
            err.starts_with("Records[0].kinesis.data: not valid base64"),
            "{err}"
        );
        let bad = RECORD.replace(
            r#""sequenceNumber":"49568167373333333333333333333333333333333333333333333333""#,
            r#""sequenceNumber":7"#,
        );
        let err = decode(&bad).err().unwrap().to_string();
        assert!(
            err.starts_with("Records[0].kinesis.sequenceNumber: invalid type"),
            "{err}"
        );
    }
}
