//! `cargo polyfaas invoke`: every sample event of every platform sent to `examples/echo` under
//! that platform's emulator, echo's canonical answer matching the parameters the sample was made
//! from; `--data`, `--print-event`, `--list`, a failing invocation; and the command line itself
//! printing echo's canonical `schedule` event on every platform.

mod support;

use polyfaas_cli::invoke::{self, Request};
use polyfaas_cli::marks;
use polyfaas_cli::project::Project;
use polyfaas_testkit::echo::{check, reported_event};
use polyfaas_testkit::logical::Kind;
use polyfaas_testkit::{sample, Params, Platform};
use serde_json::{json, Value};
use support::{cli, run, workspace_root};

fn echo() -> Project {
    Project::locate(Some(&workspace_root().join("examples/echo/Cargo.toml")))
        .expect("describe examples/echo")
}

/// Parameters that change every field a sample of `kind` has in common on every platform, so
/// the check shows they arrive.
fn params_for(kind: Kind, deleted: bool) -> &'static [&'static str] {
    match kind {
        Kind::Http => &[
            "method=POST",
            "path=/orders/7",
            "query=expand=items&a=1",
            "header.x-tenant=acme",
            "body=hello",
        ],
        Kind::Blob if deleted => &["bucket=photos", "key=cats/gone 1.png"],
        Kind::Blob => &["bucket=photos", "key=cats/tom 1.png", "content=meow"],
        Kind::Message => &["id=m-42", "body=order 42"],
        Kind::Change => &["id=c-42", "new.status=shipped"],
        Kind::Schedule => &["name=hourly", "time=2026-05-01T03:00:00Z"],
        Kind::Invoke => &["payload.order=42"],
        // Authorizer samples differ in what they carry (a token, a request); their defaults.
        Kind::Authorize => &[],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sample_of_every_platform_reaches_echo_as_its_parameters_describe() {
    let project = echo();
    let mut failures = Vec::new();
    let mut checked = 0;
    for platform in Platform::ALL {
        for sample in sample::list(platform) {
            let deleted = sample.name.contains("delete");
            let params = params_for(sample.kind, deleted);
            let mut request = Request::sample(platform, sample.name);
            for param in params {
                request = request.set(*param);
            }
            let invoked = invoke::invoke(&project, &request, false, &[])
                .await
                .unwrap_or_else(|e| panic!("invoke {platform} {}: {e}", sample.name));
            checked += 1;
            assert_eq!(invoked.sample, sample);
            let expected = sample
                .event(&Params::parse(params).expect("parameters"))
                .expect("the sample's event");
            let answer = &invoked.answer;
            let outcome = check(platform, &expected, &invoked.encoded, answer);
            if let Err(problem) = outcome {
                failures.push(format!("{platform} {}: {problem}", sample.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 60, "only {checked} samples");
}

#[test]
fn the_command_prints_echos_canonical_schedule_event_on_every_platform() {
    let manifest = workspace_root().join("examples/echo/Cargo.toml");
    for platform in Platform::ALL {
        let mut command = cli();
        command
            .args([
                "invoke",
                "--platform",
                platform.name(),
                "--event",
                "schedule",
            ])
            .arg("--manifest-path")
            .arg(&manifest);
        let ran = run(
            command,
            &format!("invoke --platform {platform} --event schedule"),
        );
        // The native answer is on stdout: a status or request line, then echo's document (in
        // Azure's envelope, its ReturnValue).
        let native: Value = ran
            .stdout
            .find('{')
            .and_then(|at| {
                serde_json::Deserializer::from_str(&ran.stdout[at..])
                    .into_iter()
                    .next()
            })
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("{platform}: no JSON answer:\n{}", ran.all));
        let document = match platform {
            Platform::Azure => native["ReturnValue"].clone(),
            _ => native,
        };
        assert_eq!(document["provider"], platform.name(), "{}", ran.all);
        let event = &document["event"];
        // Every platform's schedule arrives as one: where the call cannot be told from another
        // (Cloud Scheduler, OpenWhisk alarms) by the mark the generated deployment puts on it.
        assert_eq!(event["kind"], "schedule", "{platform}:\n{}", ran.all);
        assert_eq!(event["name"], "nightly", "{platform}:\n{}", ran.all);
        // The function's own log lines follow on stderr.
        assert!(ran.all.contains("Sent "), "{}", ran.all);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_from_a_file_replaces_the_samples_native_data() {
    let project = echo();
    let dir = tempfile::tempdir().unwrap();
    // A Lambda payload of your own: an EventBridge event of a custom rule.
    let payload = dir.path().join("scheduled.json");
    std::fs::write(
        &payload,
        json!({"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
               "detail-type": "Scheduled Event", "source": "aws.events", "account": "123456789012",
               "time": "2026-07-04T12:00:00Z", "region": "eu-west-1",
               "resources": ["arn:aws:events:eu-west-1:123456789012:rule/fireworks"], "detail": {}})
        .to_string(),
    )
    .unwrap();
    let invoked = invoke::invoke(
        &project,
        &Request::sample(Platform::Aws, "schedule").data(&payload),
        false,
        &[],
    )
    .await
    .unwrap();
    let event = reported_event(&invoked.answer, "aws").unwrap();
    assert_eq!(
        event,
        json!({"kind": "schedule", "name": "fireworks", "time": "2026-07-04T12:00:00Z"})
    );

    // OpenWhisk: the file is the activation's parameters.
    let params = dir.path().join("params.json");
    std::fs::write(&params, r#"{"order": 9, "rush": true}"#).unwrap();
    let invoked = invoke::invoke(
        &project,
        &Request::sample(Platform::OpenWhisk, "invoke").data(&params),
        false,
        &[],
    )
    .await
    .unwrap();
    let event = reported_event(&invoked.answer, "openwhisk").unwrap();
    assert_eq!(event["payload"], json!({"order": 9, "rush": true}));

    // Data that is not what the platform takes is refused, naming the file and what it needs.
    let text = dir.path().join("text.txt");
    std::fs::write(&text, "not json").unwrap();
    let err = invoke::encode(&Request::sample(Platform::Azure, "queue").data(&text))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!(
            "{}: azure takes the invocation envelope",
            text.display()
        )),
        "{err}"
    );
    let err = invoke::encode(
        &Request::sample(Platform::Aws, "http").data(dir.path().join("missing.json")),
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("cannot read "), "{err}");
}

#[test]
fn print_event_list_and_refusals() {
    // --print-event: the native event, nothing built.
    let mut command = cli();
    command.args([
        "invoke",
        "--platform",
        "gcp",
        "--event",
        "schedule",
        "--set",
        "name=hourly",
        "--print-event",
    ]);
    let ran = run(command, "invoke --print-event");
    assert!(
        ran.stdout
            .starts_with("# FUNCTION_SIGNATURE_TYPE=http\nPOST / HTTP/1.1\n"),
        "{}",
        ran.all
    );
    assert!(
        ran.stdout
            .contains(&format!("{}: hourly", marks::HTTP_HEADER)),
        "{}",
        ran.all
    );
    assert!(!ran.all.contains("Building"), "{}", ran.all);

    let mut command = cli();
    command.args([
        "invoke",
        "--platform",
        "openwhisk",
        "--event",
        "schedule",
        "--print-event",
    ]);
    let ran = run(command, "invoke --print-event openwhisk");
    assert!(
        ran.stdout
            .contains(&format!("\"{}\": \"nightly\"", marks::OPENWHISK_PARAMETER)),
        "{}",
        ran.all
    );

    // --list: every platform's samples, the stable names marked.
    let mut command = cli();
    command.args(["invoke", "--list"]);
    let ran = run(command, "invoke --list");
    for platform in Platform::ALL {
        for sample in sample::list(platform) {
            let name = if sample.stable {
                format!("{}*", sample.name)
            } else {
                sample.name.to_owned()
            };
            let line = ran.stdout.lines().find(|l| {
                let mut words = l.split_whitespace();
                words.next() == Some(platform.name()) && words.next() == Some(name.as_str())
            });
            assert!(
                line.is_some(),
                "{platform} {name} not listed:\n{}",
                ran.stdout
            );
        }
    }

    // Unknown names and bad parameters say what there is.
    let refused = cli()
        .args([
            "invoke",
            "--platform",
            "azure",
            "--event",
            "sqs",
            "--print-event",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("azure has no sample event \"sqs\"; it has http, "),
        "{stderr}"
    );
    let refused = cli()
        .args([
            "invoke",
            "--platform",
            "aws",
            "--event",
            "schedule",
            "--set",
            "bucket=x",
            "--print-event",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("\"bucket\" is not a field of schedule events; use name, time"),
        "{stderr}"
    );
    let refused = cli()
        .args(["invoke", "--platform", "lambda", "--event", "http"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("use local, aws, gcp, azure or openwhisk"),
        "{stderr}"
    );
}

#[test]
fn a_failed_invocation_is_printed_and_fails_the_command() {
    let manifest = workspace_root().join("examples/echo/Cargo.toml");
    let output = cli()
        .args([
            "invoke",
            "--platform",
            "aws",
            "--event",
            "invoke",
            "--set",
            "payload.echo_fail=error",
            "--manifest-path",
        ])
        .arg(&manifest)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stdout}{stderr}");
    // Lambda's error report, then the function's log of the failure.
    assert!(
        stdout.starts_with("POST /runtime/invocation/<id>/error"),
        "{stdout}"
    );
    assert!(stdout.contains("echo failed on purpose"), "{stdout}");
    assert!(
        stderr.contains("error: the invocation failed: "),
        "{stderr}"
    );
    assert!(stderr.contains("--- std"), "the function's logs: {stderr}");
}

#[test]
fn data_dash_is_read_from_standard_input() {
    use std::io::Write;
    use std::process::Stdio;
    // `--data -`: the activation's parameters come from stdin; --print-event shows what would be
    // sent, without building.
    let mut command = cli();
    command
        .args([
            "invoke",
            "--platform",
            "openwhisk",
            "--event",
            "invoke",
            "--data",
            "-",
            "--print-event",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("start cargo-polyfaas");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(br#"{"order": 7, "from_stdin": "yes"}"#)
        .expect("write stdin");
    let output = child.wait_with_output().expect("wait for cargo-polyfaas");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let all = format!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{all}");
    assert!(stdout.contains("from_stdin"), "{all}");
    assert!(
        stdout.contains("\"order\": 7") || stdout.contains("\"order\":7"),
        "{all}"
    );
    assert!(!all.contains("Building"), "{all}");
}
