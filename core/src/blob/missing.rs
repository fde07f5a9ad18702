//! The store of a build without its platform's cloud backend: every use is an error that says
//! which cargo feature to enable.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;

use super::{BlobError, BlobKey, BlobMeta, BlobStore, BlobWriter, Scheme, BLOB_URL_VAR};

/// A platform's natural store whose backend is not compiled in (an AWS build without `s3`).
#[derive(Debug)]
pub(crate) struct MissingBackend {
    scheme: Scheme,
}

impl MissingBackend {
    pub(crate) fn new(scheme: Scheme) -> Self {
        MissingBackend { scheme }
    }

    fn error(&self) -> BlobError {
        let feature = self.scheme.feature().unwrap_or_default();
        BlobError::Config(format!(
            "this build has no {scheme}:// blob backend, which blob events and ctx.blobs() need \
             here: enable the cargo feature `{feature}` of polyfaas (`cargo polyfaas build` \
             turns it on when polyfaas.toml declares a blob trigger or a [blob] store), or set \
             {BLOB_URL_VAR} to another store",
            scheme = self.scheme
        ))
    }
}

#[async_trait]
impl BlobStore for MissingBackend {
    async fn get(&self, _key: &BlobKey) -> Result<Bytes, BlobError> {
        Err(self.error())
    }
    async fn put(&self, _key: &BlobKey, _data: Bytes) -> Result<BlobMeta, BlobError> {
        Err(self.error())
    }
    async fn head(&self, _key: &BlobKey) -> Result<BlobMeta, BlobError> {
        Err(self.error())
    }
    async fn list(&self, _prefix: &str) -> Result<Vec<BlobMeta>, BlobError> {
        Err(self.error())
    }
    async fn delete(&self, _key: &BlobKey) -> Result<(), BlobError> {
        Err(self.error())
    }
    async fn get_to(
        &self,
        _key: &BlobKey,
        _writer: &mut BlobWriter<'_>,
    ) -> Result<BlobMeta, BlobError> {
        Err(self.error())
    }
    async fn put_file(&self, _key: &BlobKey, _path: &Path) -> Result<BlobMeta, BlobError> {
        Err(self.error())
    }
    async fn download_to(&self, _key: &BlobKey, _path: &Path) -> Result<BlobMeta, BlobError> {
        Err(self.error())
    }
    fn open_bucket(&self, _bucket: &str) -> Option<Result<Arc<dyn BlobStore>, BlobError>> {
        Some(Err(self.error()))
    }
    fn describe(&self) -> String {
        format!("{}:// (backend not compiled in)", self.scheme)
    }
}
