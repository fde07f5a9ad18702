//! Named output bindings: values a handler hands to the platform besides its response (Azure
//! Functions' queue, blob, Service Bus, Event Hubs and Cosmos DB outputs).

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::Value;

/// The value of one named output binding, set with
/// [`Response::with_output`](crate::Response::with_output). The shim writes it the way its
/// binding's type needs (on Azure: a blob's bytes as base64, a queue message as text or JSON).
///
/// ```
/// use polyfaas_core::Output;
///
/// assert_eq!(Output::from("hello"), Output::Text("hello".into()));
/// assert_eq!(Output::from(serde_json::json!({"id": 7})), Output::Json(serde_json::json!({"id": 7})));
/// assert_eq!(Output::from(vec![0u8, 255]), Output::Bytes(vec![0u8, 255].into()));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Output {
    /// A JSON value: a document, a message object, or an array of several messages.
    Json(Value),
    /// Text: a message or a blob's content as UTF-8.
    Text(String),
    /// Bytes: a blob's content, a binary message.
    Bytes(Bytes),
}

impl From<Value> for Output {
    fn from(value: Value) -> Self {
        Output::Json(value)
    }
}

impl From<String> for Output {
    fn from(text: String) -> Self {
        Output::Text(text)
    }
}

impl From<&str> for Output {
    fn from(text: &str) -> Self {
        Output::Text(text.to_owned())
    }
}

impl From<Bytes> for Output {
    fn from(bytes: Bytes) -> Self {
        Output::Bytes(bytes)
    }
}

impl From<Vec<u8>> for Output {
    fn from(bytes: Vec<u8>) -> Self {
        Output::Bytes(bytes.into())
    }
}

/// A response's named outputs, by binding name.
pub type Outputs = BTreeMap<String, Output>;
