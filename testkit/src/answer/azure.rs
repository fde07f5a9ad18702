//! The Azure custom handler's reply to the host, as the host stand-in received it.

use bytes::Bytes;
use serde_json::Value;

/// What the handler answered to one invocation.
#[derive(Clone, Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Bytes,
    /// The `X-Azure-Functions-InvocationId` the host sent.
    pub invocation_id: String,
}

impl Reply {
    /// The body as JSON, if it is JSON.
    pub fn envelope(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// For tests: the body as JSON.
    ///
    /// # Panics
    ///
    /// When the body is not JSON, with the status and the body.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "the reply is not JSON ({e}): {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}
