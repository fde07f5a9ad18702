//! The hello example as a user runs it: the real binary on the local dev provider.

use polyfaas_testkit::client::{get, json};
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
}
