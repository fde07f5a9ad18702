//! `serviceBusTrigger` (a queue, or a topic's subscription) → one `Event::Message` per message
//! (`cardinality: one` or `many`): id = `MessageId`, source = the queue or
//! `<topic>/subscriptions/<subscription>`, attributes `delivery_count`, `enqueued_time`,
//! `sequence_number`, `session_id` and the application properties; everything else the trigger
//! tells in a [`ServiceBusMetadata`] extra.

use polyfaas_core::{BadInput, Event, Extra, Message};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::function_json::{resolve_setting, FunctionDef};
use crate::records::{properties_as_attributes, Record, Records};

/// What the Service Bus trigger tells about one message, an extra of its invocation (each
/// message of a batch has its own): `ctx.extra::<polyfaas_azure::ServiceBusMetadata>()`.
///
/// ```
/// use polyfaas_azure::ServiceBusMetadata;
/// # let ctx = polyfaas_core::Context::builder(polyfaas_core::Provider::AZURE, "1").build();
/// if let Some(message) = ctx.extra::<ServiceBusMetadata>() {
///     let reply_to = message.reply_to.as_deref();
///     let correlation = message.correlation_id.as_deref();
///     # let _ = (reply_to, correlation);
/// }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ServiceBusMetadata {
    /// The queue, or `<topic>/subscriptions/<subscription>`.
    pub entity: String,
    /// `MessageId`.
    pub message_id: Option<String>,
    /// `SessionId` (session-enabled entities).
    pub session_id: Option<String>,
    /// `DeliveryCount`: how many times the message was delivered, this time included.
    pub delivery_count: Option<u32>,
    /// `SequenceNumber`.
    pub sequence_number: Option<i64>,
    /// `EnqueuedTimeUtc` (else `EnqueuedTime`), RFC 3339.
    pub enqueued_time: Option<String>,
    /// `ExpiresAtUtc` (else `ExpiresAt`), RFC 3339.
    pub expires_at: Option<String>,
    /// `CorrelationId`.
    pub correlation_id: Option<String>,
    /// `ContentType`.
    pub content_type: Option<String>,
    /// `Subject` (`Label` in older extensions).
    pub subject: Option<String>,
    /// `ReplyTo`.
    pub reply_to: Option<String>,
    /// `ReplyToSessionId`.
    pub reply_to_session_id: Option<String>,
    /// `To`.
    pub to: Option<String>,
    /// `PartitionKey`.
    pub partition_key: Option<String>,
    /// `LockToken` (peek-lock mode).
    pub lock_token: Option<String>,
    /// `DeadLetterSource` (messages read from a dead-letter queue).
    pub dead_letter_source: Option<String>,
    /// `ApplicationProperties` (`UserProperties` in older extensions).
    pub application_properties: Map<String, Value>,
}

impl Extra for ServiceBusMetadata {
    const NAME: &'static str = "azure.service_bus";
}

/// The messages of a Service Bus trigger's envelope, in order.
pub(crate) fn messages(
    records: &Records<'_>,
    function: &FunctionDef,
) -> Result<Vec<Record<ServiceBusMetadata>>, BadInput> {
    let trigger = &function.trigger;
    let entity = match (&trigger.queue_name, &trigger.topic_name) {
        (Some(queue), _) => resolve_setting(queue),
        (None, Some(topic)) => format!(
            "{}/subscriptions/{}",
            resolve_setting(topic),
            trigger
                .subscription_name
                .as_deref()
                .map(resolve_setting)
                .unwrap_or_default()
        ),
        (None, None) => String::new(),
    };
    (0..records.len())
        .map(|i| {
            let first = |keys: &[&str]| -> Result<Option<String>, BadInput> {
                for key in keys {
                    if let Some(text) = records.meta_text(i, key)? {
                        return Ok(Some(text));
                    }
                }
                Ok(None)
            };
            let mut application = records.meta_object(i, "ApplicationProperties")?;
            if application.is_empty() {
                application = records.meta_object(i, "UserProperties")?;
            }
            let metadata = ServiceBusMetadata {
                entity: entity.clone(),
                message_id: first(&["MessageId"])?,
                session_id: first(&["SessionId"])?,
                delivery_count: records.meta_number(i, "DeliveryCount", "a delivery count")?,
                sequence_number: records.meta_number(i, "SequenceNumber", "a sequence number")?,
                enqueued_time: records.meta_time(i, &["EnqueuedTimeUtc", "EnqueuedTime"])?,
                expires_at: records.meta_time(i, &["ExpiresAtUtc", "ExpiresAt"])?,
                correlation_id: first(&["CorrelationId"])?,
                content_type: first(&["ContentType"])?,
                subject: first(&["Subject", "Label"])?,
                reply_to: first(&["ReplyTo"])?,
                reply_to_session_id: first(&["ReplyToSessionId"])?,
                to: first(&["To"])?,
                partition_key: first(&["PartitionKey"])?,
                lock_token: first(&["LockToken"])?.filter(|t| !t.is_empty()),
                dead_letter_source: first(&["DeadLetterSource"])?,
                application_properties: application,
            };
            let message = message(&metadata, records.body(i)?);
            let label = match (&metadata.message_id, metadata.sequence_number) {
                (Some(id), Some(n)) => format!("message id {id}, sequence number {n}"),
                (Some(id), None) => format!("message id {id}"),
                (None, Some(n)) => format!("sequence number {n}"),
                (None, None) => format!("message {i}"),
            };
            Ok(Record {
                event: Event::Message(message),
                label,
                extra: metadata,
            })
        })
        .collect()
}

fn message(metadata: &ServiceBusMetadata, body: bytes::Bytes) -> Message {
    let mut message = Message::new(
        metadata.message_id.clone().unwrap_or_default(),
        metadata.entity.clone(),
        body,
    );
    let attributes = [
        (
            "delivery_count",
            metadata.delivery_count.map(|n| n.to_string()),
        ),
        ("enqueued_time", metadata.enqueued_time.clone()),
        (
            "sequence_number",
            metadata.sequence_number.map(|n| n.to_string()),
        ),
        ("session_id", metadata.session_id.clone()),
    ];
    for (name, value) in attributes {
        if let Some(value) = value {
            message.attributes.insert(name.to_owned(), value);
        }
    }
    properties_as_attributes(&mut message, &metadata.application_properties);
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::Envelope;
    use serde_json::json;

    fn decode(binding: Value, envelope: Value) -> Vec<Record<ServiceBusMetadata>> {
        let function = FunctionDef::from_json(
            "orders",
            &json!({ "bindings": [binding] }),
            std::path::Path::new("x"),
        )
        .unwrap();
        let envelope = Envelope::from_value(envelope).unwrap();
        let records = Records::read(&envelope, &function).unwrap();
        messages(&records, &function).unwrap()
    }

    fn only(records: &[Record<ServiceBusMetadata>]) -> &Message {
        match records {
            [Record {
                event: Event::Message(m),
                ..
            }] => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_queue_message_as_the_version_5_extension_sends_it() {
        let records = decode(
            json!({"type": "serviceBusTrigger", "name": "message", "queueName": "orders"}),
            json!({"Data": {"message": "\"{\\\"order\\\":7}\""}, "Metadata": {
                "MessageId": "\"m-7\"", "DeliveryCount": "2", "SequenceNumber": "310",
                "EnqueuedTimeUtc": "2026-03-01T09:00:00", "EnqueuedTime": "2026-03-01T09:00:00+00:00",
                "ExpiresAtUtc": "2026-03-15T09:00:00", "SessionId": "\"s-1\"",
                "ContentType": "\"application/json\"", "Subject": "\"order\"", "Label": "\"order\"",
                "CorrelationId": "\"c-1\"", "LockToken": "\"7a1c\"",
                "ApplicationProperties": {"tenant": "acme", "priority": 2},
                "UserProperties": {"tenant": "acme", "priority": 2},
                "MessageActions": {}, "sys": {"MethodName": "orders"}}}),
        );
        let message = only(&records);
        assert_eq!(message.id, "m-7");
        assert_eq!(message.source, "orders");
        assert_eq!(message.body.as_ref(), br#"{"order":7}"#);
        let attributes: Vec<(&str, &str)> = message
            .attributes
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            attributes,
            [
                ("delivery_count", "2"),
                ("enqueued_time", "2026-03-01T09:00:00Z"),
                ("priority", "2"),
                ("sequence_number", "310"),
                ("session_id", "s-1"),
                ("tenant", "acme"),
            ]
        );
        let metadata = &records[0].extra;
        assert_eq!(metadata.subject.as_deref(), Some("order"));
        assert_eq!(metadata.expires_at.as_deref(), Some("2026-03-15T09:00:00Z"));
        assert_eq!(metadata.lock_token.as_deref(), Some("7a1c"));
        assert_eq!(records[0].label, "message id m-7, sequence number 310");
    }

    #[test]
    fn a_topic_subscription_batch_and_the_older_extension_names() {
        let records = decode(
            json!({"type": "serviceBusTrigger", "name": "messages", "topicName": "events",
                   "subscriptionName": "billing", "cardinality": "many"}),
            json!({"Data": {"messages": "[\"a\",\"b\"]"}, "Metadata": {
                "MessageIdArray": "[\"m-1\",\"m-2\"]", "DeliveryCountArray": "[1,3]",
                "LabelArray": "[\"x\",null]", "UserPropertiesArray": "[{\"k\":\"v\"},{}]"}}),
        );
        assert_eq!(records.len(), 2);
        let Event::Message(second) = &records[1].event else {
            panic!()
        };
        assert_eq!(second.source, "events/subscriptions/billing");
        assert_eq!(second.id, "m-2");
        assert_eq!(second.body.as_ref(), b"b");
        assert_eq!(second.attributes["delivery_count"], "3");
        assert_eq!(records[0].extra.subject.as_deref(), Some("x"));
        assert_eq!(records[0].extra.application_properties["k"], "v");
    }
}
