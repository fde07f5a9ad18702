//! Running decoded events through the invocation skeleton: one event, or a trigger's records one
//! at a time, in order.
//!
//! Azure has no partial batch response: an invocation succeeds or fails as a whole. Event Hubs,
//! Service Bus sessions and the Cosmos DB change feed are ordered, so the first record that fails
//! fails the invocation, with an error naming it (`record 2 of 5 (sequence number 42, offset
//! 4096)`), and the records after it are not run: the host retries the batch (Event Hubs
//! checkpoints only past a successful invocation, with a host.json `retry` policy), so they come
//! again, in order.

use polyfaas_core::shim::result_value;
use polyfaas_core::{Context, Event, Failure, Outputs, Response};
use serde_json::Value;

use crate::app::{App, Call};
use crate::decode::Decoded;

/// What the handler answered: its response (a batch's: the JSON array of each record's result)
/// and the named outputs it set (a batch's: each record's, in order).
#[derive(Debug)]
pub(crate) struct Ran {
    pub(crate) response: Response,
    pub(crate) outputs: Vec<Outputs>,
}

/// Runs `event` through the skeleton. For events other than HTTP, an answer that is not 2xx is
/// a failure: the host takes its retry path.
pub(crate) async fn run(app: &App, event: Event, ctx: Context) -> Result<Ran, Failure> {
    let kind = event.kind();
    let span = ctx.span().clone();
    let mut response = app.invoker.run(event, ctx).await?;
    if kind != "http" && !response.is_success() {
        let failure = Failure::unsuccessful(kind, &response);
        span.in_scope(|| {
            tracing::warn!(error_type = failure.error_type(), "{}", failure.message())
        });
        return Err(failure);
    }
    let outputs = vec![response.take_outputs()];
    Ok(Ran { response, outputs })
}

/// Runs a trigger's records in order, each with a context of its own (the call's id and span,
/// and the record's extras: its metadata and the envelope's `Metadata`). A single record
/// (`cardinality: one`) answers as [`run`] does; a batch answers with the JSON array of the
/// records' results, or fails at its first failed record, naming it, without running the rest.
pub(crate) async fn run_records(
    app: &App,
    call: &Call,
    records: Vec<Decoded>,
    batch: bool,
) -> Result<Ran, Failure> {
    let total = records.len();
    let mut results = Vec::with_capacity(total);
    let mut outputs = Vec::with_capacity(total);
    for (i, record) in records.into_iter().enumerate() {
        let ctx = app.invoker.context(call.invocation().extras(record.extras));
        match run(app, record.event, ctx).await {
            Ok(ran) if !batch => return Ok(ran),
            Ok(mut ran) => {
                results.push(result_value(ran.response.body()));
                outputs.append(&mut ran.outputs);
            }
            Err(failure) if !batch => return Err(failure),
            Err(failure) => {
                let failure = Failure::new(
                    failure.kind(),
                    failure.status(),
                    failure.error_type(),
                    format!(
                        "record {} of {total} ({}) failed, and the {} after it were not run: {}",
                        i + 1,
                        record.label,
                        total - i - 1,
                        failure.message()
                    ),
                );
                call.span().in_scope(|| {
                    tracing::error!(error_type = failure.error_type(), "{}", failure.message())
                });
                return Err(failure);
            }
        }
    }
    let response = Response::from(Value::Array(results));
    Ok(Ran { response, outputs })
}
