//! Object storage behind one small trait, and the handle handlers use.
//!
//! [`BlobStore`] is what a backend implements: it only ever sees validated [`BlobKey`]s.
//! [`Blobs`] is the cheap, cloneable handle a handler gets from [`Context::blobs`]: it takes
//! plain `&str` keys, validates them, and forwards to the backend.
//!
//! Backends: [`LocalDirStore`] (the local dev provider's default) and [`MemoryStore`] always;
//! Amazon S3 (feature `s3`), Azure Blob Storage (feature `azure-blob`) and Google Cloud Storage
//! (feature `gcs`) when compiled in. [`from_url`] picks one from a URL such as `s3://bucket/prefix`,
//! [`from_env`] from `POLYFAAS_BLOB_URL` or the default a platform hands in.
//!
//! Large objects stream: [`Blobs::download_to`], [`Blobs::get_to`] and [`Blobs::put_file`] hold
//! at most a few chunks in memory, whatever the object's size.
//!
//! ```
//! use polyfaas_core::blob::{Blobs, MemoryStore};
//!
//! # tokio_test_block_on(async {
//! let blobs = Blobs::new(MemoryStore::new());
//! blobs.put("greetings/alice.txt", "hello").await?;
//! assert_eq!(&blobs.get("greetings/alice.txt").await?[..], b"hello");
//! assert!(blobs.put("../escape", "x").await.is_err());
//! # Ok::<(), polyfaas_core::blob::BlobError>(())
//! # }).unwrap();
//! # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
//! # }
//! ```
//!
//! [`Context::blobs`]: crate::Context::blobs

#[cfg(feature = "azure-blob")]
mod azure;
#[cfg(feature = "azure-blob")]
mod azure_conn;
mod capabilities;
mod config;
mod env;
mod error;
#[cfg(feature = "gcs")]
mod gcs;
mod handle;
#[cfg(feature = "object-store")]
mod http_client;
mod key;
mod lazy;
mod local_dir;
mod location;
mod memory;
mod missing;
#[cfg(feature = "object-store")]
mod object_store_backend;
#[cfg(feature = "s3")]
mod s3;
mod stream;
// The process-wide rustls provider, for the clients that take it from there (reqwest under
// GCS and the OTLP exporter); the S3/Azure transport names its own.
#[cfg(any(feature = "gcs", feature = "opentelemetry"))]
pub(crate) mod tls;
#[cfg(any(feature = "object-store", feature = "gcs"))]
mod transfer;
mod unbound;
mod url;

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use bytes::Bytes;
use tokio::io::AsyncWrite;

pub use capabilities::Capabilities;
pub use config::{cloud_or_local, from_env, from_url, from_url_in, local_fallback, BLOB_URL_VAR};
pub use env::EnvVars;
pub use error::BlobError;
pub use handle::Blobs;
pub use key::{BlobKey, MAX_KEY_LEN};
pub use local_dir::LocalDirStore;
pub use location::StoreLocation;
pub use memory::MemoryStore;
pub use unbound::UnboundStore;
pub use url::{BlobUrl, Scheme};

/// What a store knows about one object.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BlobMeta {
    /// The object's key.
    pub key: BlobKey,
    /// Its size in bytes.
    pub size: u64,
    /// Its entity tag, where the backend has one.
    pub etag: Option<String>,
    /// Its content type, where the backend keeps one.
    pub content_type: Option<String>,
    /// When it was last written, where the backend knows.
    pub last_modified: Option<SystemTime>,
}

impl BlobMeta {
    /// Metadata with a key and a size; the rest unknown.
    pub fn new(key: BlobKey, size: u64) -> Self {
        BlobMeta {
            key,
            size,
            etag: None,
            content_type: None,
            last_modified: None,
        }
    }
}

/// The writer [`BlobStore::get_to`] streams into.
pub type BlobWriter<'a> = dyn AsyncWrite + Send + Unpin + 'a;

/// An object store backend.
///
/// Implement this to add a backend; use [`Blobs`] to call one. Every method receives a key that
/// [`BlobKey::parse`] accepted, so a backend never sees `..`, an absolute path or a NUL.
#[async_trait]
pub trait BlobStore: Send + Sync + fmt::Debug + 'static {
    /// Reads a whole object into memory. Use [`get_to`](Self::get_to) or
    /// [`download_to`](Self::download_to) for objects that may be large.
    async fn get(&self, key: &BlobKey) -> Result<Bytes, BlobError>;
    /// Writes a whole object, replacing any object with the same key.
    async fn put(&self, key: &BlobKey, data: Bytes) -> Result<BlobMeta, BlobError>;
    /// Reads an object's metadata.
    async fn head(&self, key: &BlobKey) -> Result<BlobMeta, BlobError>;
    /// Lists the objects whose key starts with `prefix` (already validated; may be empty), in key
    /// order. `prefix` is a string prefix, not a directory: `a` matches `a/b` and `ab`. Only
    /// objects are listed, never "directories".
    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, BlobError>;
    /// Deletes an object. Deleting a missing object is not an error.
    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError>;
    /// Streams an object's bytes into `writer`, a chunk at a time, and flushes it. A missing
    /// object is reported before anything is written.
    async fn get_to(
        &self,
        key: &BlobKey,
        writer: &mut BlobWriter<'_>,
    ) -> Result<BlobMeta, BlobError>;
    /// Writes the local file `path` to an object, a chunk at a time (multipart where the backend
    /// has it), replacing any object with the same key.
    async fn put_file(&self, key: &BlobKey, path: &Path) -> Result<BlobMeta, BlobError>;
    /// Writes an object's bytes to the local file `path` (created or truncated), streaming. On
    /// failure no file is left at `path`.
    async fn download_to(&self, key: &BlobKey, path: &Path) -> Result<BlobMeta, BlobError> {
        stream::download_via_get_to(self, key, path).await
    }
    /// Writes an object only if no object has the key: [`BlobError::AlreadyExists`] otherwise.
    /// Backends that cannot do this atomically return [`BlobError::Unsupported`] (the default)
    /// and say so in [`capabilities`](Self::capabilities).
    async fn put_if_absent(&self, key: &BlobKey, data: Bytes) -> Result<BlobMeta, BlobError> {
        let _ = (key, data);
        Err(BlobError::Unsupported {
            op: "put_if_absent",
            store: self.describe(),
        })
    }
    /// What this backend can do beyond the required operations.
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
    /// The bucket (or container) and key prefix this store is bound to; `None` for stores that
    /// have no buckets (local directory, memory).
    fn location(&self) -> Option<StoreLocation> {
        None
    }
    /// The same backend, with the same credentials and endpoint, on the whole of another bucket
    /// (no prefix). `None` for stores that have no buckets: a blob event's bucket is then
    /// ignored and its key looked up in this store.
    fn open_bucket(&self, bucket: &str) -> Option<Result<Arc<dyn BlobStore>, BlobError>> {
        let _ = bucket;
        None
    }
    /// A short description for error messages, such as `local directory ".polyfaas/blobs"`.
    fn describe(&self) -> String;
}
