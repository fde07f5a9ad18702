//! The one invocation skeleton: the context it builds, deadlines, panics, scratch files, blob
//! events as local files, and how each outcome is classified.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use polyfaas_core::blob::{Blobs, MemoryStore};
use polyfaas_core::layer::CatchPanicLayer;
use polyfaas_core::{
    handler_fn, BadInput, BlobChange, BlobEvent, Context, Error, Event, Extra, FailureKind,
    Handler, Invocation, Invoker, Provider, Response, PANIC_MESSAGE,
};
use tower::Layer;

fn invoker(handler: impl Handler, scratch: &std::path::Path, blobs: Blobs) -> Invoker {
    Invoker::builder(Provider::LOCAL, handler)
        .scratch_base(scratch)
        .blobs(blobs)
        .build()
}

fn memory() -> Blobs {
    Blobs::new(MemoryStore::new())
}

fn blob_created(key: &str) -> Event {
    Event::Blob(BlobEvent::new(BlobChange::Created, "bucket", key))
}

fn scratch_is_empty(dir: &std::path::Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |mut entries| entries.next().is_none())
}

/// Records the local path a handler saw, then does what `then` says.
fn path_recorder(
    seen: Arc<Mutex<Option<PathBuf>>>,
    then: &'static str,
) -> impl polyfaas_core::Handler {
    handler_fn(move |event: Event, ctx: Context| {
        let seen = seen.clone();
        async move {
            let Event::Blob(blob) = event else {
                return Err(Error::msg("not a blob"));
            };
            let path = blob.local_path(&ctx).await?.to_owned();
            // A second call gives the same file without downloading again.
            assert_eq!(blob.local_path(&ctx).await?, path);
            let bytes = tokio::fs::read(&path).await?;
            *seen.lock().unwrap() = Some(path);
            match then {
                "error" => Err(Error::msg("handler failed")),
                "panic" => panic!("handler panicked"),
                _ => Ok(Response::bytes(bytes)),
            }
        }
    })
}

#[tokio::test]
async fn local_path_downloads_through_the_store_and_is_removed_afterwards() {
    for outcome in ["ok", "error", "panic"] {
        let scratch = tempfile::tempdir().unwrap();
        let blobs = Blobs::new(MemoryStore::new());
        blobs
            .put("in/photo 1.jpg", vec![0u8, 255, 7])
            .await
            .unwrap();
        let seen = Arc::new(Mutex::new(None));
        let invoker = invoker(path_recorder(seen.clone(), outcome), scratch.path(), blobs);

        let result = invoker
            .invoke(blob_created("in/photo 1.jpg"), Invocation::new())
            .await;

        let path = seen
            .lock()
            .unwrap()
            .clone()
            .expect("the handler saw a path");
        assert!(path.starts_with(scratch.path()), "{path:?}");
        assert!(
            path.to_string_lossy().ends_with("photo_1.jpg"),
            "keeps the extension: {path:?}"
        );
        assert!(
            !path.exists(),
            "{outcome}: the file outlived the invocation"
        );
        assert!(
            scratch_is_empty(scratch.path()),
            "{outcome}: scratch dir left behind"
        );
        match outcome {
            "ok" => assert_eq!(&result.unwrap().body()[..], &[0, 255, 7]),
            "error" => assert_eq!(result.unwrap_err().message(), "handler failed"),
            _ => assert_eq!(result.unwrap_err().kind(), FailureKind::Panic),
        }
    }
}

#[tokio::test]
async fn a_file_handed_over_by_the_platform_is_used_as_is_and_removed() {
    let scratch = tempfile::tempdir().unwrap();
    let handler = handler_fn(|event: Event, ctx: Context| async move {
        let Event::Blob(blob) = event else {
            unreachable!()
        };
        Ok::<_, Error>(Response::bytes(
            tokio::fs::read(blob.local_path(&ctx).await?).await?,
        ))
    });
    let invoker = invoker(handler, scratch.path(), memory());
    // As the Azure shim does: the context first, the trigger's content written into it, then run.
    let ctx = invoker.context(Invocation::new());
    let file = ctx.scratch_file("upload.bin").unwrap();
    std::fs::write(&file, b"from the trigger").unwrap();
    let event =
        BlobEvent::new(BlobChange::Created, "c", "not/in/the/store").with_local_file(file.clone());
    let response = invoker.run(Event::Blob(event), ctx).await.unwrap();
    assert_eq!(&response.body()[..], b"from the trigger");
    assert!(!file.exists());
}

#[tokio::test]
async fn a_missing_object_is_an_error_naming_the_key() {
    let scratch = tempfile::tempdir().unwrap();
    let handler = handler_fn(|event: Event, ctx: Context| async move {
        let Event::Blob(blob) = event else {
            unreachable!()
        };
        blob.local_path(&ctx).await?;
        Ok::<_, Error>(Response::ok())
    });
    let invoker = invoker(handler, scratch.path(), memory());
    let err = invoker
        .invoke(blob_created("gone.txt"), Invocation::new())
        .await
        .unwrap_err();
    assert_eq!(
        (err.error_type(), err.status().as_u16()),
        ("BlobError", 500)
    );
    assert!(err.message().contains("\"gone.txt\""), "{err}");
    let err = invoker
        .invoke(blob_created("../../etc/passwd"), Invocation::new())
        .await
        .unwrap_err();
    assert!(err.message().contains("invalid blob key"), "{err}");
    assert!(scratch_is_empty(scratch.path()));
}

#[tokio::test]
async fn a_handler_past_its_deadline_is_cancelled_with_a_timeout() {
    let finished = Arc::new(Mutex::new(false));
    let flag = finished.clone();
    let handler = handler_fn(move |_e: Event, _c: Context| {
        let flag = flag.clone();
        async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            *flag.lock().unwrap() = true;
            Ok::<_, Error>(Response::ok())
        }
    });
    // The invoker's default timeout applies when the platform gives no deadline.
    let invoker = Invoker::builder(Provider::LOCAL, handler)
        .timeout(Some(Duration::from_millis(50)))
        .build();
    let err = invoker
        .invoke(Event::Invoke(serde_json::Value::Null), Invocation::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), FailureKind::Timeout);
    assert_eq!((err.error_type(), err.status().as_u16()), ("Timeout", 504));
    assert!(err.message().contains("deadline"), "{err}");
    assert!(!*finished.lock().unwrap());

    // The platform's deadline wins over the default; one already in the past fails at once.
    let err = invoker
        .invoke(
            Event::Invoke(serde_json::Value::Null),
            Invocation::new().deadline_ms(Some(1)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), FailureKind::Timeout);
}

#[tokio::test]
async fn a_panic_before_the_handlers_future_exists_is_caught_too() {
    // The function panics when called, before it returns its future.
    let handler = handler_fn(|event: Event, _c: Context| {
        if matches!(&event, Event::Invoke(v) if v == "now") {
            panic!("while making the future");
        }
        std::future::ready(Ok::<_, Error>(Response::text("fine")))
    });
    let caught = CatchPanicLayer.layer(handler);
    let ctx = || Context::builder(Provider::LOCAL, "r").build();
    assert_eq!(
        caught
            .call(Event::Invoke("now".into()), ctx())
            .await
            .unwrap_err()
            .to_string(),
        "the handler panicked: while making the future"
    );
    let invoker = Invoker::builder(Provider::LOCAL, handler).build();
    let failure = invoker
        .invoke(
            Event::Invoke("now".into()),
            Invocation::new().request_id("r-7"),
        )
        .await
        .unwrap_err();
    assert_eq!(failure.kind(), FailureKind::Panic);
    let next = invoker
        .invoke(Event::Invoke("later".into()), Invocation::new())
        .await
        .unwrap();
    assert_eq!(&next.body()[..], b"fine");
}

#[tokio::test]
async fn panics_with_any_payload_are_reported_and_the_next_call_works() {
    let handler = handler_fn(|event: Event, _c: Context| async move {
        match event {
            Event::Invoke(v) if v == "str" => panic!("static text"),
            Event::Invoke(v) if v == "string" => panic!("formatted {}", 42),
            Event::Invoke(v) if v == "other" => std::panic::panic_any(7_u32),
            _ => Ok::<_, Error>(Response::text("fine")),
        }
    });
    // The panic layer keeps the text (for the log) ...
    let caught = CatchPanicLayer.layer(handler);
    let call = |v: &str| {
        caught.call(
            Event::Invoke(v.into()),
            Context::builder(Provider::LOCAL, "r").build(),
        )
    };
    assert_eq!(
        call("str").await.unwrap_err().to_string(),
        "the handler panicked: static text"
    );
    assert_eq!(
        call("string").await.unwrap_err().to_string(),
        "the handler panicked: formatted 42"
    );
    assert_eq!(
        call("other").await.unwrap_err().to_string(),
        "the handler panicked: a panic with a non-text payload"
    );
    assert_eq!(&call("fine").await.unwrap().body()[..], b"fine");

    // ... and the invoker keeps it from the caller, naming the request id instead.
    let invoker = Invoker::builder(Provider::LOCAL, caught).build();
    let failure = invoker
        .invoke(
            Event::Invoke("string".into()),
            Invocation::new().request_id("r-42"),
        )
        .await
        .unwrap_err();
    assert_eq!(failure.kind(), FailureKind::Panic);
    assert_eq!(failure.error_type(), "Panic");
    assert_eq!(
        failure.message(),
        format!("{PANIC_MESSAGE} (request id r-42)")
    );
    let fine = invoker
        .invoke(Event::Invoke("fine".into()), Invocation::new())
        .await;
    assert_eq!(&fine.unwrap().body()[..], b"fine");
}

#[tokio::test]
async fn closures_may_return_any_response_type() {
    async fn call(handler: impl Handler) -> Result<Response, polyfaas_core::Failure> {
        Invoker::builder(Provider::LOCAL, handler)
            .build()
            .invoke(Event::Invoke(1.into()), Invocation::new())
            .await
    }
    let json =
        handler_fn(|_e: Event, _c: Context| async { Ok::<_, Error>(serde_json::json!({"a": 1})) });
    let r = call(json).await.unwrap();
    assert_eq!(r.content_type(), Some("application/json"));
    let status =
        handler_fn(|_e: Event, _c: Context| async { Ok::<_, Error>(http::StatusCode::ACCEPTED) });
    assert_eq!(call(status).await.unwrap().status(), 202);
    let boxed = handler_fn(|_e: Event, _c: Context| async {
        Err::<Response, _>(Box::<dyn std::error::Error + Send + Sync>::from(
            "boxed failure",
        ))
    });
    let err = call(boxed).await.unwrap_err();
    assert_eq!(
        (err.error_type(), err.message(), err.status().as_u16()),
        ("HandlerError", "boxed failure", 500)
    );
}

#[derive(Clone, Debug, serde::Serialize)]
struct Stage(&'static str);
impl Extra for Stage {
    const NAME: &'static str = "test.stage";
}

#[tokio::test]
async fn the_context_carries_what_the_platform_told_and_the_invokers_defaults() {
    let handler = handler_fn(|_e: Event, ctx: Context| async move {
        Response::json(&serde_json::json!({
            "request_id": ctx.request_id(),
            "function": ctx.function_name(),
            "deadline_ms": ctx.deadline_ms(),
            "trace_id": ctx.trace_id(),
            "provider": ctx.provider().as_str(),
            "stage": ctx.extra::<Stage>().map(|s| s.0),
            "extras": ctx.extras().to_json(),
        }))
    });
    let invoker = Invoker::builder(Provider::GCP, handler)
        .function_name(Some("configured".into()))
        .timeout(Some(Duration::from_secs(60)))
        .build();
    let seen = |r: Result<Response, polyfaas_core::Failure>| -> serde_json::Value {
        serde_json::from_slice(r.unwrap().body()).unwrap()
    };

    let given = seen(
        invoker
            .invoke(
                Event::Invoke(1.into()),
                Invocation::new()
                    .request_id("exec-7")
                    .function_name("per-call")
                    .deadline_ms(Some(4_102_444_800_000))
                    .trace_id(Some("4bf92f3577b34da6a3ce929d0e0e4736".into()))
                    .extra(Stage("prod")),
            )
            .await,
    );
    assert_eq!(given["request_id"], "exec-7");
    assert_eq!(given["function"], "per-call");
    assert_eq!(given["deadline_ms"], 4_102_444_800_000_u64);
    assert_eq!(given["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(given["provider"], "gcp");
    assert_eq!(given["stage"], "prod");
    assert_eq!(given["extras"], serde_json::json!({"test.stage": "prod"}));

    let defaulted = seen(
        invoker
            .invoke(Event::Invoke(1.into()), Invocation::new().request_id(""))
            .await,
    );
    let id = defaulted["request_id"].as_str().unwrap();
    assert!(id.starts_with("gcp-"), "a generated id: {id}");
    assert_eq!(defaulted["function"], "configured");
    assert_eq!(defaulted["trace_id"], serde_json::Value::Null);
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let deadline = defaulted["deadline_ms"].as_u64().unwrap();
    assert!(
        deadline > now_ms + 50_000 && deadline <= now_ms + 60_000,
        "{deadline}"
    );
}

#[tokio::test]
async fn input_a_shim_cannot_decode_is_refused_as_bad_input() {
    let handler = handler_fn(|_e: Event, _c: Context| async { Ok::<_, Error>(Response::ok()) });
    let invoker = Invoker::builder(Provider::AWS, handler).build();
    let failure = invoker.refuse(
        &BadInput::at("Records[0].body", "not valid base64"),
        Some("r-1"),
    );
    assert_eq!(failure.kind(), FailureKind::BadInput);
    assert!(failure.is_caller_error());
    assert_eq!(
        (failure.status().as_u16(), failure.error_type()),
        (400, "InvalidEvent")
    );
    assert_eq!(failure.message(), "Records[0].body: not valid base64");
    assert_eq!(
        failure.to_json(),
        serde_json::json!({"error": {"type": "InvalidEvent", "message": "Records[0].body: not valid base64"}})
    );
}

#[tokio::test]
async fn outputs_reach_the_shim_only_where_the_platform_writes_them() {
    let handler = || {
        handler_fn(|_event: Event, _ctx: Context| async {
            Ok::<_, Error>(
                Response::text("done")
                    .with_output("queue", "hello")
                    .with_output("doc", serde_json::json!({"id": 1})),
            )
        })
    };
    let event = || Event::Invoke(serde_json::json!({}));
    // Elsewhere than Azure: the response is delivered, its outputs dropped (with a warning).
    let dropping = Invoker::builder(Provider::LOCAL, handler()).build();
    let response = dropping.invoke(event(), Invocation::new()).await.unwrap();
    assert_eq!(response.body().as_ref(), b"done");
    assert!(response.outputs().is_empty());
    // Azure's shim builds its invoker with output bindings: it gets them.
    let writing = Invoker::builder(Provider::AZURE, handler())
        .output_bindings(true)
        .build();
    let mut response = writing.invoke(event(), Invocation::new()).await.unwrap();
    let outputs = response.take_outputs();
    assert_eq!(outputs.keys().collect::<Vec<_>>(), ["doc", "queue"]);
    assert_eq!(
        outputs["queue"],
        polyfaas_core::Output::Text("hello".into())
    );
    assert!(response.outputs().is_empty());
}
