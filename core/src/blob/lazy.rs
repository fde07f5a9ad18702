//! A cloud store whose client is built on first use, not at start-up: building one loads the
//! TLS roots (every file in `/etc/ssl/certs`) and the HTTP client, which most invocations never
//! need. The configuration is checked at start-up all the same (see `config::cloud`).

use std::fmt;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use bytes::Bytes;

use super::{BlobError, BlobKey, BlobMeta, BlobStore, BlobWriter, Capabilities, StoreLocation};

type Open = dyn Fn() -> Result<Arc<dyn BlobStore>, BlobError> + Send + Sync;

/// A store opened on first use, then kept.
pub(crate) struct LazyStore {
    describe: String,
    location: StoreLocation,
    open: Box<Open>,
    store: OnceLock<Arc<dyn BlobStore>>,
}

impl LazyStore {
    /// A store described as `describe`, bound to `location`, that `open` builds on first use.
    pub(crate) fn new(
        describe: String,
        location: StoreLocation,
        open: impl Fn() -> Result<Arc<dyn BlobStore>, BlobError> + Send + Sync + 'static,
    ) -> Self {
        LazyStore {
            describe,
            location,
            open: Box::new(open),
            store: OnceLock::new(),
        }
    }

    /// The store, built now if this is the first use. A failure is not kept: the next use tries
    /// again.
    fn store(&self) -> Result<&Arc<dyn BlobStore>, BlobError> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let opened = (self.open)()?;
        Ok(self.store.get_or_init(|| opened))
    }
}

#[async_trait]
impl BlobStore for LazyStore {
    async fn get(&self, key: &BlobKey) -> Result<Bytes, BlobError> {
        self.store()?.get(key).await
    }
    async fn put(&self, key: &BlobKey, data: Bytes) -> Result<BlobMeta, BlobError> {
        self.store()?.put(key, data).await
    }
    async fn head(&self, key: &BlobKey) -> Result<BlobMeta, BlobError> {
        self.store()?.head(key).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, BlobError> {
        self.store()?.list(prefix).await
    }
    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        self.store()?.delete(key).await
    }
    async fn get_to(
        &self,
        key: &BlobKey,
        writer: &mut BlobWriter<'_>,
    ) -> Result<BlobMeta, BlobError> {
        self.store()?.get_to(key, writer).await
    }
    async fn put_file(&self, key: &BlobKey, path: &Path) -> Result<BlobMeta, BlobError> {
        self.store()?.put_file(key, path).await
    }
    async fn download_to(&self, key: &BlobKey, path: &Path) -> Result<BlobMeta, BlobError> {
        self.store()?.download_to(key, path).await
    }
    async fn put_if_absent(&self, key: &BlobKey, data: Bytes) -> Result<BlobMeta, BlobError> {
        self.store()?.put_if_absent(key, data).await
    }
    fn capabilities(&self) -> Capabilities {
        self.store()
            .map(|store| store.capabilities())
            .unwrap_or_default()
    }
    fn location(&self) -> Option<StoreLocation> {
        Some(self.location.clone())
    }
    fn open_bucket(&self, bucket: &str) -> Option<Result<Arc<dyn BlobStore>, BlobError>> {
        match self.store() {
            Ok(store) => store.open_bucket(bucket),
            Err(e) => Some(Err(e)),
        }
    }
    fn describe(&self) -> String {
        self.describe.clone()
    }
}

impl fmt::Debug for LazyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyStore")
            .field("store", &self.describe)
            .field("opened", &self.store.get().is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::blob::{Blobs, MemoryStore};

    #[tokio::test]
    async fn the_store_is_built_on_first_use_and_kept() {
        let opened = Arc::new(AtomicUsize::new(0));
        let count = opened.clone();
        let lazy = LazyStore::new("mem://b".into(), StoreLocation::new("b", ""), move || {
            count.fetch_add(1, Ordering::SeqCst);
            Ok(Arc::new(MemoryStore::new()) as Arc<dyn BlobStore>)
        });
        let blobs = Blobs::new(lazy);
        assert_eq!(blobs.store().describe(), "mem://b");
        assert_eq!(blobs.store().location().map(|l| l.bucket), Some("b".into()));
        assert_eq!(opened.load(Ordering::SeqCst), 0, "nothing built yet");
        blobs.put("a", "1").await.unwrap();
        assert_eq!(&blobs.get("a").await.unwrap()[..], b"1");
        assert_eq!(opened.load(Ordering::SeqCst), 1, "built once, kept");
    }

    #[tokio::test]
    async fn a_failed_build_is_an_error_and_tried_again() {
        let tries = Arc::new(AtomicUsize::new(0));
        let count = tries.clone();
        let lazy = LazyStore::new("x://b".into(), StoreLocation::new("b", ""), move || {
            count.fetch_add(1, Ordering::SeqCst);
            Err(BlobError::Config("no network today".into()))
        });
        let blobs = Blobs::new(lazy);
        assert!(blobs.get("a").await.is_err());
        assert!(blobs.get("a").await.is_err());
        assert_eq!(tries.load(Ordering::SeqCst), 2);
    }
}
