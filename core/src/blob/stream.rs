//! Streaming to local files: downloading without leaving half a file behind.

use std::path::Path;

use super::{BlobError, BlobKey, BlobMeta, BlobStore};

/// The buffer for reading and writing local files.
pub(crate) const READ_CHUNK: usize = 1024 * 1024;

pub(crate) fn io_error(
    op: &'static str,
    key: &BlobKey,
) -> impl FnOnce(std::io::Error) -> BlobError {
    let key = key.to_string();
    move |source| BlobError::Io { op, key, source }
}

/// [`BlobStore::download_to`] through [`BlobStore::get_to`]: streams into `path`, and removes
/// the file again if the download fails (a missing object leaves no empty file).
pub(crate) async fn download_via_get_to<S: BlobStore + ?Sized>(
    store: &S,
    key: &BlobKey,
    path: &Path,
) -> Result<BlobMeta, BlobError> {
    let file = tokio::fs::File::create(path)
        .await
        .map_err(io_error("download", key))?;
    let mut writer = tokio::io::BufWriter::with_capacity(READ_CHUNK, file);
    let result = match store.get_to(key, &mut writer).await {
        Ok(meta) => writer
            .into_inner()
            .sync_data()
            .await
            .map(|()| meta)
            .map_err(io_error("download", key)),
        Err(e) => Err(e),
    };
    if result.is_err() {
        let _ = tokio::fs::remove_file(path).await;
    }
    result
}
