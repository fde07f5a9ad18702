//! Log lines of real invocations: Lambda's JSON format with `AWS_LAMBDA_LOG_FORMAT=JSON`
//! (timestamp, level, message, requestId, xrayTraceId), text otherwise, each line of an
//! invocation carrying its request id and X-Ray trace id; the level from
//! `AWS_LAMBDA_LOG_LEVEL`, `RUST_LOG` winning.

use polyfaas_testkit::aws::{Invocation, LambdaOptions};
use serde_json::{json, Value};

use crate::fixture;

/// Echo with Lambda's log settings (and without the testkit's `RUST_LOG`, unless given), once
/// it has served a first invocation (so its start-up lines are behind).
async fn start_logging(env: &[(&str, &str)]) -> polyfaas_testkit::aws::Lambda {
    let mut options = LambdaOptions::default();
    if !env.iter().any(|(name, _)| *name == "RUST_LOG") {
        options = options.remove("RUST_LOG");
    }
    for (name, value) in env {
        options = options.env(*name, *value);
    }
    let lambda = crate::start_with(options).await;
    lambda.result(fixture("eventbridge-schedule.json")).await;
    lambda
}

/// Invokes and returns the invocation (its ids) and the stderr lines it wrote.
async fn lines_of(
    lambda: &polyfaas_testkit::aws::Lambda,
    payload: impl Into<bytes::Bytes>,
) -> (Invocation, Vec<String>) {
    let invocation = Invocation::new(payload);
    let mark = lambda.process.mark();
    lambda.invoke(invocation.clone()).await.unwrap();
    let logs = lambda.process.logs_since(mark);
    let lines = logs.stderr.lines().map(str::to_owned).collect();
    (invocation, lines)
}

/// Every line as JSON.
fn json_lines(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_lines_in_lambdas_schema_with_request_and_trace_ids() {
    let mut lambda = start_logging(&[
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
        ("AWS_LAMBDA_LOG_LEVEL", "DEBUG"),
    ])
    .await;
    let (invocation, lines) = lines_of(&lambda, fixture("sns.json")).await;
    let lines = json_lines(&lines);
    assert!(!lines.is_empty());
    for line in &lines {
        let timestamp = line["timestamp"].as_str().unwrap_or_default();
        assert!(
            timestamp.len() == 24 && timestamp.ends_with('Z') && timestamp.as_bytes()[10] == b'T',
            "RFC 3339 with milliseconds: {line}"
        );
        assert!(
            ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]
                .contains(&line["level"].as_str().unwrap_or_default()),
            "{line}"
        );
        assert!(line["message"].is_string(), "{line}");
        // Every line the invocation wrote carries its request id and trace id.
        assert_eq!(line["requestId"], invocation.request_id.as_str(), "{line}");
        assert_eq!(
            line["xrayTraceId"],
            invocation.trace_id.as_deref().unwrap(),
            "{line}"
        );
    }
    let record = lines
        .iter()
        .find(|l| {
            l["message"]
                .as_str()
                .unwrap_or_default()
                .starts_with("echo record")
        })
        .expect("echo's record line");
    assert_eq!(record["level"], "INFO");
    assert_eq!(record["logger"], "echo");
    // DEBUG is on: the skeleton's line about the finished invocation, with its fields.
    let done = lines
        .iter()
        .find(|l| l["message"] == "invocation done")
        .unwrap_or_else(|| panic!("a DEBUG line at AWS_LAMBDA_LOG_LEVEL=DEBUG: {lines:#?}"));
    assert_eq!(done["level"], "DEBUG");
    assert_eq!(done["kind"], "message");
    assert_eq!(done["status"], 200);

    // A failed invocation's ERROR line, with its ids.
    let (failing, lines) = lines_of(&lambda, json!({"echo_fail": "error"}).to_string()).await;
    let lines = json_lines(&lines);
    let failed = lines
        .iter()
        .find(|l| l["message"] == "invocation failed")
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert_eq!(failed["level"], "ERROR");
    assert_eq!(failed["requestId"], failing.request_id.as_str());
    assert_eq!(failed["error_type"], "HandlerError");
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_level_comes_from_aws_lambda_log_level_unless_rust_log_is_set() {
    // WARN: an invocation that succeeds writes nothing; one that fails writes its ERROR line.
    let mut lambda = start_logging(&[
        ("AWS_LAMBDA_LOG_FORMAT", "json"),
        ("AWS_LAMBDA_LOG_LEVEL", "WARN"),
    ])
    .await;
    let (_, lines) = lines_of(&lambda, fixture("sns.json")).await;
    assert_eq!(lines, Vec::<String>::new());
    let (_, lines) = lines_of(&lambda, json!({"echo_fail": "error"}).to_string()).await;
    let lines = json_lines(&lines);
    assert!(lines.iter().all(|l| l["level"] == "ERROR"), "{lines:#?}");
    assert!(!lines.is_empty());
    lambda.assert_healthy();

    // RUST_LOG wins, with its per-module directives.
    let mut lambda = start_logging(&[
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
        ("AWS_LAMBDA_LOG_LEVEL", "ERROR"),
        ("RUST_LOG", "echo=info"),
    ])
    .await;
    let (_, lines) = lines_of(&lambda, fixture("sns.json")).await;
    let lines = json_lines(&lines);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["logger"], "echo");
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_lines_name_the_invocations_request_and_trace_ids() {
    let mut lambda = start_logging(&[]).await;
    let (invocation, lines) = lines_of(&lambda, fixture("sns.json")).await;
    let record = lines
        .iter()
        .find(|l| l.contains("echo record"))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(record.contains(" INFO "), "{record}");
    assert!(
        record.contains(&format!("request_id={}", invocation.request_id))
            || record.contains(&format!("request_id=\"{}\"", invocation.request_id)),
        "{record}"
    );
    assert!(
        record.contains(invocation.trace_id.as_deref().unwrap()),
        "{record}"
    );
    assert!(
        serde_json::from_str::<Value>(record).is_err(),
        "text, not JSON: {record}"
    );
    lambda.assert_healthy();
}
