//! An in-memory [`BlobStore`], for tests and for functions that need scratch storage.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::SystemTime;

use async_trait::async_trait;
use bytes::Bytes;

use super::stream::io_error;
use super::{BlobError, BlobKey, BlobMeta, BlobStore, BlobWriter, Capabilities};

/// Objects kept in a map in this process. ETags change on every write. Bucket names in blob
/// events are ignored. [`put_file`](BlobStore::put_file) necessarily reads the whole file into
/// memory: that is where this store keeps objects.
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

    fn meta_for(&self, key: &BlobKey, data: &Bytes) -> BlobMeta {
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        BlobMeta {
            key: key.clone(),
            size: data.len() as u64,
            etag: Some(format!("\"{generation:x}\"")),
            content_type: None,
            last_modified: Some(SystemTime::now()),
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
        let meta = self.meta_for(key, &data);
        let mut objects = self.objects.write().unwrap_or_else(|p| p.into_inner());
        objects.insert(key.clone(), (data, meta.clone()));
        Ok(meta)
    }

    async fn put_if_absent(&self, key: &BlobKey, data: Bytes) -> Result<BlobMeta, BlobError> {
        let meta = self.meta_for(key, &data);
        let mut objects = self.objects.write().unwrap_or_else(|p| p.into_inner());
        if objects.contains_key(key) {
            return Err(BlobError::AlreadyExists {
                key: key.to_string(),
                store: self.describe(),
            });
        }
        objects.insert(key.clone(), (data, meta.clone()));
        Ok(meta)
    }

    async fn put_file(&self, key: &BlobKey, path: &Path) -> Result<BlobMeta, BlobError> {
        let data = tokio::fs::read(path)
            .await
            .map_err(io_error("upload", key))?;
        self.put(key, data.into()).await
    }

    async fn get_to(
        &self,
        key: &BlobKey,
        writer: &mut BlobWriter<'_>,
    ) -> Result<BlobMeta, BlobError> {
        use tokio::io::AsyncWriteExt;
        let (data, meta) = self.lookup(key)?;
        writer
            .write_all(&data)
            .await
            .map_err(io_error("read", key))?;
        writer.flush().await.map_err(io_error("read", key))?;
        Ok(meta)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            multipart_upload: false,
            ..Capabilities::all()
        }
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
