//! `cloudevent` and `event` functions, with events built in code: every form of one logical
//! event gives the same neutral event, blob objects become local files, ids and deadlines.

use bytes::Bytes;
use polyfaas_testkit::client::{json, send};
use polyfaas_testkit::echo::{event_of, sha256_hex};
use serde_json::{json, Value};

use polyfaas_testkit::gcp::{binary_event, structured_event, text};

use crate::start;

const BUCKET_SOURCE: &str = "//storage.googleapis.com/projects/_/buckets/orchard-raw";

/// One stored object, announced in every form Google sends, to both signature types.
#[tokio::test]
async fn every_form_of_a_storage_event_gives_the_same_blob_event() {
    let key = "scans/2025/ü field 7.bin";
    let content: Vec<u8> = (0..150_000u32).map(|i| (i * 31 % 251) as u8).collect();
    let data = json!({"kind": "storage#object", "bucket": "orchard-raw", "name": key,
                      "size": content.len().to_string(), "etag": "CJ7x", "contentType": "application/octet-stream",
                      "generation": "1750000000000042"});
    let ce_attributes = [
        ("id", "blob-form-1"),
        ("specversion", "1.0"),
        ("source", BUCKET_SOURCE),
        ("type", "google.cloud.storage.object.v1.finalized"),
        ("subject", "objects/scans/2025/%C3%BC%20field%207.bin"),
        ("time", "2025-09-09T09:09:09Z"),
    ];
    let structured = json!({"specversion": "1.0", "id": "blob-form-2", "source": BUCKET_SOURCE,
        "type": "google.cloud.storage.object.v1.finalized", "subject": format!("objects/{key}"), "data": data});
    let nested = json!({"context": {"eventId": "blob-form-3", "timestamp": "2025-09-09T09:09:09Z",
        "eventType": "google.storage.object.finalize",
        "resource": {"service": "storage.googleapis.com", "type": "storage#object",
                     "name": format!("projects/_/buckets/orchard-raw/objects/{key}#1750000000000042")}},
        "data": data});
    let flat = json!({"eventId": "blob-form-4", "timestamp": "2025-09-09T09:09:09Z",
        "eventType": "providers/cloud.storage/eventTypes/object.change",
        "resource": format!("projects/_/buckets/orchard-raw/objects/{key}"), "data": data});
    let expected = json!({"kind": "blob", "change": "created", "store": "orchard-raw", "key": key,
        "size": content.len(), "etag": "CJ7x", "content_type": "application/octet-stream",
        "local_sha256": sha256_hex(&content)});

    for signature in ["cloudevent", "event"] {
        let echo = start(signature, &[]);
        echo.put_object(key, &content);
        let requests = [
            binary_event(
                "/",
                &ce_attributes,
                Some("application/json"),
                data.to_string(),
            ),
            structured_event("/", &structured),
            binary_event("/", &[], Some("application/json"), nested.to_string()),
            binary_event("/", &[], Some("application/json"), flat.to_string()),
        ];
        for (form, request) in ["binary", "structured", "nested", "flat"]
            .iter()
            .zip(requests)
        {
            let response = send(echo.addr, request).await;
            assert_eq!(
                response.status(),
                200,
                "{signature}/{form}: {}",
                text(&response)
            );
            let document = json(&response);
            assert_eq!(event_of(&document, "gcp"), expected, "{signature}/{form}");
            assert!(
                document["context"]["request_id"]
                    .as_str()
                    .unwrap()
                    .starts_with("blob-form-"),
                "{document}"
            );
        }
        assert!(
            echo.scratch_is_empty(),
            "the local file outlived the invocation"
        );
    }
}

/// One Pub/Sub message, in every form Google sends, to both signature types.
#[tokio::test]
async fn every_form_of_a_pubsub_message_gives_the_same_message_event() {
    let topic = "projects/orchard-482/topics/harvest";
    let body = "AAEC/f7/";
    let message = json!({"data": body, "messageId": "31337", "publishTime": "2025-09-10T10:10:10.1Z",
                         "attributes": {"crop": "pear", "crate": "17"}});
    let eventarc = json!({"subscription": "projects/orchard-482/subscriptions/eventarc-x", "message": message});
    let attributes = [
        ("id", "31337"),
        ("specversion", "1.0"),
        (
            "source",
            "//pubsub.googleapis.com/projects/orchard-482/topics/harvest",
        ),
        ("type", "google.cloud.pubsub.topic.v1.messagePublished"),
    ];
    let structured = json!({"specversion": "1.0", "id": "31337",
        "source": "//pubsub.googleapis.com/projects/orchard-482/topics/harvest",
        "type": "google.cloud.pubsub.topic.v1.messagePublished", "data": eventarc});
    let legacy_data = json!({"@type": "type.googleapis.com/google.pubsub.v1.PubsubMessage", "data": body,
                             "attributes": {"crop": "pear", "crate": "17"}});
    let nested = json!({"context": {"eventId": "31337", "timestamp": "2025-09-10T10:10:10.1Z",
        "eventType": "google.pubsub.topic.publish",
        "resource": {"service": "pubsub.googleapis.com", "name": topic, "type": "type.googleapis.com/google.pubsub.v1.PubsubMessage"}},
        "data": legacy_data});
    let flat = json!({"eventId": "31337", "timestamp": "2025-09-10T10:10:10.1Z",
        "eventType": "providers/cloud.pubsub/eventTypes/topic.publish", "resource": topic, "data": legacy_data});
    let push =
        json!({"subscription": "projects/orchard-482/subscriptions/push-x", "message": message});
    let expected = json!({"kind": "message", "id": "31337", "source": topic, "body_base64": body,
                          "attributes": {"crate": "17", "crop": "pear"}});
    for signature in ["cloudevent", "event"] {
        let echo = start(signature, &[]);
        let requests = [
            (
                "binary",
                binary_event(
                    "/",
                    &attributes,
                    Some("application/json"),
                    eventarc.to_string(),
                ),
            ),
            ("structured", structured_event("/", &structured)),
            (
                "nested",
                binary_event("/", &[], Some("application/json"), nested.to_string()),
            ),
            (
                "flat",
                binary_event("/", &[], Some("application/json"), flat.to_string()),
            ),
            (
                "push",
                binary_event(
                    &format!("/{topic}"),
                    &[],
                    Some("application/json"),
                    push.to_string(),
                ),
            ),
        ];
        for (form, request) in requests {
            let response = send(echo.addr, request).await;
            assert_eq!(
                response.status(),
                200,
                "{signature}/{form}: {}",
                text(&response)
            );
            let document = json(&response);
            assert_eq!(event_of(&document, "gcp"), expected, "{signature}/{form}");
            assert_eq!(
                document["context"]["request_id"], "31337",
                "{signature}/{form}"
            );
        }
    }
}

#[tokio::test]
async fn cloud_run_timeout_seconds_sets_the_deadline() {
    let echo = start("cloudevent", &[("CLOUD_RUN_TIMEOUT_SECONDS", "300")]);
    let before = now_ms();
    let request = structured_event(
        "/",
        &json!({"specversion": "1.0", "id": "dl-1", "source": "//orchard/x", "type": "example.t"}),
    );
    let document = json(&send(echo.addr, request).await);
    let deadline = document["context"]["deadline_ms"]
        .as_u64()
        .expect("a deadline");
    assert!(
        deadline >= before + 299_000 && deadline <= now_ms() + 300_000,
        "deadline {deadline}, now {before}"
    );
}

#[tokio::test]
async fn the_function_can_be_served_on_any_path() {
    let echo = start("cloudevent", &[]);
    for path in ["/", "/eventarc/trigger-1", "/a/b/c?x=1"] {
        let request = binary_event(
            path,
            &[
                ("id", "p-1"),
                ("specversion", "1.0"),
                ("source", "//orchard/x"),
                ("type", "example.t"),
            ],
            Some("application/json"),
            "{}",
        );
        let response = send(echo.addr, request).await;
        assert_eq!(response.status(), 200, "{path}: {}", text(&response));
        let payload: Value = event_of(&json(&response), "gcp")["payload"].clone();
        assert_eq!(payload["id"], "p-1");
    }
    // The body is read whole even when the client sends it in pieces.
    let response = send(
        echo.addr,
        http::Request::post("/")
            .header("content-type", "application/cloudevents+json")
            .body(Bytes::from(
                json!({"specversion": "1.0", "id": "p-2", "source": "//o/x", "type": "t", "data": "x".repeat(200_000)})
                    .to_string(),
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), 200);
}

use polyfaas_testkit::echo::now_ms;
