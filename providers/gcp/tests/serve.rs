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
        "cloudevent": ctx.extra::<CloudEvent>().map(CloudEvent::to_json),
        "legacy": ctx.extra::<LegacyEvent>().map(LegacyEvent::to_json),
        "function": ctx.function_name(),
        "request_id": ctx.request_id(),
        "trace_id": ctx.trace_id(),
        "extras": ctx.extras().to_json(),
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
async fn every_event_carries_its_form_in_the_context() {
    for signature in [SignatureType::CloudEvent, SignatureType::Event] {
        let (addr, stop, server) = start(signature).await;
        // The form the signature type speaks is the extra; the other one is not built.
        let (own, other) = match signature {
            SignatureType::Event => ("legacy", "cloudevent"),
            _ => ("cloudevent", "legacy"),
        };

        // A raw Pub/Sub push.
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
        assert_eq!(body[other], Value::Null, "{signature}: {body}");
        match signature {
            SignatureType::Event => {
                assert_eq!(body["legacy"]["context"]["eventId"], "m-5");
                assert_eq!(body["extras"]["gcp.legacy_event"], body["legacy"]);
            }
            _ => {
                assert_eq!(
                    body["cloudevent"]["source"],
                    "//pubsub.googleapis.com/projects/p/topics/t"
                );
                assert_eq!(
                    body["cloudevent"]["data"]["message"]["publishTime"],
                    "2025-01-01T00:00:00Z"
                );
                assert_eq!(body["extras"]["gcp.cloudevent"], body["cloudevent"]);
            }
        }
        assert_eq!(body["extras"].as_object().unwrap().len(), 1, "{body}");
        assert_eq!(body["request_id"], "m-5");

        // A Firestore document event: a change, with the event in its form.
        let head = "ce-id: f-1\r\nce-specversion: 1.0\r\nce-type: google.cloud.firestore.document.v1.written\r\n\
                    ce-source: //firestore.googleapis.com/projects/p/databases/(default)\r\n\
                    ce-subject: documents/c/d\r\nce-authtype: unknown\r\ncontent-type: application/json\r\n";
        let (status, body) = post(
            addr,
            head,
            r#"{"value": {"fields": {"n": {"integerValue": "1"}}}}"#,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(body["kind"], "change");
        assert_eq!(body[other], Value::Null);
        assert!(body[own].is_object(), "{body}");
        if signature == SignatureType::CloudEvent {
            // Every attribute and extension is there.
            assert_eq!(body["cloudevent"]["authtype"], "unknown");
            assert_eq!(body["cloudevent"]["subject"], "documents/c/d");
        }

        // Anything else is an Invoke whose payload is the event in the function's form, which
        // is also the extra.
        let head = "ce-id: i-1\r\nce-specversion: 1.0\r\nce-type: google.cloud.storage.object.v1.archived\r\n\
                    ce-source: //storage.googleapis.com/projects/_/buckets/b\r\n\
                    ce-subject: objects/o\r\ncontent-type: application/json\r\n";
        let (status, body) = post(addr, head, r#"{"kind": "storage#object", "name": "o"}"#).await;
        assert_eq!(status, 200);
        assert_eq!(body["kind"], "invoke");
        assert!(body[own].is_object(), "{body}");

        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("stops")
            .unwrap()
            .unwrap();
    }
}

#[tokio::test]
async fn a_scheduler_call_is_a_schedule_with_its_call_as_the_extra() {
    for signature in [SignatureType::Http, SignatureType::CloudEvent] {
        let (addr, stop, server) = start(signature).await;
        let head = "x-polyfaas-schedule: nightly\r\nx-cloudscheduler: true\r\n\
                    x-cloudscheduler-jobname: demo-nightly\r\n\
                    x-cloudscheduler-scheduletime: 2026-03-01T02:00:00Z\r\nuser-agent: Google-Cloud-Scheduler\r\n";
        let (status, body) = post(addr, head, "{}").await;
        assert_eq!(status, 200, "{signature}: {body}");
        assert_eq!(body["kind"], "schedule");
        assert_eq!(
            body["extras"]["gcp.scheduler"],
            json!({"mark": "nightly", "job_name": "demo-nightly", "schedule_time": "2026-03-01T02:00:00Z",
                   "method": "POST", "path": "/projects/p/topics/t", "body_base64": "e30="})
        );
        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
    }
}

/// Serves `signature` functions with the `extras` handler until the returned sender is used.
async fn start(
    signature: SignatureType,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), Error>>,
) {
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
    (addr, stop, server)
}

#[tokio::test]
async fn the_trace_id_comes_from_the_headers_or_the_cloudevent() {
    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    let (addr, stop, server) = start(SignatureType::Http).await;
    let traceparent = format!("traceparent: 00-{TRACE}-00f067aa0ba902b7-01\r\n");
    let (status, body) = post(addr, &traceparent, "").await;
    assert_eq!(status, 200);
    assert_eq!(body["trace_id"], TRACE);
    let (_, body) = post(
        addr,
        "x-cloud-trace-context: 105445aa7843bc8bf206b12000100000/1;o=1\r\n",
        "",
    )
    .await;
    assert_eq!(body["trace_id"], "105445aa7843bc8bf206b12000100000");
    let (_, body) = post(addr, "", "").await;
    assert_eq!(body["trace_id"], Value::Null);
    assert!(
        body["request_id"].as_str().unwrap().starts_with("gcp-"),
        "{body}"
    );
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();

    // Eventarc's CloudEvents carry it as the `traceparent` attribute.
    let (addr, stop, server) = start(SignatureType::CloudEvent).await;
    let head = format!(
        "ce-id: t-1\r\nce-specversion: 1.0\r\nce-type: example.t\r\nce-source: //x/y\r\n\
         ce-traceparent: 00-{TRACE}-00f067aa0ba902b7-01\r\ncontent-type: application/json\r\n"
    );
    let (status, body) = post(addr, &head, "{}").await;
    assert_eq!(status, 200);
    assert_eq!(body["trace_id"], TRACE);
    assert_eq!(body["request_id"], "t-1");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
