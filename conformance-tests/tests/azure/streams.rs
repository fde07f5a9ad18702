//! Stream and change triggers: Event Hubs (one event, a batch with a failing event), Service Bus
//! (a queue, a topic's subscription, a batch), the Cosmos DB change feed; the handler sees one
//! record at a time, in order, and echo logs each (`echo record {...}`), so the records are seen
//! in the reply's `Logs`.

use polyfaas_azure::scaffold::{AppScaffold, TriggerSpec};
use polyfaas_testkit::azure::Reply;
use polyfaas_testkit::echo::base64;
use serde_json::{json, Value};

use crate::{fixture, return_value_of, start_host};

fn app() -> AppScaffold {
    AppScaffold::new("echo")
        .function("ingest", TriggerSpec::event_hubs("telemetry").batch(true))
        .function("ingest-one", TriggerSpec::event_hubs("telemetry"))
        .function("invoices", TriggerSpec::service_bus_queue("invoices"))
        .function(
            "alerts",
            TriggerSpec::service_bus_topic("alerts", "pager").batch(true),
        )
        .function("order-feed", TriggerSpec::cosmos_db("shop", "orders"))
}

/// The canonical records echo logged, in order (`echo record {...}` lines of `Logs`).
fn logged_records(reply: &Reply) -> Vec<Value> {
    let envelope = reply.json();
    envelope["Logs"]
        .as_array()
        .expect("Logs")
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|line| {
            let json = line.split_once("echo record ")?.1;
            // The line ends with the invocation's ids: ` request_id=... trace_id=...`.
            let json = json.split(" request_id=").next()?;
            serde_json::from_str(json).ok()
        })
        .collect()
}

#[tokio::test]
async fn an_event_hubs_batch_stops_at_its_first_failing_event_and_names_it() {
    let host = start_host(app(), &[], &[]);
    let reply = host
        .invoke("ingest", &fixture("event-hubs-batch-request.json"))
        .await
        .unwrap();
    // Azure has no partial batch response: the invocation fails (the host retries the batch).
    assert_eq!(
        reply.status,
        500,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let envelope = reply.json();
    assert_eq!(envelope["Error"]["type"], "HandlerError");
    assert_eq!(
        envelope["Error"]["message"],
        "record 2 of 3 (sequence number 42, offset 4160) failed, and the 1 after it were not run: echo failed on purpose (echo_fail: error)"
    );
    // The first event ran, the second failed, the third was not run.
    let records = logged_records(&reply);
    assert_eq!(records.len(), 2, "{records:#?}");
    assert_eq!(
        records[0],
        json!({"kind": "message", "id": "41", "source": "telemetry",
               "body_base64": base64(br#"{"t":21}"#),
               "attributes": {"enqueued_time": "2026-03-01T09:00:00.125Z", "offset": "4096",
                              "partition": "3", "partition_key": "device-7",
                              "sequence_number": "41", "unit": "celsius"}})
    );
    assert_eq!(records[1]["attributes"]["sequence_number"], "42");
    assert!(host.process.output().contains("record 2 of 3"));

    // Without the failing event, every event runs in order and the answer is their results.
    let mut sent = fixture("event-hubs-batch-request.json");
    let events: Vec<String> =
        serde_json::from_str(sent["Data"]["events"].as_str().unwrap()).unwrap();
    sent["Data"]["events"] = json!(json!([events[0], events[0], events[2]]).to_string());
    let reply = host.invoke("ingest", &sent).await.unwrap();
    let results = return_value_of(&reply);
    let results = results
        .as_array()
        .expect("the array of the events' results");
    assert_eq!(results.len(), 3);
    let ids: Vec<&Value> = results.iter().map(|r| &r["event"]["id"]).collect();
    assert_eq!(ids, ["41", "42", "43"]);
    // The third event has no partition key (null in the array): no attribute.
    assert!(results[2]["event"]["attributes"]
        .get("partition_key")
        .is_none());
    assert_eq!(
        results[2]["event"]["attributes"]["enqueued_time"],
        "2026-03-01T09:00:01Z"
    );
    assert_eq!(logged_records(&reply).len(), 3);
}

#[tokio::test]
async fn one_event_hubs_event_is_one_message() {
    let host = start_host(app(), &[], &[]);
    // As the host sends `cardinality: one`: scalars double-encoded, the enqueued time re-parsed
    // without its fraction of a second.
    let envelope = json!({"Data": {"events": base64(b"plain text")}, "Metadata": {
        "PartitionContext": {"EventHubName": "telemetry", "ConsumerGroup": "$Default", "PartitionId": "0"},
        "PartitionKey": "\"k\"", "Offset": "8192", "SequenceNumber": "7",
        "EnqueuedTimeUtc": "2026-03-01T09:00:00", "Properties": {}, "SystemProperties": {},
        "sys": {"MethodName": "ingest-one", "UtcNow": "2026-03-01T09:00:00.5Z"}}});
    let document = return_value_of(&host.invoke("ingest-one", &envelope).await.unwrap());
    assert_eq!(
        document["event"],
        json!({"kind": "message", "id": "7", "source": "telemetry",
               "body_base64": base64(b"plain text"),
               "attributes": {"enqueued_time": "2026-03-01T09:00:00Z", "offset": "8192",
                              "partition": "0", "partition_key": "k", "sequence_number": "7"}})
    );
    // A position that is not one is bad input naming it.
    let mut bad = envelope.clone();
    bad["Metadata"]["SequenceNumber"] = json!("\"x\"");
    let reply = host.invoke("ingest-one", &bad).await.unwrap();
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json()["Error"]["message"],
        "Metadata.SequenceNumber: must be a sequence number"
    );
}

#[tokio::test]
async fn service_bus_queue_and_topic_messages() {
    let host = start_host(app(), &[], &[]);
    let document = return_value_of(
        &host
            .invoke("invoices", &fixture("service-bus-request.json"))
            .await
            .unwrap(),
    );
    assert_eq!(
        document["event"],
        json!({"kind": "message", "id": "inv-0042", "source": "invoices",
               "body_base64": base64(br#"{"invoice":"INV-2026-0042","total":"129.90"}"#),
               "attributes": {"delivery_count": "2", "enqueued_time": "2026-03-01T09:00:00Z",
                              "priority": "2", "sequence_number": "310",
                              "session_id": "customer-17", "tenant": "acme"}})
    );
    assert_eq!(document["context"]["function"], "invoices");

    // A topic's subscription, in a batch (the version 4 extension's names: Label,
    // UserProperties), a message failing on purpose through its application property.
    let batch = json!({"Data": {"message": json!([base64(b"one"), base64(b"two")]).to_string()},
        "Metadata": {"MessageIdArray": "[\"a-1\",\"a-2\"]", "DeliveryCountArray": "[1,1]",
                     "SequenceNumberArray": "[5,6]",
                     "EnqueuedTimeUtcArray": "[\"2026-03-01T09:00:00\",\"2026-03-01T09:00:00.5\"]",
                     "LabelArray": "[\"page\",\"page\"]",
                     "UserPropertiesArray": "[{},{\"echo_fail\":\"error\"}]",
                     "sys": {"MethodName": "alerts"}}});
    let reply = host.invoke("alerts", &batch).await.unwrap();
    assert_eq!(reply.status, 500);
    assert_eq!(
        reply.json()["Error"]["message"],
        "record 2 of 2 (message id a-2, sequence number 6) failed, and the 0 after it were not run: echo failed on purpose (echo_fail: error)"
    );
    let records = logged_records(&reply);
    assert_eq!(records[0]["source"], "alerts/subscriptions/pager");
    assert_eq!(records[0]["body_base64"], base64(b"one"));
    assert_eq!(
        records[1]["attributes"]["enqueued_time"],
        "2026-03-01T09:00:00.5Z"
    );
}

#[tokio::test]
async fn cosmos_db_documents_are_upserts_in_order() {
    let host = start_host(app(), &[], &[]);
    let reply = host
        .invoke("order-feed", &fixture("cosmos-trigger-request.json"))
        .await
        .unwrap();
    let results = return_value_of(&reply);
    let events: Vec<&Value> = results
        .as_array()
        .expect("the array of the documents' results")
        .iter()
        .map(|r| &r["event"])
        .collect();
    assert_eq!(
        events[0],
        &json!({"kind": "change", "id": "0000d0c0-0000-0d00-0000-65f1c3a20000",
                "source": "shop/orders", "op": "upsert", "key": {"id": "order-7"},
                "old": null, "new": {"id": "order-7", "status": "paid", "total": 129.9}})
    );
    assert_eq!(events[1]["key"], json!({"id": "order-8"}));
    assert_eq!(events[1]["new"]["items"][0]["sku"], "A-1");
    assert_eq!(
        logged_records(&reply),
        [events[0].clone(), events[1].clone()]
    );

    // A change whose new value asks echo to fail fails the invocation, naming the document.
    let mut sent = fixture("cosmos-trigger-request.json");
    let mut docs: Vec<Value> =
        serde_json::from_str(sent["Data"]["documents"].as_str().unwrap()).unwrap();
    docs[0]["echo_fail"] = json!("error");
    sent["Data"]["documents"] = json!(Value::Array(docs).to_string());
    let reply = host.invoke("order-feed", &sent).await.unwrap();
    assert_eq!(reply.status, 500);
    assert_eq!(
        reply.json()["Error"]["message"],
        "record 1 of 2 (document id order-7) failed, and the 1 after it were not run: echo failed on purpose (echo_fail: error)"
    );
    // A document without an id is bad input naming it; nothing ran.
    let reply = host
        .invoke(
            "order-feed",
            &json!({"Data": {"documents": "[{\"id\":\"a\"},{\"name\":\"x\"}]"}}),
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json()["Error"]["message"],
        "Data.documents[1].id: missing (every Cosmos DB document has one)"
    );
    assert!(logged_records(&reply).is_empty());
}
