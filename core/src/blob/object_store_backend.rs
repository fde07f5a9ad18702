//! A [`BlobStore`] over an `object_store` client: the S3 and Azure Blob backends.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::TryStreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{
    ObjectMeta, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, WriteMultipart,
};

use super::stream::{io_error, READ_CHUNK};
use super::transfer::{self, PART_SIZE};
use super::unbound::BucketOpener;
use super::{BlobError, BlobKey, BlobMeta, BlobStore, BlobWriter, Capabilities, StoreLocation};

/// How many parts of a multipart upload may be in flight at once.
const PARTS_IN_FLIGHT: usize = 2;

/// One bucket (or container) of an `object_store` backend, optionally under a key prefix.
pub(crate) struct ObjectStoreBlobs {
    inner: Arc<dyn ObjectStore>,
    location: StoreLocation,
    /// `s3://bucket/prefix`, for messages.
    url: String,
    /// Opens another bucket with the same settings.
    open: Arc<BucketOpener>,
    capabilities: Capabilities,
}

impl ObjectStoreBlobs {
    pub(crate) fn new(
        inner: Arc<dyn ObjectStore>,
        scheme: &str,
        location: StoreLocation,
        open: Arc<BucketOpener>,
        capabilities: Capabilities,
    ) -> Self {
        let url = if location.prefix.is_empty() {
            format!("{scheme}://{}", location.bucket)
        } else {
            format!("{scheme}://{}/{}", location.bucket, location.prefix)
        };
        ObjectStoreBlobs {
            inner,
            location,
            url,
            open,
            capabilities,
        }
    }

    fn path(&self, key: &BlobKey) -> Result<ObjectPath, BlobError> {
        // BlobKey already refuses what object_store's `Path::parse` refuses; this is a guard.
        ObjectPath::parse(self.location.object_name(key.as_str())).map_err(|_| {
            BlobError::InvalidKey {
                key: key.to_string(),
                reason: "the object store client refuses it as an object path",
            }
        })
    }

    fn error(&self, op: &'static str, key: &str) -> impl Fn(object_store::Error) -> BlobError {
        let store = self.describe();
        let key = key.to_owned();
        move |e| match e {
            object_store::Error::NotFound { .. } => BlobError::NotFound {
                key: key.clone(),
                store: store.clone(),
            },
            object_store::Error::AlreadyExists { .. }
            | object_store::Error::Precondition { .. } => BlobError::AlreadyExists {
                key: key.clone(),
                store: store.clone(),
            },
            object_store::Error::NotImplemented { .. }
            | object_store::Error::NotSupported { .. } => BlobError::Unsupported {
                op,
                store: store.clone(),
            },
            other => BlobError::Backend {
                store: store.clone(),
                op,
                key: key.clone(),
                source: Box::new(other),
            },
        }
    }

    fn meta(&self, meta: &ObjectMeta) -> Option<BlobMeta> {
        let key = BlobKey::parse(self.location.key_of(meta.location.as_ref())?).ok()?;
        Some(BlobMeta {
            key,
            size: meta.size,
            etag: meta.e_tag.clone(),
            content_type: None,
            last_modified: Some(SystemTime::from(meta.last_modified)),
        })
    }

    fn put_meta(key: &BlobKey, size: u64, etag: Option<String>) -> BlobMeta {
        BlobMeta {
            key: key.clone(),
            size,
            etag,
            content_type: None,
            last_modified: Some(SystemTime::now()),
        }
    }

    async fn put_with(
        &self,
        key: &BlobKey,
        data: Bytes,
        mode: PutMode,
        op: &'static str,
    ) -> Result<BlobMeta, BlobError> {
        let size = data.len() as u64;
        let put = self
            .inner
            .put_opts(
                &self.path(key)?,
                PutPayload::from(data),
                PutOptions::from(mode),
            )
            .await
            .map_err(self.error(op, key.as_str()))?;
        Ok(Self::put_meta(key, size, put.e_tag))
    }
}

#[async_trait]
impl BlobStore for ObjectStoreBlobs {
    async fn get(&self, key: &BlobKey) -> Result<Bytes, BlobError> {
        let err = self.error("get", key.as_str());
        let got = self.inner.get(&self.path(key)?).await.map_err(&err)?;
        got.bytes().await.map_err(err)
    }

    async fn put(&self, key: &BlobKey, data: Bytes) -> Result<BlobMeta, BlobError> {
        self.put_with(key, data, PutMode::Overwrite, "put").await
    }

    async fn put_if_absent(&self, key: &BlobKey, data: Bytes) -> Result<BlobMeta, BlobError> {
        self.put_with(key, data, PutMode::Create, "put_if_absent")
            .await
    }

    async fn put_file(&self, key: &BlobKey, source: &Path) -> Result<BlobMeta, BlobError> {
        let mut file = tokio::fs::File::open(source)
            .await
            .map_err(io_error("upload", key))?;
        let size = file
            .metadata()
            .await
            .map_err(io_error("upload", key))?
            .len();
        if size <= PART_SIZE as u64 {
            let data = transfer::read_chunk(&mut file, PART_SIZE, key).await?;
            return self.put(key, data).await;
        }
        let err = self.error("put_file", key.as_str());
        let upload = self
            .inner
            .put_multipart(&self.path(key)?)
            .await
            .map_err(&err)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        let mut sent = 0u64;
        let outcome: Result<(), BlobError> = async {
            loop {
                writer
                    .wait_for_capacity(PARTS_IN_FLIGHT)
                    .await
                    .map_err(&err)?;
                let chunk = transfer::read_chunk(&mut file, READ_CHUNK, key).await?;
                if chunk.is_empty() {
                    return Ok(());
                }
                sent += chunk.len() as u64;
                writer.put(chunk);
            }
        }
        .await;
        if let Err(e) = outcome {
            let _ = writer.abort().await;
            return Err(e);
        }
        let put = writer.finish().await.map_err(&err)?;
        Ok(Self::put_meta(key, sent, put.e_tag))
    }

    async fn get_to(
        &self,
        key: &BlobKey,
        writer: &mut BlobWriter<'_>,
    ) -> Result<BlobMeta, BlobError> {
        let err = self.error("get", key.as_str());
        let got = self.inner.get(&self.path(key)?).await.map_err(&err)?;
        let meta = self.meta(&got.meta);
        let written = transfer::copy_stream(got.into_stream(), writer, key, err).await?;
        Ok(meta.unwrap_or_else(|| Self::put_meta(key, written, None)))
    }

    async fn head(&self, key: &BlobKey) -> Result<BlobMeta, BlobError> {
        let meta = self
            .inner
            .head(&self.path(key)?)
            .await
            .map_err(self.error("head", key.as_str()))?;
        self.meta(&meta).ok_or_else(|| BlobError::NotFound {
            key: key.to_string(),
            store: self.describe(),
        })
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, BlobError> {
        // object_store lists by whole path segments: list the prefix's directory, then filter.
        let dir = prefix.rsplit_once('/').map_or("", |(dir, _)| dir);
        let full_dir = match (self.location.prefix.is_empty(), dir.is_empty()) {
            (true, true) => None,
            (true, false) => Some(dir.to_owned()),
            (false, true) => Some(self.location.prefix.clone()),
            (false, false) => Some(format!("{}/{dir}", self.location.prefix)),
        };
        let full_dir =
            full_dir
                .map(ObjectPath::parse)
                .transpose()
                .map_err(|e| BlobError::Backend {
                    store: self.describe(),
                    op: "list",
                    key: prefix.to_owned(),
                    source: Box::new(e),
                })?;
        let objects: Vec<ObjectMeta> = self
            .inner
            .list(full_dir.as_ref())
            .try_collect()
            .await
            .map_err(self.error("list", prefix))?;
        let mut found: Vec<BlobMeta> = objects
            .iter()
            .filter_map(|m| self.meta(m))
            .filter(|m| m.key.as_str().starts_with(prefix))
            .collect();
        found.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(found)
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        match self.inner.delete(&self.path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.error("delete", key.as_str())(e)),
        }
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    fn location(&self) -> Option<StoreLocation> {
        Some(self.location.clone())
    }

    fn open_bucket(&self, bucket: &str) -> Option<Result<Arc<dyn BlobStore>, BlobError>> {
        Some((self.open)(bucket))
    }

    fn describe(&self) -> String {
        self.url.clone()
    }
}

impl fmt::Debug for ObjectStoreBlobs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectStoreBlobs")
            .field("url", &self.url)
            .field("client", &self.inner.to_string())
            .finish_non_exhaustive()
    }
}
