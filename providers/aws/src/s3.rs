//! S3 event notifications: each record one [`Event::Blob`].
//!
//! - `eventName` `ObjectCreated:*` → created; `ObjectRemoved:*` and
//!   `LifecycleExpiration:Delete*` → deleted. Other records (restore, replication, tagging,
//!   ACL changes) are not blob changes: each is handed over as [`Event::Invoke`] with the
//!   record's JSON untouched.
//! - The key is URL-decoded with `+` as a space (S3 writes `red flower.jpg` as
//!   `red+flower.jpg`); `size` and `eTag` are copied when present (not on deletions).
//! - The object's bytes come through the configured store: `blob.local_path(&ctx)`.

use polyfaas_core::{BadInput, BlobChange, BlobEvent, Event};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::json::{parse, Str};

#[derive(Deserialize)]
struct Records<'a> {
    #[serde(borrow, rename = "Records")]
    records: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    #[serde(borrow)]
    event_name: Str<'a>,
    #[serde(borrow)]
    s3: Entity<'a>,
}

#[derive(Deserialize)]
struct Entity<'a> {
    #[serde(borrow)]
    bucket: Bucket<'a>,
    #[serde(borrow)]
    object: Object<'a>,
}

#[derive(Deserialize)]
struct Bucket<'a> {
    #[serde(borrow)]
    name: Str<'a>,
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
}

/// One neutral event per record.
pub(crate) fn decode(text: &str) -> Result<Vec<Event>, BadInput> {
    let records: Records<'_> = parse(text, "")?;
    let mut events = Vec::with_capacity(records.records.len());
    for (i, raw) in records.records.iter().enumerate() {
        let prefix = format!("Records[{i}]");
        let record: Record<'_> = parse(raw.get(), &prefix)?;
        let name = record.event_name.as_str();
        let change = if name.starts_with("ObjectCreated:") {
            BlobChange::Created
        } else if name.starts_with("ObjectRemoved:")
            || name.starts_with("LifecycleExpiration:Delete")
        {
            BlobChange::Deleted
        } else {
            events.push(Event::Invoke(parse(raw.get(), &prefix)?));
            continue;
        };
        let key = record.s3.object.key.as_str();
        let key = decode_key(key).map_err(|e| {
            BadInput::at(
                format!("{prefix}.s3.object.key"),
                format!("{key:?} does not decode to UTF-8 text"),
            )
            .with_source(e)
        })?;
        let mut blob = BlobEvent::new(change, record.s3.bucket.name.as_str(), key);
        blob.size = record.s3.object.size;
        blob.etag = record.s3.object.e_tag.map(|e| e.0.into_owned());
        events.push(Event::Blob(blob));
    }
    Ok(events)
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
        let err = decode(json).unwrap_err().to_string();
        assert!(
            err.starts_with("Records[0].s3.object.size: invalid type"),
            "{err}"
        );
    }
}
