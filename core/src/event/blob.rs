//! Blob events, and the object's bytes as a local file on every platform.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use crate::{Context, Error};

/// What happened to the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum BlobChange {
    /// The object was created or overwritten.
    Created,
    /// The object was deleted.
    Deleted,
}

/// An object was created in or deleted from a bucket or container.
///
/// [`local_path`](BlobEvent::local_path) gives the object's bytes as a local file, whatever the
/// platform: the Azure shim has already written the trigger's content to a file; elsewhere the
/// object is downloaded through the context's [`Blobs`](crate::blob::Blobs). Either way the file
/// lives in the invocation's scratch directory and is removed when the invocation ends, also when
/// the handler fails or panics.
///
/// ```
/// use polyfaas_core::{BlobChange, BlobEvent};
///
/// let mut blob = BlobEvent::new(BlobChange::Created, "uploads", "photos/cat.jpg");
/// blob.size = Some(1024);
/// assert!(blob.is_created());
/// assert_eq!(blob.key(), "photos/cat.jpg");
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct BlobEvent {
    /// Created or deleted.
    pub change: BlobChange,
    /// The bucket or container.
    pub store: String,
    /// The object's key, decoded (as the store names it).
    pub key: String,
    /// The object's size, where the platform tells it.
    pub size: Option<u64>,
    /// The object's entity tag, where the platform tells it.
    pub etag: Option<String>,
    /// The object's content type, where the platform tells it.
    pub content_type: Option<String>,
    local: OnceCell<PathBuf>,
}

impl BlobEvent {
    /// An event with no size, ETag or content type.
    pub fn new(change: BlobChange, store: impl Into<String>, key: impl Into<String>) -> Self {
        BlobEvent {
            change,
            store: store.into(),
            key: key.into(),
            size: None,
            etag: None,
            content_type: None,
            local: OnceCell::new(),
        }
    }

    /// For shims whose platform hands over the content: the object's bytes are already in
    /// `path`, which must be inside the invocation's scratch directory
    /// ([`Context::scratch_file`]) so it is removed with it.
    pub fn with_local_file(self, path: PathBuf) -> Self {
        BlobEvent {
            local: OnceCell::new_with(Some(path)),
            ..self
        }
    }

    /// Whether the object was created (or overwritten).
    pub fn is_created(&self) -> bool {
        self.change == BlobChange::Created
    }

    /// The object's key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The bucket or container.
    pub fn store(&self) -> &str {
        &self.store
    }

    /// The local file already holding the object's bytes, if it has been fetched or was handed
    /// over by the platform.
    pub fn local_file(&self) -> Option<&Path> {
        self.local.get().map(PathBuf::as_path)
    }

    /// The object's bytes as a local file.
    ///
    /// The first call streams the object from the event's bucket ([`store`](Self::store), opened
    /// through `ctx.blobs().in_bucket(..)`, so the same backend and credentials) into the
    /// invocation's scratch directory (unless the platform already handed over a file); later calls return the same
    /// path. The file keeps the key's file name, so its extension is the object's. It is removed
    /// when the invocation ends.
    ///
    /// Fails with a blob error when the key is not a valid [`BlobKey`](crate::blob::BlobKey),
    /// the object does not exist (for example because the event says it was deleted), or the
    /// download fails.
    pub async fn local_path(&self, ctx: &Context) -> Result<&Path, Error> {
        let path = self
            .local
            .get_or_try_init(|| async {
                let name = self.key.rsplit('/').next().unwrap_or_default();
                let path = ctx.scratch_file(name)?;
                // The event's own bucket: the configured store, or a sibling store of the same
                // backend for another bucket (stores without buckets ignore the name).
                let blobs = ctx.blobs().in_bucket(&self.store)?;
                blobs.download_to(&self.key, &path).await?;
                Ok::<_, Error>(path)
            })
            .await?;
        Ok(path)
    }
}
