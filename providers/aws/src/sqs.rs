//! SQS batches: each record one [`Event::Message`](polyfaas_core::Event::Message), failures
//! reported per record.
//!
//! `id` = `messageId`, `source` = `eventSourceARN`, body = `body`, attributes = the message
//! attributes (`stringValue`, or the base64 text of `binaryValue`). A record whose handler
//! fails (error, panic, timeout or a non-2xx response) goes into `batchItemFailures`; the
//! mapping must have `FunctionResponseTypes: ["ReportBatchItemFailures"]` for Lambda to read it.
//! On a FIFO queue (`.fifo`) the batch stops at the first failure and the remaining records are
//! reported failed too, to keep their order.

use polyfaas_core::{BadInput, Message};
use serde::Deserialize;

use crate::json::{parse, Entries, Str};

#[derive(Deserialize)]
struct Batch<'a> {
    #[serde(borrow, rename = "Records")]
    records: Vec<Record<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    #[serde(borrow)]
    message_id: Str<'a>,
    #[serde(borrow)]
    body: Str<'a>,
    #[serde(borrow, default, rename = "eventSourceARN")]
    event_source_arn: Option<Str<'a>>,
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

/// The batch's messages, and whether the queue is FIFO.
pub(crate) fn decode(text: &str) -> Result<(Vec<Message>, bool), BadInput> {
    let batch: Batch<'_> = parse(text, "")?;
    let fifo = batch.records.first().is_some_and(|r| {
        r.event_source_arn
            .as_ref()
            .is_some_and(|arn| arn.as_str().ends_with(".fifo"))
    });
    let messages = batch
        .records
        .into_iter()
        .map(|record| {
            let source = record
                .event_source_arn
                .map(|a| a.0.into_owned())
                .unwrap_or_default();
            let mut message = Message::new(
                record.message_id.0.into_owned(),
                source,
                record.body.0.into_owned(),
            );
            for (name, attribute) in record.message_attributes.unwrap_or_default().0 {
                if let Some(value) = attribute.string_value.or(attribute.binary_value) {
                    message
                        .attributes
                        .insert(name.0.into_owned(), value.0.into_owned());
                }
            }
            message
        })
        .collect();
    Ok((messages, fifo))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_become_messages_with_their_attributes() {
        let json = r#"{"Records":[{"messageId":"m1","body":"hi","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:1:q.fifo","messageAttributes":{"k":{"stringValue":"v","dataType":"String"},"b":{"binaryValue":"AAE=","dataType":"Binary"}}}]}"#;
        let (messages, fifo) = decode(json).unwrap();
        assert!(fifo);
        assert_eq!(messages[0].id, "m1");
        assert_eq!(messages[0].source, "arn:aws:sqs:eu-west-1:1:q.fifo");
        assert_eq!(&messages[0].body[..], b"hi");
        assert_eq!(messages[0].attributes["k"], "v");
        assert_eq!(messages[0].attributes["b"], "AAE=");
    }

    #[test]
    fn a_record_without_a_body_is_named() {
        let err =
            decode(r#"{"Records":[{"messageId":"m1","body":"x"},{"messageId":"m2","body":7}]}"#)
                .unwrap_err()
                .to_string();
        assert!(
            err.starts_with("Records[1].body: invalid type: integer `7`"),
            "{err}"
        );
    }
}
