//! An in-memory [`BlobStore`], for tests and for functions that need scratch storage.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::SystemTime;

use async_trait::async_trait;
use bytes::Bytes;

use super::{BlobError, BlobKey, BlobMeta, BlobStore};

/// Objects kept in a map in this process. ETags change on every write.
///
/// ```
/// use polyfaas_core::blob::{Blobs, MemoryStore};
/// let blobs = Blobs::new(MemoryStore::new());
/// # let _ = blobs;
/// ```
#[derive(Debug, Default)]
pub struct MemoryStore {
    objects: RwLock<BTreeMap<BlobKey, (Bytes, BlobMeta)>>,
    generation: AtomicU64,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn not_found(&self, key: &BlobKey) -> BlobError {
        BlobError::NotFound {
            key: key.to_string(),
            store: self.describe(),
        }
    }

    fn lookup(&self, key: &BlobKey) -> Result<(Bytes, BlobMeta), BlobError> {
        let objects = self.objects.read().unwrap_or_else(|p| p.into_inner());
        objects.get(key).cloned().ok_or_else(|| self.not_found(key))
    }
}

#[async_trait]
impl BlobStore for MemoryStore {
    async fn get(&self, key: &BlobKey) -> Result<Bytes, BlobError> {
        Ok(self.lookup(key)?.0)
    }

    async fn put(&self, key: &BlobKey, data: Bytes) -> Result<BlobMeta, BlobError> {
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        let meta = BlobMeta {
            key: key.clone(),
            size: data.len() as u64,
            etag: Some(format!("\"{generation:x}\"")),
            content_type: None,
            last_modified: Some(SystemTime::now()),
        };
        let mut objects = self.objects.write().unwrap_or_else(|p| p.into_inner());
        objects.insert(key.clone(), (data, meta.clone()));
        Ok(meta)
    }

    async fn head(&self, key: &BlobKey) -> Result<BlobMeta, BlobError> {
        Ok(self.lookup(key)?.1)
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, BlobError> {
        let objects = self.objects.read().unwrap_or_else(|p| p.into_inner());
        Ok(objects
            .iter()
            .filter(|(key, _)| key.as_str().starts_with(prefix))
            .map(|(_, (_, meta))| meta.clone())
            .collect())
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        let mut objects = self.objects.write().unwrap_or_else(|p| p.into_inner());
        objects.remove(key);
        Ok(())
    }

    async fn download_to(&self, key: &BlobKey, path: &Path) -> Result<BlobMeta, BlobError> {
        let (data, meta) = self.lookup(key)?;
        tokio::fs::write(path, &data)
            .await
            .map_err(|source| BlobError::Io {
                op: "download",
                key: key.to_string(),
                source,
            })?;
        Ok(meta)
    }

    fn describe(&self) -> String {
        "memory store".to_owned()
    }
}
