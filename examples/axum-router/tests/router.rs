//! The axum example: an unchanged Router served by the real binary on the local dev provider.

use bytes::Bytes;
use polyfaas_testkit::client::{get, json, post_json, send};
use polyfaas_testkit::local::LocalServer;
use serde_json::json;

#[tokio::test]
async fn the_router_serves_its_routes_and_receives_events() {
    let app = LocalServer::start(env!("CARGO_BIN_EXE_axum-router").as_ref(), &[]).unwrap();
    let addr = app.addr;

    let created = post_json(addr, "/todos", &json!({"title": "ship it"})).await;
    assert_eq!(created.status(), 201);
    assert_eq!(
        json(&created),
        json!({"id": 1, "title": "ship it", "done": false})
    );
    assert_eq!(
        json(&get(addr, "/todos").await),
        json!([{"id": 1, "title": "ship it", "done": false}])
    );
    assert_eq!(json(&get(addr, "/todos/1").await)["title"], "ship it");
    assert_eq!(get(addr, "/todos/2").await.status(), 404);

    // axum's own rejection for a bad body passes through untouched.
    let bad = send(
        addr,
        http::Request::post("/todos")
            .header("content-type", "application/json")
            .body(Bytes::from("{"))
            .unwrap(),
    )
    .await;
    assert_eq!(bad.status(), 400);

    // A fired event reaches the router's events route.
    let fired = post_json(
        addr,
        "/_polyfaas/events",
        &json!({"kind": "schedule", "name": "tick"}),
    )
    .await;
    assert_eq!(fired.status(), 202);
    let start = std::time::Instant::now();
    while !app
        .process
        .output()
        .contains("received a \"schedule\" event")
    {
        assert!(
            start.elapsed().as_secs() < 10,
            "the event route did not run:\n{}",
            app.process.output()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
