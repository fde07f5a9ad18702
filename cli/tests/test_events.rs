//! `cargo polyfaas test`: the examples' `tests/events` answer alike on every platform, and a
//! function that answers differently on one platform fails the command with that cell marked.

mod support;

use support::function_crate::FunctionCrate;
use support::{cli, run, workspace_root};

/// The table's line of `event`, and the platforms (in the header's order) whose cell is marked.
fn marked(stdout: &str, event: &str) -> Vec<String> {
    let mut lines = stdout.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .collect();
    let row = lines
        .find(|l| l.split_whitespace().next() == Some(event))
        .unwrap_or_else(|| panic!("no row {event}:\n{stdout}"));
    // Cells are two spaces apart and padded to a fixed width; a marked one ends with ≠.
    let cells: Vec<&str> = row[event.len()..]
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(cells.len(), header.len(), "{row:?} against {header:?}");
    header
        .iter()
        .zip(&cells)
        .filter(|(_, cell)| cell.ends_with('≠'))
        .map(|(platform, _)| (*platform).to_owned())
        .collect()
}

#[test]
fn the_examples_answer_alike_on_every_platform() {
    for example in ["hello", "axum-router"] {
        let manifest = workspace_root()
            .join("examples")
            .join(example)
            .join("Cargo.toml");
        let mut command = cli();
        command.args(["test", "--manifest-path"]).arg(&manifest);
        let ran = run(command, &format!("cargo polyfaas test ({example})"));
        println!("== {example}\n{}", ran.stdout);
        let header = ran.stdout.lines().next().unwrap_or_default();
        assert_eq!(
            header.split_whitespace().collect::<Vec<_>>(),
            ["event", "local", "aws", "gcp", "azure", "openwhisk"],
            "{}",
            ran.all
        );
        let events = std::fs::read_dir(manifest.with_file_name("tests/events"))
            .unwrap()
            .count();
        // A header line, one line per event, a blank line, the verdict.
        assert_eq!(ran.stdout.lines().count(), events + 3, "{}", ran.all);
        assert!(!ran.stdout.contains('≠'), "{}", ran.all);
        assert!(
            ran.stdout.ends_with("every platform answered alike\n"),
            "{}",
            ran.all
        );
    }
}

/// Answers every HTTP request alike, except that on Azure the greeting says so.
const ODD_ONE_OUT: &str = r#"use polyfaas::{Context, Error, Event, Response};

async fn handle(event: Event, ctx: Context) -> Result<Response, Error> {
    let greeting = match ctx.provider().to_string().as_str() {
        "azure" => "hello from azure",
        _ => "hello",
    };
    Ok(Response::text(format!("{greeting}: {}", event.kind())))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    polyfaas::run(polyfaas::handler_fn(handle)).await
}
"#;

#[test]
fn a_platform_that_answers_differently_is_marked_and_fails_the_command() {
    let function = FunctionCrate::new("odd-one-out", ODD_ONE_OUT);
    let events = function.path.join("tests/events");
    std::fs::create_dir_all(&events).unwrap();
    std::fs::write(
        events.join("greet.json"),
        r#"{"kind": "http", "method": "GET", "path": "/", "headers": {"host": ["example.com"]}}"#,
    )
    .unwrap();
    std::fs::write(
        events.join("nightly.json"),
        r#"{"kind": "invoke", "payload": {"job": "nightly"}}"#,
    )
    .unwrap();
    let output = function
        .cli(&[
            "test",
            "--platform",
            "aws",
            "--platform",
            "azure",
            "--platform",
            "gcp",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}\n{stderr}");
    assert!(!output.status.success(), "{stdout}{stderr}");
    assert_eq!(marked(&stdout, "greet"), ["azure"], "{stdout}");
    // A text result is the same text whether the platform hands it over JSON-encoded (Lambda,
    // Azure) or as it is (Cloud Run): only Azure's differs.
    assert_eq!(marked(&stdout, "nightly"), ["azure"], "{stdout}");
    assert!(
        stdout.contains("greet on azure differs: 200 hello from azure: http"),
        "{stdout}"
    );
    assert!(
        stdout.contains("body (the others): hello: http"),
        "{stdout}"
    );
    assert!(
        stderr.contains("the platforms do not all answer alike"),
        "{stderr}"
    );

    // An empty folder is refused, saying how to fill it.
    let empty = function.path.join("no-events");
    std::fs::create_dir_all(&empty).unwrap();
    let output = function
        .cli(&["test", empty.to_str().unwrap(), "--platform", "aws"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("has no event files"), "{stderr}");
    assert!(stderr.contains("cargo polyfaas dev --record"), "{stderr}");
}
