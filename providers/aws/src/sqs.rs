//! SQS batches: each record one [`Event::Message`](polyfaas_core::Event::Message) with its
//! [`SqsRecord`] extra, failures reported per record.
//!
//! `id` = `messageId`, `source` = `eventSourceARN`, body = `body`, attributes = the message
//! attributes (`stringValue`, or the base64 text of `binaryValue`). A record whose handler
//! fails (error, panic, timeout or a non-2xx response) goes into `batchItemFailures`; the
//! mapping must have `FunctionResponseTypes: ["ReportBatchItemFailures"]` for Lambda to read it.
//! On a FIFO queue (`.fifo`) the batch stops at the first failure and the remaining records are
//! reported failed too, to keep their order.

use std::collections::BTreeMap;

use polyfaas_core::{BadInput, Event, Extra, Message};
use serde::{Deserialize, Serialize};

use crate::batch::{Batch, Record, Report};
use crate::json::{parse, Entries, Str};

/// What SQS tells about one record beyond the neutral message: its receipt handle, digest,
/// queue and region, and the system attributes, as a platform [`Extra`]
/// (`ctx.extra::<SqsRecord>()`, `aws.sqs` in `ctx.extras().to_json()`). Each record of a batch
/// has its own.
///
/// ```
/// use polyfaas_aws::{handle_event, SqsRecord};
/// use polyfaas_core::{handler_fn, Context, Error, Event, Invocation, Invoker, Provider, Response};
///
/// async fn handle(_event: Event, ctx: Context) -> Result<Response, Error> {
///     let sqs = ctx.extra::<SqsRecord>().ok_or_else(|| Error::msg("not an SQS record"))?;
///     if sqs.attributes.approximate_receive_count > Some(3) {
///         return Err(Error::msg(format!("{} keeps coming back", sqs.message_id)));
///     }
///     Ok(Response::ok())
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let invoker = Invoker::builder(Provider::AWS, handler_fn(handle)).build();
/// let event = r#"{"Records":[
///   {"messageId":"m-1","body":"a","eventSource":"aws:sqs","attributes":{"ApproximateReceiveCount":"1"}},
///   {"messageId":"m-2","body":"b","eventSource":"aws:sqs","attributes":{"ApproximateReceiveCount":"5",
///    "SentTimestamp":"1772355600000","MessageGroupId":"orders"}}]}"#;
/// let result = handle_event(&invoker, event.into(), Invocation::new()).await.unwrap();
/// assert_eq!(result.get(), r#"{"batchItemFailures":[{"itemIdentifier":"m-2"}]}"#);
/// # });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SqsRecord {
    /// `messageId`, also the message's `id`.
    pub message_id: String,
    /// `receiptHandle`: what deleting the message or changing its visibility takes.
    pub receipt_handle: Option<String>,
    /// `md5OfBody`.
    pub md5_of_body: Option<String>,
    /// `eventSourceARN`: the queue.
    pub event_source_arn: Option<String>,
    /// `awsRegion`.
    pub aws_region: Option<String>,
    /// The system attributes (`attributes`).
    pub attributes: SqsAttributes,
}

impl Extra for SqsRecord {
    const NAME: &'static str = "aws.sqs";
}

/// An SQS record's system attributes (not the sender's message attributes, which are the
/// message's `attributes`). Times are Unix epoch milliseconds, as SQS gives them.
///
/// ```
/// use polyfaas_aws::SqsAttributes;
///
/// let attributes = SqsAttributes::default();
/// assert_eq!(attributes.approximate_receive_count, None);
/// assert_eq!(serde_json::to_value(&attributes).unwrap()["other"], serde_json::json!({}));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SqsAttributes {
    /// `ApproximateReceiveCount`: how many times the message was received.
    pub approximate_receive_count: Option<u32>,
    /// `SentTimestamp`: when the queue received it (epoch ms).
    pub sent_timestamp: Option<u64>,
    /// `SenderId`: the IAM user or role that sent it.
    pub sender_id: Option<String>,
    /// `ApproximateFirstReceiveTimestamp`: when it was first received (epoch ms).
    pub approximate_first_receive_timestamp: Option<u64>,
    /// `MessageGroupId` (FIFO queues).
    pub message_group_id: Option<String>,
    /// `MessageDeduplicationId` (FIFO queues).
    pub message_deduplication_id: Option<String>,
    /// `SequenceNumber` (FIFO queues).
    pub sequence_number: Option<String>,
    /// `AWSTraceHeader`: the X-Ray trace header the sender passed on.
    pub aws_trace_header: Option<String>,
    /// `DeadLetterQueueSourceArn`: the queue a redriven message came from.
    pub dead_letter_queue_source_arn: Option<String>,
    /// Any other system attribute, as SQS wrote it.
    pub other: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct SqsEvent<'a> {
    #[serde(borrow, rename = "Records")]
    records: Vec<RecordJson<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordJson<'a> {
    #[serde(borrow)]
    message_id: Str<'a>,
    #[serde(borrow)]
    body: Str<'a>,
    #[serde(borrow, default)]
    receipt_handle: Option<Str<'a>>,
    #[serde(borrow, default)]
    md5_of_body: Option<Str<'a>>,
    #[serde(borrow, default, rename = "eventSourceARN")]
    event_source_arn: Option<Str<'a>>,
    #[serde(borrow, default)]
    aws_region: Option<Str<'a>>,
    #[serde(borrow, default)]
    attributes: Option<Entries<'a, Str<'a>>>,
    #[serde(borrow, default)]
    message_attributes: Option<Entries<'a, Attribute<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attribute<'a> {
    #[serde(borrow, default)]
    string_value: Option<Str<'a>>,
    #[serde(borrow, default)]
    binary_value: Option<Str<'a>>,
}

/// The batch's records; a FIFO queue's stops at the first failure.
pub(crate) fn decode(text: &str) -> Result<Batch, BadInput> {
    let batch: SqsEvent<'_> = parse(text, "")?;
    let fifo = batch.records.first().is_some_and(|r| {
        r.event_source_arn
            .as_ref()
            .is_some_and(|arn| arn.as_str().ends_with(".fifo"))
    });
    let mut records = Vec::with_capacity(batch.records.len());
    for (i, record) in batch.records.into_iter().enumerate() {
        let attributes = system_attributes(record.attributes.unwrap_or_default(), i)?;
        let event_source_arn = record.event_source_arn.map(Str::into_string);
        let source = event_source_arn.clone().unwrap_or_default();
        let id = record.message_id.0.into_owned();
        let mut message = Message::new(id.clone(), source, record.body.0.into_owned());
        for (name, attribute) in record.message_attributes.unwrap_or_default().0 {
            if let Some(value) = attribute.string_value.or(attribute.binary_value) {
                message
                    .attributes
                    .insert(name.0.into_owned(), value.0.into_owned());
            }
        }
        let extra = SqsRecord {
            message_id: id.clone(),
            receipt_handle: record.receipt_handle.map(Str::into_string),
            md5_of_body: record.md5_of_body.map(Str::into_string),
            event_source_arn,
            aws_region: record.aws_region.map(Str::into_string),
            attributes,
        };
        let label = format!("Records[{i}] (message id {id})");
        records.push(Record::new(Event::Message(message), id, label, extra));
    }
    let report = if fifo {
        Report::FirstFailedAndLater
    } else {
        Report::EachFailed
    };
    Ok(Batch { records, report })
}

/// The system attributes; a count or time that is not a number is named.
fn system_attributes(
    entries: Entries<'_, Str<'_>>,
    record: usize,
) -> Result<SqsAttributes, BadInput> {
    let mut attributes = SqsAttributes::default();
    for (name, value) in entries.0 {
        let number = |value: &str| {
            value.parse::<u64>().map_err(|e| {
                BadInput::at(
                    format!("Records[{record}].attributes.{}", name.as_str()),
                    format!("{value:?} is not a whole number"),
                )
                .with_source(e)
            })
        };
        let text = value.0.into_owned();
        match name.as_str() {
            "ApproximateReceiveCount" => {
                let count = number(&text)?;
                attributes.approximate_receive_count =
                    Some(u32::try_from(count).unwrap_or(u32::MAX));
            }
            "SentTimestamp" => attributes.sent_timestamp = Some(number(&text)?),
            "ApproximateFirstReceiveTimestamp" => {
                attributes.approximate_first_receive_timestamp = Some(number(&text)?);
            }
            "SenderId" => attributes.sender_id = Some(text),
            "MessageGroupId" => attributes.message_group_id = Some(text),
            "MessageDeduplicationId" => attributes.message_deduplication_id = Some(text),
            "SequenceNumber" => attributes.sequence_number = Some(text),
            "AWSTraceHeader" => attributes.aws_trace_header = Some(text),
            "DeadLetterQueueSourceArn" => attributes.dead_letter_queue_source_arn = Some(text),
            _ => {
                attributes.other.insert(name.0.into_owned(), text);
            }
        }
    }
    Ok(attributes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(batch: Batch) -> Vec<Message> {
        batch
            .records
            .into_iter()
            .map(|r| match r.event {
                Event::Message(m) => m,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn records_become_messages_with_their_attributes() {
        let json = r#"{"Records":[{"messageId":"m1","body":"hi","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:1:q.fifo","messageAttributes":{"k":{"stringValue":"v","dataType":"String"},"b":{"binaryValue":"AAE=","dataType":"Binary"}}}]}"#;
        let batch = decode(json).unwrap();
        assert_eq!(batch.report, Report::FirstFailedAndLater);
        let messages = messages(batch);
        assert_eq!(messages[0].id, "m1");
        assert_eq!(messages[0].source, "arn:aws:sqs:eu-west-1:1:q.fifo");
        assert_eq!(&messages[0].body[..], b"hi");
        assert_eq!(messages[0].attributes["k"], "v");
        assert_eq!(messages[0].attributes["b"], "AAE=");
    }

    #[test]
    fn system_attributes_are_typed_and_unknown_ones_kept() {
        let json = r#"{"Records":[{"messageId":"m1","body":"x","attributes":{"ApproximateReceiveCount":"2","SentTimestamp":"1523232000000","SenderId":"AID","ApproximateFirstReceiveTimestamp":"1523232000001","MessageGroupId":"g","MessageDeduplicationId":"d","SequenceNumber":"18849","AWSTraceHeader":"Root=1-x","DeadLetterQueueSourceArn":"arn:q","NewOne":"v"}}]}"#;
        let attributes = system_attributes(
            parse::<SqsEvent<'_>>(json, "")
                .unwrap()
                .records
                .remove(0)
                .attributes
                .unwrap(),
            0,
        )
        .unwrap();
        assert_eq!(attributes.approximate_receive_count, Some(2));
        assert_eq!(attributes.sent_timestamp, Some(1_523_232_000_000));
        assert_eq!(
            attributes.approximate_first_receive_timestamp,
            Some(1_523_232_000_001)
        );
        assert_eq!(attributes.sender_id.as_deref(), Some("AID"));
        assert_eq!(attributes.message_group_id.as_deref(), Some("g"));
        assert_eq!(attributes.message_deduplication_id.as_deref(), Some("d"));
        assert_eq!(attributes.sequence_number.as_deref(), Some("18849"));
        assert_eq!(attributes.aws_trace_header.as_deref(), Some("Root=1-x"));
        assert_eq!(
            attributes.dead_letter_queue_source_arn.as_deref(),
            Some("arn:q")
        );
        assert_eq!(attributes.other["NewOne"], "v");
        let err = decode(
            r#"{"Records":[{"messageId":"m1","body":"x","attributes":{"SentTimestamp":"soon"}}]}"#,
        )
        .err()
        .unwrap();
        assert_eq!(
            err.to_string(),
            "Records[0].attributes.SentTimestamp: \"soon\" is not a whole number"
        );
    }

    #[test]
    fn a_record_without_a_body_is_named() {
        let err =
            decode(r#"{"Records":[{"messageId":"m1","body":"x"},{"messageId":"m2","body":7}]}"#)
                .err()
                .unwrap()
                .to_string();
        assert!(
            err.starts_with("Records[1].body: invalid type: integer `7`"),
            "{err}"
        );
    }
}
