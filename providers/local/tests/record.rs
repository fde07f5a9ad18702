//! The record hook (`POLYFAAS_RECORD_DIR`, `LocalConfig::record_dir`): every event the provider
//! receives is written in the record format before it is handled, and replaying the files
//! through the same handler in process gives the same answers.

use std::path::PathBuf;

use polyfaas_core::canonical;
use polyfaas_core::{handler_fn, Context, Error, Event, Response};
use polyfaas_local::{serve_on, LocalConfig};
use polyfaas_testkit::client::{get, post_json, send};
use polyfaas_testkit::record::read_dir;
use serde_json::json;

/// Answers with the event's canonical JSON, so the answer shows what the handler was given.
async fn canonical_answer(event: Event, _ctx: Context) -> Result<Response, Error> {
    if let Event::Invoke(payload) = &event {
        if payload["fail"] == true {
            return Err(Error::msg("asked to fail"));
        }
    }
    Response::json(&canonical::to_json(&event))
}

struct Running {
    addr: std::net::SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), Error>>,
}

async fn start(record_dir: Option<PathBuf>) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = LocalConfig::default();
    config.record_dir = record_dir;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve_on(
        listener,
        handler_fn(canonical_answer),
        config,
        async move {
            let _ = stopped.await;
        },
    ));
    Running { addr, stop, task }
}

#[tokio::test]
async fn every_event_received_is_recorded_and_replays_to_the_same_answers() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events");
    let server = start(Some(events.clone())).await;
    let addr = server.addr;

    let mut answers = Vec::new();
    answers.push(get(addr, "/items/7?a=1&a=2").await);
    let upload = http::Request::post("/upload/caf%C3%A9")
        .header("content-type", "application/octet-stream")
        .header("x-multi", "one")
        .header("x-multi", "two")
        .body(bytes::Bytes::from_static(&[0, 255, 1]))
        .unwrap();
    answers.push(send(addr, upload).await);
    let fired = [
        json!({"kind": "message", "id": "m1", "source": "orders", "body_base64": "aGk=",
               "attributes": {"origin": "web"}}),
        json!({"kind": "schedule", "name": "nightly", "time": "2026-03-01T02:00:00Z"}),
        json!({"kind": "invoke", "payload": {"fail": true}}),
    ];
    for event in &fired {
        answers.push(post_json(addr, polyfaas_core::EVENTS_PATH, event).await);
    }
    // A malformed event is refused, not recorded.
    let refused = post_json(addr, polyfaas_core::EVENTS_PATH, &json!({"kind": "nope"})).await;
    assert_eq!(refused.status(), 400);
    server.stop.send(()).unwrap();
    server.task.await.unwrap().unwrap();

    let recorded = read_dir(&events).unwrap();
    let names: Vec<String> = recorded.iter().map(|r| r.name()).collect();
    assert_eq!(
        names,
        [
            "000001-http",
            "000002-http",
            "000003-message",
            "000004-schedule",
            "000005-invoke"
        ]
    );
    assert_eq!(recorded[0].event["query"], "a=1&a=2");
    assert_eq!(recorded[1].event["path"], "/upload/café");
    assert_eq!(
        recorded[1].event["headers"]["x-multi"],
        json!(["one", "two"])
    );
    assert_eq!(recorded[1].event["body_base64"], "AP8B");
    assert_eq!(recorded[1].event["source_ip"], "127.0.0.1");
    for (file, sent) in recorded[2..].iter().zip(&fired) {
        for (key, value) in sent.as_object().unwrap() {
            assert_eq!(&file.event[key], value, "{}", file.name());
        }
    }

    // Replayed in process through the same handler: the same answers, the failure included.
    let replayed = polyfaas_testkit::replay(&events, handler_fn(canonical_answer))
        .await
        .unwrap();
    assert_eq!(replayed.len(), answers.len());
    for (replayed, answer) in replayed.iter().zip(&answers) {
        match &replayed.result {
            Ok(response) => {
                assert_eq!(answer.status(), 200, "{}", replayed.name());
                let live: serde_json::Value = serde_json::from_slice(answer.body()).unwrap();
                let again: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
                assert_eq!(live, again, "{}", replayed.name());
            }
            Err(failure) => {
                assert_eq!(answer.status(), 500, "{}", replayed.name());
                assert_eq!(failure.message(), "asked to fail");
            }
        }
    }

    // A restarted provider numbers after the files already there.
    let server = start(Some(events.clone())).await;
    get(server.addr, "/again").await;
    server.stop.send(()).unwrap();
    server.task.await.unwrap().unwrap();
    let recorded = read_dir(&events).unwrap();
    assert_eq!(recorded.last().unwrap().name(), "000006-http");
}

#[tokio::test]
async fn without_a_record_dir_nothing_is_written_and_a_bad_dir_stops_the_start() {
    let server = start(None).await;
    assert_eq!(get(server.addr, "/").await.status(), 200);
    server.stop.send(()).unwrap();
    server.task.await.unwrap().unwrap();

    // A record dir that cannot be made names the variable.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let server = start(Some(file.join("events"))).await;
    let err = server.task.await.unwrap().unwrap_err().to_string();
    assert!(err.contains("POLYFAAS_RECORD_DIR="), "{err}");
    drop(server.stop);
}
