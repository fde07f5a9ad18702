//! Named output bindings: what a handler sets with `Response::with_output` lands in the reply's
//! `Outputs` under its binding name, written the way the host reads the binding's type (text as
//! base64 so the host's base64 trap cannot turn it into other bytes, JSON objects as they are);
//! an output `function.json` does not declare fails the invocation naming it and the declared
//! ones. Echo sets outputs on request (`x-echo-outputs`, or the message property
//! `echo_outputs`).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use polyfaas_azure::scaffold::{AppScaffold, OutputSpec, TriggerSpec};
use polyfaas_testkit::echo::base64;
use serde_json::{json, Value};

use crate::{fixture, start_host};

fn app() -> AppScaffold {
    AppScaffold::new("echo")
        .function("orders", TriggerSpec::http_route("orders/{id}"))
        .output("orders", OutputSpec::queue("outbox", "shipping"))
        .output(
            "orders",
            OutputSpec::blob("receipt", "receipts/{rand-guid}.json"),
        )
        .output("orders", OutputSpec::cosmos_db("doc", "shop", "orders"))
        .output(
            "orders",
            OutputSpec::service_bus_topic("bus", "order-events"),
        )
        .output("orders", OutputSpec::event_hubs("hub", "telemetry"))
        .function("invoices", TriggerSpec::service_bus_queue("invoices"))
        .output("invoices", OutputSpec::queue("outbox", "printed"))
        .function("ingest", TriggerSpec::event_hubs("telemetry").batch(true))
        .output("ingest", OutputSpec::queue("outbox", "alerts"))
}

/// The HTTP fixture with echo asked to set `outputs`.
fn http_with_outputs(outputs: Value) -> Value {
    let mut sent = fixture("http-text-request.json");
    sent["Data"]["req"]["Headers"]["X-Echo-Outputs"] = json!([outputs.to_string()]);
    sent
}

#[tokio::test]
async fn outputs_land_in_outputs_under_their_binding_names() {
    let host = start_host(app(), &[], &[]);
    let reply = host
        .invoke(
            "orders",
            &http_with_outputs(json!({
                // "test" is valid base64: sent as it is, the host would queue 3 other bytes.
                "outbox": "test",
                "receipt": "{\"order\":42}",
                "doc": {"id": "order-42", "status": "received"},
                "bus": {"event": "received", "order": 42},
                "hub": ["one", {"two": 2}]
            })),
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
    let envelope = reply.json();
    let outputs = envelope["Outputs"].as_object().expect("Outputs");
    // `res` is still the HTTP response (echo's document).
    assert_eq!(outputs["res"]["statusCode"], 200);
    let document: Value = serde_json::from_str(outputs["res"]["body"].as_str().unwrap()).unwrap();
    assert_eq!(document["event"]["method"], "POST");
    assert_eq!(outputs["outbox"], base64(b"test"));
    assert_eq!(
        BASE64.decode(outputs["receipt"].as_str().unwrap()).unwrap(),
        br#"{"order":42}"#
    );
    assert_eq!(
        outputs["doc"],
        json!({"id": "order-42", "status": "received"})
    );
    assert_eq!(outputs["bus"], json!({"event": "received", "order": 42}));
    // An array is several messages, each written by the same rules.
    assert_eq!(outputs["hub"], json!([base64(b"one"), {"two": 2}]));
    assert_eq!(outputs.len(), 6, "{envelope:#}");
}

#[tokio::test]
async fn an_output_no_binding_declares_is_refused_naming_it() {
    let host = start_host(app(), &[], &[]);
    let reply = host
        .invoke(
            "orders",
            &http_with_outputs(json!({"audit": "x", "outbox": "y"})),
        )
        .await
        .unwrap();
    // An HTTP function: the client gets a 500 through `res`, and nothing else is written.
    let envelope = reply.json();
    assert_eq!(
        envelope["Outputs"].as_object().unwrap().len(),
        1,
        "{envelope:#}"
    );
    let res = &envelope["Outputs"]["res"];
    assert_eq!(res["statusCode"], 500);
    let error: Value = serde_json::from_str(res["body"].as_str().unwrap()).unwrap();
    assert_eq!(error["error"]["type"], "OutputBindingError");
    assert_eq!(
        error["error"]["message"],
        "the handler set the output \"audit\", which orders/function.json does not declare; its output bindings are outbox (queue), receipt (blob), doc (cosmosDB), bus (serviceBus), hub (eventHub)"
    );
    assert!(envelope["Logs"].to_string().contains("does not declare"));

    // The http output is the response itself, not an output to set.
    let reply = host
        .invoke("orders", &http_with_outputs(json!({"res": "x"})))
        .await
        .unwrap();
    let error: Value =
        serde_json::from_str(reply.json()["Outputs"]["res"]["body"].as_str().unwrap()).unwrap();
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("its value is the handler's response"));
}

#[tokio::test]
async fn a_message_and_a_batch_set_outputs_too() {
    let host = start_host(app(), &[], &[]);
    let mut sent = fixture("service-bus-request.json");
    sent["Metadata"]["ApplicationProperties"]["echo_outputs"] =
        json!("{\"outbox\": {\"printed\": true}}");
    let reply = host.invoke("invoices", &sent).await.unwrap();
    let document = return_value_of_with_outputs(&reply);
    assert_eq!(document.0["event"]["id"], "inv-0042");
    assert_eq!(document.1, json!({"outbox": {"printed": true}}));

    // A non-HTTP invocation with an undeclared output fails (the host retries it).
    sent["Metadata"]["ApplicationProperties"]["echo_outputs"] = json!("{\"nope\": 1}");
    let reply = host.invoke("invoices", &sent).await.unwrap();
    assert_eq!(reply.status, 500);
    assert_eq!(reply.json()["Error"]["type"], "OutputBindingError");

    // Each event of a batch sets a message: the binding gets all of them, in order.
    let mut batch = fixture("event-hubs-batch-request.json");
    let ok: Vec<String> = serde_json::from_str(batch["Data"]["events"].as_str().unwrap()).unwrap();
    batch["Data"]["events"] = json!(json!([ok[0], ok[0], ok[2]]).to_string());
    batch["Metadata"]["PropertiesArray"] = json!(json!([
        {"echo_outputs": "{\"outbox\": \"a\"}"},
        {},
        {"echo_outputs": "{\"outbox\": [\"b\", \"c\"]}"}
    ])
    .to_string());
    let reply = host.invoke("ingest", &batch).await.unwrap();
    let (results, outputs) = return_value_of_with_outputs(&reply);
    assert_eq!(results.as_array().map(Vec::len), Some(3));
    assert_eq!(
        outputs,
        json!({"outbox": [base64(b"a"), base64(b"b"), base64(b"c")]})
    );
}

#[tokio::test]
async fn a_forwarded_function_has_no_outputs_to_set() {
    let app = AppScaffold::new("echo")
        .forwarding(true)
        .function("hello", TriggerSpec::http_route("hello"));
    let host = start_host(app, &[], &[]);
    let request = http::Request::builder()
        .method("GET")
        .uri("/api/hello")
        .header("x-echo-outputs", r#"{"outbox": "x"}"#)
        .body(bytes::Bytes::new())
        .unwrap();
    let reply = host.forward(request).await.unwrap();
    assert_eq!(reply.status, 500);
    assert_eq!(reply.json()["error"]["type"], "OutputBindingError");
    assert!(host.process.output().contains("does not declare"));
}

/// A 200 envelope's `ReturnValue` and `Outputs`.
fn return_value_of_with_outputs(reply: &polyfaas_testkit::azure::Reply) -> (Value, Value) {
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let envelope = reply.json();
    (envelope["ReturnValue"].clone(), envelope["Outputs"].clone())
}
