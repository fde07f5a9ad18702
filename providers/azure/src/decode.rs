//! What an envelope becomes under its function's trigger: the events to run, each with the
//! extras its context carries (the record's or message's metadata, the route parameters, the
//! envelope's `Metadata`). The server runs them (`invocation.rs`), and the fuzz targets read them
//! (`fuzzing.rs`), through this one dispatch.

use polyfaas_core::{BadInput, BlobEvent, Event, Extra, Extras};
use serde_json::Value;

use crate::function_json::{FunctionDef, TriggerKind};
use crate::json::take_ci;
use crate::payload::{undouble, AzureMetadata, Envelope};
use crate::records::{Record, Records};
use crate::{blob_trigger, cosmos, event_hubs, http_trigger, queue, service_bus, timer};

/// One event and what its context carries.
pub(crate) struct Decoded {
    pub(crate) event: Event,
    /// Names a batch's record in its failure (`sequence number 42, offset 4096`); empty for a
    /// single event.
    pub(crate) label: String,
    pub(crate) extras: Extras,
}

/// The events of one envelope.
pub(crate) enum Events {
    /// One event: HTTP, queue, timer, blob, or any other trigger's value.
    One(Box<Decoded>),
    /// A stream trigger's records (Event Hubs, Service Bus, Cosmos DB), run in order; `batch`
    /// when the function takes many at once (`cardinality: many`).
    Records { records: Vec<Decoded>, batch: bool },
}

impl Events {
    /// Every event, in order (for the fuzz targets).
    pub(crate) fn into_events(self) -> Vec<Event> {
        match self {
            Events::One(one) => vec![one.event],
            Events::Records { records, .. } => records.into_iter().map(|r| r.event).collect(),
        }
    }
}

/// Decodes `envelope` under `function`'s trigger. The error is the bad input the shim answers
/// with, naming the field.
pub(crate) fn decode(function: &FunctionDef, mut envelope: Envelope) -> Result<Events, BadInput> {
    let binding = &function.trigger.name;
    Ok(match &function.trigger_kind {
        TriggerKind::EventHubs => {
            let read = Records::read(&envelope, function)?;
            stream(
                event_hubs::events(&read, function)?,
                &envelope,
                read.is_batch(),
            )
        }
        TriggerKind::ServiceBus => {
            let read = Records::read(&envelope, function)?;
            stream(
                service_bus::messages(&read, function)?,
                &envelope,
                read.is_batch(),
            )
        }
        TriggerKind::CosmosDb => {
            let read = Records::read(&envelope, function)?;
            // The change feed always delivers a list of documents: a batch.
            stream(cosmos::changes(&read, function)?, &envelope, true)
        }
        TriggerKind::Http => {
            let value = take_ci(&mut envelope.data, binding).ok_or_else(|| {
                BadInput::at(format!("Data.{binding}"), "missing (the HTTP request)")
            })?;
            let (request, params) = http_trigger::request(value, binding)?;
            let mut extras = Extras::new();
            if let Some(params) = params {
                extras.insert(params);
            }
            one(Event::Http(request), extras, envelope)
        }
        TriggerKind::Queue => {
            let (message, metadata) = queue::message(&envelope, function)?;
            one(Event::Message(message), extras_of(metadata), envelope)
        }
        TriggerKind::Timer => {
            let (tick, info) = timer::tick(&envelope, function)?;
            one(Event::Schedule(tick), extras_of(info), envelope)
        }
        TriggerKind::Blob => {
            let (blob, extras) = blob(function, envelope)?;
            Events::One(Box::new(Decoded {
                event: Event::Blob(blob),
                label: String::new(),
                extras,
            }))
        }
        TriggerKind::Other(_) => {
            let value = take_ci(&mut envelope.data, binding).unwrap_or(Value::Null);
            // A string trigger value is double-encoded too.
            let payload = match value {
                Value::String(s) => Value::String(undouble(&s).into_owned()),
                other => other,
            };
            one(Event::Invoke(payload), Extras::new(), envelope)
        }
    })
}

/// A blob trigger's event (its content already split out of the envelope, or a deferred
/// binding's reference) and its context's extras.
pub(crate) fn blob(
    function: &FunctionDef,
    envelope: Envelope,
) -> Result<(BlobEvent, Extras), BadInput> {
    let (blob, metadata) = blob_trigger::blob_event(&envelope, function)?;
    let mut extras = extras_of(metadata);
    extras.insert(AzureMetadata(envelope.metadata));
    Ok((blob, extras))
}

fn extras_of<T: Extra>(value: T) -> Extras {
    let mut extras = Extras::new();
    extras.insert(value);
    extras
}

/// A single event, with the envelope's `Metadata` after its own extras.
fn one(event: Event, mut extras: Extras, envelope: Envelope) -> Events {
    extras.insert(AzureMetadata(envelope.metadata));
    Events::One(Box::new(Decoded {
        event,
        label: String::new(),
        extras,
    }))
}

/// A stream trigger's records, each with its own metadata and the envelope's shared `Metadata`
/// (minus the per-record arrays of a batch).
fn stream<T: Extra>(records: Vec<Record<T>>, envelope: &Envelope, batch: bool) -> Events {
    let shared = AzureMetadata::shared(&envelope.metadata, batch);
    let records = records
        .into_iter()
        .map(|record| {
            let mut extras = extras_of(record.extra);
            extras.insert(shared.clone());
            Decoded {
                event: record.event,
                label: record.label,
                extras,
            }
        })
        .collect();
    Events::Records { records, batch }
}
