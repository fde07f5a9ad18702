//! A function crate of its own in a temporary folder (under the target directory), built in the
//! workspace's target directory with the workspace's Cargo.lock and dev profile, so that its
//! dependencies are the ones the examples already compiled and only the crate itself builds.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{cli, target_dir, temp_dir, workspace_root};

/// A temporary function crate named like `examples/hello`, with the same dependencies.
pub struct FunctionCrate {
    _dir: tempfile::TempDir,
    /// The crate's folder.
    pub path: PathBuf,
}

impl FunctionCrate {
    /// A crate `name` whose `src/main.rs` is `main_rs`.
    pub fn new(name: &str, main_rs: &str) -> FunctionCrate {
        let dir = temp_dir();
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.join("src")).expect("create the crate's folders");
        let root = workspace_root();
        let workspace: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))
            .expect("read the workspace's Cargo.toml")
            .parse()
            .expect("the workspace's Cargo.toml is TOML");
        let mut profiles = toml::Table::new();
        if let Some(profile) = workspace.get("profile") {
            profiles.insert("profile".to_owned(), profile.clone());
        }
        let manifest = format!(
            r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
publish = false

[features]
default = ["local"]
local = ["polyfaas/local"]
aws = ["polyfaas/aws"]
gcp = ["polyfaas/gcp"]
azure = ["polyfaas/azure"]
openwhisk = ["polyfaas/openwhisk"]

# examples/hello's dependencies, so the compiled ones are shared.
[dependencies]
polyfaas = {{ path = {polyfaas}, default-features = false }}
http = "1"
serde_json = {{ version = "1", features = ["preserve_order"] }}
tokio = {{ version = "1", features = ["macros", "rt-multi-thread"] }}

[workspace]

# The workspace's profiles, so the dependencies compile as they do there.
{profiles}"#,
            polyfaas = toml::Value::String(root.join("polyfaas").display().to_string()),
        );
        std::fs::write(path.join("Cargo.toml"), manifest).expect("write Cargo.toml");
        std::fs::copy(root.join("Cargo.lock"), path.join("Cargo.lock"))
            .expect("copy the workspace's Cargo.lock");
        let function = FunctionCrate { _dir: dir, path };
        function.write_main(main_rs);
        function
    }

    /// A copy of `examples/<example>`'s sources (`src/`, `tests/events/`).
    pub fn copy_of(example: &str) -> FunctionCrate {
        let source = workspace_root().join("examples").join(example);
        let main_rs = std::fs::read_to_string(source.join("src/main.rs")).expect("read main.rs");
        let function = FunctionCrate::new(example, &main_rs);
        copy_dir(
            &source.join("tests/events"),
            &function.path.join("tests/events"),
        );
        function
    }

    /// Its Cargo.toml.
    pub fn manifest(&self) -> PathBuf {
        self.path.join("Cargo.toml")
    }

    /// Replaces `src/main.rs`.
    pub fn write_main(&self, text: &str) {
        std::fs::write(self.path.join("src/main.rs"), text).expect("write src/main.rs");
    }

    /// `src/main.rs`.
    pub fn main_rs(&self) -> String {
        std::fs::read_to_string(self.path.join("src/main.rs")).expect("read src/main.rs")
    }

    /// `cargo-polyfaas ARGS --manifest-path <crate>` building in the workspace's target folder.
    pub fn cli(&self, args: &[&str]) -> Command {
        let mut command = cli();
        command
            .env("CARGO_TARGET_DIR", target_dir())
            .args(args)
            .arg("--manifest-path")
            .arg(self.manifest());
        command
    }
}

fn copy_dir(from: &Path, to: &Path) {
    let Ok(entries) = std::fs::read_dir(from) else {
        return;
    };
    std::fs::create_dir_all(to).expect("create the copy's folder");
    for entry in entries.flatten() {
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy a file");
    }
}
