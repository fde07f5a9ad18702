//! One invocation: payload bytes → neutral events → the invocation skeleton → the result
//! payload.

use bytes::Bytes;
use polyfaas_core::shim::result_raw;
use polyfaas_core::{BadInput, Context, Event, Failure, Invocation, Invoker, Message, Request};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::detect::{self, Shape};
use crate::http::{self, Origin};
use crate::invocation::RawEvent;
use crate::whole::whole;
use crate::{s3, schedule, sns, sqs};

/// Handles one invocation payload and returns the result JSON for `/response`, or the
/// [`Failure`] for `/error`.
///
/// - HTTP events (API Gateway v1/v2, Function URL, ALB): one handler call; the
///   [`Response`](polyfaas_core::Response) in the origin's format, whatever its status (a 404 is
///   a successful invocation).
/// - SQS: one call per record; the result is `{"batchItemFailures": [...]}` naming the records
///   whose call failed or answered non-2xx.
/// - S3, SNS: one call per record; any failure fails the invocation (Lambda retries it).
/// - Scheduled events and direct invocations: one call.
///
/// Every call of one invocation shares its context (request id, deadline, extras); each gets a
/// fresh scratch directory, removed when the call ends. For non-HTTP events the result is the
/// response body when it is JSON, else a JSON string (the text, or base64 of non-UTF-8 bytes),
/// `null` when empty; with several records, an array. A handler error, panic or timeout, or a
/// non-2xx response to a non-HTTP event, is a [`Failure`]; so is a malformed event
/// (`InvalidEvent`, the message naming the field).
pub async fn handle_event(
    invoker: &Invoker,
    payload: Bytes,
    invocation: Invocation,
) -> Result<Box<RawValue>, Failure> {
    match reply(invoker, payload, invocation).await? {
        Reply::Result(result) => Ok(result),
        Reply::Http(origin, response) => Ok(http::encode_response(origin, &whole(response).await?)),
    }
}

/// What an invocation answers: a result, or an HTTP event's response not yet encoded (the
/// runtime streams a Function URL's in streaming mode).
pub(crate) enum Reply {
    /// The result JSON.
    Result(Box<RawValue>),
    /// The response to an HTTP event of `Origin`; its body may be a stream.
    Http(Origin, polyfaas_core::Response),
}

/// [`handle_event`] up to the HTTP response, which is left for the caller to encode or stream.
/// Every invocation gets the event as [`RawEvent`]; an HTTP event also its request context.
pub(crate) async fn reply(
    invoker: &Invoker,
    payload: Bytes,
    invocation: Invocation,
) -> Result<Reply, Failure> {
    let decoded = match decode(&payload) {
        Ok(decoded) => decoded,
        Err(error) => return Err(invoker.refuse(&error, &invocation)),
    };
    let mut invocation = invocation.extra(RawEvent::new(payload.clone()));
    if let Decoded::Http(_, origin) = &decoded {
        invocation = http::attach_context(invocation, *origin, &payload);
    }
    let ctx = invoker.context(invocation);
    match decoded {
        Decoded::Http(request, origin) => {
            let response = invoker.run(Event::Http(request), ctx).await?;
            Ok(Reply::Http(origin, response))
        }
        Decoded::Sqs { messages, fifo } => {
            let mut failed = Vec::new();
            for message in messages {
                if fifo && !failed.is_empty() {
                    failed.push(message.id);
                    continue;
                }
                let id = message.id.clone();
                if let Err(failure) = call(invoker, Event::Message(message), &ctx).await {
                    tracing::warn!(message_id = %id, error_type = failure.error_type(), error = failure.message(), "SQS record failed; reported in batchItemFailures");
                    failed.push(id);
                }
            }
            Ok(Reply::Result(batch_response(failed)))
        }
        Decoded::Records(events) => {
            let mut results = Vec::with_capacity(events.len());
            // The first failure fails the invocation; later records are not run (the whole
            // event is retried).
            for event in events {
                results.push(call(invoker, event, &ctx).await?);
            }
            match <[_; 1]>::try_from(results) {
                Ok([only]) => Ok(Reply::Result(only)),
                Err(results) => Ok(Reply::Result(to_raw(&results))),
            }
        }
        Decoded::One(event) => call(invoker, event, &ctx).await.map(Reply::Result),
    }
}

/// An event decoded, before anything runs.
enum Decoded {
    /// One HTTP request, answered in its origin's format.
    Http(Request, Origin),
    /// An SQS batch: one call per message, failures reported per message.
    Sqs { messages: Vec<Message>, fifo: bool },
    /// S3 or SNS records: one call per record, the first failure fails the invocation.
    Records(Vec<Event>),
    /// A scheduled event or a direct invocation.
    One(Event),
}

fn decode(payload: &Bytes) -> Result<Decoded, BadInput> {
    let text = std::str::from_utf8(payload).map_err(|e| not_utf8(payload, e))?;
    let shape = detect::shape(text);
    Ok(match shape {
        Shape::Sqs => {
            let (messages, fifo) = sqs::decode(text)?;
            Decoded::Sqs { messages, fifo }
        }
        Shape::S3 => Decoded::Records(s3::decode(text)?),
        Shape::Sns => {
            Decoded::Records(sns::decode(text)?.into_iter().map(Event::Message).collect())
        }
        Shape::Schedule => Decoded::One(Event::Schedule(schedule::decode(text)?)),
        _ => match http::decode(shape, payload, text)? {
            Some((request, origin)) => Decoded::Http(request, origin),
            None => Decoded::One(Event::Invoke(serde_json::from_str(text).map_err(not_json)?)),
        },
    })
}

/// One handler call for a non-HTTP event: a non-2xx response is a failure.
async fn call(invoker: &Invoker, event: Event, ctx: &Context) -> Result<Box<RawValue>, Failure> {
    let kind = event.kind();
    let response = whole(invoker.run(event, ctx.clone()).await?).await?;
    if !response.is_success() {
        return Err(Failure::unsuccessful(kind, &response));
    }
    Ok(result_raw(response.body()))
}

/// `{"batchItemFailures":[{"itemIdentifier":"<messageId>"}, ...]}`.
fn batch_response(failed: Vec<String>) -> Box<RawValue> {
    let mut response = aws_lambda_events::sqs::SqsBatchResponse::default();
    response.batch_item_failures = failed
        .into_iter()
        .map(|id| {
            let mut failure = aws_lambda_events::sqs::BatchItemFailure::default();
            failure.item_identifier = id;
            failure
        })
        .collect();
    to_raw(&response)
}

fn to_raw<T: Serialize + ?Sized>(value: &T) -> Box<RawValue> {
    // Only arrays of raw JSON and derived structs are serialised here: cannot fail.
    serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

/// A payload that is not UTF-8: not JSON at all, or JSON with a string that is not text.
fn not_utf8(payload: &[u8], error: std::str::Utf8Error) -> BadInput {
    match serde_json::from_slice::<serde::de::IgnoredAny>(payload) {
        Err(e) => not_json(e),
        Ok(_) => BadInput::new("the event is not UTF-8 text").with_source(error),
    }
}

/// A payload that is not JSON (the runtime loop hands every `/next` body over as it is).
fn not_json(error: serde_json::Error) -> BadInput {
    BadInput::new(format!("the event is not JSON: {error}")).with_source(error)
}
