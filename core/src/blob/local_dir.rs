//! A [`BlobStore`] in a local directory: the local dev provider's default.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use async_trait::async_trait;
use bytes::Bytes;

use super::stream::io_error;
use super::{BlobError, BlobKey, BlobMeta, BlobStore, BlobWriter, Capabilities};

/// The directory under the root where writes are staged before an atomic rename.
/// Keys whose first segment is this name are refused.
const STAGING: &str = ".polyfaas-staging";

/// Objects as files under a root directory; the key `a/b.txt` is the file `ROOT/a/b.txt`.
///
/// Keys are validated ([`BlobKey`]), and a symbolic link anywhere on the way from the root to the
/// object is refused, so no key reaches a file outside the root. Writes go to a staging file and
/// are renamed into place, so a reader never sees half an object. ETags are derived from size and
/// modification time; content types are not kept. [`put_if_absent`](BlobStore::put_if_absent)
/// is atomic (a hard link that fails if the name exists). Bucket names in blob events are
/// ignored: the directory is the bucket.
///
/// ```
/// use polyfaas_core::blob::{Blobs, LocalDirStore};
/// let blobs = Blobs::new(LocalDirStore::new(".polyfaas/blobs"));
/// # let _ = blobs;
/// ```
#[derive(Debug, Clone)]
pub struct LocalDirStore {
    root: PathBuf,
}

impl LocalDirStore {
    /// A store rooted at `root`. The directory is created on the first write.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalDirStore { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn io<'a>(op: &'static str, key: &'a BlobKey) -> impl FnOnce(std::io::Error) -> BlobError + 'a {
        move |source| BlobError::Io {
            op,
            key: key.to_string(),
            source,
        }
    }

    fn not_found(&self, key: &BlobKey) -> BlobError {
        BlobError::NotFound {
            key: key.to_string(),
            store: self.describe(),
        }
    }

    /// The file for `key`, after checking that no component on the way is a symbolic link.
    /// Components that do not exist yet are fine (a write creates them).
    async fn resolve(&self, key: &BlobKey) -> Result<PathBuf, BlobError> {
        if key.segments().next() == Some(STAGING) {
            return Err(BlobError::InvalidKey {
                key: key.to_string(),
                reason:
                    "its first segment `.polyfaas-staging` is reserved by the local directory store",
            });
        }
        let mut path = self.root.clone();
        for segment in key.segments() {
            path.push(segment);
            match tokio::fs::symlink_metadata(&path).await {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(BlobError::Symlink {
                        key: key.to_string(),
                        link: path,
                    })
                }
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => break,
                Err(e) => return Err(Self::io("resolve", key)(e)),
            }
        }
        Ok(self.root.join(key.as_str()))
    }

    fn meta_of(key: BlobKey, meta: &std::fs::Metadata) -> BlobMeta {
        let modified = meta.modified().ok();
        let nanos = modified
            .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        BlobMeta {
            key,
            size: meta.len(),
            etag: Some(format!("\"{:x}-{:x}\"", meta.len(), nanos)),
            content_type: None,
            last_modified: modified,
        }
    }

    async fn file_meta(&self, key: &BlobKey, path: &Path) -> Result<BlobMeta, BlobError> {
        match tokio::fs::metadata(path).await {
            Ok(meta) if meta.is_file() => Ok(Self::meta_of(key.clone(), &meta)),
            Ok(_) => Err(self.not_found(key)),
            Err(e) if e.kind() == ErrorKind::NotFound => Err(self.not_found(key)),
            Err(e) => Err(Self::io("head", key)(e)),
        }
    }
}

/// What a staged write copies into the staging file.
enum Source {
    Bytes(Bytes),
    File(PathBuf),
}

/// How the staging file takes the object's name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Persist {
    Replace,
    IfAbsent,
}

impl LocalDirStore {
    /// Writes `source` to a staging file, syncs it, and moves it to the key's path: a rename
    /// (replacing), or a hard link that fails when the name exists (`IfAbsent`).
    async fn write_staged(
        &self,
        key: &BlobKey,
        source: Source,
        persist: Persist,
    ) -> Result<BlobMeta, BlobError> {
        let path = self.resolve(key).await?;
        let staging = self.root.join(STAGING);
        tokio::fs::create_dir_all(&staging)
            .await
            .map_err(Self::io("write", key))?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(Self::io("write", key))?;
        }
        let result = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::Metadata> {
            use std::io::Write;
            let mut file = tempfile::NamedTempFile::new_in(&staging)?;
            match source {
                Source::Bytes(data) => file.write_all(&data)?,
                Source::File(from) => {
                    let mut from = std::fs::File::open(from)?;
                    std::io::copy(&mut from, file.as_file_mut())?;
                }
            }
            file.as_file().sync_data()?;
            let file = match persist {
                Persist::Replace => file.persist(&path),
                Persist::IfAbsent => file.persist_noclobber(&path),
            }
            .map_err(|e| e.error)?;
            file.metadata()
        })
        .await
        .map_err(|e| Self::io("write", key)(std::io::Error::other(e)))?;
        match result {
            Ok(meta) => Ok(Self::meta_of(key.clone(), &meta)),
            Err(e) if persist == Persist::IfAbsent && e.kind() == ErrorKind::AlreadyExists => {
                Err(BlobError::AlreadyExists {
                    key: key.to_string(),
                    store: self.describe(),
                })
            }
            Err(e) => Err(Self::io("write", key)(e)),
        }
    }
}

#[async_trait]
impl BlobStore for LocalDirStore {
    async fn get(&self, key: &BlobKey) -> Result<Bytes, BlobError> {
        let path = self.resolve(key).await?;
        match tokio::fs::read(&path).await {
            Ok(data) => Ok(data.into()),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::IsADirectory) => {
                Err(self.not_found(key))
            }
            Err(e) => Err(Self::io("read", key)(e)),
        }
    }

    async fn put(&self, key: &BlobKey, data: Bytes) -> Result<BlobMeta, BlobError> {
        self.write_staged(key, Source::Bytes(data), Persist::Replace)
            .await
    }

    async fn put_file(&self, key: &BlobKey, source: &Path) -> Result<BlobMeta, BlobError> {
        self.write_staged(key, Source::File(source.to_owned()), Persist::Replace)
            .await
    }

    async fn put_if_absent(&self, key: &BlobKey, data: Bytes) -> Result<BlobMeta, BlobError> {
        self.write_staged(key, Source::Bytes(data), Persist::IfAbsent)
            .await
    }

    async fn get_to(
        &self,
        key: &BlobKey,
        writer: &mut BlobWriter<'_>,
    ) -> Result<BlobMeta, BlobError> {
        let path = self.resolve(key).await?;
        let meta = self.file_meta(key, &path).await?;
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => return Err(self.not_found(key)),
            Err(e) => return Err(io_error("read", key)(e)),
        };
        tokio::io::copy(&mut file, writer)
            .await
            .map_err(io_error("read", key))?;
        tokio::io::AsyncWriteExt::flush(writer)
            .await
            .map_err(io_error("read", key))?;
        Ok(meta)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            put_if_absent: true,
            multipart_upload: false,
            etag: true,
            last_modified: true,
        }
    }

    async fn head(&self, key: &BlobKey) -> Result<BlobMeta, BlobError> {
        let path = self.resolve(key).await?;
        self.file_meta(key, &path).await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, BlobError> {
        let mut found = Vec::new();
        let mut pending = vec![(self.root.clone(), String::new())];
        while let Some((dir, dir_key)) = pending.pop() {
            let mut entries = match tokio::fs::read_dir(&dir).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(source) => {
                    return Err(BlobError::Io {
                        op: "list",
                        key: prefix.to_owned(),
                        source,
                    })
                }
            };
            let list_err = |source| BlobError::Io {
                op: "list",
                key: prefix.to_owned(),
                source,
            };
            while let Some(entry) = entries.next_entry().await.map_err(list_err)? {
                let Ok(name) = entry.file_name().into_string() else {
                    continue; // not UTF-8: cannot be a key
                };
                if dir_key.is_empty() && name == STAGING {
                    continue;
                }
                let key = format!("{dir_key}{name}");
                let file_type = entry.file_type().await.map_err(list_err)?;
                if file_type.is_dir() {
                    let sub = format!("{key}/");
                    if sub.starts_with(prefix) || prefix.starts_with(&sub) {
                        pending.push((entry.path(), sub));
                    }
                } else if file_type.is_file() && key.starts_with(prefix) {
                    if let Ok(key) = BlobKey::parse(&key) {
                        let meta = entry.metadata().await.map_err(list_err)?;
                        found.push(Self::meta_of(key, &meta));
                    }
                }
            }
        }
        found.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(found)
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        let path = self.resolve(key).await?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Self::io("delete", key)(e)),
        }
        // Remove directories the object leaves empty, up to (not including) the root.
        let mut dir = path.parent();
        while let Some(d) = dir {
            if d == self.root || tokio::fs::remove_dir(d).await.is_err() {
                break;
            }
            dir = d.parent();
        }
        Ok(())
    }

    async fn download_to(&self, key: &BlobKey, dest: &Path) -> Result<BlobMeta, BlobError> {
        let path = self.resolve(key).await?;
        let meta = self.file_meta(key, &path).await?;
        tokio::fs::copy(&path, dest)
            .await
            .map_err(Self::io("download", key))?;
        Ok(meta)
    }

    fn describe(&self) -> String {
        format!("local directory {:?}", self.root)
    }
}
