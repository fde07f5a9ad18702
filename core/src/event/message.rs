//! Queue and topic messages.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::{parse_at, BadInput};

/// One message from a queue, topic or stream (SQS, SNS, Pub/Sub, Azure Queue, Service Bus, Event
/// Hubs, Kinesis, Kafka).
///
/// Batches are the shim's business: a handler sees one message at a time. Stream records carry
/// their position as attributes where the source has them: `partition_key`, `sequence_number`,
/// `partition`, `offset`, `enqueued_time` (RFC 3339), `delivery_count`.
///
/// ```
/// use polyfaas_core::Message;
///
/// #[derive(serde::Deserialize)]
/// struct Order { id: u32 }
///
/// let mut msg = Message::new("m-1", "orders", "{\"id\":7}");
/// msg.attributes.insert("priority".into(), "high".into());
/// assert_eq!(msg.body_text().unwrap(), "{\"id\":7}");
/// assert_eq!(msg.json::<Order>()?.id, 7);
/// # Ok::<(), polyfaas_core::BadInput>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// The platform's message id.
    pub id: String,
    /// The queue or topic it came from.
    pub source: String,
    /// The payload, as bytes.
    pub body: Bytes,
    /// String attributes (SQS message attributes, Pub/Sub attributes, dequeue count, ...).
    pub attributes: BTreeMap<String, String>,
}

impl Message {
    /// A message with no attributes.
    pub fn new(id: impl Into<String>, source: impl Into<String>, body: impl Into<Bytes>) -> Self {
        Message {
            id: id.into(),
            source: source.into(),
            body: body.into(),
            attributes: BTreeMap::new(),
        }
    }

    /// The body read as JSON into a `T`; a body that does not fit is a [`BadInput`] naming the
    /// field under `body`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, BadInput> {
        parse_at(&self.body, "body")
    }

    /// The body as UTF-8 text, if it is.
    pub fn body_text(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.body)
    }
}
