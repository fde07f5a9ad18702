//! The function's log lines in the reply's `Logs`: each with its level first, and the
//! invocation's request id (the host's invocation id) and trace id (of the host's
//! `traceparent`) on every line; a `traceparent` that is not valid is no trace.

use serde_json::{json, Value};

use crate::{fixture, start_host};
use polyfaas_azure::scaffold::{AppScaffold, TriggerSpec};

fn logs_of(reply: &polyfaas_testkit::azure::Reply) -> Vec<String> {
    reply.json()["Logs"]
        .as_array()
        .expect("Logs")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn every_line_carries_its_level_request_id_and_trace_id() {
    let app = AppScaffold::new("echo")
        .function("nightly", TriggerSpec::timer("0 0 2 * * *"))
        .function("invoices", TriggerSpec::service_bus_queue("invoices"));
    let host = start_host(app, &[], &[("RUST_LOG", "debug")]);
    let reply = host
        .invoke("invoices", &fixture("service-bus-request.json"))
        .await
        .unwrap();
    let lines = logs_of(&reply);
    // echo's record line (INFO) and the skeleton's "invocation done" (DEBUG) at least.
    assert!(lines.len() >= 2, "{lines:?}");
    let ids = format!(
        " request_id={} trace_id=4bf92f3577b34da6a3ce929d0e0e4736",
        reply.invocation_id
    );
    for line in &lines {
        let level = line.split(' ').next().unwrap_or_default();
        assert!(
            ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"].contains(&level),
            "{line}"
        );
        assert!(line.ends_with(&ids), "{line}");
    }
    assert!(lines
        .iter()
        .any(|l| l.starts_with("INFO echo: echo record {")));

    // Failed invocations carry them too (the host drops `Logs` of a failed invocation; stderr
    // has the same lines).
    let reply = host
        .invoke(
            "nightly",
            &json!({"Data": {"timer": {}}, "Metadata": {"sys": {"UtcNow": "x"}}}),
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 400);
    let failed = logs_of(&reply);
    assert!(!failed.is_empty());
    assert!(
        failed
            .iter()
            .all(|l| l.contains(&format!("request_id={}", reply.invocation_id))),
        "{failed:?}"
    );
}
