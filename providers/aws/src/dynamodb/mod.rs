//! DynamoDB Streams batches: each record one [`Event::Change`](polyfaas_core::Event::Change)
//! with its [`DynamoDbRecord`] extra; failures reported by sequence number.
//!
//! `id` = `eventID`, `source` = the table's name (from `eventSourceARN`,
//! `arn:aws:dynamodb:…:table/<name>/stream/…`), `op` = `eventName` (`INSERT` → insert, `MODIFY`
//! → modify, `REMOVE` → remove), `key`/`old`/`new` = `Keys`/`OldImage`/`NewImage` converted
//! from DynamoDB's typed JSON to plain JSON (see `value`; `null` where the stream's view type
//! leaves them out). A shard is ordered: the batch stops at the first failed record, and
//! `batchItemFailures` names it and every later record by `SequenceNumber` (the mapping needs
//! `ReportBatchItemFailures`).

mod value;

use polyfaas_core::{BadInput, Change, ChangeOp, Event, Extra};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::batch::{Batch, Record, Report};
use crate::json::{parse, Str};
use crate::time;
use value::Path;

/// What DynamoDB Streams tells about one change record beyond the neutral change: its stream
/// position, size, view type and who made the change, as a platform [`Extra`]
/// (`ctx.extra::<DynamoDbRecord>()`, `aws.dynamodb` in `ctx.extras().to_json()`).
///
/// ```
/// use polyfaas_aws::{handle_event, DynamoDbRecord};
/// use polyfaas_core::{handler_fn, Context, Error, Event, Invocation, Invoker, Provider, Response};
///
/// async fn handle(event: Event, ctx: Context) -> Result<Response, Error> {
///     let record = ctx.extra::<DynamoDbRecord>().ok_or_else(|| Error::msg("not from DynamoDB"))?;
///     // Items removed by TTL are deleted by the DynamoDB service itself.
///     let expired = record.principal_id.as_deref() == Some("dynamodb.amazonaws.com");
///     match event {
///         Event::Change(change) if expired => tracing::info!(key = ?change.key, "expired"),
///         _ => {}
///     }
///     Ok(Response::ok())
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let invoker = Invoker::builder(Provider::AWS, handler_fn(handle)).build();
/// let event = r#"{"Records":[{"eventID":"e-1","eventName":"REMOVE","eventSource":"aws:dynamodb",
///   "eventSourceARN":"arn:aws:dynamodb:eu-west-1:1:table/sessions/stream/2026-03-01T00:00:00.000",
///   "userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"},
///   "dynamodb":{"Keys":{"id":{"S":"s-1"}},"SequenceNumber":"100","StreamViewType":"KEYS_ONLY"}}]}"#;
/// let result = handle_event(&invoker, event.into(), Invocation::new()).await.unwrap();
/// assert_eq!(result.get(), r#"{"batchItemFailures":[]}"#);
/// # });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DynamoDbRecord {
    /// `eventID`, also the change's `id`.
    pub event_id: String,
    /// `eventName`: `INSERT`, `MODIFY` or `REMOVE`.
    pub event_name: String,
    /// `eventSourceARN`: the table's stream.
    pub event_source_arn: String,
    /// `awsRegion`.
    pub aws_region: Option<String>,
    /// `dynamodb.SequenceNumber`: the record's `itemIdentifier` when it fails.
    pub sequence_number: String,
    /// `dynamodb.SizeBytes`.
    pub size_bytes: Option<u64>,
    /// `dynamodb.StreamViewType`: `KEYS_ONLY`, `NEW_IMAGE`, `OLD_IMAGE` or
    /// `NEW_AND_OLD_IMAGES`.
    pub stream_view_type: Option<String>,
    /// `dynamodb.ApproximateCreationDateTime` as RFC 3339 (UTC, milliseconds).
    pub approximate_creation_time: Option<String>,
    /// `userIdentity.type`: `Service` for the items TTL removes.
    pub identity_type: Option<String>,
    /// `userIdentity.principalId`: `dynamodb.amazonaws.com` for the items TTL removes.
    pub principal_id: Option<String>,
}

impl Extra for DynamoDbRecord {
    const NAME: &'static str = "aws.dynamodb";
}

#[derive(Deserialize)]
struct StreamEvent<'a> {
    #[serde(borrow, rename = "Records")]
    records: Vec<RecordJson<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordJson<'a> {
    #[serde(borrow, rename = "eventID")]
    event_id: Str<'a>,
    #[serde(borrow)]
    event_name: Str<'a>,
    #[serde(borrow, rename = "eventSourceARN")]
    event_source_arn: Str<'a>,
    #[serde(borrow, default)]
    aws_region: Option<Str<'a>>,
    #[serde(borrow, default)]
    user_identity: Option<Identity<'a>>,
    dynamodb: StreamRecord<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Identity<'a> {
    #[serde(borrow, default, rename = "type")]
    identity_type: Option<Str<'a>>,
    #[serde(borrow, default)]
    principal_id: Option<Str<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StreamRecord<'a> {
    #[serde(default)]
    approximate_creation_date_time: Option<f64>,
    #[serde(default)]
    keys: Option<Map<String, Value>>,
    #[serde(default)]
    new_image: Option<Map<String, Value>>,
    #[serde(default)]
    old_image: Option<Map<String, Value>>,
    #[serde(borrow)]
    sequence_number: Str<'a>,
    #[serde(default)]
    size_bytes: Option<u64>,
    #[serde(borrow, default)]
    stream_view_type: Option<Str<'a>>,
}

/// The batch's change records, stopping at the first failure.
pub(crate) fn decode(text: &str) -> Result<Batch, BadInput> {
    let event: StreamEvent<'_> = parse(text, "")?;
    let mut records = Vec::with_capacity(event.records.len());
    for (i, record) in event.records.into_iter().enumerate() {
        let prefix = format!("Records[{i}]");
        let op = match record.event_name.as_str() {
            "INSERT" => ChangeOp::Insert,
            "MODIFY" => ChangeOp::Modify,
            "REMOVE" => ChangeOp::Remove,
            other => {
                return Err(BadInput::at(
                    format!("{prefix}.eventName"),
                    format!("{other:?} is not INSERT, MODIFY or REMOVE"),
                ))
            }
        };
        let arn = record.event_source_arn.as_str();
        let table = table_name(arn).ok_or_else(|| {
            BadInput::at(
                format!("{prefix}.eventSourceARN"),
                format!("{arn:?} is not a DynamoDB stream ARN (…:table/<name>/stream/…)"),
            )
        })?;
        let stream = &record.dynamodb;
        let image = |map: &Option<Map<String, Value>>, field: &str| {
            map.as_ref()
                .map(|m| value::item(m, Path::Root(&prefix, field)))
                .transpose()
        };
        let id = record.event_id.as_str().to_owned();
        let mut change = Change::new(id.clone(), table, op);
        change.key = image(&stream.keys, "dynamodb.Keys")?;
        change.old = image(&stream.old_image, "dynamodb.OldImage")?;
        change.new = image(&stream.new_image, "dynamodb.NewImage")?;
        let sequence = stream.sequence_number.as_str().to_owned();
        let owned = |s: &Option<Str<'_>>| s.as_ref().map(|s| s.as_str().to_owned());
        let identity = record.user_identity.as_ref();
        let extra = DynamoDbRecord {
            event_id: id,
            event_name: record.event_name.as_str().to_owned(),
            event_source_arn: arn.to_owned(),
            aws_region: owned(&record.aws_region),
            sequence_number: sequence.clone(),
            size_bytes: stream.size_bytes,
            stream_view_type: owned(&stream.stream_view_type),
            approximate_creation_time: stream
                .approximate_creation_date_time
                .and_then(time::from_seconds),
            identity_type: identity.and_then(|i| owned(&i.identity_type)),
            principal_id: identity.and_then(|i| owned(&i.principal_id)),
        };
        let label = format!("{prefix} (sequence number {sequence})");
        records.push(Record::new(Event::Change(change), sequence, label, extra));
    }
    Ok(Batch {
        records,
        report: Report::FirstFailedAndLater,
    })
}

/// `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>` → `<name>`.
fn table_name(arn: &str) -> Option<&str> {
    let (_, rest) = arn.split_once(":table/")?;
    let name = rest.split_once('/').map_or(rest, |(name, _)| name);
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const MODIFY: &str = r#"{"Records":[{"eventID":"c4ca4238a0b923820dcc509a6f75849b","eventName":"MODIFY","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"eu-west-1","dynamodb":{"ApproximateCreationDateTime":1480642020,"Keys":{"Id":{"N":"101"}},"NewImage":{"Message":{"S":"This item has changed"},"Id":{"N":"101"}},"OldImage":{"Message":{"S":"New item!"},"Id":{"N":"101"}},"SequenceNumber":"222","SizeBytes":59,"StreamViewType":"NEW_AND_OLD_IMAGES"},"eventSourceARN":"arn:aws:dynamodb:eu-west-1:123456789012:table/ExampleTableWithStream/stream/2015-06-27T00:48:05.899"}]}"#;

    #[test]
    fn a_record_becomes_a_change_with_plain_values() {
        let batch = decode(MODIFY).unwrap();
        assert_eq!(batch.report, Report::FirstFailedAndLater);
        assert_eq!(batch.records[0].name.item, "222");
        let Event::Change(change) = &batch.records[0].event else {
            panic!("a change")
        };
        assert_eq!(change.id, "c4ca4238a0b923820dcc509a6f75849b");
        assert_eq!(change.source, "ExampleTableWithStream");
        assert_eq!(change.op, ChangeOp::Modify);
        assert_eq!(change.key, Some(json!({"Id": 101})));
        assert_eq!(change.old, Some(json!({"Message": "New item!", "Id": 101})));
        assert_eq!(
            change.new,
            Some(json!({"Message": "This item has changed", "Id": 101}))
        );
    }

    #[test]
    fn bad_records_are_named() {
        let err = |json: &str| decode(json).err().unwrap().to_string();
        assert_eq!(
            err(&MODIFY.replace("\"MODIFY\"", "\"UPSERT\"")),
            "Records[0].eventName: \"UPSERT\" is not INSERT, MODIFY or REMOVE"
        );
        assert_eq!(
            err(&MODIFY.replace("{\"N\":\"101\"}}", "{\"N\":\"x\"}}")),
            "Records[0].dynamodb.Keys.Id.N: \"x\" is not a number"
        );
        assert!(err(&MODIFY.replace(":table/", ":tables/"))
            .starts_with("Records[0].eventSourceARN: \"arn:aws:dynamodb"));
        assert_eq!(
            err(&MODIFY.replace("\"SequenceNumber\":\"222\",", "")),
            "Records[0].dynamodb.SequenceNumber: missing field `SequenceNumber`"
        );
    }

    #[test]
    fn the_table_is_named_by_its_stream_arn() {
        assert_eq!(
            table_name(
                "arn:aws:dynamodb:us-east-1:1:table/Example-Table/stream/2016-12-01T00:00:00.000"
            ),
            Some("Example-Table")
        );
        assert_eq!(
            table_name("arn:aws:dynamodb:us-east-1:1:table/t"),
            Some("t")
        );
        assert_eq!(table_name("arn:aws:dynamodb:us-east-1:1:table/"), None);
        assert_eq!(table_name("orders"), None);
    }
}
