//! Every example packaged for every platform through the real `cargo-polyfaas` binary (dev
//! builds, to keep CI quick): the artifacts' names and modes, the validators (cfn-lint and
//! aws-sam-translator on the SAM template, the Knative schema on service.yaml, the binding and
//! manifest checks), and the packaged binaries answering under each platform's emulator.
//!
//! Run with `-- --nocapture` to see each artifact's size and the validators' output.

mod support;

use support::{emulate, package, sizes, validators, workspace_root, Case, ScheduleCheck};

const EXAMPLES: [Case; 3] = [
    Case {
        name: "echo",
        path: "/items/7?a=1",
        expect: r#""path":"/items/7""#,
        schedule: Some(ScheduleCheck::Echo("nightly")),
    },
    Case {
        name: "hello",
        path: "/?name=polyfaas",
        expect: "Hello, polyfaas! (visit 1)",
        schedule: None,
    },
    Case {
        name: "axum-router",
        path: "/todos",
        expect: "[",
        schedule: None,
    },
];

async fn every_example_on(platform: &str) {
    let out = support::temp_dir();
    for case in EXAMPLES {
        let manifest = workspace_root()
            .join("examples")
            .join(case.name)
            .join("Cargo.toml");
        let dir = out.path().join(case.name);
        let started = std::time::Instant::now();
        let stdout = package(&manifest, platform, &dir);
        println!(
            "== {} on {platform} (packaged in {:.1?})\n{stdout}",
            case.name,
            started.elapsed()
        );
        for (path, size) in sizes(&dir) {
            println!(
                "  {:<40} {size} bytes",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
        }
        let started = std::time::Instant::now();
        println!("{}", validators::validate(platform, &dir));
        println!("(validated in {:.1?})", started.elapsed());
        let started = std::time::Instant::now();
        for line in emulate::answers(platform, &dir, &case).await {
            println!("  {line}");
        }
        println!("(answered in {:.1?})", started.elapsed());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_example_packages_validates_and_answers_on_aws() {
    every_example_on("aws").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_example_packages_validates_and_answers_on_gcp() {
    every_example_on("gcp").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_example_packages_validates_and_answers_on_azure() {
    every_example_on("azure").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_example_packages_validates_and_answers_on_openwhisk() {
    every_example_on("openwhisk").await;
}
