//! Kafka on Lambda (Amazon MSK, `"eventSource": "aws:kafka"`, and self-managed clusters,
//! `"SelfManagedKafka"`): each record one [`Event::Message`](polyfaas_core::Event::Message) with
//! its [`KafkaRecord`] extra.
//!
//! - `source` = the topic-partition the batch groups the record under (`orders-0`), `id` =
//!   `<topic>-<partition>:<offset>`, body = `value` base64-decoded (empty for a tombstone).
//! - Attributes: `partition`, `offset`, `enqueued_time` (`timestamp` as RFC 3339 in UTC, to
//!   the millisecond; absent when Kafka has none, `-1`), `key` (the record key as text), and
//!   each header under its own name (its bytes as text; a repeated header keeps its last
//!   value, as Kafka's `lastHeader` reads it). A key or header value that is not UTF-8 is
//!   given as base64 under `key_base64` / `<name>_base64` instead. Where a header has the name
//!   of one of the others, the position and key win.
//! - Lambda has no partial batch response for Kafka: the first failed record fails the
//!   invocation, its error message naming the record (`records.orders-0[3] (offset 15): ...`),
//!   and later records are not run; Lambda retries the batch.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use polyfaas_core::{BadInput, Event, Extra, Message};
use serde::{Deserialize, Serialize};

use crate::batch::{Batch, Record, Report};
use crate::json::{parse, Entries, Str};
use crate::time;

/// What Lambda tells about one Kafka record beyond the neutral message: the cluster, topic,
/// partition, offset and timestamp, as a platform [`Extra`] (`ctx.extra::<KafkaRecord>()`,
/// `aws.kafka` in `ctx.extras().to_json()`).
///
/// ```
/// use polyfaas_aws::{handle_event, KafkaRecord};
/// use polyfaas_core::{handler_fn, Context, Error, Event, Invocation, Invoker, Provider, Response};
///
/// async fn handle(_event: Event, ctx: Context) -> Result<Response, Error> {
///     let kafka = ctx.extra::<KafkaRecord>().ok_or_else(|| Error::msg("not from Kafka"))?;
///     Ok(Response::text(format!("{}/{}@{} ({})", kafka.topic, kafka.partition, kafka.offset,
///         kafka.event_source)))
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let invoker = Invoker::builder(Provider::AWS, handler_fn(handle)).build();
/// let event = r#"{"eventSource":"SelfManagedKafka","bootstrapServers":"b-1:9092",
///   "records":{"orders-0":[{"topic":"orders","partition":0,"offset":15,"timestamp":1772355600500,
///   "timestampType":"CREATE_TIME","key":"bzc=","value":"aGk=","headers":[]}]}}"#;
/// let result = handle_event(&invoker, event.into(), Invocation::new()).await.unwrap();
/// assert_eq!(result.get(), r#""orders/0@15 (SelfManagedKafka)""#);
/// # });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct KafkaRecord {
    /// `eventSource`: `aws:kafka` (Amazon MSK) or `SelfManagedKafka`.
    pub event_source: String,
    /// `eventSourceArn`: the MSK cluster (none for self-managed clusters).
    pub event_source_arn: Option<String>,
    /// `bootstrapServers`.
    pub bootstrap_servers: Option<String>,
    /// `topic`.
    pub topic: String,
    /// `partition`.
    pub partition: i64,
    /// `offset`.
    pub offset: i64,
    /// `timestamp`: epoch milliseconds (`-1` when Kafka has none).
    pub timestamp: i64,
    /// `timestampType`: `CREATE_TIME` or `LOG_APPEND_TIME`.
    pub timestamp_type: Option<String>,
}

impl Extra for KafkaRecord {
    const NAME: &'static str = "aws.kafka";
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KafkaEvent<'a> {
    #[serde(borrow)]
    event_source: Str<'a>,
    #[serde(borrow, default)]
    event_source_arn: Option<Str<'a>>,
    #[serde(borrow, default)]
    bootstrap_servers: Option<Str<'a>>,
    #[serde(borrow)]
    records: Entries<'a, Vec<RecordJson<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordJson<'a> {
    #[serde(borrow)]
    topic: Str<'a>,
    partition: i64,
    offset: i64,
    timestamp: i64,
    #[serde(borrow, default)]
    timestamp_type: Option<Str<'a>>,
    #[serde(borrow, default)]
    key: Option<Str<'a>>,
    #[serde(borrow, default)]
    value: Option<Str<'a>>,
    #[serde(borrow, default)]
    headers: Vec<Entries<'a, Vec<i64>>>,
}

/// Every record of every topic-partition, in the event's order; the first failure fails the
/// invocation.
pub(crate) fn decode(text: &str) -> Result<Batch, BadInput> {
    let event: KafkaEvent<'_> = parse(text, "")?;
    let owned = |s: &Option<Str<'_>>| s.as_ref().map(|s| s.as_str().to_owned());
    let mut records = Vec::new();
    for (group, batch) in &event.records.0 {
        for (j, record) in batch.iter().enumerate() {
            let at = format!("records.{}[{j}]", group.as_str());
            let bytes = |field: &str, text: Option<&Str<'_>>| {
                text.map(|t| {
                    BASE64.decode(t.as_str()).map_err(|e| {
                        BadInput::at(format!("{at}.{field}"), format!("not valid base64: {e}"))
                            .with_source(e)
                    })
                })
                .transpose()
            };
            let topic = record.topic.as_str();
            let id = format!("{topic}-{}:{}", record.partition, record.offset);
            let body = bytes("value", record.value.as_ref())?.unwrap_or_default();
            let mut message = Message::new(id.clone(), group.as_str(), body);
            for (h, header) in record.headers.iter().enumerate() {
                for (name, value) in &header.0 {
                    let value = header_bytes(value).ok_or_else(|| {
                        BadInput::at(
                            format!("{at}.headers[{h}].{}", name.as_str()),
                            "a header value is an array of bytes (-128 to 255)",
                        )
                    })?;
                    put(&mut message, name.as_str(), value);
                }
            }
            if let Some(key) = bytes("key", record.key.as_ref())? {
                put(&mut message, "key", key);
            }
            let attributes = &mut message.attributes;
            attributes.insert("partition".to_owned(), record.partition.to_string());
            attributes.insert("offset".to_owned(), record.offset.to_string());
            if let Some(time) = time::from_millis(record.timestamp) {
                attributes.insert("enqueued_time".to_owned(), time);
            }
            let extra = KafkaRecord {
                event_source: event.event_source.as_str().to_owned(),
                event_source_arn: owned(&event.event_source_arn),
                bootstrap_servers: owned(&event.bootstrap_servers),
                topic: topic.to_owned(),
                partition: record.partition,
                offset: record.offset,
                timestamp: record.timestamp,
                timestamp_type: owned(&record.timestamp_type),
            };
            let label = format!("{at} (offset {})", record.offset);
            records.push(Record::new(Event::Message(message), id, label, extra));
        }
    }
    Ok(Batch {
        records,
        report: Report::FailInvocation,
    })
}

/// A header value: Lambda writes its bytes as numbers, signed (as Java's `byte`) or not.
fn header_bytes(numbers: &[i64]) -> Option<Vec<u8>> {
    numbers
        .iter()
        .map(|&n| match n {
            0..=255 => u8::try_from(n).ok(),
            -128..=-1 => i8::try_from(n).ok().map(|b| b.to_ne_bytes()[0]),
            _ => None,
        })
        .collect()
}

/// Sets attribute `name` to the bytes as text, or `<name>_base64` to their base64 when they
/// are not UTF-8 (replacing an earlier value of either).
fn put(message: &mut Message, name: &str, value: Vec<u8>) {
    let base64_name = format!("{name}_base64");
    match String::from_utf8(value) {
        Ok(text) => {
            message.attributes.remove(&base64_name);
            message.attributes.insert(name.to_owned(), text);
        }
        Err(e) => {
            message.attributes.remove(name);
            message
                .attributes
                .insert(base64_name, BASE64.encode(e.into_bytes()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSK: &str = r#"{"eventSource":"aws:kafka","eventSourceArn":"arn:aws:kafka:us-west-2:012345678901:cluster/ExampleMSKCluster/e9f754c6-d29a-4430-a7db-958a19fd2c54-4","bootstrapServers":"b-2.demo:9092,b-1.demo:9092","records":{"AWSKafkaTopic-0":[{"topic":"AWSKafkaTopic","partition":0,"offset":0,"timestamp":1595035749700,"timestampType":"CREATE_TIME","key":"OGQ1NTk2YjQ=","value":"aGVsbG8=","headers":[{"headerKey":[104,101,97,100,101,114,86,97,108,117,101]}]},{"topic":"AWSKafkaTopic","partition":0,"offset":1,"timestamp":-1,"timestampType":"CREATE_TIME","headers":[{"bin":[-1,0]},{"dup":[97]},{"dup":[98]}]}]}}"#;

    fn messages(batch: &Batch) -> Vec<&Message> {
        batch
            .records
            .iter()
            .map(|r| match &r.event {
                Event::Message(m) => m,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn records_become_messages_with_their_position_key_and_headers() {
        let batch = decode(MSK).unwrap();
        assert_eq!(batch.report, Report::FailInvocation);
        let messages = messages(&batch);
        let first = messages[0];
        assert_eq!(first.id, "AWSKafkaTopic-0:0");
        assert_eq!(first.source, "AWSKafkaTopic-0");
        assert_eq!(&first.body[..], b"hello");
        assert_eq!(first.attributes["partition"], "0");
        assert_eq!(first.attributes["offset"], "0");
        assert_eq!(
            first.attributes["enqueued_time"],
            "2020-07-18T01:29:09.700Z"
        );
        assert_eq!(first.attributes["key"], "8d5596b4");
        assert_eq!(first.attributes["headerKey"], "headerValue");
        assert_eq!(
            batch.records[0].name.label,
            "records.AWSKafkaTopic-0[0] (offset 0)"
        );

        let second = messages[1];
        assert!(second.body.is_empty());
        assert!(!second.attributes.contains_key("enqueued_time"));
        assert!(!second.attributes.contains_key("key"));
        assert_eq!(second.attributes["bin_base64"], "/wA=");
        assert_eq!(second.attributes["dup"], "b");
    }

    #[test]
    fn bad_records_are_named() {
        let err = |json: String| decode(&json).err().unwrap().to_string();
        assert!(err(MSK.replace("aGVsbG8=", "%%"))
            .starts_with("records.AWSKafkaTopic-0[0].value: not valid base64"));
        assert_eq!(
            err(MSK.replace("[-1,0]", "[256]")),
            "records.AWSKafkaTopic-0[1].headers[0].bin: a header value is an array of bytes (-128 to 255)"
        );
        assert!(err(MSK.replace("\"offset\":1,", "\"offset\":\"1\","))
            .starts_with("records.AWSKafkaTopic-0[1].offset: invalid type"));
    }

    #[test]
    fn signed_and_unsigned_bytes_are_the_same_bytes() {
        assert_eq!(
            header_bytes(&[-1, 255, -128, 128, 0]),
            Some(vec![255, 255, 128, 128, 0])
        );
        assert_eq!(header_bytes(&[-129]), None);
    }
}
