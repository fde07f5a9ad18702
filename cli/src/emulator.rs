//! The function as `invoke`, `test` and `dev` run it: built for a platform with the test kit's
//! [`Build`] (debug by default, incrementally, into a copy no later build overwrites) and started
//! under that platform's emulator.
//!
//! ```
//! use polyfaas_cli::emulator;
//! use polyfaas_testkit::Platform;
//!
//! assert_eq!(emulator::parse_platform("openwhisk"), Ok(Platform::OpenWhisk));
//! assert!(emulator::parse_platform("lambda").unwrap_err().contains("local, aws, gcp, azure or openwhisk"));
//! ```

use std::path::{Path, PathBuf};

use polyfaas_testkit::build::Build;
use polyfaas_testkit::{Function, FunctionError, Platform};

use crate::project::Project;

/// Why the function could not be built or started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// The crate does not forward the platform's feature.
    #[error("package {package:?} has no feature `{feature}`: add `{feature} = [\"polyfaas/{feature}\"]` to its [features] (see examples/echo/Cargo.toml)")]
    MissingFeature {
        /// The package.
        package: String,
        /// The feature.
        feature: &'static str,
    },
    /// cargo failed or its executable could not be copied.
    #[error("building for {platform}: {source}")]
    Build {
        /// The platform.
        platform: Platform,
        /// Why.
        source: polyfaas_testkit::build::BuildError,
    },
    /// The function did not start under the emulator.
    #[error("starting the function under {platform}'s emulator: {source}")]
    Start {
        /// The platform.
        platform: Platform,
        /// Why.
        source: FunctionError,
    },
}

/// A platform name given on the command line (`local`, `aws`, `gcp`, `azure`, `openwhisk`).
pub fn parse_platform(name: &str) -> Result<Platform, String> {
    name.parse::<Platform>().map_err(|e| e.to_string())
}

/// `KEY=VALUE` given on the command line.
pub fn parse_key_value(pair: &str) -> Result<(String, String), String> {
    match pair.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("{pair:?} is not KEY=VALUE")),
    }
}

/// The build of `project` for `platform`'s emulator: `--no-default-features --features
/// <platform>`, the dev profile unless `release`.
pub fn build_for(project: &Project, platform: Platform, release: bool) -> Build {
    Build::for_platform(platform)
        .manifest_path(&project.manifest_path)
        .package(&project.package)
        .bin(&project.bin)
        .release(release)
}

/// Builds `project` for `platform` (once per process) and returns the executable's copy.
pub fn build(
    project: &Project,
    platform: Platform,
    release: bool,
) -> Result<PathBuf, EmulatorError> {
    check_feature(project, platform)?;
    eprintln!(
        "Building {} for {platform} ({} profile)",
        project.package,
        if release { "release" } else { "dev" }
    );
    build_for(project, platform, release)
        .run()
        .map_err(|source| EmulatorError::Build { platform, source })
}

/// The package must have a feature named after the platform.
pub fn check_feature(project: &Project, platform: Platform) -> Result<(), EmulatorError> {
    if project.features.iter().any(|f| f == platform.name()) {
        Ok(())
    } else {
        Err(EmulatorError::MissingFeature {
            package: project.package.clone(),
            feature: platform.name(),
        })
    }
}

/// Starts `binary` under `platform`'s emulator with `env` added to its environment.
pub async fn start(
    platform: Platform,
    binary: &Path,
    env: &[(String, String)],
) -> Result<Function, EmulatorError> {
    let mut builder = Function::builder(platform, binary);
    for (key, value) in env {
        builder = builder.env(key, value);
    }
    builder
        .start()
        .await
        .map_err(|source| EmulatorError::Start { platform, source })
}
