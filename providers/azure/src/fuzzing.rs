//! For the fuzz targets (`fuzz/`), hidden from the docs: the shim's decoders reached without a
//! server, exactly as `invocation.rs` calls them.

use std::path::Path;

use axum::body::{Body, Bytes};
use polyfaas_core::{BadInput, Context, Event, Provider};
use serde_json::Value;

use crate::function_json::{FunctionDef, TriggerKind};
use crate::json::take_ci;
use crate::payload::{undouble, Envelope};
use crate::records::{Record, Records};
use crate::{blob_file, blob_trigger, cosmos, event_hubs, http_trigger, queue, service_bus, timer};

/// The events an envelope becomes under `function`'s trigger (every record of a batch), or the
/// bad input the shim answers with. A blob trigger's envelope is taken as it is after its
/// content was split out ([`receive_blob`]).
pub fn decode(function: &FunctionDef, envelope: &Envelope) -> Result<Vec<Event>, BadInput> {
    envelope.check_method_name(&function.name)?;
    let binding = &function.trigger.name;
    Ok(match &function.trigger_kind {
        TriggerKind::EventHubs => {
            let read = Records::read(envelope, function)?;
            events(event_hubs::events(&read, function)?)
        }
        TriggerKind::ServiceBus => {
            let read = Records::read(envelope, function)?;
            events(service_bus::messages(&read, function)?)
        }
        TriggerKind::CosmosDb => {
            let read = Records::read(envelope, function)?;
            events(cosmos::changes(&read, function)?)
        }
        TriggerKind::Http => {
            let mut data = envelope.data.clone();
            let value =
                take_ci(&mut data, binding).ok_or_else(|| BadInput::at(binding, "missing"))?;
            vec![Event::Http(http_trigger::request(value, binding)?.0)]
        }
        TriggerKind::Queue => vec![Event::Message(queue::message(envelope, function)?.0)],
        TriggerKind::Timer => vec![Event::Schedule(timer::tick(envelope, function)?.0)],
        TriggerKind::Blob => vec![Event::Blob(blob_trigger::blob_event(envelope, function)?.0)],
        TriggerKind::Other(_) => {
            let mut data = envelope.data.clone();
            vec![Event::Invoke(match take_ci(&mut data, binding) {
                Some(Value::String(s)) => Value::String(undouble(&s).into_owned()),
                Some(other) => other,
                None => Value::Null,
            })]
        }
    })
}

fn events<T>(records: Vec<Record<T>>) -> Vec<Event> {
    records.into_iter().map(|r| r.event).collect()
}

/// A blob trigger's request body, sent in `chunk`-byte pieces, through the streaming reader that
/// writes `Data.<binding>` to a scratch file under `scratch` while the body arrives: the rest of
/// the envelope and the decoded file's bytes, or why the request was refused.
pub async fn receive_blob(
    body: &[u8],
    chunk: usize,
    binding: &str,
    scratch: &Path,
) -> Result<(Envelope, Option<Vec<u8>>), String> {
    let pieces: Vec<Result<Bytes, std::convert::Infallible>> = body
        .chunks(chunk.max(1))
        .map(|piece| Ok(Bytes::copy_from_slice(piece)))
        .collect();
    let body = Body::from_stream(futures_util::stream::iter(pieces));
    let ctx = Context::builder(Provider::AZURE, "fuzz")
        .scratch_base(scratch)
        .build();
    let received = blob_file::receive(body, binding, &ctx, usize::MAX)
        .await
        .map_err(|rejection| format!("{rejection:?}"))?;
    let content = match &received.file {
        Some(file) => Some(std::fs::read(&file.path).map_err(|e| e.to_string())?),
        None => None,
    };
    Ok((received.envelope, content))
}
