//! Lines from a `tracing` layer over a registry: what the subscriber becomes when another layer
//! needs the registry too (OTLP export, Azure's capture of each invocation's lines). Each span
//! keeps its recorded [`Fields`] in the registry's extensions; an event's line is made from
//! them and its own.

use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use super::fields::Fields;
use super::line::{write_line, Format, MakeWriter, SpanFields};

/// The layer: lines in `F`'s format, written to what `W` makes.
pub(crate) struct LinesLayer<F, W> {
    format: F,
    make_writer: W,
}

impl<F, W> LinesLayer<F, W> {
    pub(crate) fn new(format: F, make_writer: W) -> Self {
        LinesLayer {
            format,
            make_writer,
        }
    }
}

/// A span's fields, in its extensions.
struct Recorded(Fields);

impl<F, W, S> Layer<S> for LinesLayer<F, W>
where
    F: Format,
    W: MakeWriter,
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            let fields = Fields::of(|visit| attrs.record(visit));
            span.extensions_mut().insert(Recorded(fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let added = Fields::of(|visit| values.record(visit));
        let mut extensions = span.extensions_mut();
        match extensions.get_mut::<Recorded>() {
            Some(Recorded(fields)) => fields.list.extend(added.list),
            None => extensions.insert(Recorded(added)),
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let spans: Vec<SpanFields> = ctx
            .event_scope(event)
            .map(|scope| {
                scope
                    .from_root()
                    .map(|span| SpanFields {
                        name: span.name(),
                        fields: span
                            .extensions()
                            .get::<Recorded>()
                            .map(|Recorded(fields)| fields.clone())
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let fields = Fields::of(|visit| event.record(visit));
        write_line(
            &self.make_writer,
            &self.format.line(event.metadata(), &fields, &spans),
        );
    }
}
