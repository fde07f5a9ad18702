//! The function crate a command works on, as `cargo metadata` describes it.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// A function crate: its package, its binary, where cargo puts its builds.
#[derive(Clone, Debug)]
pub struct Project {
    /// The package's name.
    pub package: String,
    /// The binary target's name.
    pub bin: String,
    /// The package's Cargo.toml.
    pub manifest_path: PathBuf,
    /// The folder holding Cargo.toml (and polyfaas.toml).
    pub dir: PathBuf,
    /// Cargo's target directory.
    pub target_dir: PathBuf,
    /// Whether the package depends on `polyfaas` directly (so `polyfaas/<feature>` works).
    pub depends_on_polyfaas: bool,
    /// The package's own features.
    pub features: Vec<String>,
}

/// Why the crate could not be described.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProjectError {
    /// `cargo metadata` could not run or failed.
    #[error("`cargo metadata --manifest-path {}` failed: {message}", manifest.display())]
    Metadata {
        /// The manifest asked about.
        manifest: PathBuf,
        /// Cargo's error output.
        message: String,
    },
    /// No package has that manifest (a virtual workspace manifest, say).
    #[error("{} is not a package's Cargo.toml (a workspace root? pass --manifest-path <function>/Cargo.toml)", .0.display())]
    NotAPackage(PathBuf),
    /// The package has no binary, or several and none named like it.
    #[error("package {package:?} has {count} binaries and none is named {package:?}: a function crate builds one binary")]
    Binary {
        /// The package.
        package: String,
        /// How many binary targets it has.
        count: usize,
    },
}

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    target_directory: PathBuf,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    manifest_path: PathBuf,
    targets: Vec<Target>,
    dependencies: Vec<Dependency>,
    features: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct Dependency {
    name: String,
    rename: Option<String>,
}

impl Project {
    /// Describes the package whose Cargo.toml is `manifest` (`None`: `./Cargo.toml`).
    pub fn locate(manifest: Option<&Path>) -> Result<Project, ProjectError> {
        let manifest = match manifest {
            Some(path) => path.to_owned(),
            None => PathBuf::from("Cargo.toml"),
        };
        let manifest = std::fs::canonicalize(&manifest).map_err(|e| ProjectError::Metadata {
            manifest: manifest.clone(),
            message: e.to_string(),
        })?;
        let mut command = Command::new(cargo());
        polyfaas_testkit::build::scrub_cargo_env(&mut command);
        let output = command
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--manifest-path",
            ])
            .arg(&manifest)
            .output()
            .map_err(|e| ProjectError::Metadata {
                manifest: manifest.clone(),
                message: e.to_string(),
            })?;
        if !output.status.success() {
            return Err(ProjectError::Metadata {
                manifest,
                message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            });
        }
        let metadata: Metadata =
            serde_json::from_slice(&output.stdout).map_err(|e| ProjectError::Metadata {
                manifest: manifest.clone(),
                message: format!("unreadable output: {e}"),
            })?;
        let package = metadata
            .packages
            .into_iter()
            .find(|p| p.manifest_path == manifest)
            .ok_or_else(|| ProjectError::NotAPackage(manifest.clone()))?;
        let bins: Vec<&Target> = package
            .targets
            .iter()
            .filter(|t| t.kind.iter().any(|k| k == "bin"))
            .collect();
        let bin = match bins.as_slice() {
            [only] => only.name.clone(),
            several => several
                .iter()
                .find(|t| t.name == package.name)
                .map(|t| t.name.clone())
                .ok_or(ProjectError::Binary {
                    package: package.name.clone(),
                    count: several.len(),
                })?,
        };
        let depends_on_polyfaas = package
            .dependencies
            .iter()
            .any(|d| d.rename.as_deref().unwrap_or(&d.name) == "polyfaas");
        let dir = manifest
            .parent()
            .map(Path::to_owned)
            .unwrap_or_else(|| PathBuf::from("."));
        Ok(Project {
            package: package.name,
            bin,
            manifest_path: manifest,
            dir,
            target_dir: metadata.target_directory,
            depends_on_polyfaas,
            features: package.features.into_keys().collect(),
        })
    }

    /// The declaration's path: `polyfaas.toml` beside Cargo.toml.
    pub fn declaration_path(&self) -> PathBuf {
        self.dir.join(crate::declaration::FILE_NAME)
    }
}

/// The cargo to run: `$CARGO` when cargo started us (`cargo polyfaas`, `cargo run`), else `cargo`.
pub(crate) fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}
