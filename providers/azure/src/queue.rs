//! `queueTrigger` → `Event::Message`: the double-encoded message text, its id, and the queue's
//! bookkeeping (dequeue count, times, retry count) as attributes and as a [`QueueMetadata`]
//! extra.

use polyfaas_core::{BadInput, Extra, Message};
use serde::Serialize;
use serde_json::Value;

use crate::function_json::FunctionDef;
use crate::json::{get_ci, kind_of};
use crate::payload::{bytes, text, Envelope};

/// `Metadata` keys copied into the message's attributes, and their attribute names.
const ATTRIBUTES: [(&str, &str); 4] = [
    ("DequeueCount", "dequeue_count"),
    ("InsertionTime", "insertion_time"),
    ("ExpirationTime", "expiration_time"),
    ("NextVisibleTime", "next_visible_time"),
];

/// What the Storage queue trigger tells about the message, an extra of its invocation:
/// `ctx.extra::<polyfaas_azure::QueueMetadata>()`.
///
/// ```
/// use polyfaas_azure::QueueMetadata;
/// # let ctx = polyfaas_core::Context::builder(polyfaas_core::Provider::AZURE, "1").build();
/// // The host moves a message to `<queue>-poison` after 5 dequeues (`maxDequeueCount`).
/// let last_try = ctx.extra::<QueueMetadata>().and_then(|q| q.dequeue_count).is_some_and(|n| n >= 5);
/// # assert!(!last_try);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct QueueMetadata {
    /// The trigger's `queueName`.
    pub queue: String,
    /// `Id`.
    pub id: Option<String>,
    /// `PopReceipt`.
    pub pop_receipt: Option<String>,
    /// `DequeueCount`: how many times the message was taken, this time included.
    pub dequeue_count: Option<u32>,
    /// `InsertionTime`.
    pub insertion_time: Option<String>,
    /// `ExpirationTime`.
    pub expiration_time: Option<String>,
    /// `NextVisibleTime`.
    pub next_visible_time: Option<String>,
}

impl Extra for QueueMetadata {
    const NAME: &'static str = "azure.queue";
}

/// The message of a queue trigger's envelope, and its metadata.
pub(crate) fn message(
    envelope: &Envelope,
    function: &FunctionDef,
) -> Result<(Message, QueueMetadata), BadInput> {
    let binding = &function.trigger.name;
    let field = format!("Data.{binding}");
    let value = get_ci(&envelope.data, binding)
        .ok_or_else(|| BadInput::at(&field, "missing (the queue message)"))?;
    let body = match value {
        // `dataType: binary`: the host sends the bytes as base64.
        Value::String(s) if function.trigger.is_binary() => bytes(s, &field)?,
        // A message that is a JSON object may arrive parsed (older hosts): its JSON text.
        Value::Object(_) | Value::Array(_) => value.to_string().into_bytes(),
        other => text(other)
            .ok_or_else(|| {
                BadInput::at(&field, format!("must be a string, not {}", kind_of(other)))
            })?
            .into_owned()
            .into_bytes(),
    };
    let id = envelope
        .metadata_text("Id")
        .map(|id| id.into_owned())
        .unwrap_or_default();
    let source = function.trigger.queue_name.clone().unwrap_or_default();
    let mut message = Message::new(id, source, body);
    for (key, attribute) in ATTRIBUTES {
        if let Some(value) = envelope.metadata_text(key) {
            message
                .attributes
                .insert(attribute.to_owned(), value.into_owned());
        }
    }
    if let Some(Value::Object(retry)) = get_ci(&envelope.metadata, "RetryContext") {
        if let Some(count) = get_ci(retry, "RetryCount").and_then(text) {
            message
                .attributes
                .insert("retry_count".to_owned(), count.into_owned());
        }
    }
    let text = |key: &str| envelope.metadata_text(key).map(|t| t.into_owned());
    let metadata = QueueMetadata {
        queue: message.source.clone(),
        id: text("Id"),
        pop_receipt: text("PopReceipt"),
        dequeue_count: text("DequeueCount").and_then(|n| n.parse().ok()),
        insertion_time: text("InsertionTime"),
        expiration_time: text("ExpirationTime"),
        next_visible_time: text("NextVisibleTime"),
    };
    Ok((message, metadata))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn function(data_type: Option<&str>) -> FunctionDef {
        let mut binding = json!({"type": "queueTrigger", "name": "msg", "queueName": "orders"});
        if let Some(dt) = data_type {
            binding["dataType"] = json!(dt);
        }
        FunctionDef::from_json(
            "q",
            &json!({"bindings": [binding]}),
            std::path::Path::new("x"),
        )
        .unwrap()
    }

    #[test]
    fn the_double_encoded_message_is_decoded_once() {
        let env = Envelope::from_value(
            json!({"Data": {"msg": "\"{\\\"orderId\\\":42}\""}, "Metadata": {
            "Id": "\"m-1\"", "DequeueCount": "2", "InsertionTime": "2024-05-01T00:00:00+00:00",
            "RetryContext": {"RetryCount": 1, "MaxRetryCount": 3}}}),
        )
        .unwrap();
        let (msg, metadata) = message(&env, &function(None)).unwrap();
        assert_eq!(metadata.dequeue_count, Some(2));
        assert_eq!(metadata.id.as_deref(), Some("m-1"));
        assert_eq!(msg.body_text().unwrap(), r#"{"orderId":42}"#);
        assert_eq!(msg.id, "m-1");
        assert_eq!(msg.source, "orders");
        assert_eq!(msg.attributes["dequeue_count"], "2");
        assert_eq!(
            msg.attributes["insertion_time"],
            "2024-05-01T00:00:00+00:00"
        );
        assert_eq!(msg.attributes["retry_count"], "1");
    }

    #[test]
    fn the_real_capture_and_the_docs_example_both_decode() {
        // Outside oracles, read from the shared folder: a payload recorded from a deployed app
        // (double-encoded) and the documentation's example (single-encoded, numeric
        // DequeueCount: wrong about what the host sends, but decoded leniently all the same).
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/azure");
        let cases = [
            (
                "real-captures/ballerina-queue-trigger-request.json",
                "inMsg",
                "aaaaa",
                "a0004923-f050-417a-9742-6d7c7b984134",
            ),
            (
                "docs/docs-queue-trigger-request.json",
                "myQueueItem",
                "{ message: \"Message sent\" }",
                "800ae4b3-bdd2-4c08-badd-f08e5a34b865",
            ),
        ];
        for (file, binding, text, id) in cases {
            let body = std::fs::read(dir.join(file))
                .unwrap_or_else(|e| panic!("{file}: {e}: the outside-oracle fixtures are read from ../shared beside the checkout, as CI has them"));
            let f = FunctionDef::from_json(
                "q",
                &json!({"bindings": [{"type": "queueTrigger", "name": binding, "queueName": "q"}]}),
                std::path::Path::new("x"),
            )
            .unwrap();
            let (msg, _) = message(&Envelope::parse(&body).unwrap(), &f).unwrap();
            assert_eq!(msg.body_text().unwrap(), text, "{file}");
            assert_eq!(msg.id, id, "{file}");
            assert_eq!(msg.attributes["dequeue_count"], "1", "{file}");
        }
    }

    #[test]
    fn binary_messages_are_base64() {
        let env = Envelope::from_value(json!({"Data": {"msg": "AP8="}})).unwrap();
        assert_eq!(
            message(&env, &function(Some("binary")))
                .unwrap()
                .0
                .body
                .as_ref(),
            [0, 255]
        );
        let err = message(
            &Envelope::from_value(json!({"Data": {}})).unwrap(),
            &function(None),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "Data.msg: missing (the queue message)");
    }
}
