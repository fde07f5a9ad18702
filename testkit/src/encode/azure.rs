//! Azure Functions host invocations (azure.md §2, §5, §7): the `{"Data", "Metadata"}` envelope the
//! host POSTs to `/<function>`, values encoded the host's way (scalars as JSON text inside a
//! string, bytes as base64), and the `function.json` bindings the function needs; the inverse of
//! `polyfaas-azure`'s decoders. The stream and change triggers are in [`streams`].

mod streams;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::{text, EncodeError, Form, Input};
use crate::logical::{
    BlobChange, BlobEvent, HttpEvent, Kind, LogicalEvent, MessageEvent, ScheduleEvent,
};
use crate::native::{AzureEvent, AzureFunction, NativeEvent};

pub(super) const FORMS: &[Form] = &[
    Form {
        name: "http",
        kind: Kind::Http,
        description: "an HTTP trigger's envelope (forwarding off)",
    },
    Form {
        name: "blob",
        kind: Kind::Blob,
        description: "a blob trigger (created blobs) with the content in the envelope",
    },
    Form {
        name: "event-grid",
        kind: Kind::Blob,
        description: "an Event Grid trigger with a Microsoft.Storage.BlobCreated/BlobDeleted event",
    },
    Form {
        name: "queue",
        kind: Kind::Message,
        description: "a Storage queue trigger (dataType binary)",
    },
    Form {
        name: "service-bus",
        kind: Kind::Message,
        description: "a Service Bus queue trigger",
    },
    Form {
        name: "service-bus-topic",
        kind: Kind::Message,
        description: "a Service Bus trigger on a topic's subscription",
    },
    Form {
        name: "event-hubs",
        kind: Kind::Message,
        description: "an Event Hubs trigger (cardinality one)",
    },
    Form {
        name: "event-hubs-batch",
        kind: Kind::Message,
        description: "an Event Hubs trigger (cardinality many), a batch of one event; the answer is the array of the events' results",
    },
    Form {
        name: "cosmos",
        kind: Kind::Change,
        description: "a Cosmos DB change feed trigger (one document); the answer is the array of the documents' results",
    },
    Form {
        name: "timer",
        kind: Kind::Schedule,
        description: "a timer trigger, in a function named after the schedule",
    },
    Form {
        name: "invoke",
        kind: Kind::Invoke,
        description: "a Dapr service invocation trigger given the payload as its body",
    },
];

pub(super) fn default_form(event: &LogicalEvent) -> Option<&'static str> {
    Some(match event {
        LogicalEvent::Http(_) => "http",
        LogicalEvent::Blob(blob) if blob.change == BlobChange::Created => "blob",
        LogicalEvent::Blob(_) => "event-grid",
        LogicalEvent::Message(_) => "queue",
        LogicalEvent::Change(_) => "cosmos",
        LogicalEvent::Schedule(_) => "timer",
        LogicalEvent::Invoke(_) => "invoke",
        LogicalEvent::Authorize(_) => return None,
    })
}

const TIME: &str = "2026-03-01T09:00:00.000Z";
const ACCOUNT: &str = "polyfaastestkit";

/// A value the host passes as JSON text inside a string (strings, ids, URIs).
fn double(text: &str) -> Value {
    Value::String(Value::String(text.to_owned()).to_string())
}

fn sys(function: &str, utc_now: &str) -> Value {
    json!({"MethodName": function, "UtcNow": utc_now, "RandGuid": "0f1e2d3c-0000-4000-8000-t3stk1t00001"})
}

fn trigger(kind: &str, name: &str, extra: Value) -> Value {
    let mut binding = json!({"type": kind, "direction": "in", "name": name});
    if let (Value::Object(binding), Value::Object(extra)) = (&mut binding, extra) {
        binding.extend(extra);
    }
    binding
}

pub(super) fn encode(form: &str, mut input: Input<'_>) -> Result<NativeEvent, EncodeError> {
    let event = match (form, input.event) {
        ("http", LogicalEvent::Http(http)) => http_envelope(http, &mut input)?,
        ("blob", LogicalEvent::Blob(blob)) => blob_envelope(blob, &mut input)?,
        ("event-grid", LogicalEvent::Blob(blob)) => event_grid(blob, &mut input),
        ("queue", LogicalEvent::Message(message)) => queue(message, &mut input),
        ("service-bus", LogicalEvent::Message(message)) => {
            streams::service_bus(message, &mut input, false)
        }
        ("service-bus-topic", LogicalEvent::Message(message)) => {
            streams::service_bus(message, &mut input, true)
        }
        ("event-hubs", LogicalEvent::Message(message)) => {
            streams::event_hubs(message, &mut input, false)
        }
        ("event-hubs-batch", LogicalEvent::Message(message)) => {
            streams::event_hubs(message, &mut input, true)
        }
        ("cosmos", LogicalEvent::Change(change)) => streams::cosmos(change, &mut input)?,
        ("timer", LogicalEvent::Schedule(tick)) => timer(tick, &mut input),
        ("invoke", LogicalEvent::Invoke(payload)) => invoke(payload, &mut input),
        (form, event) => {
            return Err(EncodeError::invalid(
                "kind",
                format!("form {form} does not carry {} events", event.kind()),
            ))
        }
    };
    Ok(NativeEvent::Azure(event))
}

fn http_envelope(http: &HttpEvent, input: &mut Input<'_>) -> Result<AzureEvent, EncodeError> {
    if text::raw_query(&http.query) != http.query {
        input.lose(
            "query",
            "the query is read from the URL, where bytes a URI cannot hold are escaped",
        );
    }
    input.check_forwarded_for(http, "the host");
    let mut query = Map::new();
    for (key, values) in text::grouped(&text::pairs(&http.query)) {
        let values: Vec<String> = values
            .iter()
            .map(|v| text::decode(v).unwrap_or_else(|| (*v).to_owned()))
            .collect();
        query.insert(
            text::decode(key).unwrap_or_else(|| key.to_owned()),
            json!(values.join(",")),
        );
    }
    let mut headers = Map::new();
    let mut first_values = Map::new();
    for (name, values) in &http.headers {
        headers.insert(text::dotnet_case(name), json!(values));
        if let Some(first) = values.first() {
            first_values.insert(text::dotnet_case(name), json!(first));
        }
    }
    let mut req = json!({
        "Url": format!("http://localhost:7071{}", text::target(&http.path, &http.query)),
        "Method": http.method,
        "Query": query,
        "Headers": headers,
        "Params": {},
        "Identities": [],
    });
    if !http.body.is_empty() {
        let binary = http.first_header("content-type").is_some_and(|ct| {
            let media = crate::openwhisk::web::media_type(ct);
            media == "application/octet-stream" || media.starts_with("multipart/")
        });
        req["Body"] = if binary {
            json!(BASE64.encode(&http.body))
        } else {
            match std::str::from_utf8(&http.body) {
                Ok(text) => json!(text),
                Err(_) => {
                    input.lose(
                        "body_base64",
                        "the host passes a body as text unless it is octet-stream or multipart; bytes that are not UTF-8 are replaced",
                    );
                    json!(String::from_utf8_lossy(&http.body))
                }
            }
        };
    }
    Ok(AzureEvent {
        function: AzureFunction {
            name: "http".to_owned(),
            bindings: json!([
                trigger("httpTrigger", "req", json!({"authLevel": "anonymous", "route": "{*path}",
                    "methods": ["get", "post", "put", "patch", "delete", "head", "options"]})),
                {"type": "http", "direction": "out", "name": "res"},
            ]),
        },
        envelope: json!({"Data": {"req": req},
                         "Metadata": {"Headers": first_values, "Query": query, "sys": sys("http", TIME)}}),
        http: true,
    })
}

fn check_container(blob: &BlobEvent, input: &mut Input<'_>) {
    if blob.store.is_empty() || blob.store.contains('/') {
        input.lose("store", "a container name has no `/` and is not empty");
    }
}

fn blob_envelope(blob: &BlobEvent, input: &mut Input<'_>) -> Result<AzureEvent, EncodeError> {
    if blob.change == BlobChange::Deleted {
        return Err(EncodeError::invalid(
            "change",
            "a blob trigger fires for created blobs only; deletions come as form event-grid",
        ));
    }
    check_container(blob, input);
    let content = input.object.map_or(&[][..], |o| o.content.as_slice());
    let length = match blob.size {
        Some(size) => size,
        None => {
            input.lose("size", "the host always tells the blob's length");
            content.len() as u64
        }
    };
    let uri = format!(
        "https://{ACCOUNT}.blob.core.windows.net/{}/{}",
        blob.store,
        percent_encoding::utf8_percent_encode(&blob.key, text::KEY_PATH)
    );
    let mut properties = json!({
        // BlobType: the .NET enum as a number (2: BlockBlob), as the host writes it.
        "Length": length, "BlobType": 2, "LastModified": TIME, "Created": TIME,
    });
    if let Some(etag) = &blob.etag {
        properties["ETag"] = json!(format!("\"{etag}\""));
    }
    if let Some(content_type) = &blob.content_type {
        properties["ContentType"] = json!(content_type);
    }
    Ok(AzureEvent {
        function: AzureFunction {
            name: "blob".to_owned(),
            bindings: json!([trigger(
                "blobTrigger",
                "blob",
                json!({
                "path": format!("{}/{{name}}", blob.store), "dataType": "binary",
                "connection": "AzureWebJobsStorage"})
            )]),
        },
        envelope: json!({
            "Data": {"blob": BASE64.encode(content)},
            "Metadata": {"Uri": double(&uri), "Properties": properties, "Metadata": {},
                         "name": double(&blob.key), "sys": sys("blob", TIME)},
        }),
        http: false,
    })
}

fn event_grid(blob: &BlobEvent, input: &mut Input<'_>) -> AzureEvent {
    input.delivered_as(
        Kind::Invoke,
        "polyfaas-azure does not decode Event Grid events: the handler gets the event as an invoke payload",
    );
    let (event_type, api) = match blob.change {
        BlobChange::Created => ("Microsoft.Storage.BlobCreated", "PutBlob"),
        BlobChange::Deleted => ("Microsoft.Storage.BlobDeleted", "DeleteBlob"),
    };
    let mut data = json!({
        "api": api,
        "requestId": "9d87e1a0-001e-0000-0000-t3stk1t00001",
        "blobType": "BlockBlob",
        "url": format!("https://{ACCOUNT}.blob.core.windows.net/{}/{}", blob.store, blob.key),
        "sequencer": "0000000000000000000000000000000000000000000000000000000000000001",
        "storageDiagnostics": {"batchId": "b0b0b0b0-0000-4000-8000-t3stk1t00001"},
    });
    if let Some(content_type) = &blob.content_type {
        data["contentType"] = json!(content_type);
    }
    if let Some(size) = blob.size {
        data["contentLength"] = json!(size);
    }
    if let Some(etag) = &blob.etag {
        data["eTag"] = json!(etag);
    }
    let event = json!({
        "id": "831e1650-001e-001b-66ab-t3stk1t00001",
        "topic": format!("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/polyfaas/providers/Microsoft.Storage/storageAccounts/{ACCOUNT}"),
        "subject": format!("/blobServices/default/containers/{}/blobs/{}", blob.store, blob.key),
        "eventType": event_type,
        "eventTime": TIME,
        "data": data,
        "dataVersion": "",
        "metadataVersion": "1",
    });
    AzureEvent {
        function: AzureFunction {
            name: "event-grid".to_owned(),
            bindings: json!([trigger("eventGridTrigger", "event", json!({}))]),
        },
        envelope: json!({"Data": {"event": event}, "Metadata": {"sys": sys("event-grid", TIME)}}),
        http: false,
    }
}

/// The queue trigger's metadata keys, with the attribute names the shim gives them.
const QUEUE_METADATA: [(&str, &str, &str); 4] = [
    ("DequeueCount", "dequeue_count", "1"),
    (
        "InsertionTime",
        "insertion_time",
        "2026-03-01T09:00:00+00:00",
    ),
    (
        "ExpirationTime",
        "expiration_time",
        "2026-03-08T09:00:00+00:00",
    ),
    (
        "NextVisibleTime",
        "next_visible_time",
        "2026-03-01T09:10:00+00:00",
    ),
];

fn queue(message: &MessageEvent, input: &mut Input<'_>) -> AzureEvent {
    let mut metadata = json!({"Id": double(&message.id), "PopReceipt": double("AgAAAAMAAAAAAAAAt3stk1t="),
                              "sys": sys("queue", TIME)});
    for (key, attribute, default) in QUEUE_METADATA {
        let value = match message.attributes.get(attribute) {
            Some(value) => value.clone(),
            None => {
                input.lose(
                    format!("attributes.{attribute}"),
                    format!("the host always sends {key} (here {default})"),
                );
                default.to_owned()
            }
        };
        metadata[key] = json!(value);
    }
    for (name, value) in &message.attributes {
        if name == "retry_count" {
            metadata["RetryContext"] = json!({"RetryCount": value.parse::<u64>().map_or_else(|_| json!(value), |n| json!(n)),
                                              "MaxRetryCount": 5, "Exception": null});
        } else if !QUEUE_METADATA.iter().any(|(_, a, _)| a == name) {
            input.lose(
                format!("attributes.{name}"),
                "a Storage queue message has no attributes of its own",
            );
        }
    }
    AzureEvent {
        function: AzureFunction {
            name: "queue".to_owned(),
            bindings: json!([trigger(
                "queueTrigger",
                "message",
                json!({
                "queueName": message.source, "dataType": "binary", "connection": "AzureWebJobsStorage"})
            )]),
        },
        envelope: json!({"Data": {"message": BASE64.encode(&message.body)}, "Metadata": metadata}),
        http: false,
    }
}

fn timer(tick: &ScheduleEvent, input: &mut Input<'_>) -> AzureEvent {
    let valid = |name: &str| {
        name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.len() <= 127
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let name = match &tick.name {
        Some(name) if valid(name) => name.clone(),
        other => {
            input.lose(
                "name",
                match other {
                    Some(_) => "the tick is named after its function, and this is not a valid function name",
                    None => "the tick is named after its function (here `timer`)",
                },
            );
            "timer".to_owned()
        }
    };
    let now = match &tick.time {
        Some(time) => time.clone(),
        None => {
            input.lose(
                "time",
                "the host always sends the time the timer fired (sys.UtcNow)",
            );
            TIME.to_owned()
        }
    };
    AzureEvent {
        function: AzureFunction {
            name: name.clone(),
            bindings: json!([trigger(
                "timerTrigger",
                "timer",
                json!({"schedule": "0 0 2 * * *"})
            )]),
        },
        envelope: json!({
            "Data": {"timer": {"Schedule": {"AdjustForDST": true}, "ScheduleStatus": null, "IsPastDue": false}},
            "Metadata": {"sys": sys(&name, &now)},
        }),
        http: false,
    }
}

fn invoke(payload: &Value, input: &mut Input<'_>) -> AzureEvent {
    let mut data = Map::new();
    match payload {
        Value::Null => {}
        Value::String(text) => {
            data.insert("message".to_owned(), double(text));
        }
        Value::Object(_) | Value::Array(_) => {
            data.insert("message".to_owned(), payload.clone());
        }
        Value::Number(_) | Value::Bool(_) => {
            input.lose(
                "payload",
                "the host passes a number or boolean as JSON text in a string, which the handler gets as that string",
            );
            data.insert("message".to_owned(), json!(payload.to_string()));
        }
    }
    AzureEvent {
        function: AzureFunction {
            name: "invoke".to_owned(),
            bindings: json!([trigger(
                "daprServiceInvocationTrigger",
                "message",
                json!({"methodName": "invoke"})
            )]),
        },
        envelope: json!({"Data": data, "Metadata": {"sys": sys("invoke", TIME)}}),
        http: false,
    }
}
