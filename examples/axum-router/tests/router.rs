//! The axum example: an unchanged Router served by the real binary on the local dev provider.

use std::net::SocketAddr;

use bytes::Bytes;
use conformance_tests::client::{get, json, post_json, send};
use conformance_tests::process::{command, free_port, Process};
use serde_json::json;

#[tokio::test]
async fn the_router_serves_its_routes_and_receives_events() {
    let port = free_port();
    let mut cmd = command(env!("CARGO_BIN_EXE_axum-router").as_ref());
    cmd.env("PORT", port.to_string());
    let mut app = Process::spawn(cmd);
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    app.wait_for_port(addr);

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
    while !app.output().contains("received a \"schedule\" event") {
        assert!(
            start.elapsed().as_secs() < 10,
            "the event route did not run:\n{}",
            app.output()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
