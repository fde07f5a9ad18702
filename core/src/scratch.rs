//! The per-invocation scratch directory: where blobs become local files, removed at the end.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

/// A directory created on first use and removed by [`Scratch::cleanup`].
#[derive(Debug)]
pub(crate) struct Scratch {
    base: PathBuf,
    dir: Mutex<Option<tempfile::TempDir>>,
    files: AtomicU32,
}

impl Scratch {
    pub(crate) fn new(base: PathBuf) -> Self {
        Scratch {
            base,
            dir: Mutex::new(None),
            files: AtomicU32::new(0),
        }
    }

    /// The directory, created if needed.
    pub(crate) fn dir(&self) -> io::Result<PathBuf> {
        let mut dir = self.dir.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(dir) = dir.as_ref() {
            return Ok(dir.path().to_owned());
        }
        std::fs::create_dir_all(&self.base)?;
        let created = tempfile::Builder::new()
            .prefix("polyfaas-")
            .tempdir_in(&self.base)?;
        let path = created.path().to_owned();
        *dir = Some(created);
        Ok(path)
    }

    /// A fresh path inside the directory whose file name ends with `name` (sanitised).
    pub(crate) fn file(&self, name: &str) -> io::Result<PathBuf> {
        let n = self.files.fetch_add(1, Ordering::Relaxed);
        Ok(self.dir()?.join(file_name(n, name)))
    }

    /// Removes the directory and everything in it. Later calls to [`dir`](Self::dir) create a new one.
    pub(crate) fn cleanup(&self) {
        let taken = self.dir.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(dir) = taken {
            let path = dir.path().to_owned();
            if let Err(e) = dir.close() {
                tracing::warn!(path = %path.display(), error = %e, "could not remove the invocation's scratch directory");
            }
        }
    }

    pub(crate) fn base(&self) -> &Path {
        &self.base
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        self.cleanup();
    }
}

/// `n-name`, keeping only characters that are safe in a file name on every platform.
fn file_name(n: u32, name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim_start_matches('.');
    let prefix = format!("{n}-");
    if safe.is_empty() {
        format!("{prefix}blob")
    } else {
        format!("{prefix}{}", fit(safe, MAX_NAME - prefix.len()))
    }
}

/// The longest file name Linux file systems take (`NAME_MAX`, in bytes). A blob's name may be
/// 1,024 characters long (Azure, S3, GCS), one path segment included.
const MAX_NAME: usize = 255;

/// `name` cut to at most `max` bytes at a character boundary, keeping a short extension (so the
/// file still opens as what it is).
fn fit(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    let extension = match name.rfind('.') {
        Some(dot) if name.len() - dot <= 16 => &name[dot..],
        _ => "",
    };
    let stem = &name[..name.len() - extension.len()];
    let keep = stem.floor_char_boundary(max - extension.len());
    format!("{}{extension}", &stem[..keep])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_keep_the_extension() {
        assert_eq!(file_name(0, "cat.jpg"), "0-cat.jpg");
        assert_eq!(file_name(1, "../../etc/passwd"), "1-_.._etc_passwd");
        assert_eq!(file_name(2, ""), "2-blob");
        assert_eq!(file_name(3, "..."), "3-blob");
        assert_eq!(file_name(4, "日本 語.png"), "4-日本_語.png");
    }

    #[test]
    fn long_names_are_cut_to_what_a_file_system_takes_keeping_the_extension() {
        let long = format!("{}.jpeg", "a".repeat(1000));
        let name = file_name(7, &long);
        assert_eq!(name.len(), MAX_NAME);
        assert!(
            name.starts_with("7-aaa") && name.ends_with("a.jpeg"),
            "{name}"
        );
        // Cut at a character boundary, never inside a character.
        let name = file_name(12, &"語".repeat(200));
        assert!(
            name.len() <= MAX_NAME && name.len() > MAX_NAME - 3,
            "{}",
            name.len()
        );
        // A long "extension" is no extension: the name is cut like any other.
        let name = file_name(0, &format!("x.{}", "b".repeat(300)));
        assert_eq!(name.len(), MAX_NAME);
        let base = tempfile::tempdir().unwrap();
        let scratch = Scratch::new(base.path().to_owned());
        std::fs::write(scratch.file(&long).unwrap(), b"data").unwrap();
    }

    #[test]
    fn cleanup_removes_the_directory_and_its_files() {
        let base = tempfile::tempdir().unwrap();
        let scratch = Scratch::new(base.path().to_owned());
        let file = scratch.file("x.bin").unwrap();
        std::fs::write(&file, b"data").unwrap();
        assert!(file.starts_with(base.path()));
        scratch.cleanup();
        assert!(!file.exists());
        assert_eq!(std::fs::read_dir(base.path()).unwrap().count(), 0);
    }
}
