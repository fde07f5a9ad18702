//! Queue and topic messages.

use std::collections::BTreeMap;

use bytes::Bytes;

/// One message from a queue or topic (SQS, SNS, Pub/Sub, Azure Queue, ...).
///
/// Batches are the shim's business: a handler sees one message at a time.
///
/// ```
/// use polyfaas_core::Message;
///
/// let mut msg = Message::new("m-1", "orders", "{\"id\":7}");
/// msg.attributes.insert("priority".into(), "high".into());
/// assert_eq!(msg.body_text().unwrap(), "{\"id\":7}");
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

    /// The body as UTF-8 text, if it is.
    pub fn body_text(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.body)
    }
}
