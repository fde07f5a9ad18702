//! Where [`LineSubscriber`](super::subscriber::LineSubscriber) keeps its spans: each open span's
//! metadata, fields and parent, by id, and the spans each thread has entered.
//!
//! This is the part of `tracing_subscriber`'s registry a line writer needs, without its
//! sharded slab (whose 4,096-slot shard table is written at start-up, before the first
//! invocation): one lock around a slab, for a process serving one invocation, or a few, at a
//! time. A span lives while a handle to it, or a child of it, does.

use std::cell::RefCell;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use tracing::span::{Id, Record};
use tracing::Metadata;

use super::fields::Fields;
use super::line::SpanFields;

/// The spans of one subscriber.
pub(crate) struct Spans {
    /// Tells this store's entries in the threads' stacks from those of another subscriber's.
    store: usize,
    slab: Mutex<Slab>,
}

#[derive(Default)]
struct Slab {
    /// Slot `i` is the span of id `i + 1`.
    slots: Vec<Option<Span>>,
    free: Vec<usize>,
}

struct Span {
    metadata: &'static Metadata<'static>,
    fields: Fields,
    parent: Option<Id>,
    /// Handles to the span, and children of it, still open.
    refs: usize,
}

thread_local! {
    /// The spans this thread is in, innermost last, each with the store it belongs to.
    static ENTERED: RefCell<Vec<(usize, Id)>> = const { RefCell::new(Vec::new()) };
}

impl Spans {
    pub(crate) fn new() -> Spans {
        static STORES: AtomicUsize = AtomicUsize::new(0);
        Spans {
            store: STORES.fetch_add(1, Ordering::Relaxed),
            slab: Mutex::new(Slab::default()),
        }
    }

    fn slab(&self) -> MutexGuard<'_, Slab> {
        // A panic while the lock was held left the slab consistent (each change is one
        // statement): go on with it.
        self.slab
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A new span, a child of `parent` (which it keeps open).
    pub(crate) fn open(
        &self,
        metadata: &'static Metadata<'static>,
        fields: Fields,
        parent: Option<Id>,
    ) -> Id {
        let mut slab = self.slab();
        let parent = parent.filter(|p| slab.get_mut(p).map(|s| s.refs += 1).is_some());
        let span = Span {
            metadata,
            fields,
            parent,
            refs: 1,
        };
        let index = match slab.free.pop() {
            Some(index) => {
                slab.slots[index] = Some(span);
                index
            }
            None => {
                slab.slots.push(Some(span));
                slab.slots.len() - 1
            }
        };
        id_of(index)
    }

    /// Adds `values` to the span's fields.
    pub(crate) fn record(&self, id: &Id, values: &Record<'_>) {
        let added = Fields::of(|visit| values.record(visit));
        if let Some(span) = self.slab().get_mut(id) {
            span.fields.list.extend(added.list);
        }
    }

    /// Another handle to the span.
    pub(crate) fn clone_span(&self, id: &Id) -> Id {
        if let Some(span) = self.slab().get_mut(id) {
            span.refs += 1;
        }
        id.clone()
    }

    /// A handle is dropped; whether that closed the span (then its parent loses a reference,
    /// and so on up).
    pub(crate) fn close(&self, id: &Id) -> bool {
        let mut slab = self.slab();
        let mut next = Some(id.clone());
        let mut closed_first = None;
        while let Some(id) = next.take() {
            let Some(span) = slab.get_mut(&id) else { break };
            span.refs -= 1;
            let closed = span.refs == 0;
            closed_first.get_or_insert(closed);
            if !closed {
                break;
            }
            let index = index_of(&id);
            next = slab.slots[index].take().and_then(|span| span.parent);
            slab.free.push(index);
        }
        closed_first.unwrap_or(false)
    }

    /// The metadata of an open span.
    pub(crate) fn metadata(&self, id: &Id) -> Option<&'static Metadata<'static>> {
        self.slab().get_mut(id).map(|span| span.metadata)
    }

    /// `leaf` and the spans it is in, the outermost first.
    pub(crate) fn scope(&self, leaf: Option<Id>) -> Vec<SpanFields> {
        let mut scope = Vec::new();
        let mut slab = self.slab();
        let mut next = leaf;
        while let Some(span) = next.and_then(|id| slab.get_mut(&id)) {
            scope.push(SpanFields {
                name: span.metadata.name(),
                fields: span.fields.clone(),
            });
            next = span.parent.clone();
        }
        scope.reverse();
        scope
    }

    /// This thread enters the span.
    pub(crate) fn enter(&self, id: &Id) {
        // `try_with`: a span may be entered or left while the thread's locals are being torn
        // down (a guard dropped in another thread-local's destructor); it is then not tracked.
        let _ = ENTERED.try_with(|entered| entered.borrow_mut().push((self.store, id.clone())));
    }

    /// This thread leaves the span (the innermost entry of it).
    pub(crate) fn exit(&self, id: &Id) {
        let _ = ENTERED.try_with(|entered| {
            let mut entered = entered.borrow_mut();
            if let Some(at) = entered
                .iter()
                .rposition(|(store, entry)| *store == self.store && entry == id)
            {
                entered.remove(at);
            }
        });
    }

    /// The span this thread is in, innermost.
    pub(crate) fn current(&self) -> Option<Id> {
        ENTERED
            .try_with(|entered| {
                entered
                    .borrow()
                    .iter()
                    .rev()
                    .find(|(store, _)| *store == self.store)
                    .map(|(_, id)| id.clone())
            })
            .ok()
            .flatten()
    }
}

impl Slab {
    fn get_mut(&mut self, id: &Id) -> Option<&mut Span> {
        self.slots.get_mut(index_of(id))?.as_mut()
    }
}

fn id_of(index: usize) -> Id {
    // Slot indices are far below u64::MAX; the id is never 0.
    Id::from_non_zero_u64(NonZeroU64::MIN.saturating_add(index as u64))
}

fn index_of(id: &Id) -> usize {
    usize::try_from(id.into_u64() - 1).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    static CALLSITE: tracing::callsite::DefaultCallsite =
        tracing::callsite::DefaultCallsite::new(&META);
    static META: Metadata<'static> = tracing::metadata!(
        name: "span",
        target: "t",
        level: tracing::Level::INFO,
        fields: &[],
        callsite: &CALLSITE,
        kind: tracing::metadata::Kind::SPAN,
    );

    fn open_slots(spans: &Spans) -> usize {
        let slab = spans.slab();
        slab.slots.iter().filter(|s| s.is_some()).count()
    }

    #[test]
    fn a_span_lives_while_a_handle_or_a_child_does() {
        let spans = Spans::new();
        let parent = spans.open(&META, Fields::default(), None);
        let child = spans.open(&META, Fields::default(), Some(parent.clone()));
        let again = spans.clone_span(&parent);
        assert!(!spans.close(&parent));
        assert!(!spans.close(&again), "the child holds it");
        assert_eq!(spans.scope(Some(child.clone())).len(), 2);
        assert!(spans.close(&child));
        assert_eq!(open_slots(&spans), 0);
        // Slots are reused; an unknown id is ignored.
        let reused = spans.open(&META, Fields::default(), Some(Id::from_u64(99)));
        assert_eq!(spans.scope(Some(reused.clone())).len(), 1);
        assert!(spans.close(&reused));
        assert!(!spans.close(&Id::from_u64(99)));
    }

    #[test]
    fn each_thread_and_each_store_has_its_own_current_span() {
        let (one, two) = (Spans::new(), Spans::new());
        let a = one.open(&META, Fields::default(), None);
        let b = two.open(&META, Fields::default(), None);
        one.enter(&a);
        two.enter(&b);
        assert_eq!(one.current(), Some(a.clone()));
        assert_eq!(two.current(), Some(b.clone()));
        std::thread::scope(|s| {
            s.spawn(|| assert_eq!(one.current(), None));
        });
        one.exit(&a);
        assert_eq!(one.current(), None);
        assert_eq!(two.current(), Some(b));
    }
}
