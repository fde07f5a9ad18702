//! `blobTrigger` → `Event::Blob`: container and key from the double-encoded `Metadata.Uri`,
//! size, content type and ETag from `Metadata.Properties` (whose key names differ between
//! Storage extension versions); everything the trigger tells in a [`BlobMetadata`] extra. The
//! content itself becomes a file in `blob_file.rs`.

use std::net::IpAddr;

use percent_encoding::percent_decode_str;
use polyfaas_core::{BadInput, BlobChange, BlobEvent, Extra};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::function_json::FunctionDef;
use crate::json::get_ci;
use crate::payload::{text, Envelope};

/// What the blob trigger tells about the blob, an extra of its invocation:
/// `ctx.extra::<polyfaas_azure::BlobMetadata>()`.
///
/// ```
/// use polyfaas_azure::BlobMetadata;
/// # let ctx = polyfaas_core::Context::builder(polyfaas_core::Provider::AZURE, "1").build();
/// if let Some(blob) = ctx.extra::<BlobMetadata>() {
///     // The uploader's own metadata (`x-ms-meta-*`), and the Storage properties.
///     let owner = blob.metadata.get("owner");
///     let md5 = blob.properties.get("ContentMD5");
///     # let _ = (owner, md5);
/// }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BlobMetadata {
    /// `<container>/<blob name>`: the trigger's `BlobTrigger` value, which the host does not send
    /// to custom handlers (it drops every key ending in `Trigger`), rebuilt from `Uri`.
    pub blob_trigger: String,
    /// `Uri`: the blob's URL.
    pub uri: Option<String>,
    /// `Properties`: the blob's Storage properties, with the names of the Storage extension
    /// that sent them (v4 `Length`, `ETag`, ...; v5 `ContentLength`, ...).
    pub properties: Map<String, Value>,
    /// `Metadata`: the blob's user metadata.
    pub metadata: Map<String, Value>,
}

impl Extra for BlobMetadata {
    const NAME: &'static str = "azure.blob";
}

/// The blob event of a blob trigger's envelope (without its local file), and its metadata.
pub(crate) fn blob_event(
    envelope: &Envelope,
    function: &FunctionDef,
) -> Result<(BlobEvent, BlobMetadata), BadInput> {
    let uri = envelope.metadata_text("Uri").map(|u| u.into_owned());
    let (store, key) = match &uri {
        Some(uri) => container_and_key(uri)?,
        None => from_path_pattern(function, &envelope.metadata)?,
    };
    let object = |name: &str| match get_ci(&envelope.metadata, name) {
        Some(Value::Object(map)) => map.clone(),
        _ => Map::new(),
    };
    let metadata = BlobMetadata {
        blob_trigger: format!("{store}/{key}"),
        uri,
        properties: object("Properties"),
        metadata: object("Metadata"),
    };
    let mut blob = BlobEvent::new(BlobChange::Created, store, key);
    if let Some(Value::Object(props)) = get_ci(&envelope.metadata, "Properties") {
        blob.size = ["Length", "ContentLength"]
            .iter()
            .find_map(|k| get_ci(props, k))
            .and_then(|v| v.as_u64().or_else(|| text(v)?.parse().ok()));
        blob.etag = get_ci(props, "ETag")
            .and_then(text)
            .map(|e| e.trim_matches('"').to_owned())
            .filter(|e| !e.is_empty());
        blob.content_type = get_ci(props, "ContentType")
            .and_then(text)
            .map(|c| c.into_owned())
            .filter(|c| !c.is_empty());
    }
    Ok((blob, metadata))
}

/// `https://<account>.blob.core.windows.net/<container>/<blob>`, or path-style as Azurite and
/// other emulators write it: `http://127.0.0.1:10000/<account>/<container>/<blob>`.
fn container_and_key(uri: &str) -> Result<(String, String), BadInput> {
    let bad = |why: &str| BadInput::at("Metadata.Uri", format!("{uri:?} {why}"));
    let parsed: http::Uri = uri
        .parse()
        .map_err(|e| bad("is not a URL").with_source(e))?;
    let host = parsed.host().ok_or_else(|| bad("has no host"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let path_style = host.parse::<IpAddr>().is_ok() || host.eq_ignore_ascii_case("localhost");
    let mut path = parsed.path().trim_start_matches('/');
    if path_style {
        path = path.split_once('/').map_or("", |(_, rest)| rest);
    }
    let (container, key) = path
        .split_once('/')
        .filter(|(c, k)| !c.is_empty() && !k.is_empty())
        .ok_or_else(|| bad("does not name a container and a blob"))?;
    let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
    Ok((decode(container), decode(key)))
}

/// Without `Uri`: the trigger's `path` (`<container>/<pattern>`) with each `{token}` replaced by
/// its `Metadata` value.
fn from_path_pattern(
    function: &FunctionDef,
    metadata: &Map<String, Value>,
) -> Result<(String, String), BadInput> {
    let pattern = function.trigger.path.as_deref().ok_or_else(|| {
        BadInput::at(
            "Metadata.Uri",
            "missing, and the trigger in function.json has no `path` to rebuild the blob's name from",
        )
    })?;
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map(|c| open + c).ok_or_else(|| {
            BadInput::at(
                "Metadata.Uri",
                format!("missing, and the path {pattern:?} is not a valid pattern"),
            )
        })?;
        let token = &rest[open + 1..close];
        let value = get_ci(metadata, token).and_then(text).ok_or_else(|| {
            BadInput::at(
                format!("Metadata.{token}"),
                format!(
                    "missing (needed for the path {pattern:?} since `Metadata.Uri` is missing too)"
                ),
            )
        })?;
        out.push_str(&value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out.split_once('/')
        .map(|(c, k)| (c.to_owned(), k.to_owned()))
        .ok_or_else(|| {
            BadInput::at(
                "Metadata.Uri",
                format!("missing, and {out:?} names no container"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn uris_give_container_and_decoded_key() {
        let cases = [
            (
                "https://acct.blob.core.windows.net/uploads/a%20b/caf%C3%A9.txt",
                ("uploads", "a b/café.txt"),
            ),
            (
                "http://127.0.0.1:10000/devstoreaccount1/in/x.bin",
                ("in", "x.bin"),
            ),
            (
                "http://localhost:10000/devstoreaccount1/in/d/x.bin",
                ("in", "d/x.bin"),
            ),
        ];
        for (uri, (c, k)) in cases {
            assert_eq!(
                container_and_key(uri).unwrap(),
                (c.to_owned(), k.to_owned()),
                "{uri}"
            );
        }
        let err = container_and_key("https://acct.blob.core.windows.net/only").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Metadata.Uri: \"https://acct.blob.core.windows.net/only\" does not name a container and a blob"
        );
    }

    #[test]
    fn properties_of_both_storage_extension_versions() {
        let json = json!({"bindings": [{"type": "blobTrigger", "name": "b", "path": "in/{name}"}]});
        let f = FunctionDef::from_json("f", &json, std::path::Path::new("x")).unwrap();
        let v4 = Envelope::from_value(json!({"Data": {}, "Metadata": {
            "Uri": "\"https://a.blob.core.windows.net/in/x.txt\"",
            "Properties": {"Length": 16, "ETag": "\"0x8DA4\"", "ContentType": "text/plain"}}}))
        .unwrap();
        let (blob, metadata) = blob_event(&v4, &f).unwrap();
        assert_eq!(metadata.blob_trigger, "in/x.txt");
        assert_eq!(metadata.properties["Length"], 16);
        assert_eq!((blob.store.as_str(), blob.key.as_str()), ("in", "x.txt"));
        assert_eq!(blob.size, Some(16));
        assert_eq!(blob.etag.as_deref(), Some("0x8DA4"));
        assert_eq!(blob.content_type.as_deref(), Some("text/plain"));

        let v5 = Envelope::from_value(json!({"Data": {}, "Metadata": {
            "name": "\"d/y.bin\"", "Properties": {"ContentLength": "8"}}}))
        .unwrap();
        let (blob, metadata) = blob_event(&v5, &f).unwrap();
        assert_eq!(metadata.uri, None);
        assert_eq!(metadata.blob_trigger, "in/d/y.bin");
        assert_eq!((blob.store.as_str(), blob.key.as_str()), ("in", "d/y.bin"));
        assert_eq!(blob.size, Some(8));
        assert_eq!(blob.etag, None);
    }

    #[test]
    fn the_shared_real_capture_gives_the_blob() {
        // Outside oracle: a payload recorded from a deployed app, read from the shared folder.
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../../../shared/fixtures/azure/real-captures/ballerina-blob-trigger-request.json",
        );
        let body = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e}: the outside-oracle fixtures are read from ../shared beside the checkout, as CI has them", path.display()));
        let envelope = Envelope::parse(&body).unwrap();
        let json = json!({"bindings": [{"type": "blobTrigger", "name": "blobIn", "path": "bpath1/{name}"}]});
        let f = FunctionDef::from_json("f", &json, std::path::Path::new("x")).unwrap();
        let (blob, metadata) = blob_event(&envelope, &f).unwrap();
        assert_eq!(metadata.blob_trigger, "bpath1/hello.txt");
        assert_eq!(
            metadata.uri.as_deref(),
            Some("https://baldevgroup84df.blob.core.windows.net/bpath1/hello.txt")
        );
        assert_eq!(blob.store, "bpath1");
        assert!(blob.size.is_some());
        assert!(blob.etag.as_deref().is_some_and(|e| !e.starts_with('"')));
    }
}
