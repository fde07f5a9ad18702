//! `package`: the whole deployment for one platform, written into one folder.
//!
//! | platform | artifacts |
//! |---|---|
//! | aws | `function.zip` (`bootstrap`, 0755), `template.yaml` (SAM: the function, every trigger, a role scoped to what it names) |
//! | gcp | `Dockerfile` + the binary (a container build context), `service.yaml` (Knative `Service` for `gcloud run services replace`), `deploy.sh` (the `gcloud` commands: build, replace, triggers) |
//! | azure | `app/` (`host.json`, one `<trigger>/function.json` per trigger, the executable), `app.zip` of it for zip deploy |
//! | openwhisk | `action.zip` (`exec`, 0755), `manifest.yaml` (wskdeploy: the action, triggers, rules, alarm feeds) |
//!
//! Each generated file is checked after it is written ([`crate::check`]); the external
//! validators (cfn-lint, aws-sam-translator, the Knative schema) run in the test suite.

mod archive;
mod aws;
mod azure;
mod gcp;
mod openwhisk;
mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::build::Built;
use crate::check::CheckError;
use crate::declaration::{Declaration, BLOB_URL};
use crate::platform::{Arch, Platform};

/// Why packaging failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackageError {
    /// A file could not be written or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The OpenWhisk zip writer refused the binary.
    #[error(transparent)]
    OpenWhisk(#[from] polyfaas_openwhisk::package::PackageError),
    /// The platform cannot deploy the declaration as written.
    #[error(transparent)]
    Refused(#[from] crate::support::Refusal),
    /// A generated file failed its check (a bug in the generator: please report it).
    #[error("the generated {file} is not valid: {source}")]
    Check {
        /// The file.
        file: String,
        /// What is wrong.
        source: CheckError,
    },
}

/// One file of a package.
#[derive(Clone, Debug)]
pub struct Artifact {
    /// Where it is.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
}

/// A written package.
#[derive(Clone, Debug)]
pub struct Package {
    /// The folder.
    pub dir: PathBuf,
    /// The main files, in the order they are listed.
    pub artifacts: Vec<Artifact>,
    /// Things the user should know (a missing project id, a store OpenWhisk does not have).
    pub notes: Vec<String>,
}

/// What a package is made from.
pub struct Inputs<'a> {
    /// The checked declaration.
    pub declaration: &'a Declaration,
    /// The built binary.
    pub built: &'a Built,
    /// The binary's name (the Cargo bin target).
    pub bin: &'a str,
    /// The architecture it was built for.
    pub arch: Arch,
}

/// Writes the package for `platform` into `out` (created if needed), after checking that the
/// platform can express the declaration ([`crate::support::check`]).
pub fn package(
    platform: Platform,
    inputs: &Inputs<'_>,
    out: &Path,
) -> Result<Package, PackageError> {
    crate::support::check(inputs.declaration, platform)?;
    std::fs::create_dir_all(out).map_err(|source| PackageError::Io {
        path: out.to_owned(),
        source,
    })?;
    let mut package = Package {
        dir: out.to_owned(),
        artifacts: Vec::new(),
        notes: Vec::new(),
    };
    match platform {
        Platform::Aws => aws::write(inputs, &mut package)?,
        Platform::Gcp => gcp::write(inputs, &mut package)?,
        Platform::Azure => azure::write(inputs, &mut package)?,
        Platform::Openwhisk => openwhisk::write(inputs, &mut package)?,
    }
    Ok(package)
}

impl Package {
    /// Records `path` as an artifact.
    fn add(&mut self, path: PathBuf) -> Result<(), PackageError> {
        let size = std::fs::metadata(&path)
            .map_err(|source| PackageError::Io {
                path: path.clone(),
                source,
            })?
            .len();
        self.artifacts.push(Artifact { path, size });
        Ok(())
    }

    /// Writes a text file into the package folder and records it.
    fn write_text(&mut self, name: &str, text: &str) -> Result<PathBuf, PackageError> {
        let path = self.dir.join(name);
        write_file(&path, text.as_bytes())?;
        self.add(path.clone())?;
        Ok(path)
    }
}

/// Writes `bytes` to `path`, creating its folder.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), PackageError> {
    let io_error = |source| PackageError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_error)?;
    }
    std::fs::write(path, bytes).map_err(io_error)
}

/// YAML text of a JSON value, with a header comment.
pub(crate) fn yaml(header: &str, value: &serde_json::Value) -> String {
    format!("# {header}\n{}", yaml::to_yaml(value))
}

/// The function's environment on `platform`: the declared variables plus `POLYFAAS_BLOB_URL`
/// for `[blob] store` (`s3://`, `gs://`, `az://`; on OpenWhisk `openwhisk.blob_url`).
pub(crate) fn environment(
    declaration: &Declaration,
    platform: Platform,
) -> BTreeMap<String, String> {
    let mut env = declaration.environment.clone();
    let url = match (platform.blob_scheme(), &declaration.blob_store) {
        (Some(scheme), Some(store)) => Some(format!("{scheme}://{store}")),
        _ => None,
    };
    let url = url.or_else(|| {
        (platform == Platform::Openwhisk)
            .then(|| declaration.openwhisk.blob_url.clone())
            .flatten()
    });
    if let Some(url) = url {
        env.insert(BLOB_URL.to_owned(), url);
    }
    env
}

/// A header line for generated files.
pub(crate) fn generated_by(declaration: &Declaration) -> String {
    format!(
        "{}: generated by cargo polyfaas from polyfaas.toml; edit that file, not this one.",
        declaration.name
    )
}
