//! What a platform told about one invocation, before the handler runs.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::extras::{Extra, Extras};
use crate::shim::Traceparent;

/// What the platform told about one invocation: its request id, deadline, function name, trace
/// id and typed extras. Every field is optional: the [`Invoker`](super::Invoker) fills in a
/// generated request id and its defaults.
///
/// Cloning is cheap (the extras are shared): a shim that hands a batch to the handler one
/// record at a time clones the invocation per record and adds that record's own extras.
///
/// ```
/// use polyfaas_core::Invocation;
///
/// let invocation = Invocation::new()
///     .request_id("8f5b-...")
///     .deadline_ms(Some(1_700_000_000_000))
///     .trace_id(Some("Root=1-5759e988-bd862e3fe1be46a994272793".into()));
/// # let _ = invocation;
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct Invocation {
    pub(super) request_id: Option<String>,
    pub(super) deadline: Option<SystemTime>,
    pub(super) function_name: Option<String>,
    pub(super) trace_id: Option<String>,
    pub(super) traceparent: Option<Traceparent>,
    pub(super) span: Option<tracing::Span>,
    pub(super) extras: Extras,
}

impl Invocation {
    /// Nothing known yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The platform's id for the invocation; an empty one counts as none.
    pub fn request_id(mut self, id: impl Into<String>) -> Self {
        self.request_id = Some(id.into()).filter(|id| !id.is_empty());
        self
    }

    /// When the platform stops waiting.
    pub fn deadline(mut self, deadline: Option<SystemTime>) -> Self {
        self.deadline = deadline;
        self
    }

    /// The deadline in milliseconds since the Unix epoch, as most platforms give it.
    pub fn deadline_ms(self, epoch_ms: Option<u64>) -> Self {
        self.deadline(epoch_ms.map(|ms| UNIX_EPOCH + Duration::from_millis(ms)))
    }

    /// The function's name, when the platform names it per invocation; an empty one counts as
    /// none.
    pub fn function_name(mut self, name: impl Into<String>) -> Self {
        self.function_name = Some(name.into()).filter(|n| !n.is_empty());
        self
    }

    /// The platform's trace id; an empty one counts as none.
    pub fn trace_id(mut self, trace_id: Option<String>) -> Self {
        self.trace_id = trace_id.filter(|t| !t.is_empty());
        self
    }

    /// The caller's W3C trace context, where the platform passes one on (a `traceparent` header
    /// or attribute); also the trace id, unless [`trace_id`](Self::trace_id) set one. With the
    /// `opentelemetry` feature, the invocation's span is exported as a child of the caller's
    /// span, in its trace.
    ///
    /// ```
    /// use polyfaas_core::{shim::Traceparent, Invocation};
    ///
    /// let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    /// let invocation = Invocation::new().traceparent(Traceparent::parse(header));
    /// # let _ = invocation;
    /// ```
    pub fn traceparent(mut self, traceparent: Option<Traceparent>) -> Self {
        if let Some(tp) = &traceparent {
            self.trace_id
                .get_or_insert_with(|| tp.trace_id().to_owned());
        }
        self.traceparent = traceparent;
        self
    }

    /// A span of the shim's own instead of the default `invocation` span (Azure's, which
    /// captures the invocation's log lines).
    pub fn span(mut self, span: tracing::Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Adds a typed platform extra.
    pub fn extra<T: Extra>(mut self, value: T) -> Self {
        self.extras.insert(value);
        self
    }

    /// Adds every extra of `extras` (a shim that decodes an event before it knows the
    /// invocation collects them first), replacing ones of the same type.
    ///
    /// ```
    /// use polyfaas_core::{Extra, Extras, Invocation};
    ///
    /// #[derive(serde::Serialize)]
    /// struct Queue(&'static str);
    /// impl Extra for Queue {
    ///     const NAME: &'static str = "example.queue";
    /// }
    ///
    /// let mut extras = Extras::new();
    /// extras.insert(Queue("orders"));
    /// let invocation = Invocation::new().request_id("r-1").extras(extras);
    /// # let _ = invocation;
    /// ```
    pub fn extras(mut self, extras: Extras) -> Self {
        self.extras.merge(extras);
        self
    }

    /// Adds a typed platform extra that `make` builds only if the handler reads it (see
    /// [`Extras::insert_lazy`](crate::Extras::insert_lazy)).
    pub fn lazy_extra<T, F>(mut self, make: F) -> Self
    where
        T: Extra,
        F: Fn() -> Option<T> + Send + Sync + 'static,
    {
        self.extras.insert_lazy(make);
        self
    }

    /// The request id, when the platform gave one.
    pub fn request_id_given(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}
