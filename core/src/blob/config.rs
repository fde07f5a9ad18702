//! Choosing the blob store from the environment: `POLYFAAS_BLOB_URL`.

use std::path::PathBuf;

use super::{Blobs, LocalDirStore, MemoryStore};
use crate::{Error, Provider};

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

/// The store every shim gives its handlers: `POLYFAAS_BLOB_URL` if set, else the platform's
/// default. Shims call this once at start-up; a wrong URL is a start-up error naming the
/// variable.
///
/// Defaults: the local dev provider uses the directory `POLYFAAS_BLOB_DIR` (default
/// `.polyfaas/blobs`); the cloud platforms use a local directory under the system's temporary
/// directory (`$TMPDIR/polyfaas-blobs`) until their storage backends are compiled in.
pub fn for_provider(provider: Provider) -> Result<Blobs, Error> {
    from_env_or(|| {
        let dir = match provider {
            Provider::Local => std::env::var_os("POLYFAAS_BLOB_DIR")
                .filter(|v| !v.is_empty())
                .map_or_else(|| PathBuf::from(".polyfaas/blobs"), PathBuf::from),
            _ => std::env::temp_dir().join("polyfaas-blobs"),
        };
        Blobs::new(LocalDirStore::new(dir))
    })
}
