//! The zip a user uploads with `wsk action create NAME --native action.zip`: the executable as
//! `exec` at the root, mode 0755 (feature `package`).
//!
//! ```no_run
//! use std::path::Path;
//! use polyfaas_openwhisk::package::{write_action_zip, PackageOptions};
//!
//! write_action_zip(
//!     Path::new("target/x86_64-unknown-linux-musl/release/echo"),
//!     Path::new("action.zip"),
//!     &PackageOptions::default(),
//! )?;
//! # Ok::<(), polyfaas_openwhisk::package::PackageError>(())
//! ```

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// The executable's name inside the zip, where both OpenWhisk proxies look for it.
pub const EXEC: &str = "exec";

/// What else goes into the zip.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct PackageOptions {
    /// The content of `exec.env`, which the ActionLoop images that set `OW_EXECUTION_ENV` (the
    /// Go images, for one) compare with that variable before starting `exec`.
    pub exec_env: Option<String>,
}

/// Why the zip could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackageError {
    /// The executable could not be read.
    #[error("cannot read the executable {path:?}: {source}")]
    Executable {
        /// The executable's path.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The executable is not a Linux ELF executable or a `#!` script.
    #[error("{path:?} is not an ELF executable or a #! script: OpenWhisk runs Linux executables (build with --target x86_64-unknown-linux-musl or on Linux)")]
    NotAnExecutable {
        /// The file's path.
        path: PathBuf,
    },
    /// The zip could not be written.
    #[error("cannot write {path:?}: {source}")]
    Write {
        /// The zip's path.
        path: PathBuf,
        /// The I/O or zip error.
        source: io::Error,
    },
}

/// Writes `out`: a zip with `executable` as `exec` (mode 0755, deflated, fixed timestamp so the
/// same binary gives the same zip) and, if asked, `exec.env`.
pub fn write_action_zip(
    executable: &Path,
    out: &Path,
    options: &PackageOptions,
) -> Result<(), PackageError> {
    let exe_error = |source| PackageError::Executable {
        path: executable.to_owned(),
        source,
    };
    let mut input = File::open(executable).map_err(exe_error)?;
    let mut magic = [0u8; 4];
    let starts = io::Read::read(&mut input, &mut magic).map_err(exe_error)?;
    if !(magic[..starts].starts_with(b"\x7fELF") && starts == 4 || magic.starts_with(b"#!")) {
        return Err(PackageError::NotAnExecutable {
            path: executable.to_owned(),
        });
    }
    io::Seek::rewind(&mut input).map_err(exe_error)?;

    let write_error = |source: io::Error| PackageError::Write {
        path: out.to_owned(),
        source,
    };
    let zip_error = |e: zip::result::ZipError| write_error(io::Error::other(e));
    let file = File::create(out).map_err(write_error)?;
    let mut zip = ZipWriter::new(BufWriter::new(file));
    let entry = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .large_file(false);
    zip.start_file(EXEC, entry.unix_permissions(0o755))
        .map_err(zip_error)?;
    io::copy(&mut input, &mut zip).map_err(write_error)?;
    if let Some(env) = &options.exec_env {
        zip.start_file("exec.env", entry.unix_permissions(0o644))
            .map_err(zip_error)?;
        zip.write_all(env.as_bytes()).map_err(write_error)?;
    }
    let mut writer = zip.finish().map_err(zip_error)?;
    writer.flush().map_err(write_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_executables_are_packaged() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "hello").unwrap();
        let err = write_action_zip(&text, &dir.path().join("a.zip"), &PackageOptions::default())
            .unwrap_err();
        assert!(matches!(err, PackageError::NotAnExecutable { .. }), "{err}");
        let missing = dir.path().join("missing");
        let err = write_action_zip(
            &missing,
            &dir.path().join("a.zip"),
            &PackageOptions::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("cannot read the executable"),
            "{err}"
        );
    }

    #[test]
    fn the_zip_holds_exec_with_its_mode_and_content() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("run.sh");
        std::fs::write(&script, "#!/bin/sh\necho '{}'\n").unwrap();
        let zip_path = dir.path().join("action.zip");
        let options = PackageOptions {
            exec_env: Some("go1.22".to_owned()),
        };
        write_action_zip(&script, &zip_path, &options).unwrap();
        let mut archive = zip::ZipArchive::new(File::open(&zip_path).unwrap()).unwrap();
        let names: Vec<_> = archive.file_names().map(str::to_owned).collect();
        assert_eq!(names, ["exec", "exec.env"]);
        let mut exec = archive.by_name("exec").unwrap();
        assert_eq!(exec.unix_mode().map(|m| m & 0o777), Some(0o755));
        let mut content = String::new();
        io::Read::read_to_string(&mut exec, &mut content).unwrap();
        assert_eq!(content, "#!/bin/sh\necho '{}'\n");
    }
}
