//! Azure's extras reach the handler typed and serialise for echo's `extras` (on
//! `x-echo-extras: 1`, or the message property `echo_extras`): the invocation id, the route
//! parameters and the raw `Metadata` of an HTTP trigger; each Event Hubs event's and Service Bus
//! message's own metadata. (Blob, queue, timer and Cosmos DB extras, which echo has no switch
//! for, are checked through the shim's own server in `providers/azure/tests/extras.rs`.)

use serde_json::{json, Value};

use crate::{fixture, res_of, return_value_of, start, start_host};
use polyfaas_azure::scaffold::{AppScaffold, TriggerSpec};

#[tokio::test]
async fn an_http_trigger_shows_the_invocation_id_route_params_and_metadata() {
    let host = start();
    let mut sent = fixture("http-text-request.json");
    sent["Data"]["req"]["Headers"]["X-Echo-Extras"] = json!(["1"]);
    let reply = host.invoke("orders", &sent).await.unwrap();
    let (_, document) = res_of(&reply);
    let extras = &document["extras"];
    assert_eq!(extras["azure.invocation_id"], reply.invocation_id.as_str());
    assert_eq!(extras["azure.route_params"], sent["Data"]["req"]["Params"]);
    assert_eq!(extras["azure.metadata"], sent["Metadata"]);
    // The canonical event is unchanged by the switch.
    assert_eq!(document["event"]["method"], "POST");
}

#[tokio::test]
async fn each_stream_record_shows_its_own_metadata() {
    let app = AppScaffold::new("echo")
        .function("ingest", TriggerSpec::event_hubs("telemetry").batch(true))
        .function("invoices", TriggerSpec::service_bus_queue("invoices"));
    let host = start_host(app, &[], &[]);

    let mut batch = fixture("event-hubs-batch-request.json");
    let events: Vec<String> =
        serde_json::from_str(batch["Data"]["events"].as_str().unwrap()).unwrap();
    batch["Data"]["events"] = json!(json!([events[0], events[0], events[2]]).to_string());
    batch["Metadata"]["PropertiesArray"] = json!(
        json!([{"echo_extras": "1"}, {"echo_extras": "1"}, {"echo_extras": "1"}]).to_string()
    );
    let reply = host.invoke("ingest", &batch).await.unwrap();
    let results = return_value_of(&reply);
    let third = &results[2]["extras"];
    assert_eq!(
        third["azure.event_hubs"],
        json!({"event_hub": "telemetry", "consumer_group": "$Default", "partition_id": "3",
               "fully_qualified_namespace": "polyfaas-conformance.servicebus.windows.net",
               "partition_key": null, "offset": "4224", "sequence_number": 43,
               "enqueued_time": "2026-03-01T09:00:01Z", "properties": {"echo_extras": "1"},
               "system_properties": {"x-opt-sequence-number": 43, "x-opt-offset": "4224",
                   "x-opt-enqueued-time": "2026-03-01T09:00:01+00:00", "SequenceNumber": 43,
                   "Offset": "4224", "PartitionKey": null, "EnqueuedTimeUtc": "2026-03-01T09:00:01"}})
    );
    assert_eq!(
        results[0]["extras"]["azure.event_hubs"]["sequence_number"],
        41
    );
    assert_eq!(
        results[0]["extras"]["azure.event_hubs"]["system_properties"]
            ["iothub-connection-device-id"],
        "device-7"
    );
    // The raw metadata every event shares: without the per-event arrays.
    let shared = third["azure.metadata"].as_object().unwrap();
    assert!(shared.contains_key("PartitionContext") && shared.contains_key("sys"));
    assert!(!shared.keys().any(|k| k.ends_with("Array")), "{shared:?}");
    assert_eq!(third["azure.invocation_id"], reply.invocation_id.as_str());

    let mut sent = fixture("service-bus-request.json");
    sent["Metadata"]["ApplicationProperties"]["echo_extras"] = json!("1");
    let document = return_value_of(&host.invoke("invoices", &sent).await.unwrap());
    let bus = &document["extras"]["azure.service_bus"];
    assert_eq!(bus["entity"], "invoices");
    assert_eq!(bus["message_id"], "inv-0042");
    assert_eq!(bus["session_id"], "customer-17");
    assert_eq!(bus["delivery_count"], 2);
    assert_eq!(bus["correlation_id"], "order-7");
    assert_eq!(bus["reply_to"], "replies");
    assert_eq!(bus["subject"], "invoice");
    assert_eq!(bus["expires_at"], "2026-03-15T09:00:00Z");
    assert_eq!(bus["lock_token"], "7a1c2b3d-4e5f-4061-8273-94a5b6c7d8e9");
    assert_eq!(bus["application_properties"]["priority"], 2);
    assert_eq!(
        document["extras"]["azure.metadata"],
        Value::Object(sent["Metadata"].as_object().unwrap().clone())
    );
}
