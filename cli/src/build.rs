//! `build`: one `cargo build` of the function for a platform, with the platform's features, the
//! blob backend only when the declaration needs it, and either cargo's `dev` profile or a
//! size-optimised release profile passed as `--config` overrides (the user's Cargo.toml is left
//! alone).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::declaration::{blob_backend_of_url, Declaration};
use crate::platform::{Arch, Platform};
use crate::progress::Progress;
use crate::project::{cargo, Project};

/// Which profile to build with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    /// Cargo's `dev` profile: quick to build, large and slow (tests, trying things).
    Dev,
    /// Size-optimised release: `opt-level = "s"`, fat LTO, one codegen unit, stripped, panics
    /// unwinding (they are caught and answered).
    #[default]
    Release,
}

/// The name of the size-optimised profile defined on the command line.
pub const RELEASE_PROFILE: &str = "polyfaas-release";

/// The `--config` overrides that define [`RELEASE_PROFILE`].
pub const RELEASE_SETTINGS: [&str; 7] = [
    "profile.polyfaas-release.inherits=\"release\"",
    "profile.polyfaas-release.opt-level=\"s\"",
    "profile.polyfaas-release.lto=\"fat\"",
    "profile.polyfaas-release.codegen-units=1",
    "profile.polyfaas-release.strip=true",
    "profile.polyfaas-release.debug=false",
    "profile.polyfaas-release.panic=\"unwind\"",
];

/// A built binary.
#[derive(Clone, Debug)]
pub struct Built {
    /// The executable: a copy of what cargo wrote, kept per platform, architecture and profile
    /// (`<target dir>/polyfaas/builds/<platform>-<arch>-<profile>/`), so a build for another
    /// platform, which cargo writes to the same place, never replaces it.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// The Rust target it was built for.
    pub target: &'static str,
    /// The newest glibc symbol version it needs (`None`: static or not glibc).
    pub glibc: Option<(u32, u32)>,
}

/// Why a build did not happen or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The crate does not forward the platform's feature.
    #[error("package {package:?} has no feature `{feature}`: add `{feature} = [\"polyfaas/{feature}\"]` to its [features] (see examples/echo/Cargo.toml)")]
    MissingFeature {
        /// The package.
        package: String,
        /// The feature.
        feature: String,
    },
    /// The blob backend is needed but `polyfaas` is not a direct dependency.
    #[error("package {package:?} needs the blob backend `{feature}` (polyfaas.toml declares blob use) but does not depend on `polyfaas` directly: add `polyfaas` to its [dependencies]")]
    NoFacade {
        /// The package.
        package: String,
        /// The facade feature.
        feature: String,
    },
    /// A cross-compilation tool is missing.
    #[error("{0}")]
    Toolchain(String),
    /// cargo could not be started.
    #[error("cannot run cargo: {0}")]
    Spawn(std::io::Error),
    /// cargo failed (its errors were printed above).
    #[error("`{command}` failed ({status}); cargo's errors are above")]
    Cargo {
        /// The command line.
        command: String,
        /// Its exit status.
        status: std::process::ExitStatus,
    },
    /// cargo succeeded but named no executable for the binary.
    #[error("cargo built no executable named {0:?}")]
    NoExecutable(String),
    /// The executable could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The executable.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The build lock or the platform's copy of the executable could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// What to build.
#[derive(Clone, Copy, Debug)]
pub struct BuildOptions {
    /// The platform.
    pub platform: Platform,
    /// The CPU architecture.
    pub arch: Arch,
    /// The profile.
    pub profile: Profile,
}

/// The facade feature of the blob backend this declaration needs on `platform`, if any.
pub fn blob_feature(declaration: &Declaration, platform: Platform) -> Option<&'static str> {
    if !declaration.needs_blob_backend() {
        return None;
    }
    match platform {
        Platform::Openwhisk => declaration
            .openwhisk
            .blob_url
            .as_deref()
            .and_then(blob_backend_of_url),
        other => other.blob_feature(),
    }
}

/// The features passed to cargo: the platform's, plus `polyfaas/<backend>` when needed.
pub fn features(declaration: &Declaration, platform: Platform) -> Vec<String> {
    let mut features = vec![platform.as_str().to_owned()];
    if let Some(backend) = blob_feature(declaration, platform) {
        features.push(format!("polyfaas/{backend}"));
    }
    features
}

/// Builds the function and returns the executable.
pub fn build(
    project: &Project,
    declaration: &Declaration,
    options: BuildOptions,
) -> Result<Built, BuildError> {
    let features = features(declaration, options.platform);
    check_features(project, options.platform, &features)?;
    let target = options.platform.target(options.arch);
    let toolchain = Toolchain::for_target(target, options.platform)?;

    let mut command = match toolchain {
        Toolchain::Zig(..) => Command::new(zigbuild_program()),
        _ => Command::new(cargo()),
    };
    polyfaas_testkit::build::scrub_cargo_env(&mut command);
    command.arg(toolchain.subcommand());
    command
        .arg("--manifest-path")
        .arg(&project.manifest_path)
        .args(["-p", &project.package, "--bin", &project.bin])
        .args(["--no-default-features", "--features", &features.join(",")])
        .args(["--message-format", "json-render-diagnostics", "--quiet"]);
    match options.profile {
        Profile::Dev => {
            command.args(["--profile", "dev"]);
        }
        Profile::Release => {
            command.args(["--profile", RELEASE_PROFILE]);
            for setting in RELEASE_SETTINGS {
                command.args(["--config", setting]);
            }
        }
    }
    if let Some(target) = toolchain.target_arg() {
        command.args(["--target", &target]);
    }
    let printable = printable(&command);
    eprintln!(
        "Building {} for {} ({target}, {} profile): {printable}",
        project.package,
        options.platform,
        match options.profile {
            Profile::Dev => "dev",
            Profile::Release => RELEASE_PROFILE,
        }
    );
    // Builds for different platforms write the same executable (`<target dir>/<profile>/<bin>`):
    // one build at a time, from cargo's start to the copy, across processes and with the test
    // kit's builds.
    let builds = project.target_dir.join("polyfaas").join("builds");
    let write = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BuildError::Write { path, source }
    };
    // The test kit's lock: its builds write the same executable.
    let lock = polyfaas_testkit::build::lock_builds(&project.target_dir).map_err(write(
        &polyfaas_testkit::build::build_lock_path(&project.target_dir),
    ))?;
    let progress = Progress::start(format!("building {}", project.package));
    let built = run_cargo(command, &project.bin, &progress, &printable)?;
    progress.finish();
    let profile = match options.profile {
        Profile::Dev => "dev",
        Profile::Release => "release",
    };
    let dir = builds.join(format!("{}-{}-{profile}", options.platform, options.arch));
    std::fs::create_dir_all(&dir).map_err(write(&dir))?;
    let executable = dir.join(&project.bin);
    // Copied beside, then renamed into place: a copy still running keeps its file.
    let partial = dir.join(format!(".{}.partial", project.bin));
    std::fs::copy(&built, &partial).map_err(write(&partial))?;
    std::fs::rename(&partial, &executable).map_err(write(&executable))?;
    drop(lock);
    let bytes = std::fs::read(&executable).map_err(|source| BuildError::Read {
        path: executable.clone(),
        source,
    })?;
    Ok(Built {
        size: bytes.len() as u64,
        glibc: newest_glibc(&bytes),
        path: executable,
        target,
    })
}

fn check_features(
    project: &Project,
    platform: Platform,
    features: &[String],
) -> Result<(), BuildError> {
    if !project.features.iter().any(|f| f == platform.as_str()) {
        return Err(BuildError::MissingFeature {
            package: project.package.clone(),
            feature: platform.as_str().to_owned(),
        });
    }
    if let Some(backend) = features.iter().find(|f| f.starts_with("polyfaas/")) {
        if !project.depends_on_polyfaas {
            return Err(BuildError::NoFacade {
                package: project.package.clone(),
                feature: backend.clone(),
            });
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct Message {
    reason: String,
    target: Option<MessageTarget>,
    executable: Option<PathBuf>,
}

#[derive(Deserialize)]
struct MessageTarget {
    name: String,
    kind: Vec<String>,
}

fn run_cargo(
    mut command: Command,
    bin: &str,
    progress: &Progress,
    printable: &str,
) -> Result<PathBuf, BuildError> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(BuildError::Spawn)?;
    let mut executable = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let Ok(message) = serde_json::from_str::<Message>(&line) else {
                continue;
            };
            if message.reason != "compiler-artifact" {
                continue;
            }
            if let Some(target) = &message.target {
                progress.set(format!("compiled {}", target.name));
                if target.name == bin && target.kind.iter().any(|k| k == "bin") {
                    executable = message.executable.clone().or(executable);
                }
            }
        }
    }
    let status = child.wait().map_err(BuildError::Spawn)?;
    if !status.success() {
        progress.finish();
        return Err(BuildError::Cargo {
            command: printable.to_owned(),
            status,
        });
    }
    executable.ok_or_else(|| BuildError::NoExecutable(bin.to_owned()))
}

/// How a target is compiled here.
enum Toolchain {
    /// The host's own target: no `--target`, so builds share cargo's cache with plain
    /// `cargo build`.
    Host,
    /// Another target with a Rust standard library installed and a linker that works (musl).
    Cargo(&'static str),
    /// cargo-zigbuild (zig as the cross linker), with an optional glibc version suffix.
    Zig(&'static str, Option<&'static str>),
}

impl Toolchain {
    fn for_target(target: &'static str, platform: Platform) -> Result<Toolchain, BuildError> {
        if host_target().as_deref() == Some(target) {
            return Ok(Toolchain::Host);
        }
        check_std(target)?;
        if target.starts_with("x86_64-") {
            return Ok(Toolchain::Cargo(target));
        }
        check_zigbuild(target)?;
        let glibc = match platform {
            Platform::Aws if target.ends_with("-gnu") => Some("2.34"),
            _ => None,
        };
        Ok(Toolchain::Zig(target, glibc))
    }

    fn subcommand(&self) -> &'static str {
        match self {
            Toolchain::Zig(..) => "zigbuild",
            _ => "build",
        }
    }

    fn target_arg(&self) -> Option<String> {
        match self {
            Toolchain::Host => None,
            Toolchain::Cargo(target) => Some((*target).to_owned()),
            Toolchain::Zig(target, None) => Some((*target).to_owned()),
            Toolchain::Zig(target, Some(glibc)) => Some(format!("{target}.{glibc}")),
        }
    }
}

fn host_target() -> Option<String> {
    let output = Command::new("rustc").arg("-vV").output().ok()?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
}

/// The target's standard library must be installed (rustup target add).
fn check_std(target: &str) -> Result<(), BuildError> {
    let libdir = Command::new("rustc")
        .args(["--print", "target-libdir", "--target", target])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let has_std = libdir
        .as_deref()
        .and_then(|dir| std::fs::read_dir(dir).ok())
        .is_some_and(|mut entries| {
            entries.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("libstd-")))
        });
    if has_std {
        Ok(())
    } else {
        Err(BuildError::Toolchain(format!(
            "cannot build for {target}: the Rust standard library for {target} is not installed. Install it with `rustup target add {target}` (rustup needs to reach its download server; without it, copy the rust-std-{target} component from a machine that has it)"
        )))
    }
}

/// cargo-zigbuild: `POLYFAAS_CARGO_ZIGBUILD` when set, else `cargo-zigbuild` on PATH.
fn zigbuild_program() -> std::ffi::OsString {
    std::env::var_os("POLYFAAS_CARGO_ZIGBUILD").unwrap_or_else(|| "cargo-zigbuild".into())
}

/// An arm64 build links with zig through cargo-zigbuild.
fn check_zigbuild(target: &str) -> Result<(), BuildError> {
    let zigbuild = Command::new(zigbuild_program())
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !zigbuild {
        return Err(BuildError::Toolchain(format!(
            "cannot build for {target}: cargo-zigbuild is not on PATH (or where POLYFAAS_CARGO_ZIGBUILD points). It cross-links with zig: `pip install cargo-zigbuild ziglang` (both on PyPI) and put that environment's bin folder on PATH, or `cargo install cargo-zigbuild` and `pip install ziglang`"
        )));
    }
    let zig = Command::new("zig")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
        || ["python3", "python"].iter().any(|python| {
            Command::new(python)
                .args(["-m", "ziglang", "version"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
    if zig {
        Ok(())
    } else {
        Err(BuildError::Toolchain(format!(
            "cannot build for {target}: cargo-zigbuild is installed but zig is not: `pip install ziglang` (PyPI) in the python3 on PATH, or put `zig` on PATH"
        )))
    }
}

/// The newest `GLIBC_2.N` version the binary's dynamic symbols need.
fn newest_glibc(bytes: &[u8]) -> Option<(u32, u32)> {
    const NEEDLE: &[u8] = b"GLIBC_2.";
    let mut newest = None;
    let mut rest = bytes;
    while let Some(at) = find(rest, NEEDLE) {
        let digits = &rest[at + NEEDLE.len()..];
        let len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
        let terminated = digits.get(len).is_some_and(|b| *b == 0 || *b == b'.');
        if len > 0 && terminated {
            if let Some(minor) = std::str::from_utf8(&digits[..len])
                .ok()
                .and_then(|s| s.parse::<u32>().ok())
            {
                newest = newest.max(Some((2, minor)));
            }
        }
        rest = &rest[at + NEEDLE.len()..];
    }
    newest
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn printable(command: &Command) -> String {
    let mut line = Path::new(command.get_program())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for arg in command.get_args() {
        let arg = arg.to_string_lossy();
        line.push(' ');
        if arg.contains([' ', '"']) {
            line.push_str(&format!("'{arg}'"));
        } else {
            line.push_str(&arg);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_glibc_version_is_found() {
        let bytes = b"\0GLIBC_2.2.5\0GLIBC_2.34\0GLIBC_2.17\0GLIBC_PRIVATE\0";
        assert_eq!(newest_glibc(bytes), Some((2, 34)));
        assert_eq!(newest_glibc(b"static"), None);
    }

    #[test]
    fn blob_backend_only_when_declared() {
        let plain = Declaration::parse("[[trigger]]\ntype = \"http\"\n").unwrap();
        assert_eq!(features(&plain, Platform::Aws), ["aws"]);
        let store = Declaration::parse("[blob]\nstore = \"visits\"\n").unwrap();
        assert_eq!(features(&store, Platform::Aws), ["aws", "polyfaas/s3"]);
        assert_eq!(features(&store, Platform::Gcp), ["gcp", "polyfaas/gcs"]);
        assert_eq!(
            features(&store, Platform::Azure),
            ["azure", "polyfaas/azure-blob"]
        );
        assert_eq!(features(&store, Platform::Openwhisk), ["openwhisk"]);
        let ow = Declaration::parse(
            "[blob]\nstore = \"visits\"\n[openwhisk]\nblob_url = \"s3://visits\"\n",
        )
        .unwrap();
        assert_eq!(
            features(&ow, Platform::Openwhisk),
            ["openwhisk", "polyfaas/s3"]
        );
    }
}
