//! `cargo polyfaas new demo`, then in it `cargo test` and `cargo polyfaas package --platform P`
//! for every platform (default output folder, dev builds): the artifacts pass their validators
//! and the packaged binaries answer under the emulators.
//!
//! The new crate builds in the workspace's target directory with the workspace's Cargo.lock
//! copied in, so its dependencies are the ones already compiled.

mod support;

use std::process::Command;

use support::{
    cli, emulate, run, sizes, temp_dir, validators, workspace_root, Case, ScheduleCheck,
};

const DEMO: Case = Case {
    name: "demo",
    path: "/?name=polyfaas",
    expect: "Hello, polyfaas! (GET /)",
    schedule: Some(ScheduleCheck::Tick("nightly")),
};

#[tokio::test(flavor = "multi_thread")]
async fn a_new_crate_tests_and_packages_for_every_platform() {
    let dir = temp_dir();
    let crate_dir = dir.path().join("demo");
    let mut new = cli();
    new.current_dir(dir.path()).args(["new", "demo"]);
    let created = run(new, "cargo polyfaas new demo").stdout;
    for file in ["Cargo.toml", "polyfaas.toml", "src/main.rs"] {
        assert!(crate_dir.join(file).is_file(), "{file} missing:\n{created}");
    }
    std::fs::copy(
        workspace_root().join("Cargo.lock"),
        crate_dir.join("Cargo.lock"),
    )
    .expect("copy the workspace's Cargo.lock");
    let target = support::target_dir();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());

    let mut test = Command::new(&cargo);
    test.current_dir(&crate_dir)
        .env("CARGO_TARGET_DIR", &target)
        .args(["test", "--quiet"]);
    let tested = run(test, "cargo test in the new crate").all;
    assert!(tested.contains("2 passed"), "{tested}");

    for platform in ["aws", "gcp", "azure", "openwhisk"] {
        let mut package = cli();
        package
            .current_dir(&crate_dir)
            .env("CARGO_TARGET_DIR", &target)
            .args(["package", "--platform", platform, "--profile", "dev"]);
        let stdout = run(
            package,
            &format!("cargo polyfaas package --platform {platform}"),
        )
        .stdout;
        let out = target.join("polyfaas").join(platform);
        println!("== demo on {platform}\n{stdout}");
        assert!(
            stdout.contains(&out.display().to_string()),
            "the default folder is {}:\n{stdout}",
            out.display()
        );
        for (path, size) in sizes(&out) {
            println!(
                "  {:<40} {size} bytes",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
        }
        println!("{}", validators::validate(platform, &out));
        for line in emulate::answers(platform, &out, &DEMO).await {
            println!("  {line}");
        }
    }
}
