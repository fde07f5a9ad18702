//! The library API in process: `serve_on` with a handler that looks at the context extras.

use std::time::Duration;

use polyfaas_core::blob::{Blobs, MemoryStore};
use polyfaas_core::{handler_fn, Context, Error, Event, Response};
use polyfaas_gcp::{serve_on, CloudEvent, GcpConfig, LegacyEvent, SignatureType};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn extras(event: Event, ctx: Context) -> Result<Response, Error> {
    Response::json(&json!({
        "kind": event.kind(),
        "cloudevent": ctx.extension::<CloudEvent>().map(|ce| ce.to_json()),
        "legacy": ctx.extension::<LegacyEvent>().map(LegacyEvent::to_json),
        "function": ctx.function_name(),
    }))
}

async fn post(addr: std::net::SocketAddr, head: &str, body: &str) -> (u16, Value) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /projects/p/topics/t HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: {}\r\n{head}\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8(response).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn blob_and_message_events_carry_the_original_event_in_the_context() {
    for signature in [SignatureType::CloudEvent, SignatureType::Event] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = GcpConfig::default();
        config.signature = signature;
        config.function_name = Some("extras".into());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_on(
            listener,
            handler_fn(extras),
            config,
            Blobs::new(MemoryStore::new()),
            async move {
                let _ = stopped.await;
            },
        ));

        // A raw Pub/Sub push: both forms are there.
        let push = json!({"subscription": "projects/p/subscriptions/s",
                          "message": {"data": "aGk=", "messageId": "m-5", "publishTime": "2025-01-01T00:00:00Z"}});
        let (status, body) = post(
            addr,
            "content-type: application/json\r\n",
            &push.to_string(),
        )
        .await;
        assert_eq!(status, 200, "{signature}");
        assert_eq!(body["kind"], "message");
        assert_eq!(body["function"], "extras");
        assert_eq!(
            body["cloudevent"]["source"],
            "//pubsub.googleapis.com/projects/p/topics/t"
        );
        assert_eq!(
            body["cloudevent"]["data"]["message"]["publishTime"],
            "2025-01-01T00:00:00Z"
        );
        assert_eq!(body["legacy"]["context"]["eventId"], "m-5");

        // Anything else is an Invoke whose payload is the event itself.
        let head = "ce-id: f-1\r\nce-specversion: 1.0\r\nce-type: google.cloud.firestore.document.v1.written\r\n\
                    ce-source: //firestore.googleapis.com/projects/p/databases/(default)\r\n\
                    ce-subject: documents/c/d\r\ncontent-type: application/json\r\n";
        let (status, body) = post(addr, head, "{}").await;
        assert_eq!(status, 200);
        assert_eq!(body["kind"], "invoke");
        assert_eq!(body["cloudevent"], Value::Null);

        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("stops")
            .unwrap()
            .unwrap();
    }
}
