//! One invocation: payload bytes → neutral events → the handler → the result payload.

use bytes::Bytes;
use polyfaas_core::{invoke, Event, Handler, Response};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::context::Invocation;
use crate::detect::{self, Shape};
use crate::error::{EventError, Failure};
use crate::{http, s3, schedule, sns, sqs};

/// Handles one invocation payload and returns the result JSON for `/response`, or the failure
/// for `/error`.
///
/// - HTTP events (API Gateway v1/v2, Function URL, ALB): one handler call; the [`Response`] in
///   the origin's format, whatever its status (a 404 is a successful invocation).
/// - SQS: one call per record; the result is `{"batchItemFailures": [...]}` naming the records
///   whose call failed or answered non-2xx.
/// - S3, SNS: one call per record; any failure fails the invocation (Lambda retries it).
/// - Scheduled events and direct invocations: one call.
///
/// For non-HTTP events the result is the response body when it is JSON, else a JSON string
/// (the text, or base64 of non-UTF-8 bytes), `null` when empty; with several records, an array.
/// A handler error, panic or timeout, or a non-2xx response to a non-HTTP event, is a
/// [`Failure`]; so is a malformed event, with a message naming the field.
pub async fn handle_event<H: Handler + ?Sized>(
    handler: &H,
    payload: Bytes,
    invocation: &Invocation,
) -> Result<Box<RawValue>, Failure> {
    let Ok(text) = std::str::from_utf8(&payload) else {
        return Err(not_json(&payload).into());
    };
    let shape = detect::shape(text);
    match shape {
        Shape::ApiGatewayV1 | Shape::ApiGatewayV2 | Shape::FunctionUrl | Shape::Alb => {
            let Some((request, origin)) = http::decode(shape, &payload, text)? else {
                return Err(EventError::field("(event)", "not an HTTP event").into());
            };
            let response = invoke(handler, Event::Http(request), invocation.context()).await?;
            Ok(http::encode_response(origin, &response))
        }
        Shape::Sqs => {
            let (messages, fifo) = sqs::decode(text)?;
            let mut failures = Vec::new();
            for (id, event) in sqs::events(messages) {
                if fifo && !failures.is_empty() {
                    failures.push(id);
                    continue;
                }
                if let Err(failure) = call(handler, event, invocation).await {
                    tracing::warn!(message_id = %id, error_type = %failure.error_type, error = %failure.message, "SQS record failed; reported in batchItemFailures");
                    failures.push(id);
                }
            }
            Ok(batch_response(failures))
        }
        Shape::S3 => records(handler, s3::decode(text)?, invocation).await,
        Shape::Sns => {
            let events = sns::decode(text)?.into_iter().map(Event::Message).collect();
            records(handler, events, invocation).await
        }
        Shape::Schedule => {
            let event = Event::Schedule(schedule::decode(text)?);
            call(handler, event, invocation).await
        }
        _ => {
            let payload: serde_json::Value =
                serde_json::from_str(text).map_err(EventError::NotJson)?;
            call(handler, Event::Invoke(payload), invocation).await
        }
    }
}

/// One handler call for a non-HTTP event: a non-2xx response is a failure.
async fn call<H: Handler + ?Sized>(
    handler: &H,
    event: Event,
    invocation: &Invocation,
) -> Result<Box<RawValue>, Failure> {
    let kind = event.kind();
    let response = invoke(handler, event, invocation.context()).await?;
    if !response.is_success() {
        return Err(Failure::unsuccessful(kind, &response));
    }
    Ok(result_json(&response))
}

/// Each record in turn; the first failure fails the invocation (later records are not run:
/// the whole event is retried).
async fn records<H: Handler + ?Sized>(
    handler: &H,
    events: Vec<Event>,
    invocation: &Invocation,
) -> Result<Box<RawValue>, Failure> {
    let mut results = Vec::with_capacity(events.len());
    for event in events {
        results.push(call(handler, event, invocation).await?);
    }
    if results.len() == 1 {
        if let Some(only) = results.pop() {
            return Ok(only);
        }
    }
    Ok(to_raw(&results))
}

/// The result payload for a non-HTTP response body.
fn result_json(response: &Response) -> Box<RawValue> {
    let body = response.body();
    if body.is_empty() {
        return RawValue::NULL.to_owned();
    }
    if let Ok(text) = std::str::from_utf8(body) {
        if let Ok(raw) = serde_json::from_str::<&RawValue>(text) {
            return raw.to_owned();
        }
        return to_raw(text);
    }
    use base64::Engine as _;
    to_raw(&base64::engine::general_purpose::STANDARD.encode(body))
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
    // Only strings, arrays of raw JSON and derived structs are serialised here: cannot fail.
    serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

fn not_json(payload: &[u8]) -> EventError {
    match serde_json::from_slice::<serde::de::IgnoredAny>(payload) {
        Err(e) => EventError::NotJson(e),
        Ok(_) => EventError::field("(event)", "not UTF-8 text"),
    }
}
