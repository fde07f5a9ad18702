//! Replays every reproducer under `fuzz/regressions/<target>/` through its target, without
//! coverage instrumentation: `cargo test --manifest-path fuzz/Cargo.toml`. A reproducer is an
//! input a fuzzer once crashed or hung on; it must now pass.

use std::path::Path;

use polyfaas_fuzz::targets;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut count = 0;
    for entry in entries {
        let path = entry.expect("read the regressions folder").path();
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("read {path:?}: {e}"));
        eprintln!("replaying {}", path.display());
        run(&data);
        count += 1;
    }
    count
}

#[test]
fn every_reproducer_passes() {
    let replayed = [
        ("aws_detect", targets::aws_detect::run as fn(&[u8])),
        ("aws_event", targets::aws_event::run),
        ("gcp_event", targets::gcp_event::run),
        ("azure_envelope", targets::azure_envelope::run),
        ("azure_function_json", targets::azure_function_json::run),
        ("canonical", targets::canonical::run),
        ("blob_key_url", targets::blob_key_url::run),
    ]
    .into_iter()
    .map(|(target, run)| replay(target, run))
    .sum::<usize>();
    eprintln!("{replayed} reproducers replayed");
}
