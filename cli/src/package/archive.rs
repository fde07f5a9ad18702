//! Zip files with Unix modes and fixed timestamps (the same inputs give the same bytes).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::PackageError;

/// One file in a zip.
pub(crate) struct Entry<'a> {
    /// The name inside the zip.
    pub name: String,
    /// Where its bytes come from.
    pub source: Source<'a>,
    /// The Unix mode (0o755 for executables).
    pub mode: u32,
}

/// An entry's bytes.
pub(crate) enum Source<'a> {
    /// A file on disk.
    File(&'a Path),
    /// Bytes in memory.
    Bytes(Vec<u8>),
}

/// Writes `out` with `entries`, deflated.
pub(crate) fn write_zip(out: &Path, entries: &[Entry<'_>]) -> Result<(), PackageError> {
    let io_error = |path: &Path| {
        let path = path.to_owned();
        move |source: io::Error| PackageError::Io { path, source }
    };
    let zip_error = |e: zip::result::ZipError| PackageError::Io {
        path: out.to_owned(),
        source: io::Error::other(e),
    };
    let file = File::create(out).map_err(io_error(out))?;
    let mut zip = ZipWriter::new(BufWriter::new(file));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .large_file(false);
    for entry in entries {
        zip.start_file(entry.name.as_str(), options.unix_permissions(entry.mode))
            .map_err(zip_error)?;
        match &entry.source {
            Source::File(path) => {
                let mut input = File::open(path).map_err(io_error(path))?;
                io::copy(&mut input, &mut zip).map_err(io_error(out))?;
            }
            Source::Bytes(bytes) => zip.write_all(bytes).map_err(io_error(out))?,
        }
    }
    let mut writer = zip.finish().map_err(zip_error)?;
    writer.flush().map_err(io_error(out))
}

/// Every file under `dir` (sorted, recursively) as zip entries named relative to it, keeping
/// executable bits; `skip` names files to leave out.
pub(crate) fn dir_entries<'a>(
    dir: &Path,
    files: &'a [PathBuf],
    skip: &[&str],
) -> Result<Vec<Entry<'a>>, PackageError> {
    let mut entries = Vec::new();
    for path in files {
        let Ok(relative) = path.strip_prefix(dir) else {
            continue;
        };
        let name = relative.to_string_lossy().replace('\\', "/");
        if skip.contains(&name.as_str()) {
            continue;
        }
        let mode = std::fs::metadata(path)
            .map_err(|source| PackageError::Io {
                path: path.clone(),
                source,
            })?
            .permissions()
            .mode()
            & 0o777;
        entries.push(Entry {
            name,
            source: Source::File(path),
            mode: if mode & 0o111 != 0 { 0o755 } else { 0o644 },
        });
    }
    Ok(entries)
}

/// The files under `dir`, sorted, recursively.
pub(crate) fn list_files(dir: &Path) -> Result<Vec<PathBuf>, PackageError> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        let read = std::fs::read_dir(&current).map_err(|source| PackageError::Io {
            path: current.clone(),
            source,
        })?;
        for entry in read {
            let entry = entry.map_err(|source| PackageError::Io {
                path: current.clone(),
                source,
            })?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Copies an executable to `to` with mode 0755.
pub(crate) fn copy_executable(from: &Path, to: &Path) -> Result<(), PackageError> {
    let io_error = |source| PackageError::Io {
        path: to.to_owned(),
        source,
    };
    std::fs::copy(from, to).map_err(io_error)?;
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o755)).map_err(io_error)
}
