//! `build`: the size-optimised release profile once (echo for OpenWhisk, the platform with the
//! fewest dependencies), and the plain refusal when the arm64 cross toolchain is missing.

mod support;

use support::{cli, temp_dir, workspace_root};

#[test]
fn the_release_build_is_size_optimised_stripped_and_answers() {
    let manifest = workspace_root().join("examples/echo/Cargo.toml");
    let output = cli()
        .args(["build", "--platform", "openwhisk", "--manifest-path"])
        .arg(&manifest)
        .output()
        .expect("run cargo-polyfaas build");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stdout}{stderr}");
    // The command line carries the profile; the Cargo.toml is not touched.
    for setting in polyfaas_cli::build::RELEASE_SETTINGS {
        assert!(stderr.contains(setting), "{setting} not passed:\n{stderr}");
    }
    let (path, size) = stdout.trim().split_once(' ').expect("`<path> <size>`");
    assert!(
        path.ends_with("polyfaas/builds/openwhisk-x86_64-release/echo"),
        "{stdout}"
    );
    assert!(size.contains("bytes"), "{stdout}");
    let bytes = std::fs::read(path).expect("the built binary");
    println!("release echo for openwhisk: {} bytes", bytes.len());
    let sections = std::process::Command::new("readelf")
        .args(["-S", "--wide", path])
        .output()
        .expect("run readelf (binutils)");
    let sections = String::from_utf8_lossy(&sections.stdout);
    assert!(sections.contains(".text"), "{sections}");
    assert!(
        !sections.contains(".symtab") && !sections.contains(".debug_"),
        "not stripped:\n{sections}"
    );
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(!has(b"GLIBC_2."), "the OpenWhisk binary is static (musl)");

    // The stripped binary still answers, as OpenWhisk's blackbox proxy runs it.
    let dir = temp_dir();
    let body = serde_json::json!({"value": {"order": 7}, "activation_id": "r1", "deadline": "4102444800000",
        "action_name": "/guest/echo/echo", "namespace": "guest"});
    let outcome = polyfaas_testkit::openwhisk::blackbox::run(
        path.as_ref(),
        &body,
        &[("POLYFAAS_TMPDIR", dir.path().to_str().unwrap())],
    )
    .expect("run the action");
    let result = outcome
        .result
        .unwrap_or_else(|| panic!("no result: {}", outcome.stderr));
    assert_eq!(result["event"]["payload"]["order"], 7, "{result:#}");
}

#[test]
fn arm64_without_cargo_zigbuild_says_what_is_missing() {
    let manifest = workspace_root().join("examples/echo/Cargo.toml");
    let output = cli()
        .env("POLYFAAS_CARGO_ZIGBUILD", "/nonexistent/cargo-zigbuild")
        .args([
            "build",
            "--platform",
            "aws",
            "--arch",
            "arm64",
            "--profile",
            "dev",
            "--manifest-path",
        ])
        .arg(&manifest)
        .output()
        .expect("run cargo-polyfaas build");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    // Either the aarch64 standard library or cargo-zigbuild is missing; each is named with the
    // command that installs it.
    let std_missing = stderr.contains("rustup target add aarch64-unknown-linux-gnu");
    let zig_missing = stderr.contains("cargo-zigbuild is not on PATH")
        && stderr.contains("pip install cargo-zigbuild ziglang");
    assert!(std_missing || zig_missing, "{stderr}");
}
