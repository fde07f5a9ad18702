//! The shared invocation path: deadlines, panics, scratch files, blob events as local files.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use polyfaas_core::blob::{Blobs, MemoryStore};
use polyfaas_core::{
    handler_fn, invoke, BlobChange, BlobEvent, Context, Error, Event, Provider, Response,
};

fn ctx(scratch: &std::path::Path, blobs: Blobs) -> Context {
    Context::builder(Provider::LOCAL, "req-1")
        .scratch_base(scratch)
        .blobs(blobs)
        .build()
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
        let handler = path_recorder(seen.clone(), outcome);

        let result = invoke(
            &handler,
            blob_created("in/photo 1.jpg"),
            ctx(scratch.path(), blobs),
        )
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
            "error" => assert_eq!(result.unwrap_err().to_string(), "handler failed"),
            _ => assert!(matches!(result.unwrap_err(), Error::Panic(m) if m == "handler panicked")),
        }
    }
}

#[tokio::test]
async fn a_file_handed_over_by_the_platform_is_used_as_is_and_removed() {
    let scratch = tempfile::tempdir().unwrap();
    let ctx = ctx(scratch.path(), Blobs::new(MemoryStore::new()));
    let file = ctx.scratch_file("upload.bin").unwrap();
    std::fs::write(&file, b"from the trigger").unwrap();
    let event =
        BlobEvent::new(BlobChange::Created, "c", "not/in/the/store").with_local_file(file.clone());
    let handler = handler_fn(|event: Event, ctx: Context| async move {
        let Event::Blob(blob) = event else {
            unreachable!()
        };
        Ok::<_, Error>(Response::bytes(
            tokio::fs::read(blob.local_path(&ctx).await?).await?,
        ))
    });
    let response = invoke(&handler, Event::Blob(event), ctx).await.unwrap();
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
    let err = invoke(
        &handler,
        blob_created("gone.txt"),
        ctx(scratch.path(), Blobs::new(MemoryStore::new())),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type(), "BlobError");
    assert!(err.to_string().contains("\"gone.txt\""), "{err}");
    let err = invoke(
        &handler,
        blob_created("../../etc/passwd"),
        ctx(scratch.path(), Blobs::new(MemoryStore::new())),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("invalid blob key"), "{err}");
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
    let ctx = Context::builder(Provider::LOCAL, "r")
        .timeout(Duration::from_millis(50))
        .build();
    let err = invoke(&handler, Event::Invoke(serde_json::Value::Null), ctx)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err}");
    assert_eq!(err.error_type(), "Timeout");
    assert!(err.to_string().contains("deadline"), "{err}");
    assert!(!*finished.lock().unwrap());

    // A deadline already in the past fails at once.
    let ctx = Context::builder(Provider::LOCAL, "r")
        .deadline_ms(1)
        .build();
    let err = invoke(&handler, Event::Invoke(serde_json::Value::Null), ctx)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(_)));
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
    let call = |v: &str| {
        invoke(
            &handler,
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
}

#[tokio::test]
async fn closures_may_return_any_response_type() {
    let ctx = || Context::builder(Provider::LOCAL, "r").build();
    let json =
        handler_fn(|_e: Event, _c: Context| async { Ok::<_, Error>(serde_json::json!({"a": 1})) });
    let r = invoke(&json, Event::Invoke(1.into()), ctx()).await.unwrap();
    assert_eq!(r.content_type(), Some("application/json"));
    let status =
        handler_fn(|_e: Event, _c: Context| async { Ok::<_, Error>(http::StatusCode::ACCEPTED) });
    assert_eq!(
        invoke(&status, Event::Invoke(1.into()), ctx())
            .await
            .unwrap()
            .status(),
        202
    );
    let boxed = handler_fn(|_e: Event, _c: Context| async {
        Err::<Response, _>(Box::<dyn std::error::Error + Send + Sync>::from(
            "boxed failure",
        ))
    });
    let err = invoke(&boxed, Event::Invoke(1.into()), ctx())
        .await
        .unwrap_err();
    assert_eq!(
        (err.error_type(), err.to_string().as_str()),
        ("HandlerError", "boxed failure")
    );
}
