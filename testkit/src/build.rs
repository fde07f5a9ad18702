//! Building a function's binary for one platform with cargo.
//!
//! A polyfaas function picks its platform with a cargo feature named after it (`aws`, `gcp`,
//! `azure`, `openwhisk`, `local`), as `examples/echo` does; [`Build::for_platform`] builds with
//! `--no-default-features --features <platform>`. Cargo's JSON messages tell where the executable
//! is; it is then copied to `<target>/polyfaas-testkit/<label>/<name>`, where no later build of
//! another platform overwrites it (a file lock covers the build and the copy, so test processes
//! running at the same time do not copy each other's builds). The copy keeps the executable's
//! name, which some platforms report as the function's name.
//!
//! ```no_run
//! use polyfaas_testkit::{build::Build, Platform};
//!
//! let binary = Build::for_platform(Platform::Aws)
//!     .manifest_path("examples/echo/Cargo.toml")
//!     .run()?;
//! println!("built {}", binary.display());
//! # Ok::<(), polyfaas_testkit::build::BuildError>(())
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use crate::Platform;

/// Building failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// cargo could not be run.
    #[error("cannot run {cargo}: {source}")]
    Cargo {
        /// The cargo command (`$CARGO` or `cargo`).
        cargo: String,
        /// Why.
        source: std::io::Error,
    },
    /// cargo ran and failed (its messages went to stderr).
    #[error("`{command}` failed ({status}); cargo's messages are above")]
    Failed {
        /// The command line.
        command: String,
        /// Its exit status.
        status: std::process::ExitStatus,
    },
    /// `cargo metadata` did not name a target directory.
    #[error("`cargo metadata` gave no target_directory for {0}")]
    Metadata(String),
    /// The build produced no executable of that name.
    #[error("`{command}` built no executable {wanted}")]
    NoExecutable {
        /// The command line.
        command: String,
        /// What was looked for.
        wanted: String,
    },
    /// Copying the executable, or taking the build lock, failed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Variables cargo sets for the program it runs (`cargo run`, `cargo test`) that describe that
/// program's own package. A cargo started from such a program must not inherit them: build
/// scripts that watch them (ring's watches `CARGO_MANIFEST_DIR`) would see them change between
/// callers and rebuild, and everything above them with them.
pub const PACKAGE_VARIABLES: &[&str] = &[
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_RUSTC_CURRENT_DIR",
    "OUT_DIR",
];

/// Removes [`PACKAGE_VARIABLES`] and every `CARGO_PKG_*` from `command`'s environment (the
/// user's own cargo settings, `CARGO_TARGET_DIR`, `CARGO_HOME`, `CARGO_BUILD_*`..., stay).
///
/// ```
/// let mut cargo = std::process::Command::new("cargo");
/// polyfaas_testkit::build::scrub_cargo_env(&mut cargo);
/// assert!(cargo.get_envs().any(|(k, v)| k == "CARGO_MANIFEST_DIR" && v.is_none()));
/// ```
pub fn scrub_cargo_env(command: &mut Command) {
    for name in PACKAGE_VARIABLES {
        command.env_remove(name);
    }
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("CARGO_PKG_") {
            command.env_remove(name);
        }
    }
}

/// The builds done by this process, and their copies.
fn built() -> &'static Mutex<HashMap<Build, PathBuf>> {
    static BUILT: OnceLock<Mutex<HashMap<Build, PathBuf>>> = OnceLock::new();
    BUILT.get_or_init(Default::default)
}

/// Which target of the package to build.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Target {
    /// The package's binary (`--bin NAME` when named).
    Bin(Option<String>),
    /// `--example NAME`.
    Example(String),
}

/// One `cargo build` of a function for a platform; see the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct Build {
    dir: Option<PathBuf>,
    manifest_path: Option<PathBuf>,
    package: Option<String>,
    target: Target,
    features: Vec<String>,
    default_features: bool,
    release: bool,
    label: String,
}

impl Build {
    /// A debug build with `--no-default-features --features <platform>`.
    pub fn for_platform(platform: Platform) -> Build {
        Build {
            dir: None,
            manifest_path: None,
            package: None,
            target: Target::Bin(None),
            features: vec![platform.name().to_owned()],
            default_features: false,
            release: false,
            label: platform.name().to_owned(),
        }
    }

    /// A build with the package's default features (for binaries that are not functions, such
    /// as a packaging tool); `label` names the folder the copy goes to.
    pub fn plain(label: impl Into<String>) -> Build {
        Build {
            default_features: true,
            features: Vec::new(),
            label: label.into(),
            ..Build::for_platform(Platform::Local)
        }
    }

    /// Runs cargo in `dir` (default: the current directory).
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// `--manifest-path`.
    pub fn manifest_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.manifest_path = Some(path.into());
        self
    }

    /// `-p PACKAGE`.
    pub fn package(mut self, package: impl Into<String>) -> Self {
        self.package = Some(package.into());
        self
    }

    /// `--bin NAME`.
    pub fn bin(mut self, name: impl Into<String>) -> Self {
        self.target = Target::Bin(Some(name.into()));
        self
    }

    /// `--example NAME` instead of a binary.
    pub fn example(mut self, name: impl Into<String>) -> Self {
        self.target = Target::Example(name.into());
        self
    }

    /// Another feature besides the platform's.
    pub fn feature(mut self, feature: impl Into<String>) -> Self {
        self.features.push(feature.into());
        self
    }

    /// `--release`.
    pub fn release(mut self, release: bool) -> Self {
        self.release = release;
        self
    }

    /// The cargo arguments after `build`.
    fn args(&self) -> Vec<String> {
        let mut args = vec!["build".to_owned(), "--quiet".to_owned()];
        args.push("--message-format=json-render-diagnostics".to_owned());
        if let Some(path) = &self.manifest_path {
            args.push("--manifest-path".to_owned());
            args.push(path.display().to_string());
        }
        if let Some(package) = &self.package {
            args.extend(["-p".to_owned(), package.clone()]);
        }
        match &self.target {
            Target::Bin(Some(name)) => args.extend(["--bin".to_owned(), name.clone()]),
            Target::Bin(None) => {}
            Target::Example(name) => args.extend(["--example".to_owned(), name.clone()]),
        }
        if !self.default_features {
            args.push("--no-default-features".to_owned());
        }
        if !self.features.is_empty() {
            args.extend(["--features".to_owned(), self.features.join(",")]);
        }
        if self.release {
            args.push("--release".to_owned());
        }
        args
    }

    /// Builds (incrementally) and returns the path of a copy of the executable that no later
    /// build overwrites. Within one process, the same build is done once.
    pub fn run(&self) -> Result<PathBuf, BuildError> {
        let mut built = built().lock().unwrap_or_else(|p| p.into_inner());
        if let Some(path) = built.get(self) {
            return Ok(path.clone());
        }
        let copy = self.build_and_copy()?;
        built.insert(self.clone(), copy.clone());
        Ok(copy)
    }

    /// Builds again even if this process built it before (the sources changed), as
    /// `cargo polyfaas dev` does. The copy is replaced by renaming a new file over it, so a
    /// process running the previous copy keeps running; when the build fails, the previous copy
    /// stays as it was.
    pub fn rebuild(&self) -> Result<PathBuf, BuildError> {
        let copy = self.build_and_copy()?;
        let mut built = built().lock().unwrap_or_else(|p| p.into_inner());
        built.insert(self.clone(), copy.clone());
        Ok(copy)
    }

    /// Runs cargo and copies the executable, under the build lock.
    fn build_and_copy(&self) -> Result<PathBuf, BuildError> {
        let target_dir = self.target_dir()?;
        let out_dir = target_dir.join("polyfaas-testkit");
        let io = |what, path: &Path| {
            let path = path.to_owned();
            move |source| BuildError::Io { what, path, source }
        };
        std::fs::create_dir_all(&out_dir).map_err(io("cannot create", &out_dir))?;
        let lock_path = build_lock_path(&target_dir);
        let lock = lock_builds(&target_dir).map_err(io("cannot lock", &lock_path))?;

        let exe = self.cargo_build()?;
        let name =
            exe.file_name()
                .map(|n| n.to_owned())
                .ok_or_else(|| BuildError::NoExecutable {
                    command: self.command_line(),
                    wanted: exe.display().to_string(),
                })?;
        let mut label = self.label.clone();
        if self.release {
            label.push_str("-release");
        }
        let copy_dir = out_dir.join(label);
        std::fs::create_dir_all(&copy_dir).map_err(io("cannot create", &copy_dir))?;
        let copy = copy_dir.join(&name);
        let staging = copy_dir.join(format!(".{}.tmp", name.to_string_lossy()));
        std::fs::copy(&exe, &staging).map_err(io("cannot copy", &exe))?;
        std::fs::rename(&staging, &copy).map_err(io("cannot move into place", &copy))?;
        drop(lock);
        Ok(copy)
    }

    fn cargo() -> String {
        std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
    }

    fn command_line(&self) -> String {
        format!("cargo {}", self.args().join(" "))
    }

    /// Runs cargo with `args` (in `dir`), its messages on our stderr; its stdout if it succeeds.
    fn cargo_output(&self, args: &[String]) -> Result<Vec<u8>, BuildError> {
        let mut command = Command::new(Build::cargo());
        scrub_cargo_env(&mut command);
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        let output = command
            .args(args)
            .stderr(Stdio::inherit())
            .output()
            .map_err(|source| BuildError::Cargo {
                cargo: Build::cargo(),
                source,
            })?;
        if !output.status.success() {
            return Err(BuildError::Failed {
                command: format!("cargo {}", args.join(" ")),
                status: output.status,
            });
        }
        Ok(output.stdout)
    }

    /// The target directory cargo uses for this manifest.
    fn target_dir(&self) -> Result<PathBuf, BuildError> {
        let mut args: Vec<String> = ["metadata", "--no-deps", "--format-version", "1"]
            .map(str::to_owned)
            .to_vec();
        if let Some(path) = &self.manifest_path {
            args.extend(["--manifest-path".to_owned(), path.display().to_string()]);
        }
        let stdout = self.cargo_output(&args)?;
        serde_json::from_slice::<Value>(&stdout)
            .ok()
            .and_then(|m| m["target_directory"].as_str().map(PathBuf::from))
            .ok_or_else(|| BuildError::Metadata(self.command_line()))
    }

    /// Runs `cargo build` and returns the executable it names.
    fn cargo_build(&self) -> Result<PathBuf, BuildError> {
        let stdout = self.cargo_output(&self.args())?;
        let (kind, wanted) = match &self.target {
            Target::Bin(name) => ("bin", name.clone()),
            Target::Example(name) => ("example", Some(name.clone())),
        };
        let mut found = Vec::new();
        for line in stdout.split(|b| *b == b'\n') {
            let Ok(message) = serde_json::from_slice::<Value>(line) else {
                continue;
            };
            let Some(exe) = message["executable"].as_str() else {
                continue;
            };
            let target = &message["target"];
            let is_kind = target["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == kind));
            let named = wanted
                .as_deref()
                .is_none_or(|w| target["name"].as_str() == Some(w));
            if is_kind && named {
                found.push(PathBuf::from(exe));
            }
        }
        match found.as_slice() {
            [one] => Ok(one.clone()),
            _ => Err(BuildError::NoExecutable {
                command: self.command_line(),
                wanted: match (&wanted, found.len()) {
                    (Some(name), _) => format!("{kind} {name}"),
                    (None, 0) => format!("({kind} target)"),
                    (None, n) => format!("(one {kind} target, found {n}: name it with `bin`)"),
                },
            }),
        }
    }
}

/// The file whose lock serialises builds into `target_dir` and the copy that follows: every
/// build of a function binary writes the same `<target dir>/<profile>/<bin>`, whatever its
/// features, so the test kit and `cargo polyfaas build` hold this one lock from cargo's start
/// to the copy.
pub fn build_lock_path(target_dir: &Path) -> PathBuf {
    target_dir.join("polyfaas-testkit").join(".lock")
}

/// Takes the build lock of `target_dir` (see [`build_lock_path`]), waiting for it; released
/// when the file is dropped.
pub fn lock_builds(target_dir: &Path) -> std::io::Result<std::fs::File> {
    let path = build_lock_path(target_dir);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let lock = std::fs::File::create(&path)?;
    lock.lock()?;
    Ok(lock)
}
