//! The inverse property of the encoders: a logical event encoded in a platform's native form and
//! decoded by that platform's shim (in the real echo binary) is the same event, except for the
//! fields the encoding says the form cannot carry.

use polyfaas_testkit::encode::{forms, EncodeError, Encoder};
use polyfaas_testkit::logical::LogicalEvent;
use polyfaas_testkit::Platform;
use serde_json::json;

/// Logical events with the edges the shims must get right: repeated query keys and headers,
/// binary bodies, unicode and escapes in paths and keys, cookies, missing optional fields.
fn events() -> Vec<LogicalEvent> {
    [
        json!({"kind": "http", "method": "GET", "path": "/items/7", "query": "a=1&b=two&a=2",
               "headers": {"accept": ["application/json"], "host": ["example.com"]},
               "body_base64": "", "source_ip": "127.0.0.1"}),
        json!({"kind": "http", "method": "POST", "path": "/upload/café/✓ x", "query": "",
               "headers": {"content-type": ["application/octet-stream"], "content-length": ["9"],
                           "host": ["example.com"], "x-forwarded-for": ["203.0.113.9"]},
               "body_base64": "AP/+gMMoCgB/", "source_ip": "203.0.113.9"}),
        json!({"kind": "http", "method": "PUT", "path": "/orders/42", "query": "dry_run=true&note=a%20b",
               "headers": {"content-type": ["application/json"], "cookie": ["session=abc; theme=dark"],
                           "x-multi": ["one", "two"], "content-length": ["26"]},
               "body_base64": "eyJxdHkiOjMsIm5vdGUiOiJjYWbDqSJ9", "source_ip": null}),
        json!({"kind": "http", "method": "DELETE", "path": "/", "query": "", "headers": {},
               "body_base64": "", "source_ip": null}),
        json!({"kind": "blob", "change": "created", "store": "photos", "key": "2026/café 1+2.bin",
               "size": 300, "etag": "9b2cf535f27731c9", "content_type": "image/png"}),
        json!({"kind": "blob", "change": "created", "store": "uploads", "key": "plain.txt",
               "size": 5, "etag": null, "content_type": null}),
        json!({"kind": "blob", "change": "deleted", "store": "photos", "key": "old/report 2025.csv",
               "size": null, "etag": null, "content_type": null}),
        json!({"kind": "message", "id": "m-1", "source": "projects/p1/topics/orders",
               "body_base64": "AAEC/f7/", "attributes": {"crop": "pear"}}),
        json!({"kind": "message", "id": "m-2", "source": "orders", "body_base64": "aGVsbG8gd29ybGQ=",
               "attributes": {"dequeue_count": "2", "insertion_time": "2026-03-01T09:00:00+00:00",
                              "expiration_time": "2026-03-08T09:00:00+00:00",
                              "next_visible_time": "2026-03-01T09:10:00+00:00"}}),
        json!({"kind": "change", "id": "c-1", "source": "orders", "op": "modify",
               "key": {"id": "order-7"}, "old": {"id": "order-7", "n": 1}, "new": {"id": "order-7", "n": 2}}),
        json!({"kind": "schedule", "name": "nightly-cleanup", "time": "2026-11-21T02:00:00Z"}),
        json!({"kind": "schedule", "name": null, "time": null}),
        json!({"kind": "invoke", "payload": {"order": 7, "items": ["a", "b"], "nested": {"x": null}}}),
        json!({"kind": "invoke", "payload": "just text"}),
        json!({"kind": "invoke", "payload": [1, 2.5, true]}),
    ]
    .into_iter()
    .map(|json| LogicalEvent::from_json(json).unwrap())
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_in_every_form_comes_back_as_it_went_in() {
    let events = events();
    let mut failures = Vec::new();
    let mut exact = 0;
    let mut checked = 0;
    for platform in Platform::ALL {
        let mut function = crate::start(platform).await;
        for event in &events {
            for form in forms(platform).iter().filter(|f| f.kind == event.kind()) {
                let encoded = match Encoder::new(platform).form(form.name).encode(event) {
                    Ok(encoded) => encoded,
                    // A form that cannot carry the event at all (an Azure blob trigger for a
                    // deletion) says so.
                    Err(EncodeError::Invalid { .. }) => continue,
                    Err(e) => panic!("{platform} {}: {e}", form.name),
                };
                let answer = function
                    .send_encoded(&encoded)
                    .await
                    .unwrap_or_else(|e| panic!("{platform} {}: {e}", form.name));
                checked += 1;
                if encoded.losses.is_empty() {
                    exact += 1;
                }
                if let Err(problem) = crate::check(platform, event, &encoded, &answer) {
                    failures.push(problem);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{checked} encodings checked through echo, {exact} of them exact");
    // Every platform has lossless forms for most kinds: a regression that makes everything
    // "lossy" must not pass unnoticed.
    assert!(
        checked >= 90 && exact >= 40,
        "{checked} checked, {exact} exact"
    );
}
