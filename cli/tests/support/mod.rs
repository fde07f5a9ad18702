//! What the CLI's end-to-end tests share: running `cargo-polyfaas`, opening the artifacts,
//! running the external validators, and starting the packaged binaries under each platform's
//! emulator from `polyfaas-testkit`.

#![allow(dead_code)]

pub mod emulate;
pub mod function_crate;
pub mod validators;

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The workspace root (the CLI crate sits in it).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default()
}

/// The cargo target directory of this test run.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    }
}

/// `cargo-polyfaas` as built for this test run, with a clean environment for the shims' own
/// variables.
pub fn cli() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-polyfaas"));
    command.env_remove("GOOGLE_CLOUD_PROJECT");
    command
}

/// What a finished command printed.
pub struct Ran {
    /// Its stdout.
    pub stdout: String,
    /// Its stdout, then its stderr.
    pub all: String,
}

/// Runs `command`; panics with everything it printed when it fails.
pub fn run(mut command: Command, what: &str) -> Ran {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("run {what}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let all = format!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{all}",
        output.status
    );
    Ran { stdout, all }
}

/// Runs `cargo-polyfaas package --platform P --profile dev --manifest-path M --out OUT`; panics
/// with its output if it fails. Returns stdout.
pub fn package(manifest: &Path, platform: &str, out: &Path) -> String {
    let mut command = cli();
    command
        .args([
            "package",
            "--platform",
            platform,
            "--profile",
            "dev",
            "--manifest-path",
        ])
        .arg(manifest)
        .arg("--out")
        .arg(out);
    let what = format!(
        "cargo-polyfaas package --platform {platform} --manifest-path {}",
        manifest.display()
    );
    run(command, &what).stdout
}

/// A temporary folder under the target directory: packages hold debug binaries of 100 MiB and
/// more, too much for a small `/tmp`.
pub fn temp_dir() -> tempfile::TempDir {
    let base = target_dir().join("polyfaas-cli-tests");
    std::fs::create_dir_all(&base).expect("create the tests' temp base");
    tempfile::Builder::new()
        .prefix("t")
        .tempdir_in(base)
        .expect("temp dir")
}

/// One zip entry: name and Unix mode.
#[derive(Debug, PartialEq, Eq)]
pub struct ZipEntry {
    pub name: String,
    pub mode: u32,
}

/// Extracts `zip` into `into` (keeping modes) and lists its entries.
pub fn unzip(zip: &Path, into: &Path) -> Vec<ZipEntry> {
    let file = std::fs::File::open(zip).unwrap_or_else(|e| panic!("open {zip:?}: {e}"));
    let mut archive =
        zip::ZipArchive::new(file).unwrap_or_else(|e| panic!("{zip:?} is not a zip: {e}"));
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("zip entry");
        let name = entry.name().to_owned();
        let mode = entry.unix_mode().unwrap_or(0) & 0o777;
        let path = into.join(entry.enclosed_name().expect("a safe entry name"));
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read entry");
        std::fs::write(&path, bytes).expect("write entry");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        entries.push(ZipEntry { name, mode });
    }
    entries
}

/// The mode of `name` among `entries`; panics when it is missing.
pub fn mode_of(entries: &[ZipEntry], name: &str) -> u32 {
    entries
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no {name} in the zip: {entries:?}"))
        .mode
}

/// A YAML file as JSON.
pub fn read_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path:?}: {e}"));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{path:?} is not YAML: {e}\n{text}"))
}

/// A JSON file.
pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?} is not JSON: {e}"))
}

/// The size of each file of a package folder, for the report.
pub fn sizes(dir: &Path) -> BTreeMap<PathBuf, u64> {
    let mut sizes = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("read package dir").flatten() {
        if let Ok(meta) = entry.metadata() {
            if meta.is_file() {
                sizes.insert(entry.path(), meta.len());
            }
        }
    }
    sizes
}

/// What one example or new crate is asked over HTTP, and what its answer must contain.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// The package folder's name under examples/ (or the new crate's name).
    pub name: &'static str,
    /// The path and query of the HTTP request.
    pub path: &'static str,
    /// Text the HTTP answer's body must contain.
    pub expect: &'static str,
    /// How a declared schedule's answer is checked, if the function has one.
    pub schedule: Option<ScheduleCheck>,
}

/// How to recognise the answer to a schedule call.
#[derive(Clone, Copy, Debug)]
pub enum ScheduleCheck {
    /// echo: its canonical document shows a schedule named so, or (where the shim does not yet
    /// read the mark) the mark itself in the event.
    Echo(&'static str),
    /// A function that answers a tick with `{"tick": name}`, or ignores an event it does not
    /// recognise as a schedule.
    Tick(&'static str),
}
