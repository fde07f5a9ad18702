//! S3 event notifications: each record one [`Event::Blob`] with its [`S3Record`] extra.
//!
//! - `eventName` `ObjectCreated:*` → created; `ObjectRemoved:*` and
//!   `LifecycleExpiration:Delete*` → deleted. Other records (restore, replication, tagging,
//!   ACL changes) are not blob changes: each is handed over as [`Event::Invoke`] with the
//!   record's JSON untouched.
//! - The key is URL-decoded with `+` as a space (S3 writes `red flower.jpg` as
//!   `red+flower.jpg`); `size` and `eTag` are copied when present (not on deletions).
//! - The object's bytes come through the configured store: `blob.local_path(&ctx)`.
//! - The first failed record fails the invocation (S3 retries it), naming the record.

use std::collections::BTreeMap;

use polyfaas_core::{BadInput, BlobChange, BlobEvent, Event, Extra};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::batch::{Batch, Record, Report};
use crate::json::{parse, Entries, Str};

/// What S3 tells about one notification beyond the neutral blob event: the event's name, time
/// and region, who caused it, the object's version and sequencer, as a platform [`Extra`]
/// (`ctx.extra::<S3Record>()`, `aws.s3` in `ctx.extras().to_json()`). Records that are not
/// blob changes (restores, replication, tagging) carry it too.
///
/// ```
/// use polyfaas_aws::{handle_event, S3Record};
/// use polyfaas_core::{handler_fn, Context, Error, Event, Invocation, Invoker, Provider, Response};
///
/// async fn handle(_event: Event, ctx: Context) -> Result<Response, Error> {
///     let s3 = ctx.extra::<S3Record>().ok_or_else(|| Error::msg("not from S3"))?;
///     // The sequencer orders the events of one key: keep the highest seen.
///     Ok(Response::text(format!("{} v{} by {}", s3.sequencer.as_deref().unwrap_or("?"),
///         s3.version_id.as_deref().unwrap_or("-"), s3.principal_id.as_deref().unwrap_or("?"))))
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let invoker = Invoker::builder(Provider::AWS, handler_fn(handle)).build();
/// let event = r#"{"Records":[{"eventSource":"aws:s3","awsRegion":"eu-west-1","eventName":"ObjectRemoved:Delete",
///   "userIdentity":{"principalId":"AWS:AIDA1"},"requestParameters":{"sourceIPAddress":"192.0.2.10"},
///   "s3":{"bucket":{"name":"photos"},"object":{"key":"a.png","versionId":"v7","sequencer":"0A1B"}}}]}"#;
/// let result = handle_event(&invoker, event.into(), Invocation::new()).await.unwrap();
/// assert_eq!(result.get(), r#""0A1B vv7 by AWS:AIDA1""#);
/// # });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct S3Record {
    /// `eventName`: `ObjectCreated:Put`, `ObjectRemoved:Delete`, `ObjectRestore:Completed`...
    pub event_name: String,
    /// `eventTime` (RFC 3339, as S3 wrote it).
    pub event_time: Option<String>,
    /// `awsRegion`.
    pub aws_region: Option<String>,
    /// `userIdentity.principalId`: who caused the event.
    pub principal_id: Option<String>,
    /// `requestParameters` (`sourceIPAddress`: where the request came from).
    pub request_parameters: BTreeMap<String, String>,
    /// `responseElements` (`x-amz-request-id`, `x-amz-id-2`: what AWS support asks for).
    pub response_elements: BTreeMap<String, String>,
    /// `s3.configurationId`: the notification configuration that sent it.
    pub configuration_id: Option<String>,
    /// `s3.bucket.arn`.
    pub bucket_arn: Option<String>,
    /// `s3.bucket.ownerIdentity.principalId`.
    pub bucket_owner: Option<String>,
    /// `s3.object.versionId`, on versioned buckets.
    pub version_id: Option<String>,
    /// `s3.object.sequencer`: orders the events of one key (compare as hex strings of equal
    /// length, shorter padded with zeros on the right).
    pub sequencer: Option<String>,
}

impl Extra for S3Record {
    const NAME: &'static str = "aws.s3";
}

#[derive(Deserialize)]
struct Records<'a> {
    #[serde(borrow, rename = "Records")]
    records: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordJson<'a> {
    #[serde(borrow)]
    event_name: Str<'a>,
    #[serde(borrow, default)]
    event_time: Option<Str<'a>>,
    #[serde(borrow, default)]
    aws_region: Option<Str<'a>>,
    #[serde(borrow, default)]
    user_identity: Option<Principal<'a>>,
    #[serde(borrow, default)]
    request_parameters: Option<Entries<'a, Str<'a>>>,
    #[serde(borrow, default)]
    response_elements: Option<Entries<'a, Str<'a>>>,
    #[serde(borrow)]
    s3: Entity<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Principal<'a> {
    #[serde(borrow, default)]
    principal_id: Option<Str<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entity<'a> {
    #[serde(borrow, default)]
    configuration_id: Option<Str<'a>>,
    #[serde(borrow)]
    bucket: Bucket<'a>,
    #[serde(borrow)]
    object: Object<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bucket<'a> {
    #[serde(borrow)]
    name: Str<'a>,
    #[serde(borrow, default)]
    arn: Option<Str<'a>>,
    #[serde(borrow, default)]
    owner_identity: Option<Principal<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Object<'a> {
    #[serde(borrow)]
    key: Str<'a>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(borrow, default)]
    e_tag: Option<Str<'a>>,
    #[serde(borrow, default)]
    version_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    sequencer: Option<Str<'a>>,
}

/// One neutral event per record; the first failure fails the invocation.
pub(crate) fn decode(text: &str) -> Result<Batch, BadInput> {
    let records: Records<'_> = parse(text, "")?;
    let mut batch = Vec::with_capacity(records.records.len());
    for (i, raw) in records.records.iter().enumerate() {
        let prefix = format!("Records[{i}]");
        let record: RecordJson<'_> = parse(raw.get(), &prefix)?;
        let name = record.event_name.as_str();
        let change = if name.starts_with("ObjectCreated:") {
            Some(BlobChange::Created)
        } else if name.starts_with("ObjectRemoved:")
            || name.starts_with("LifecycleExpiration:Delete")
        {
            Some(BlobChange::Deleted)
        } else {
            None
        };
        let raw_key = record.s3.object.key.as_str();
        let key = decode_key(raw_key).map_err(|e| {
            BadInput::at(
                format!("{prefix}.s3.object.key"),
                format!("{raw_key:?} does not decode to UTF-8 text"),
            )
            .with_source(e)
        })?;
        let label = format!("{prefix} (s3://{}/{key})", record.s3.bucket.name.as_str());
        let event = match change {
            Some(change) => {
                let object = &record.s3.object;
                let mut blob = BlobEvent::new(change, record.s3.bucket.name.as_str(), &key);
                blob.size = object.size;
                blob.etag = object.e_tag.as_ref().map(|e| e.as_str().to_owned());
                Event::Blob(blob)
            }
            None => Event::Invoke(parse(raw.get(), &prefix)?),
        };
        batch.push(Record::new(event, key, label, extra(record)));
    }
    Ok(Batch {
        records: batch,
        report: Report::FailInvocation,
    })
}

fn extra(record: RecordJson<'_>) -> S3Record {
    let map = |entries: Option<Entries<'_, Str<'_>>>| {
        entries
            .unwrap_or_default()
            .0
            .into_iter()
            .map(|(k, v)| (k.0.into_owned(), v.0.into_owned()))
            .collect()
    };
    S3Record {
        event_name: record.event_name.0.into_owned(),
        event_time: record.event_time.map(Str::into_string),
        aws_region: record.aws_region.map(Str::into_string),
        principal_id: record
            .user_identity
            .and_then(|p| p.principal_id.map(Str::into_string)),
        request_parameters: map(record.request_parameters),
        response_elements: map(record.response_elements),
        configuration_id: record.s3.configuration_id.map(Str::into_string),
        bucket_arn: record.s3.bucket.arn.map(Str::into_string),
        bucket_owner: record
            .s3
            .bucket
            .owner_identity
            .and_then(|p| p.principal_id.map(Str::into_string)),
        version_id: record.s3.object.version_id.map(Str::into_string),
        sequencer: record.s3.object.sequencer.map(Str::into_string),
    }
}

/// An S3 notification key: `+` is a space, `%XX` an escaped byte; the result must be UTF-8.
pub(crate) fn decode_key(key: &str) -> Result<String, std::str::Utf8Error> {
    let spaced = key.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|k| k.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_url_decoded_with_plus_as_space() {
        assert_eq!(decode_key("red+flower.jpg").unwrap(), "red flower.jpg");
        assert_eq!(decode_key("Happy%20Face.jpg").unwrap(), "Happy Face.jpg");
        assert_eq!(decode_key("a%2Bb/caf%C3%A9").unwrap(), "a+b/café");
        assert!(decode_key("%FF").is_err());
    }

    #[test]
    fn a_wrong_field_type_is_named() {
        let json = r#"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k","size":"big"}}}]}"#;
        let err = decode(json).err().unwrap().to_string();
        assert!(
            err.starts_with("Records[0].s3.object.size: invalid type"),
            "{err}"
        );
    }
}
