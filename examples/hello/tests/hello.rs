//! The hello example as a user runs it: the real binary on the local dev provider.

use polyfaas_testkit::client::{get, json, send};
use polyfaas_testkit::local::LocalServer;

#[tokio::test]
async fn greets_by_name_and_counts_visits_in_the_blob_store() {
    let dir = tempfile::tempdir().unwrap();
    let blob_dir = dir.path().to_str().unwrap();
    let hello = LocalServer::start(
        env!("CARGO_BIN_EXE_hello").as_ref(),
        &[("POLYFAAS_BLOB_DIR", blob_dir)],
    )
    .unwrap();
    let addr = hello.addr;

    let text = |r: http::Response<bytes::Bytes>| String::from_utf8(r.body().to_vec()).unwrap();
    assert_eq!(text(get(addr, "/").await), "Hello, world! (visit 1)\n");
    assert_eq!(
        text(get(addr, "/?name=Ada").await),
        "Hello, Ada! (visit 1)\n"
    );
    assert_eq!(
        text(get(addr, "/?name=Ada").await),
        "Hello, Ada! (visit 2)\n"
    );
    assert_eq!(
        text(get(addr, "/?name=J%C3%BCrgen+K").await),
        "Hello, Jürgen K! (visit 1)\n"
    );
    assert_eq!(
        json(&get(addr, "/visits").await),
        serde_json::json!({"Ada": 2, "Jürgen K": 1, "world": 1})
    );
    // The counters are plain files in the blob directory.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("visits/Ada")).unwrap(),
        "2"
    );

    let bad = get(addr, "/?name=..%2F..%2Fetc").await;
    assert_eq!(bad.status(), 400);
    assert_eq!(get(addr, "/nope").await.status(), 404);
    // The timing layer wraps every answer.
    let timed = get(addr, "/?name=Ada").await;
    let timing = timed.headers()["server-timing"].to_str().unwrap();
    assert!(timing.starts_with("handler;dur="), "{timing}");
}

#[tokio::test]
async fn the_api_key_layer_refuses_requests_without_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let blob_dir = dir.path().to_str().unwrap();
    let hello = LocalServer::start(
        env!("CARGO_BIN_EXE_hello").as_ref(),
        &[("POLYFAAS_BLOB_DIR", blob_dir), ("HELLO_API_KEY", "s3cret")],
    )
    .unwrap();
    let addr = hello.addr;

    let refused = get(addr, "/?name=Ada").await;
    assert_eq!(refused.status(), 401);
    assert_eq!(
        json(&refused),
        serde_json::json!({"error": "missing or wrong x-api-key"})
    );
    assert!(
        refused.headers().contains_key("server-timing"),
        "timing wraps the key check"
    );
    let with_key = |key: &str| {
        http::Request::get("/?name=Ada")
            .header("x-api-key", key)
            .body(bytes::Bytes::new())
            .unwrap()
    };
    assert_eq!(send(addr, with_key("guess")).await.status(), 401);
    let answer = send(addr, with_key("s3cret")).await;
    assert_eq!(answer.status(), 200);
    // Visit 1: the two refused requests never reached the handler.
    assert_eq!(answer.body().as_ref(), b"Hello, Ada! (visit 1)\n");
}
