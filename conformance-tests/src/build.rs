//! Building the binaries under test.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("conformance-tests sits in the workspace root")
        .to_owned()
}

/// The cargo target directory this test run uses.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        let dir = PathBuf::from(dir);
        return if dir.is_absolute() {
            dir
        } else {
            workspace_root().join(dir)
        };
    }
    workspace_root().join("target")
}

/// Builds `examples/<package>` (binary `<package>`) with `--no-default-features --features
/// <feature>` in the debug profile and returns a copy of the executable that no later build
/// overwrites. Built once per test process; a file lock keeps concurrent test processes from
/// copying each other's builds.
pub fn example_binary(package: &str, feature: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<(String, String), PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    let mut built = built.lock().unwrap_or_else(|p| p.into_inner());
    let key = (package.to_owned(), feature.to_owned());
    if let Some(path) = built.get(&key) {
        return path.clone();
    }
    let out_dir = target_dir().join("conformance-bin");
    std::fs::create_dir_all(&out_dir).expect("create target/conformance-bin");
    let lock = std::fs::File::create(out_dir.join(".lock")).expect("create the build lock");
    lock.lock().expect("take the build lock");

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(workspace_root())
        .args([
            "build",
            "--quiet",
            "-p",
            package,
            "--bin",
            package,
            "--no-default-features",
            "--features",
            feature,
        ])
        .status()
        .expect("run cargo build");
    assert!(
        status.success(),
        "cargo build -p {package} --features {feature} failed"
    );
    let exe = target_dir().join("debug").join(package);
    // Keep the executable's name: it is the function name some providers report.
    let copy_dir = out_dir.join(feature);
    std::fs::create_dir_all(&copy_dir).expect("create the copy's directory");
    let copy = copy_dir.join(package);
    let staging = copy_dir.join(format!(".{package}.tmp"));
    std::fs::copy(&exe, &staging).unwrap_or_else(|e| panic!("copy {exe:?}: {e}"));
    std::fs::rename(&staging, &copy).expect("move the built binary into place");
    drop(lock);
    built.insert(key, copy.clone());
    copy
}

/// The `echo` conformance function built for one provider feature (`local`, `aws`, ...).
pub fn echo_binary(feature: &str) -> PathBuf {
    example_binary("echo", feature)
}
