//! Choosing the blob store from the environment: `POLYFAAS_BLOB_URL`.

use super::{Blobs, LocalDirStore, MemoryStore};
use crate::Error;

/// The variable that selects the blob store.
pub const BLOB_URL_VAR: &str = "POLYFAAS_BLOB_URL";

/// Opens the store a URL names: `file:///absolute/path`, `file://relative/path`, or
/// `memory://`.
///
/// ```
/// use polyfaas_core::blob::from_url;
///
/// assert!(from_url("memory://").is_ok());
/// assert!(from_url("file:///tmp/blobs").is_ok());
/// let err = from_url("ftp://x").unwrap_err().to_string();
/// assert!(err.contains("POLYFAAS_BLOB_URL"), "{err}");
/// ```
pub fn from_url(url: &str) -> Result<Blobs, Error> {
    let bad = |why: &str| Error::Provider(format!("{BLOB_URL_VAR}={url:?} is not valid: {why}"));
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("it must be a URL such as file:///path/to/dir or memory://"))?;
    match scheme {
        "file" if rest.is_empty() => Err(bad("file:// needs a directory, as in file:///srv/blobs")),
        "file" => Ok(Blobs::new(LocalDirStore::new(rest))),
        "memory" => Ok(Blobs::new(MemoryStore::new())),
        other => Err(bad(&format!(
            "unknown scheme {other:?}; this build knows file:// and memory://"
        ))),
    }
}

/// The store `POLYFAAS_BLOB_URL` names, or `default()` when it is unset or empty.
pub fn from_env_or(default: impl FnOnce() -> Blobs) -> Result<Blobs, Error> {
    match std::env::var(BLOB_URL_VAR) {
        Ok(url) if !url.is_empty() => from_url(&url),
        _ => Ok(default()),
    }
}
