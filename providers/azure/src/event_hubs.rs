//! `eventHubTrigger` → one `Event::Message` per event (`cardinality: one` or `many`), with the
//! stream position as attributes (`partition_key`, `sequence_number`, `offset`,
//! `enqueued_time`, `partition`) and the event's application properties as further attributes;
//! everything the trigger tells about the event in an [`EventHubsMetadata`] extra.

use polyfaas_core::{BadInput, Extra, Message};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::function_json::{resolve_setting, FunctionDef};
use crate::json::get_ci;
use crate::payload::text;
use crate::records::{properties_as_attributes, Record, Records};

/// What the Event Hubs trigger tells about one event, an extra of its invocation (each event of
/// a batch has its own): `ctx.extra::<polyfaas_azure::EventHubsMetadata>()`.
///
/// ```
/// use polyfaas_azure::EventHubsMetadata;
/// # let ctx = polyfaas_core::Context::builder(polyfaas_core::Provider::AZURE, "1").build();
/// if let Some(event) = ctx.extra::<EventHubsMetadata>() {
///     println!("partition {:?}, sequence number {:?}", event.partition_id, event.sequence_number);
///     let device = event.system_properties.get("iothub-connection-device-id");
///     # let _ = device;
/// }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct EventHubsMetadata {
    /// The event hub (`PartitionContext.EventHubName`, else the trigger's `eventHubName`).
    pub event_hub: String,
    /// `PartitionContext.ConsumerGroup`.
    pub consumer_group: Option<String>,
    /// `PartitionContext.PartitionId`.
    pub partition_id: Option<String>,
    /// `PartitionContext.FullyQualifiedNamespace`.
    pub fully_qualified_namespace: Option<String>,
    /// `PartitionKey` (`PartitionKeyArray[i]`).
    pub partition_key: Option<String>,
    /// `Offset` (`OffsetArray[i]`).
    pub offset: Option<String>,
    /// `SequenceNumber` (`SequenceNumberArray[i]`).
    pub sequence_number: Option<i64>,
    /// `EnqueuedTimeUtc` (`EnqueuedTimeUtcArray[i]`), RFC 3339.
    pub enqueued_time: Option<String>,
    /// The event's application properties: `Properties` (`PropertiesArray[i]`).
    pub properties: Map<String, Value>,
    /// The event's system properties (AMQP annotations such as `x-opt-offset`, IoT Hub's
    /// `iothub-connection-device-id`): `SystemProperties` (`SystemPropertiesArray[i]`).
    pub system_properties: Map<String, Value>,
}

impl Extra for EventHubsMetadata {
    const NAME: &'static str = "azure.event_hubs";
}

/// The events of an Event Hubs trigger's envelope, in order.
pub(crate) fn events(
    records: &Records<'_>,
    function: &FunctionDef,
) -> Result<Vec<Record<EventHubsMetadata>>, BadInput> {
    let context = records
        .shared("PartitionContext")
        .and_then(Value::as_object);
    let context_text = |key: &str| {
        context
            .and_then(|c| get_ci(c, key))
            .and_then(text)
            .map(|t| t.into_owned())
            .filter(|t| !t.is_empty())
    };
    let event_hub = context_text("EventHubName")
        .or_else(|| {
            function
                .trigger
                .event_hub_name
                .as_deref()
                .map(resolve_setting)
        })
        .unwrap_or_default();
    (0..records.len())
        .map(|i| {
            let metadata = EventHubsMetadata {
                event_hub: event_hub.clone(),
                consumer_group: context_text("ConsumerGroup"),
                partition_id: context_text("PartitionId"),
                fully_qualified_namespace: context_text("FullyQualifiedNamespace"),
                partition_key: records.meta_text(i, "PartitionKey")?,
                offset: records.meta_text(i, "Offset")?,
                sequence_number: records.meta_number(i, "SequenceNumber", "a sequence number")?,
                enqueued_time: records.meta_time(i, &["EnqueuedTimeUtc"])?,
                properties: records.meta_object(i, "Properties")?,
                system_properties: records.meta_object(i, "SystemProperties")?,
            };
            let message = message(&metadata, records.body(i)?);
            let label = position(&metadata).unwrap_or_else(|| format!("event {i}"));
            Ok(Record {
                event: polyfaas_core::Event::Message(message),
                label,
                extra: metadata,
            })
        })
        .collect()
}

/// The neutral message: id = the AMQP `message-id` the sender set, else the sequence number.
fn message(metadata: &EventHubsMetadata, body: bytes::Bytes) -> Message {
    let id = metadata
        .system_properties
        .get("message-id")
        .and_then(text)
        .map(|t| t.into_owned())
        .or_else(|| metadata.sequence_number.map(|n| n.to_string()))
        .unwrap_or_default();
    let mut message = Message::new(id, metadata.event_hub.clone(), body);
    let positions = [
        ("partition_key", metadata.partition_key.clone()),
        (
            "sequence_number",
            metadata.sequence_number.map(|n| n.to_string()),
        ),
        ("offset", metadata.offset.clone()),
        ("enqueued_time", metadata.enqueued_time.clone()),
        ("partition", metadata.partition_id.clone()),
    ];
    for (name, value) in positions {
        if let Some(value) = value {
            message.attributes.insert(name.to_owned(), value);
        }
    }
    properties_as_attributes(&mut message, &metadata.properties);
    message
}

/// "sequence number 42, offset 4096": how a failed event is named.
fn position(metadata: &EventHubsMetadata) -> Option<String> {
    let parts: Vec<String> = [
        metadata
            .sequence_number
            .map(|n| format!("sequence number {n}")),
        metadata.offset.as_ref().map(|o| format!("offset {o}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::Envelope;
    use polyfaas_core::Event;
    use serde_json::json;

    fn function(cardinality: &str) -> FunctionDef {
        FunctionDef::from_json(
            "ingest",
            &json!({"bindings": [{"type": "eventHubTrigger", "name": "events", "direction": "in",
                "eventHubName": "telemetry", "cardinality": cardinality, "dataType": "binary"}]}),
            std::path::Path::new("x"),
        )
        .unwrap()
    }

    fn decode(function: &FunctionDef, envelope: Value) -> Vec<Record<EventHubsMetadata>> {
        let envelope = Envelope::from_value(envelope).unwrap();
        let records = Records::read(&envelope, function).unwrap();
        events(&records, function).unwrap()
    }

    #[test]
    fn one_event_with_its_position_and_properties() {
        // As the host sends a single event: scalars double-encoded, the .NET DateTime without
        // an offset (it is UTC), the dictionaries as objects.
        let records = decode(
            &function("one"),
            json!({"Data": {"events": "eyJ0IjoyMX0="}, "Metadata": {
                "PartitionContext": {"EventHubName": "telemetry", "ConsumerGroup": "$Default",
                                     "PartitionId": "3", "FullyQualifiedNamespace": "ns.servicebus.windows.net"},
                "PartitionKey": "\"device-7\"", "Offset": "4096", "SequenceNumber": "42",
                "EnqueuedTimeUtc": "2026-03-01T09:00:00",
                "Properties": {"unit": "celsius", "rev": 2},
                "SystemProperties": {"x-opt-sequence-number": 42, "SequenceNumber": 42},
                "sys": {"MethodName": "ingest"}}}),
        );
        let [record] = records.as_slice() else {
            panic!("{records:?}")
        };
        let Event::Message(message) = &record.event else {
            panic!()
        };
        assert_eq!(message.id, "42");
        assert_eq!(message.source, "telemetry");
        assert_eq!(message.body.as_ref(), br#"{"t":21}"#);
        let attributes: Vec<(&str, &str)> = message
            .attributes
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            attributes,
            [
                ("enqueued_time", "2026-03-01T09:00:00Z"),
                ("offset", "4096"),
                ("partition", "3"),
                ("partition_key", "device-7"),
                ("rev", "2"),
                ("sequence_number", "42"),
                ("unit", "celsius")
            ]
        );
        assert_eq!(record.label, "sequence number 42, offset 4096");
        assert_eq!(record.extra.consumer_group.as_deref(), Some("$Default"));
        assert_eq!(record.extra.system_properties["x-opt-sequence-number"], 42);
    }

    #[test]
    fn a_batch_is_one_message_per_event_in_order() {
        let records = decode(
            &function("many"),
            json!({"Data": {"events": "[\"Zmlyc3Q=\",\"c2Vjb25k\"]"}, "Metadata": {
                "PartitionContext": {"PartitionId": "0"},
                "PartitionKeyArray": "[null,\"k\"]", "OffsetArray": "[\"100\",\"200\"]",
                "SequenceNumberArray": "[7,8]",
                "EnqueuedTimeUtcArray": "[\"2026-03-01T09:00:00.123\",\"2026-03-01T09:00:01\"]",
                "PropertiesArray": "[{},{\"a\":\"b\"}]",
                "SystemPropertiesArray": "[{\"message-id\":\"m-1\"},{}]"}}),
        );
        let messages: Vec<&Message> = records
            .iter()
            .map(|r| match &r.event {
                Event::Message(m) => m,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(messages.len(), 2);
        // The sender's AMQP message-id when it set one, else the sequence number.
        assert_eq!(
            (messages[0].id.as_str(), messages[1].id.as_str()),
            ("m-1", "8")
        );
        assert_eq!(messages[0].body.as_ref(), b"first");
        assert_eq!(
            messages[0].attributes["enqueued_time"],
            "2026-03-01T09:00:00.123Z"
        );
        assert!(!messages[0].attributes.contains_key("partition_key"));
        assert_eq!(messages[1].attributes["partition_key"], "k");
        assert_eq!(messages[1].attributes["a"], "b");
        // The trigger's eventHubName when the partition context does not name the hub.
        assert_eq!(messages[1].source, "telemetry");
        assert_eq!(records[1].label, "sequence number 8, offset 200");
    }

    #[test]
    fn positions_that_are_not_positions_are_named() {
        let f = function("many");
        let envelope = Envelope::from_value(json!({"Data": {"events": "[\"AA==\"]"},
            "Metadata": {"SequenceNumberArray": "[\"x\"]"}}))
        .unwrap();
        let records = Records::read(&envelope, &f).unwrap();
        assert_eq!(
            events(&records, &f).unwrap_err().to_string(),
            "Metadata.SequenceNumberArray[0]: must be a sequence number"
        );
        let envelope = Envelope::from_value(json!({"Data": {"events": "[\"AA==\"]"},
            "Metadata": {"EnqueuedTimeUtcArray": "[\"soon\"]"}}))
        .unwrap();
        let records = Records::read(&envelope, &f).unwrap();
        assert_eq!(
            events(&records, &f).unwrap_err().to_string(),
            "Metadata.EnqueuedTimeUtcArray[0]: \"soon\" is not a date-time"
        );
    }
}
