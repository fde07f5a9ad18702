//! Record → replay: events written with the record format come back, in order, through a
//! handler run in process, as the events that were recorded.

use polyfaas_core::{canonical, handler_fn, Context, Error, Event, Response};
use polyfaas_testkit::logical::Kind;
use polyfaas_testkit::record::{read_dir, Recorder};
use polyfaas_testkit::{sample, Params, Platform, Replay, ReplayError};
use serde_json::{json, Value};

/// Answers with the canonical JSON of what it got (echo, in process).
async fn echo(event: Event, ctx: Context) -> Result<Response, Error> {
    if let Event::Invoke(payload) = &event {
        if payload["panic"] == true {
            panic!("asked to panic");
        }
    }
    Response::json(&json!({"request_id": ctx.request_id(), "event": canonical::to_json(&event)}))
}

#[tokio::test]
async fn recorded_events_replay_as_they_were_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::new(dir.path()).unwrap();
    // Every kind the core reads, with the local samples' values.
    let mut recorded = Vec::new();
    for name in [
        "http",
        "blob-created",
        "blob-deleted",
        "message",
        "schedule",
        "invoke",
    ] {
        let event = sample::find(Platform::Local, name)
            .unwrap()
            .event(&Params::new())
            .unwrap();
        assert_ne!(event.kind(), Kind::Change);
        let json = event.to_json();
        recorder.record(&json).unwrap();
        recorded.push(json);
    }
    // A second recorder continues the numbering.
    let mut later = Recorder::new(dir.path()).unwrap();
    let path = later
        .record(&json!({"kind": "invoke", "payload": {"panic": true}}))
        .unwrap();
    assert!(path.ends_with("000007-invoke.json"), "{}", path.display());
    std::fs::write(dir.path().join("README.md"), "not an event").unwrap();

    let results = polyfaas_testkit::replay(dir.path(), handler_fn(echo))
        .await
        .unwrap();
    assert_eq!(results.len(), 7);
    for (replayed, expected) in results.iter().zip(&recorded) {
        let response = replayed.result.as_ref().unwrap();
        let body: Value = serde_json::from_slice(response.body()).unwrap();
        let mut expected = expected.clone();
        if expected["kind"] == "blob" {
            expected["local_sha256"] = Value::Null;
        }
        assert_eq!(body["event"], expected, "{}", replayed.name());
        assert_eq!(body["request_id"], format!("replay-{}", replayed.name()));
        assert_eq!(replayed.event["kind"], expected["kind"]);
    }
    // A panic is the event's result, not the end of the replay.
    // Classified as on every platform: the text stays in the log, the result names the id.
    let error = results[6].result.as_ref().unwrap_err();
    assert_eq!(error.kind(), polyfaas_core::FailureKind::Panic);
    assert_eq!(
        error.message(),
        format!(
            "{} (request id replay-{})",
            polyfaas_core::PANIC_MESSAGE,
            results[6].name()
        )
    );
}

#[tokio::test]
async fn a_deadline_and_a_store_are_given_to_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::new(dir.path()).unwrap();
    recorder
        .record(&json!({"kind": "invoke", "payload": {}}))
        .unwrap();
    let store = polyfaas_core::blob::Blobs::new(polyfaas_core::blob::MemoryStore::new());
    store.put("seen", "yes").await.unwrap();
    let handler = handler_fn(|_event: Event, ctx: Context| async move {
        let seen = ctx.blobs().get("seen").await?;
        Ok::<_, Error>(Response::text(format!(
            "{} {} {}",
            String::from_utf8_lossy(&seen),
            ctx.remaining().is_some(),
            ctx.function_name().unwrap_or_default()
        )))
    });
    let results = Replay::new(dir.path())
        .blobs(store)
        .timeout(std::time::Duration::from_secs(30))
        .function_name("orders")
        .run(handler)
        .await
        .unwrap();
    assert_eq!(
        results[0].result.as_ref().unwrap().body(),
        "yes true orders"
    );
}

#[tokio::test]
async fn a_bad_file_is_an_error_naming_it_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("001-good.json"),
        r#"{"kind": "invoke", "payload": 1}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("002-bad.json"),
        r#"{"kind": "http", "method": "GET"}"#,
    )
    .unwrap();
    let ran = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = ran.clone();
    let handler = handler_fn(move |_e: Event, _c: Context| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async { Ok::<_, Error>(Response::ok()) }
    });
    let err = polyfaas_testkit::replay(dir.path(), handler.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, ReplayError::Event { .. }));
    let message = err.to_string();
    assert!(
        message.contains("002-bad.json") && message.contains("event.path"),
        "{message}"
    );
    assert_eq!(ran.load(std::sync::atomic::Ordering::SeqCst), 0);

    std::fs::write(dir.path().join("002-bad.json"), "{not json").unwrap();
    let err = read_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("002-bad.json: not JSON"), "{err}");
    let err = polyfaas_testkit::replay(dir.path().join("missing"), handler)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing"), "{err}");
}
