//! Object storage behind one small trait, and the handle handlers use.
//!
//! [`BlobStore`] is what a backend implements: it only ever sees validated [`BlobKey`]s.
//! [`Blobs`] is the cheap, cloneable handle a handler gets from [`Context::blobs`]: it takes
//! plain `&str` keys, validates them, and forwards to the backend.
//!
//! Backends here: [`LocalDirStore`] (the local dev provider's default) and [`MemoryStore`].
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

mod config;
mod error;
mod key;
mod local_dir;
mod memory;

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use bytes::Bytes;

pub use config::{for_provider, from_env_or, from_url, BLOB_URL_VAR};
pub use error::BlobError;
pub use key::{BlobKey, MAX_KEY_LEN};
pub use local_dir::LocalDirStore;
pub use memory::MemoryStore;

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

/// An object store backend.
///
/// Implement this to add a backend; use [`Blobs`] to call one. Every method receives a key that
/// [`BlobKey::parse`] accepted, so a backend never sees `..`, an absolute path or a NUL.
#[async_trait]
pub trait BlobStore: Send + Sync + fmt::Debug + 'static {
    /// Reads a whole object.
    async fn get(&self, key: &BlobKey) -> Result<Bytes, BlobError>;
    /// Writes a whole object, replacing any object with the same key.
    async fn put(&self, key: &BlobKey, data: Bytes) -> Result<BlobMeta, BlobError>;
    /// Reads an object's metadata.
    async fn head(&self, key: &BlobKey) -> Result<BlobMeta, BlobError>;
    /// Lists the objects whose key starts with `prefix` (already validated; may be empty), in key
    /// order. Only objects are listed, never "directories".
    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, BlobError>;
    /// Deletes an object. Deleting a missing object is not an error.
    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError>;
    /// Writes an object's bytes to the local file `path` (created or truncated), without holding
    /// the whole object in memory where the backend can stream.
    async fn download_to(&self, key: &BlobKey, path: &Path) -> Result<BlobMeta, BlobError>;
    /// A short description for error messages, such as `local directory ".polyfaas/blobs"`.
    fn describe(&self) -> String;
}

/// The handle handlers use: a shared [`BlobStore`] that takes `&str` keys and validates them.
///
/// Cloning is cheap (an `Arc`).
#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn BlobStore>,
}

impl Blobs {
    /// Wraps a backend.
    pub fn new(store: impl BlobStore) -> Self {
        Blobs {
            store: Arc::new(store),
        }
    }

    /// Wraps a backend that is already shared.
    pub fn from_arc(store: Arc<dyn BlobStore>) -> Self {
        Blobs { store }
    }

    /// The backend.
    pub fn store(&self) -> &Arc<dyn BlobStore> {
        &self.store
    }

    /// Reads a whole object.
    pub async fn get(&self, key: &str) -> Result<Bytes, BlobError> {
        self.store.get(&BlobKey::parse(key)?).await
    }

    /// Writes a whole object.
    pub async fn put(&self, key: &str, data: impl Into<Bytes>) -> Result<BlobMeta, BlobError> {
        self.store.put(&BlobKey::parse(key)?, data.into()).await
    }

    /// Reads an object's metadata.
    pub async fn head(&self, key: &str) -> Result<BlobMeta, BlobError> {
        self.store.head(&BlobKey::parse(key)?).await
    }

    /// Lists objects whose key starts with `prefix` (`""` for all), in key order.
    pub async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, BlobError> {
        key::validate_prefix(prefix)?;
        self.store.list(prefix).await
    }

    /// Deletes an object; a missing object is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), BlobError> {
        self.store.delete(&BlobKey::parse(key)?).await
    }

    /// Writes an object's bytes to a local file.
    pub async fn download_to(
        &self,
        key: &str,
        path: impl AsRef<Path>,
    ) -> Result<BlobMeta, BlobError> {
        self.store
            .download_to(&BlobKey::parse(key)?, path.as_ref())
            .await
    }
}

impl fmt::Debug for Blobs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Blobs").field(&self.store).finish()
    }
}

impl<S: BlobStore> From<S> for Blobs {
    fn from(store: S) -> Self {
        Blobs::new(store)
    }
}

#[cfg(test)]
mod contract_tests;
