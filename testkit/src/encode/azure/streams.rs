//! Azure's stream and change triggers (azure.md §2.1 encodings; the trigger metadata of the
//! Service Bus, Event Hubs and Cosmos DB extensions): the inverse of `polyfaas-azure`'s
//! `service_bus.rs`, `event_hubs.rs` and `cosmos.rs`.
//!
//! What the host does to these values, and so what the encodings do:
//! - a single record's scalars are JSON text inside a string (`"\"m-1\""`, `"42"`); a batch's
//!   `Data` and every `Metadata.<Key>Array` is the JSON text of the .NET array, its elements
//!   plain;
//! - `EnqueuedTimeUtc` is a .NET `DateTime` in UTC, written without an offset; for a single
//!   record the host re-parses it from its culture's text first, which drops the fraction of a
//!   second (a batch's array keeps it);
//! - bodies arrive as base64 with `dataType: binary`, which the scaffold writes.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use polyfaas_core::shim::rfc3339;
use serde_json::{json, Map, Value};

use super::{double, sys, trigger, TIME};
use crate::encode::{EncodeError, Input};
use crate::logical::{ChangeEvent, ChangeOp, MessageEvent};
use crate::native::{AzureEvent, AzureFunction};

/// Where the encodings put the logical message's position attributes, and what the host always
/// sends when the message has none.
struct Position<'a> {
    attribute: &'a str,
    default: &'a str,
}

/// One record's metadata value: double-encoded in a single record, plain in a batch's array.
fn scalar(batch: bool, text: &str) -> Value {
    if batch {
        json!(text)
    } else {
        double(text)
    }
}

/// The attribute `name` of the message, or the host's value when it has none (noted as lost).
fn position(message: &MessageEvent, input: &mut Input<'_>, p: &Position<'_>, key: &str) -> String {
    match message.attributes.get(p.attribute) {
        Some(value) => value.clone(),
        None => {
            input.lose(
                format!("attributes.{}", p.attribute),
                format!("the host always sends {key} (here {})", p.default),
            );
            p.default.to_owned()
        }
    }
}

/// A sequence number or count the host sends as a number: the attribute's digits, or the host's
/// value when they are not a number (noted as lost).
fn number(message: &MessageEvent, input: &mut Input<'_>, p: &Position<'_>, key: &str) -> i64 {
    let text = position(message, input, p, key);
    text.parse().unwrap_or_else(|_| {
        input.lose(
            format!("attributes.{}", p.attribute),
            format!("{key} is a number"),
        );
        p.default.parse().unwrap_or_default()
    })
}

/// `EnqueuedTimeUtc` as the host writes it: UTC without an offset, and for a single record
/// without the fraction of a second.
fn enqueued(message: &MessageEvent, input: &mut Input<'_>, batch: bool, key: &str) -> Value {
    let p = Position {
        attribute: "enqueued_time",
        default: "2026-03-01T09:00:00Z",
    };
    let time = position(message, input, &p, key);
    let lost = |input: &mut Input<'_>, why: &str| {
        input.lose("attributes.enqueued_time", why.to_owned());
    };
    if rfc3339(&time, key).is_err() {
        lost(input, "the host sends a .NET date-time");
        return json!(TIME.trim_end_matches('Z'));
    }
    let Some(utc) = time.strip_suffix('Z').or_else(|| time.strip_suffix('z')) else {
        lost(input, "the host sends the time in UTC, without an offset");
        return json!(time);
    };
    match utc.split_once('.') {
        Some((whole, _)) if !batch => {
            lost(
                input,
                "for a single event the host drops the fraction of a second",
            );
            json!(whole)
        }
        _ => json!(utc),
    }
}

/// The message's other attributes: its application properties.
fn properties(message: &MessageEvent, positions: &[&str]) -> Map<String, Value> {
    message
        .attributes
        .iter()
        .filter(|(k, _)| !positions.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect()
}

/// A single record's metadata as is, or a batch's: each key `K` as `KArray`, the JSON text of a
/// one-element array.
fn per_record(batch: bool, record: Map<String, Value>) -> Map<String, Value> {
    if !batch {
        return record;
    }
    record
        .into_iter()
        .map(|(k, v)| {
            (
                format!("{k}Array"),
                json!(Value::Array(vec![v]).to_string()),
            )
        })
        .collect()
}

/// The trigger's `Data`: the body as base64, or for a batch the JSON text of the array of them.
fn body(message: &MessageEvent, batch: bool) -> Value {
    let base64 = BASE64.encode(&message.body);
    if batch {
        json!(json!([base64]).to_string())
    } else {
        json!(base64)
    }
}

fn cardinality(batch: bool) -> &'static str {
    if batch {
        "many"
    } else {
        "one"
    }
}

/// A Service Bus trigger on a queue (`topic: false`) or on a topic's subscription (the logical
/// source `<topic>/subscriptions/<subscription>`).
pub(super) fn service_bus(
    message: &MessageEvent,
    input: &mut Input<'_>,
    topic: bool,
) -> AzureEvent {
    const DELIVERY: Position<'_> = Position {
        attribute: "delivery_count",
        default: "1",
    };
    const SEQUENCE: Position<'_> = Position {
        attribute: "sequence_number",
        default: "1",
    };
    let name = if topic {
        "service-bus-topic"
    } else {
        "service-bus"
    };
    let mut binding = json!({"connection": "ServiceBusConnection", "dataType": "binary",
                             "cardinality": "one"});
    if topic {
        let (topic, subscription) = match message.source.split_once("/subscriptions/") {
            Some((t, s)) if !t.is_empty() && !s.is_empty() && !s.contains('/') => {
                (t.to_owned(), s.to_owned())
            }
            _ => {
                input.lose(
                    "source",
                    "a topic's messages come from <topic>/subscriptions/<subscription>",
                );
                (message.source.replace('/', "-"), "polyfaas".to_owned())
            }
        };
        binding["topicName"] = json!(topic);
        binding["subscriptionName"] = json!(subscription);
    } else {
        if message.source.is_empty() || message.source.contains('/') {
            input.lose("source", "a queue's name has no `/` and is not empty");
        }
        binding["queueName"] = json!(message.source.replace('/', "-"));
    }
    let delivery = number(message, input, &DELIVERY, "DeliveryCount");
    let sequence = number(message, input, &SEQUENCE, "SequenceNumber");
    let enqueued = enqueued(message, input, false, "EnqueuedTimeUtc");
    let properties = properties(
        message,
        &[
            "delivery_count",
            "enqueued_time",
            "sequence_number",
            "session_id",
        ],
    );
    let mut metadata = json!({
        "MessageId": double(&message.id),
        "DeliveryCount": delivery.to_string(),
        "SequenceNumber": sequence.to_string(),
        "EnqueuedTimeUtc": enqueued,
        "ExpiresAtUtc": "2026-03-15T09:00:00",
        "LockToken": double("7a1c2b3d-0000-4000-8000-t3stk1t00001"),
        "ContentType": double("application/octet-stream"),
        "ApplicationProperties": properties,
        "UserProperties": properties,
        "MessageActions": {},
        "sys": sys(name, TIME),
    });
    if let Some(session) = message.attributes.get("session_id") {
        metadata["SessionId"] = double(session);
    }
    AzureEvent {
        function: AzureFunction {
            name: name.to_owned(),
            bindings: json!([trigger("serviceBusTrigger", "message", binding)]),
        },
        envelope: json!({"Data": {"message": BASE64.encode(&message.body)}, "Metadata": metadata}),
        http: false,
    }
}

/// An Event Hubs trigger, one event (`batch: false`) or a batch holding the one event.
pub(super) fn event_hubs(message: &MessageEvent, input: &mut Input<'_>, batch: bool) -> AzureEvent {
    const SEQUENCE: Position<'_> = Position {
        attribute: "sequence_number",
        default: "1",
    };
    const OFFSET: Position<'_> = Position {
        attribute: "offset",
        default: "4294967296",
    };
    const PARTITION: Position<'_> = Position {
        attribute: "partition",
        default: "0",
    };
    let name = if batch {
        "event-hubs-batch"
    } else {
        "event-hubs"
    };
    if message.source.is_empty() || message.source.contains('/') {
        input.lose("source", "an event hub's name has no `/` and is not empty");
    }
    let hub = message.source.replace('/', "-");
    let sequence = number(message, input, &SEQUENCE, "SequenceNumber");
    let offset = position(message, input, &OFFSET, "Offset");
    let partition = position(message, input, &PARTITION, "PartitionContext.PartitionId");
    let enqueued = enqueued(message, input, batch, "EnqueuedTimeUtc");
    let properties = properties(
        message,
        &[
            "partition",
            "offset",
            "sequence_number",
            "partition_key",
            "enqueued_time",
        ],
    );
    let mut system = json!({"x-opt-sequence-number": sequence, "x-opt-offset": offset,
        "x-opt-enqueued-time": enqueued, "message-id": message.id,
        "SequenceNumber": sequence, "Offset": offset, "EnqueuedTimeUtc": enqueued});
    let mut record = Map::new();
    if let Some(key) = message.attributes.get("partition_key") {
        system["x-opt-partition-key"] = json!(key);
        system["PartitionKey"] = json!(key);
        record.insert("PartitionKey".to_owned(), scalar(batch, key));
    }
    record.insert("Offset".to_owned(), scalar(batch, &offset));
    record.insert(
        "SequenceNumber".to_owned(),
        if batch {
            json!(sequence)
        } else {
            json!(sequence.to_string())
        },
    );
    record.insert("EnqueuedTimeUtc".to_owned(), enqueued);
    record.insert("Properties".to_owned(), Value::Object(properties));
    record.insert("SystemProperties".to_owned(), system);
    let mut metadata = per_record(batch, record);
    metadata.insert(
        "PartitionContext".to_owned(),
        json!({"FullyQualifiedNamespace": "polyfaas-testkit.servicebus.windows.net",
               "EventHubName": hub, "ConsumerGroup": "$Default", "PartitionId": partition}),
    );
    metadata.insert("sys".to_owned(), sys(name, TIME));
    AzureEvent {
        function: AzureFunction {
            name: name.to_owned(),
            bindings: json!([trigger(
                "eventHubTrigger",
                "events",
                json!({"eventHubName": hub, "consumerGroup": "$Default",
                       "connection": "EventHubConnection", "dataType": "binary",
                       "cardinality": cardinality(batch)})
            )]),
        },
        envelope: json!({"Data": {"events": body(message, batch)}, "Metadata": metadata}),
        http: false,
    }
}

/// A Cosmos DB trigger with the changed document: the change feed's latest version, with its
/// system properties; the change's id is the document's `_etag`.
pub(super) fn cosmos(
    change: &ChangeEvent,
    input: &mut Input<'_>,
) -> Result<AzureEvent, EncodeError> {
    match change.op {
        ChangeOp::Upsert => {}
        ChangeOp::Remove => input.lose(
            "op",
            "the change feed's latest-version mode sends no deletions; sent as the document's last version",
        ),
        ChangeOp::Insert | ChangeOp::Modify => input.lose(
            "op",
            "the change feed cannot tell inserts from updates (upsert)",
        ),
    }
    if change.old.is_some() {
        input.lose(
            "old",
            "the change feed sends only the current version of a document",
        );
    }
    let mut document = match change.new.as_ref().or(change.old.as_ref()) {
        Some(Value::Object(map)) => map.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => {
            return Err(EncodeError::invalid(
                "new",
                "a Cosmos DB document is a JSON object",
            ))
        }
    };
    if change.new.is_none() {
        input.lose("new", "the change feed always sends the document");
    }
    let key_id = change
        .key
        .as_ref()
        .and_then(|k| k.get("id"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let id = match (document.get("id").and_then(Value::as_str), key_id) {
        (Some(id), _) => id.to_owned(),
        (None, key) => {
            input.lose("new", "every Cosmos DB document has an `id`");
            let id = key.unwrap_or_else(|| change.id.clone());
            document.insert("id".to_owned(), json!(id));
            id
        }
    };
    if change.key != Some(json!({ "id": id })) {
        input.lose(
            "key",
            "a document's key is its id (the partition key is not in the change feed)",
        );
    }
    if SYSTEM.iter().any(|k| document.contains_key(*k)) {
        input.lose(
            "new",
            "the document's system properties (_rid, _etag, ...) are not part of the change",
        );
    }
    let (database, container) = match change.source.split_once('/') {
        Some((d, c)) if !d.is_empty() && !c.is_empty() && !c.contains('/') => {
            (d.to_owned(), c.to_owned())
        }
        _ => {
            input.lose(
                "source",
                "a change's source is <database>/<container> (here polyfaas/<source>)",
            );
            ("polyfaas".to_owned(), change.source.replace('/', "-"))
        }
    };
    if change.id.is_empty() || change.id.contains('"') {
        input.lose("id", "the change's id is the document's _etag");
    }
    document.insert("_rid".to_owned(), json!("AAAAAPolyfaA=="));
    document.insert(
        "_self".to_owned(),
        json!("dbs/AAAAAA==/colls/AAAAAPolyfa=/docs/AAAAAPolyfaA==/"),
    );
    document.insert(
        "_etag".to_owned(),
        json!(format!("\"{}\"", change.id.replace('"', ""))),
    );
    document.insert("_attachments".to_owned(), json!("attachments/"));
    document.insert("_ts".to_owned(), json!(1_772_355_600u64));
    document.insert("_lsn".to_owned(), json!(7));
    Ok(AzureEvent {
        function: AzureFunction {
            name: "cosmos".to_owned(),
            bindings: json!([trigger(
                "cosmosDBTrigger",
                "documents",
                json!({"databaseName": database, "containerName": container,
                       "connection": "CosmosDBConnection", "leaseContainerName": "leases",
                       "createLeaseContainerIfNotExists": true})
            )]),
        },
        // The host serialises the feed's list of documents to JSON text.
        envelope: json!({"Data": {"documents": json!([document]).to_string()},
                         "Metadata": {"sys": sys("cosmos", TIME)}}),
        http: false,
    })
}

/// Cosmos DB's system properties, which the shim keeps out of `new`.
const SYSTEM: [&str; 6] = ["_rid", "_self", "_etag", "_attachments", "_ts", "_lsn"];
