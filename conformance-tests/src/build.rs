//! Where things are in this repository, and building its `echo` example per platform.

use std::path::{Path, PathBuf};

use polyfaas_testkit::build::Build;
use polyfaas_testkit::Platform;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.to_owned(), Path::to_owned)
}

/// The shared folder of other projects' fixtures and protocol notes (`shared/`, with
/// `fixtures/` in it): `POLYFAAS_SHARED_DIR` when set, else the first `shared/` beside the
/// checkout or beside one of its parent folders (a git worktree under `wt/` finds the main
/// checkout's).
///
/// # Panics
///
/// When there is none: the outside-oracle tests cannot run without it, and must not pass
/// without checking anything.
pub fn shared_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("POLYFAAS_SHARED_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let root = workspace_root();
    root.ancestors()
        .skip(1)
        .map(|dir| dir.join("shared"))
        .find(|dir| dir.join("fixtures").is_dir())
        .unwrap_or_else(|| {
            panic!(
                "no shared/fixtures beside {} or its parents: the outside-oracle fixtures are read from ../shared beside the checkout (or set POLYFAAS_SHARED_DIR)",
                root.display()
            )
        })
}

/// `examples/<package>` (binary `<package>`) built in the debug profile for `platform`; a copy
/// no later build overwrites. Built once per test process.
///
/// # Panics
///
/// When the build fails (cargo's messages are on stderr).
pub fn example_binary(package: &str, platform: Platform) -> PathBuf {
    Build::for_platform(platform)
        .current_dir(workspace_root())
        .package(package)
        .bin(package)
        .run()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The `echo` conformance function built for one platform.
pub fn echo_binary(platform: Platform) -> PathBuf {
    example_binary("echo", platform)
}
