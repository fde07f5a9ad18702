//! Replays inputs through the fuzz targets without coverage instrumentation:
//! `cargo test --manifest-path fuzz/Cargo.toml`.
//!
//! - every reproducer under `fuzz/regressions/<target>/` (an input a fuzzer once crashed or hung
//!   on; it must now pass);
//! - the project's own fixtures through the targets that read them as they are, so a target
//!   that panics on a valid event fails here before it wastes a fuzzing run.

use std::path::{Path, PathBuf};

use polyfaas_fuzz::targets;

/// A target: its name (the folder of its reproducers) and its entry point.
type Target = (&'static str, fn(&[u8]));

const TARGETS: [Target; 8] = [
    ("aws_detect", targets::aws_detect::run),
    ("aws_event", targets::aws_event::run),
    ("gcp_event", targets::gcp_event::run),
    ("azure_envelope", targets::azure_envelope::run),
    ("azure_function_json", targets::azure_function_json::run),
    ("canonical", targets::canonical::run),
    ("blob_key_url", targets::blob_key_url::run),
    ("openwhisk_line", targets::openwhisk_line::run),
];

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("read a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn replay(run: fn(&[u8]), inputs: &[PathBuf]) {
    for path in inputs {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("read {path:?}: {e}"));
        eprintln!("replaying {}", path.display());
        run(&data);
    }
}

#[test]
fn every_reproducer_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    for (target, run) in TARGETS {
        replay(run, &files(&root.join(target)));
    }
}

#[test]
fn the_fixtures_pass_through_their_targets() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance-tests/fixtures");
    let aws: Vec<PathBuf> = [fixtures.join("aws"), fixtures.join("aws/malformed")]
        .iter()
        .flat_map(|d| files(d))
        .collect();
    let azure = files(&fixtures.join("azure"));
    assert!(
        aws.len() >= 10 && azure.len() >= 5,
        "fixtures missing under {fixtures:?}"
    );
    replay(targets::aws_detect::run, &aws);
    replay(targets::aws_event::run, &aws);
    replay(targets::azure_envelope::run, &azure);
}
