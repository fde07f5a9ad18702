//! The neutral event: one enum, one variant per kind of trigger.

mod authorize;
mod blob;
mod change;
mod http;
mod message;
mod schedule;

pub use self::authorize::{AuthRequest, Authorization};
pub use self::blob::{BlobChange, BlobEvent};
pub use self::change::{Change, ChangeOp};
pub use self::http::{Request, RequestExt, SourceIp};
pub use self::message::Message;
pub use self::schedule::Tick;

/// What triggered an invocation, whatever the platform.
///
/// ```
/// use polyfaas_core::Event;
///
/// let event = Event::Invoke(serde_json::json!({"order": 7}));
/// assert_eq!(event.kind(), "invoke");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// An HTTP request, with its whole body.
    Http(Request),
    /// An object was created in or deleted from a bucket or container.
    Blob(BlobEvent),
    /// One message from a queue, topic or stream.
    Message(Message),
    /// One record of a database change stream.
    Change(Change),
    /// A timer fired.
    Schedule(Tick),
    /// An API asks whether to let a caller in (answer with an [`Authorization`]).
    Authorize(AuthRequest),
    /// A direct invocation with an arbitrary JSON payload.
    Invoke(serde_json::Value),
}

impl Event {
    /// The kind of event, as in the canonical JSON: `http`, `blob`, `message`, `change`,
    /// `schedule`, `authorize` or `invoke`.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Http(_) => "http",
            Event::Blob(_) => "blob",
            Event::Message(_) => "message",
            Event::Change(_) => "change",
            Event::Schedule(_) => "schedule",
            Event::Authorize(_) => "authorize",
            Event::Invoke(_) => "invoke",
        }
    }
}

impl From<Request> for Event {
    fn from(request: Request) -> Self {
        Event::Http(request)
    }
}

impl From<BlobEvent> for Event {
    fn from(blob: BlobEvent) -> Self {
        Event::Blob(blob)
    }
}

impl From<Message> for Event {
    fn from(message: Message) -> Self {
        Event::Message(message)
    }
}

impl From<Change> for Event {
    fn from(change: Change) -> Self {
        Event::Change(change)
    }
}

impl From<AuthRequest> for Event {
    fn from(request: AuthRequest) -> Self {
        Event::Authorize(request)
    }
}

impl From<Tick> for Event {
    fn from(tick: Tick) -> Self {
        Event::Schedule(tick)
    }
}

impl From<serde_json::Value> for Event {
    fn from(payload: serde_json::Value) -> Self {
        Event::Invoke(payload)
    }
}
