//! An axum `Router` as a handler, unchanged.

use axum::extract::{Path, Query};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use bytes::Bytes;
use polyfaas_core::{
    from_service, BlobChange, BlobEvent, Context, Event, Handler, Message, Provider, EVENTS_PATH,
};
use serde_json::{json, Value};

fn router() -> Router {
    Router::new()
        .route(
            "/items/{id}",
            get(
                |Path(id): Path<String>, Query(q): Query<Vec<(String, String)>>| async move {
                    Json(json!({ "id": id, "query": q }))
                },
            ),
        )
        .route(
            "/whoami",
            get(|Extension(ctx): Extension<Context>| async move { ctx.request_id().to_owned() }),
        )
        .route(
            EVENTS_PATH,
            post(
                |Extension(ctx): Extension<Context>,
                 blob: Option<Extension<BlobEvent>>,
                 Json(event): Json<Value>| async move {
                    let local = match blob {
                        Some(Extension(blob)) => {
                            let path = blob.local_path(&ctx).await.map_err(|e| e.to_string())?;
                            Some(std::fs::read_to_string(path).map_err(|e| e.to_string())?)
                        }
                        None => None,
                    };
                    Ok::<_, String>(Json(json!({ "event": event, "local": local })))
                },
            ),
        )
}

fn ctx() -> Context {
    Context::builder(Provider::LOCAL, "req-42").build()
}

#[tokio::test]
async fn http_events_reach_the_router_with_the_context() {
    let handler = from_service(router());
    let request = http::Request::get("/items/7?a=1&a=2")
        .body(Bytes::new())
        .unwrap();
    let response = handler.call(Event::Http(request), ctx()).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body, json!({"id": "7", "query": [["a", "1"], ["a", "2"]]}));

    let request = http::Request::get("/whoami").body(Bytes::new()).unwrap();
    let response = handler.call(Event::Http(request), ctx()).await.unwrap();
    assert_eq!(&response.body()[..], b"req-42");

    let request = http::Request::get("/nope").body(Bytes::new()).unwrap();
    assert_eq!(
        handler
            .call(Event::Http(request), ctx())
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn other_events_are_posted_as_canonical_json() {
    let handler = from_service(router());
    let mut message = Message::new("m1", "orders", "hi");
    message.attributes.insert("k".into(), "v".into());
    let response = handler.call(Event::Message(message), ctx()).await.unwrap();
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(
        body["event"],
        json!({"kind": "message", "id": "m1", "source": "orders", "body_base64": "aGk=", "attributes": {"k": "v"}})
    );
    assert_eq!(body["local"], Value::Null);
}

#[tokio::test]
async fn blob_events_carry_the_blob_event_for_local_path() {
    let handler = from_service(router());
    let blobs = polyfaas_core::blob::Blobs::new(polyfaas_core::blob::MemoryStore::new());
    blobs.put("docs/readme.txt", "file content").await.unwrap();
    let ctx = Context::builder(Provider::LOCAL, "r").blobs(blobs).build();
    let event = Event::Blob(BlobEvent::new(BlobChange::Created, "b", "docs/readme.txt"));
    let response = handler.call(event, ctx).await.unwrap();
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["local"], "file content");
    assert_eq!(body["event"]["key"], "docs/readme.txt");
}

#[tokio::test]
async fn a_router_without_the_events_route_answers_404() {
    let handler = from_service(Router::new().route("/", get(|| async { "root" })));
    let response = handler.call(Event::Invoke(json!({})), ctx()).await.unwrap();
    assert_eq!(response.status(), 404);
    assert!(!response.is_success());
}
