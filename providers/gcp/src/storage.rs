//! Cloud Storage `finalized` / `deleted` CloudEvents as neutral blob events.

use polyfaas_core::{BadInput, BlobChange, BlobEvent};
use serde_json::Value;

use crate::cloudevent::CloudEvent;
use crate::mapping::strip_generation;
use crate::names::{OBJECT_DELETED, OBJECT_FINALIZED};

/// The blob change a CloudEvent type stands for: `finalized` → created, `deleted` → deleted.
/// (`archived` and `metadataUpdated` are not blob changes; they reach the handler as
/// `Event::Invoke`.)
pub fn change_of(ty: &str) -> Option<BlobChange> {
    match ty {
        OBJECT_FINALIZED => Some(BlobChange::Created),
        OBJECT_DELETED => Some(BlobChange::Deleted),
        _ => None,
    }
}

/// The blob event of a Cloud Storage CloudEvent of type `change`.
///
/// - bucket: from `source` (`//storage.googleapis.com/projects/_/buckets/<bucket>`), else
///   `data.bucket`;
/// - key: from `subject` (`objects/<name>`, a `#<generation>` suffix dropped unless it is
///   part of `data.name`), else `data.name`;
/// - size (`data.size`, a decimal string in Google's JSON), etag (`data.etag`), content type
///   (`data.contentType`).
pub fn blob_event(event: &CloudEvent, change: BlobChange) -> Result<BlobEvent, BadInput> {
    let data = event.json_data().filter(|d| d.is_object());
    let text = |name: &str| -> Result<Option<&str>, BadInput> {
        match data.and_then(|d| d.get(name)) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(BadInput::at(format!("data.{name}"), "must be a string")),
        }
    };
    let data_name = text("name")?;
    let bucket = event
        .source
        .split_once("/buckets/")
        .map(|(_, rest)| rest.split('/').next().unwrap_or_default())
        .filter(|b| !b.is_empty());
    let store = match bucket {
        Some(bucket) => bucket.to_owned(),
        None => text("bucket")?
            .ok_or_else(|| {
                BadInput::at(
                    "source",
                    format!(
                        "{:?} names no bucket (…/buckets/<bucket>) and data.bucket is missing",
                        event.source
                    ),
                )
            })?
            .to_owned(),
    };
    let from_subject = event
        .subject
        .as_deref()
        .and_then(|s| s.strip_prefix("objects/"))
        .filter(|o| !o.is_empty())
        .map(|object| strip_generation(object, data_name));
    let key = match from_subject.or(data_name) {
        Some(key) => key.to_owned(),
        None => {
            return Err(BadInput::at(
                "subject",
                "names no object (objects/<name>) and data.name is missing",
            ))
        }
    };
    let mut blob = BlobEvent::new(change, store, key);
    blob.size =
        match data.and_then(|d| d.get("size")) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.trim().parse::<u64>().map_err(|e| {
                BadInput::at("data.size", format!("{s:?} is not a number of bytes")).with_source(e)
            })?),
            Some(Value::Number(n)) => Some(n.as_u64().ok_or_else(|| {
                BadInput::at("data.size", format!("{n} is not a number of bytes"))
            })?),
            Some(_) => {
                return Err(BadInput::at(
                    "data.size",
                    "must be a number of bytes (a string or a number)",
                ))
            }
        };
    blob.etag = text("etag")?.map(str::to_owned);
    blob.content_type = text("contentType")?.map(str::to_owned);
    Ok(blob)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::cloudevent::Data;

    fn event(subject: Option<&str>, data: Value) -> CloudEvent {
        let mut ce = CloudEvent::new(
            "s-1",
            "//storage.googleapis.com/projects/_/buckets/invoices",
            OBJECT_FINALIZED,
        );
        ce.subject = subject.map(str::to_owned);
        ce.data = Data::Json(data);
        ce
    }

    #[test]
    fn fields_come_from_source_subject_and_data() {
        let ce = event(
            Some("objects/2024/03/inv 7.pdf"),
            json!({"bucket": "invoices", "name": "2024/03/inv 7.pdf", "size": "52731",
                   "etag": "CKih16GjycICEAE=", "contentType": "application/pdf"}),
        );
        let blob = blob_event(&ce, BlobChange::Created).unwrap();
        assert_eq!(blob.store, "invoices");
        assert_eq!(blob.key, "2024/03/inv 7.pdf");
        assert_eq!(blob.size, Some(52731));
        assert_eq!(blob.etag.as_deref(), Some("CKih16GjycICEAE="));
        assert_eq!(blob.content_type.as_deref(), Some("application/pdf"));
    }

    #[test]
    fn generation_suffixes_and_fallbacks() {
        let ce = event(
            Some("objects/a.txt#1711111111111111"),
            json!({"name": "a.txt"}),
        );
        assert_eq!(blob_event(&ce, BlobChange::Deleted).unwrap().key, "a.txt");
        let ce = event(Some("objects/b#7"), json!({"name": "b#7"}));
        assert_eq!(blob_event(&ce, BlobChange::Deleted).unwrap().key, "b#7");
        let mut ce = event(None, json!({"bucket": "other", "name": "c.txt", "size": 3}));
        ce.source = "//storage.googleapis.com/".into();
        let blob = blob_event(&ce, BlobChange::Created).unwrap();
        assert_eq!(
            (blob.store.as_str(), blob.key.as_str(), blob.size),
            ("other", "c.txt", Some(3))
        );
    }

    #[test]
    fn errors_name_the_field() {
        let ce = event(Some("objects/a"), json!({"size": "big"}));
        let err = blob_event(&ce, BlobChange::Created)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "data.size: \"big\" is not a number of bytes");
        let ce = event(None, json!({}));
        let err = blob_event(&ce, BlobChange::Created)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("subject: names no object"), "{err}");
        let mut ce = event(Some("objects/a"), json!({}));
        ce.source = "//storage.googleapis.com/x".into();
        let err = blob_event(&ce, BlobChange::Created)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("source: "), "{err}");
    }
}
