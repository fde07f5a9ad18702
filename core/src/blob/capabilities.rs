//! What a backend can do beyond the operations every backend has.

/// Optional abilities of a [`BlobStore`](super::BlobStore). Code (and the contract tests) check
/// these rather than assume: a missing ability is reported, never silently skipped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// [`put_if_absent`](super::BlobStore::put_if_absent) is atomic: of two racing writers of
    /// one key, exactly one succeeds.
    pub put_if_absent: bool,
    /// [`put_file`](super::BlobStore::put_file) uploads large files in parts (S3 multipart,
    /// Azure blocks, GCS resumable), never as one request holding the whole file.
    pub multipart_upload: bool,
    /// Reported metadata carries an entity tag.
    pub etag: bool,
    /// Reported metadata carries a last-modified time.
    pub last_modified: bool,
}

impl Capabilities {
    /// Every ability set: for backends that have them all.
    pub const fn all() -> Self {
        Capabilities {
            put_if_absent: true,
            multipart_upload: true,
            etag: true,
            last_modified: true,
        }
    }

    /// The abilities' names and whether each is present, for reports.
    pub fn list(&self) -> [(&'static str, bool); 4] {
        [
            ("put_if_absent", self.put_if_absent),
            ("multipart_upload", self.multipart_upload),
            ("etag", self.etag),
            ("last_modified", self.last_modified),
        ]
    }
}
