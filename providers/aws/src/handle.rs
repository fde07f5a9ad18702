//! One invocation: payload bytes → neutral events → the invocation skeleton → the result
//! payload.

use bytes::Bytes;
use polyfaas_core::shim::result_raw;
use polyfaas_core::{BadInput, Context, Event, Failure, Invocation, Invoker, Request};
use serde_json::value::RawValue;

use crate::authorizer::{self, RESPONSE_VAR};
use crate::batch::{Batch, Tally};
use crate::detect::{self, Shape};
use crate::http::{self, Origin};
use crate::invocation::RawEvent;
use crate::whole::make_whole;
use crate::{dynamodb, kafka, kinesis, s3, schedule, sns, sqs};

/// Handles one invocation payload and returns the result JSON for `/response`, or the
/// [`Failure`] for `/error`.
///
/// - HTTP events (API Gateway v1/v2, Function URL, ALB): one handler call; the
///   [`Response`](polyfaas_core::Response) in the origin's format, whatever its status (a 404 is
///   a successful invocation).
/// - SQS, Kinesis, DynamoDB Streams: one call per record; the result is
///   `{"batchItemFailures": [...]}` naming the records whose call failed or answered non-2xx
///   (ordered sources, FIFO queues included, stop at the first failure and name every later
///   record too).
/// - S3, SNS, Kafka: one call per record; the first failure fails the invocation, its message
///   naming the record (Lambda retries the whole event).
/// - Authorizer calls: one call; the handler's `Authorization` as the IAM policy or simple
///   response API Gateway expects (`POLYFAAS_AUTHORIZER_RESPONSE` picks for HTTP API payload
///   2.0).
/// - Scheduled events and direct invocations: one call.
///
/// Every call of one invocation shares its request id, deadline and extras; each record of a
/// batch adds its own extras (`SqsRecord`, `KinesisRecord`...), and each call gets a fresh
/// scratch directory, removed when the call ends. For non-HTTP events the result is the
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
        Reply::Http(origin, mut response) => {
            make_whole(&mut response).await?;
            Ok(http::encode_response(origin, &response))
        }
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
        Err(error) => return Err(invoker.refuse(&error, invocation.request_id_given())),
    };
    let mut invocation = invocation.extra(RawEvent::new(payload.clone()));
    if let Decoded::Http(_, origin) = &decoded {
        invocation = http::attach_context(invocation, *origin, &payload);
    }
    match decoded {
        Decoded::Http(request, origin) => {
            let ctx = invoker.context(invocation);
            let response = invoker.run(Event::Http(request), ctx).await?;
            Ok(Reply::Http(origin, response))
        }
        Decoded::Batch(batch) => {
            let mut tally = Tally::new(batch.report, batch.records.len());
            for record in batch.records {
                if tally.skips() {
                    tally.skipped(record);
                    continue;
                }
                let (event, record_invocation, name) = record.start(&invocation);
                let ctx = invoker.context(record_invocation);
                // Boxed, as the other branches' calls: this future stays the size of the HTTP
                // branch's (a future is copied whole each time it is handed on).
                let outcome = Box::pin(call(invoker, event, &ctx)).await;
                tally.add(name, outcome)?;
            }
            Ok(Reply::Result(tally.finish()))
        }
        Decoded::Authorize(mut call) => {
            call.choose_response(std::env::var(RESPONSE_VAR).ok().as_deref())?;
            let resource = call.request.resource.clone();
            let form = call.extra.response;
            let authorizer::Call { request, extra, .. } = *call;
            let ctx = invoker.context(invocation.extra(extra));
            let response = Box::pin(async {
                let mut response = invoker.run(Event::Authorize(request), ctx).await?;
                make_whole(&mut response).await?;
                Ok::<_, Failure>(response)
            })
            .await?;
            authorizer::answer(&response, &resource, form).map(Reply::Result)
        }
        Decoded::One(event) => {
            let ctx = invoker.context(invocation);
            Box::pin(call(invoker, event, &ctx))
                .await
                .map(Reply::Result)
        }
    }
}

/// An event decoded, before anything runs.
enum Decoded {
    /// One HTTP request, answered in its origin's format.
    Http(Request, Origin),
    /// Records: one call each, failures reported as the source allows.
    Batch(Batch),
    /// An authorizer call, answered with a policy or a simple response.
    Authorize(Box<authorizer::Call>),
    /// A scheduled event or a direct invocation.
    One(Event),
}

fn decode(payload: &Bytes) -> Result<Decoded, BadInput> {
    let text = std::str::from_utf8(payload).map_err(|e| not_utf8(payload, e))?;
    // HTTP events, the hot path, are parsed once: their shape is decided in the same pass.
    if let Some(decoded) = http::decode_direct(payload, text) {
        let (request, origin) = decoded?;
        return Ok(Decoded::Http(request, origin));
    }
    let shape = detect::shape(text);
    Ok(match shape {
        Shape::Sqs => Decoded::Batch(sqs::decode(text)?),
        Shape::S3 => Decoded::Batch(s3::decode(text)?),
        Shape::Sns => Decoded::Batch(sns::decode(text)?),
        Shape::Kinesis => Decoded::Batch(kinesis::decode(text)?),
        Shape::DynamoDb => Decoded::Batch(dynamodb::decode(text)?),
        Shape::Kafka => Decoded::Batch(kafka::decode(text)?),
        Shape::TokenAuthorizer | Shape::RequestAuthorizer | Shape::HttpApiAuthorizer => {
            Decoded::Authorize(Box::new(authorizer::decode(shape, payload, text)?))
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
    let mut response = invoker.run(event, ctx.clone()).await?;
    make_whole(&mut response).await?;
    if !response.is_success() {
        return Err(Failure::unsuccessful(kind, &response));
    }
    Ok(result_raw(response.body()))
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
