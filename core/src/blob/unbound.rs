//! A cloud store that has no bucket yet: each blob event names its own.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;

use super::{BlobError, BlobKey, BlobMeta, BlobStore, BlobWriter};

/// Opens a store on a bucket.
pub type BucketOpener = dyn Fn(&str) -> Result<Arc<dyn BlobStore>, BlobError> + Send + Sync;

/// A backend configured with credentials and endpoint but no bucket, as on AWS Lambda when
/// `POLYFAAS_BLOB_URL` is unset: [`Blobs::in_bucket`](super::Blobs::in_bucket) (and so
/// [`BlobEvent::local_path`](crate::BlobEvent::local_path)) opens the event's bucket; every
/// direct operation fails with an error that says to set `POLYFAAS_BLOB_URL`.
#[derive(Clone)]
pub struct UnboundStore {
    scheme: &'static str,
    open: Arc<BucketOpener>,
}

impl UnboundStore {
    /// A store of the backend `scheme` (`s3`, `gs`, `az`) whose buckets `open` opens.
    pub fn new(
        scheme: &'static str,
        open: impl Fn(&str) -> Result<Arc<dyn BlobStore>, BlobError> + Send + Sync + 'static,
    ) -> Self {
        UnboundStore {
            scheme,
            open: Arc::new(open),
        }
    }

    fn no_bucket(&self) -> BlobError {
        BlobError::Config(format!(
            "{}: no bucket is configured; set POLYFAAS_BLOB_URL={}://BUCKET (blob events name \
             their own bucket, other operations need this one)",
            self.describe(),
            self.scheme
        ))
    }
}

impl fmt::Debug for UnboundStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundStore")
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl BlobStore for UnboundStore {
    async fn get(&self, _key: &BlobKey) -> Result<Bytes, BlobError> {
        Err(self.no_bucket())
    }
    async fn put(&self, _key: &BlobKey, _data: Bytes) -> Result<BlobMeta, BlobError> {
        Err(self.no_bucket())
    }
    async fn head(&self, _key: &BlobKey) -> Result<BlobMeta, BlobError> {
        Err(self.no_bucket())
    }
    async fn list(&self, _prefix: &str) -> Result<Vec<BlobMeta>, BlobError> {
        Err(self.no_bucket())
    }
    async fn delete(&self, _key: &BlobKey) -> Result<(), BlobError> {
        Err(self.no_bucket())
    }
    async fn get_to(
        &self,
        _key: &BlobKey,
        _writer: &mut BlobWriter<'_>,
    ) -> Result<BlobMeta, BlobError> {
        Err(self.no_bucket())
    }
    async fn put_file(&self, _key: &BlobKey, _path: &Path) -> Result<BlobMeta, BlobError> {
        Err(self.no_bucket())
    }
    async fn download_to(&self, _key: &BlobKey, _path: &Path) -> Result<BlobMeta, BlobError> {
        Err(self.no_bucket())
    }
    fn open_bucket(&self, bucket: &str) -> Option<Result<Arc<dyn BlobStore>, BlobError>> {
        Some((self.open)(bucket))
    }
    fn describe(&self) -> String {
        format!("{}:// store without a bucket", self.scheme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blob::{Blobs, MemoryStore};

    #[tokio::test]
    async fn operations_need_a_bucket_but_events_bring_theirs() {
        let blobs = Blobs::new(UnboundStore::new("s3", |_bucket| {
            Ok(Arc::new(MemoryStore::new()) as Arc<dyn BlobStore>)
        }));
        let err = blobs.get("a").await.unwrap_err().to_string();
        assert!(err.contains("POLYFAAS_BLOB_URL=s3://BUCKET"), "{err}");
        let uploads = blobs.in_bucket("uploads").unwrap();
        uploads.put("a", "x").await.unwrap();
        let again = blobs.in_bucket("uploads").unwrap();
        assert_eq!(
            &again.get("a").await.unwrap()[..],
            b"x",
            "opened once, then kept"
        );
        assert!(blobs.in_bucket("other").unwrap().get("a").await.is_err());
    }
}
