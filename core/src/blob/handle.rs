//! [`Blobs`]: the cloneable handle handlers use, and the stores it opens for other buckets.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use super::{key, BlobError, BlobKey, BlobMeta, BlobStore, BlobWriter, Capabilities};

/// The handle handlers use: a shared [`BlobStore`] that takes `&str` keys and validates them.
///
/// Cloning is cheap (an `Arc`). [`in_bucket`](Blobs::in_bucket) gives the handle for another
/// bucket of the same backend, opened once and then shared by every clone.
#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn BlobStore>,
    buckets: Arc<Mutex<HashMap<String, Blobs>>>,
}

impl Blobs {
    /// Wraps a backend.
    pub fn new(store: impl BlobStore) -> Self {
        Self::from_arc(Arc::new(store))
    }

    /// Wraps a backend that is already shared.
    pub fn from_arc(store: Arc<dyn BlobStore>) -> Self {
        Blobs {
            store,
            buckets: Arc::default(),
        }
    }

    /// The backend.
    pub fn store(&self) -> &Arc<dyn BlobStore> {
        &self.store
    }

    /// What the backend can do beyond the required operations.
    pub fn capabilities(&self) -> Capabilities {
        self.store.capabilities()
    }

    /// The handle for the whole of `bucket` (no key prefix), on the same backend with the same
    /// credentials: how a blob event's key is looked up in the event's own bucket.
    ///
    /// This handle itself when it is bound to exactly that bucket without a prefix, and also for
    /// stores that have no buckets (local directory, memory), which ignore the name. Other
    /// buckets are opened on first use and kept.
    ///
    /// ```
    /// use polyfaas_core::blob::{Blobs, MemoryStore};
    /// let blobs = Blobs::new(MemoryStore::new());
    /// let same = blobs.in_bucket("uploads").unwrap(); // memory has no buckets
    /// assert!(std::sync::Arc::ptr_eq(same.store(), blobs.store()));
    /// ```
    pub fn in_bucket(&self, bucket: &str) -> Result<Blobs, BlobError> {
        if bucket.is_empty() {
            return Ok(self.clone());
        }
        if let Some(location) = self.store.location() {
            if location.bucket == bucket && location.prefix.is_empty() {
                return Ok(self.clone());
            }
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(open) = buckets.get(bucket) {
            return Ok(open.clone());
        }
        match self.store.open_bucket(bucket) {
            None => Ok(self.clone()),
            Some(store) => {
                let open = Blobs::from_arc(store?);
                buckets.insert(bucket.to_owned(), open.clone());
                Ok(open)
            }
        }
    }

    /// Reads a whole object into memory.
    pub async fn get(&self, key: &str) -> Result<Bytes, BlobError> {
        self.store.get(&BlobKey::parse(key)?).await
    }

    /// Streams an object into `writer` without holding it in memory.
    pub async fn get_to(
        &self,
        key: &str,
        writer: &mut BlobWriter<'_>,
    ) -> Result<BlobMeta, BlobError> {
        self.store.get_to(&BlobKey::parse(key)?, writer).await
    }

    /// Writes a whole object.
    pub async fn put(&self, key: &str, data: impl Into<Bytes>) -> Result<BlobMeta, BlobError> {
        self.store.put(&BlobKey::parse(key)?, data.into()).await
    }

    /// Writes a local file to an object, streaming.
    pub async fn put_file(&self, key: &str, path: impl AsRef<Path>) -> Result<BlobMeta, BlobError> {
        self.store
            .put_file(&BlobKey::parse(key)?, path.as_ref())
            .await
    }

    /// Writes an object only if none has the key ([`BlobError::AlreadyExists`] otherwise;
    /// [`BlobError::Unsupported`] where the backend cannot, see [`capabilities`](Self::capabilities)).
    pub async fn put_if_absent(
        &self,
        key: &str,
        data: impl Into<Bytes>,
    ) -> Result<BlobMeta, BlobError> {
        self.store
            .put_if_absent(&BlobKey::parse(key)?, data.into())
            .await
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

    /// Writes an object's bytes to a local file, streaming.
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
