//! The directories a function runs with: a local-directory blob store and a scratch directory,
//! in a temporary directory removed with the sandbox.

use std::path::{Path, PathBuf};

/// A temporary directory with `blobs/` (the function's `POLYFAAS_BLOB_URL`) and `scratch/`
/// (its `POLYFAAS_TMPDIR`, where each invocation's local files go).
///
/// ```
/// let sandbox = polyfaas_testkit::sandbox::Sandbox::new()?;
/// sandbox.put_blob("photos/a b.txt", b"hello")?;
/// assert!(sandbox.blob_dir().join("photos/a b.txt").is_file());
/// assert!(sandbox.put_blob("../escape", b"x").is_err());
/// assert!(sandbox.blob_url().starts_with("file:///"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    /// Creates the directories.
    pub fn new() -> std::io::Result<Sandbox> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir_all(dir.path().join("blobs"))?;
        std::fs::create_dir_all(dir.path().join("scratch"))?;
        Ok(Sandbox { dir })
    }

    /// The sandbox's root (other files, such as an Azure function app, may go here).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The blob store's directory.
    pub fn blob_dir(&self) -> PathBuf {
        self.dir.path().join("blobs")
    }

    /// `file:///…/blobs`, for `POLYFAAS_BLOB_URL`.
    pub fn blob_url(&self) -> String {
        format!("file://{}", self.blob_dir().display())
    }

    /// The scratch directory, for `POLYFAAS_TMPDIR`.
    pub fn scratch_dir(&self) -> PathBuf {
        self.dir.path().join("scratch")
    }

    /// Whether every invocation's scratch files are gone.
    pub fn scratch_is_empty(&self) -> bool {
        std::fs::read_dir(self.scratch_dir()).map_or(true, |mut d| d.next().is_none())
    }

    /// Puts an object into the blob store (a local-directory store keeps one file per key,
    /// whatever the bucket). Keys that are absolute or climb out with `..` are refused.
    pub fn put_blob(&self, key: &str, content: &[u8]) -> std::io::Result<()> {
        let relative = Path::new(key);
        let safe = !key.is_empty()
            && relative
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !safe {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{key:?} is not a relative object key without `..`"),
            ));
        }
        let path = self.blob_dir().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, content)
    }
}
