//! The project's own fixtures (`conformance-tests/fixtures/gcp/*.json`), one file per
//! conversion rule family, each case a request and what echo must answer.
//!
//! A case: `name`, `signature` (`http`, `cloudevent`, `event`), optional `objects` (key →
//! text, put into the blob store first), `request` (see [`request_from`]) and `expect`:
//! `status`; optional `headers` (lower-case name → value), `request_id`, `event` (the exact
//! canonical event echo reports; `host` is left out of http events), `error_type`,
//! `error_contains`, `body_not_contains`.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use bytes::Bytes;
use conformance_tests::build::workspace_root;
use polyfaas_testkit::client::send;
use serde_json::Value;

use polyfaas_testkit::gcp::{request_from, text, FunctionsFramework as Echo};

use crate::start;

fn fixture_dir() -> PathBuf {
    workspace_root().join("conformance-tests/fixtures/gcp")
}

/// Every case of every file, as (file name, case).
fn cases() -> Vec<(String, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .expect("conformance-tests/fixtures/gcp")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{name}: {e}"));
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            doc["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{name} says what it covers"
        );
        let cases = doc["cases"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: cases"));
        assert!(!cases.is_empty(), "{name} has cases");
        for case in cases {
            out.push((name.clone(), case.clone()));
        }
    }
    out
}

/// Checks a response against a case's `expect`.
fn check(expect: &Value, response: &http::Response<Bytes>) -> Result<(), String> {
    let status = expect["status"].as_u64().ok_or("expect.status")?;
    if u64::from(response.status().as_u16()) != status {
        return Err(format!(
            "status {} instead of {status}: {}",
            response.status(),
            text(response)
        ));
    }
    if let Some(headers) = expect["headers"].as_object() {
        for (name, value) in headers {
            let actual = response
                .headers()
                .get(name.as_str())
                .map(|v| v.to_str().unwrap_or("?"));
            if actual != value.as_str() {
                return Err(format!("header {name}: {actual:?} instead of {value}"));
            }
        }
    }
    let body_text = text(response);
    if let Some(forbidden) = expect["body_not_contains"].as_str() {
        if body_text.contains(forbidden) {
            return Err(format!("the body contains {forbidden:?}: {body_text}"));
        }
    }
    let document = || -> Result<Value, String> {
        serde_json::from_slice(response.body()).map_err(|e| format!("not JSON ({e}): {body_text}"))
    };
    if let Some(expected) = expect.get("event") {
        let document = document()?;
        if document["provider"] != "gcp" {
            return Err(format!("provider: {}", document["provider"]));
        }
        if document["context"]["function"] != "echo" {
            return Err(format!(
                "context.function: {}",
                document["context"]["function"]
            ));
        }
        if let Some(id) = expect["request_id"].as_str() {
            if document["context"]["request_id"] != id {
                return Err(format!(
                    "request_id {} instead of {id}",
                    document["context"]["request_id"]
                ));
            }
        }
        let mut actual = document["event"].clone();
        if actual["kind"] == "http" {
            if let Some(headers) = actual["headers"].as_object_mut() {
                headers.remove("host");
            }
        }
        if &actual != expected {
            return Err(format!(
                "event differs\n  expected: {expected}\n  actual:   {actual}"
            ));
        }
    }
    if let Some(error_type) = expect["error_type"].as_str() {
        let document = document()?;
        let error = &document["error"];
        if error["type"] != error_type {
            return Err(format!(
                "error.type {} instead of {error_type}: {body_text}",
                error["type"]
            ));
        }
        let contains = expect["error_contains"].as_str().unwrap_or_default();
        if !error["message"]
            .as_str()
            .is_some_and(|m| m.contains(contains))
        {
            return Err(format!(
                "error.message does not contain {contains:?}: {body_text}"
            ));
        }
    }
    Ok(())
}

#[tokio::test]
async fn every_project_fixture_case_passes() {
    let cases = cases();
    let mut names = HashSet::new();
    for (file, case) in &cases {
        let name = case["name"].as_str().expect("a case has a name");
        assert!(
            names.insert(format!("{file}: {name}")),
            "duplicate case {file}: {name}"
        );
        assert!(
            case["expect"]["status"].is_u64(),
            "{file}: {name}: expect.status"
        );
    }
    let mut echos: BTreeMap<String, Echo> = BTreeMap::new();
    let mut failures = Vec::new();
    for (file, case) in &cases {
        let name = case["name"].as_str().unwrap_or_default();
        let signature = case["signature"].as_str().expect("signature").to_owned();
        let echo = echos
            .entry(signature.clone())
            .or_insert_with(|| start(&signature, &[]));
        if let Some(objects) = case["objects"].as_object() {
            for (key, content) in objects {
                echo.put_object(key, content.as_str().expect("object text").as_bytes());
            }
        }
        let response = send(
            echo.addr,
            request_from(&case["request"]).unwrap_or_else(|e| panic!("{file}: {name}: {e}")),
        )
        .await;
        if let Err(problem) = check(&case["expect"], &response) {
            failures.push(format!("{file}: {name} ({signature}): {problem}"));
        }
    }
    for (signature, echo) in echos.iter_mut() {
        assert!(
            echo.process.is_running(),
            "the {signature} function died\n{}",
            echo.process.output()
        );
        assert!(
            echo.scratch_is_empty(),
            "a local blob file outlived its invocation"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixture cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(cases.len() >= 60, "only {} cases", cases.len());
}

#[test]
fn the_fixtures_cover_every_conversion_rule() {
    let cases = cases();
    let all: String = cases
        .iter()
        .map(|(_, case)| case.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    for needle in [
        "google.cloud.storage.object.v1.finalized",
        "google.cloud.storage.object.v1.deleted",
        "google.storage.object.finalize",
        "google.storage.object.delete",
        "providers/cloud.storage/eventTypes/object.change",
        "google.cloud.pubsub.topic.v1.messagePublished",
        "google.pubsub.topic.publish",
        "providers/cloud.pubsub/eventTypes/topic.publish",
        "\"subscription\"",
        "providers/cloud.firestore/eventTypes/",
        "google.cloud.firestore.document.v1.",
        "providers/google.firebase.database/eventTypes/",
        "google.firebase.database.ref.v1.",
        "providers/firebase.auth/eventTypes/",
        "google.firebase.auth.user.v1.",
        "providers/google.firebase.analytics/eventTypes/event.log",
        "application/cloudevents+json",
        "\"ce-id\"",
        "\"context\"",
        "\"status\":400",
        "\"status\":500",
    ] {
        assert!(all.contains(needle), "no fixture case has {needle}");
    }
}
