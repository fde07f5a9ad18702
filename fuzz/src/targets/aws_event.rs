//! One Lambda invocation payload through `polyfaas_aws::handle_event`: detection, then the
//! strict parser of the detected shape (API Gateway v1/v2, Function URL, ALB, S3, SQS, SNS,
//! Kinesis, DynamoDB Streams, Kafka, the three authorizer forms, EventBridge, direct invoke),
//! the handler (which writes each event's canonical JSON) and the result encoding (partial
//! batch responses, authorizer policies).
use std::sync::OnceLock;

use crate::{check_event, runtime};
use bytes::Bytes;
use polyfaas_aws::handle_event;
use polyfaas_core::{handler_fn, Context, Error, Event, Invocation, Invoker, Provider, Response};

/// The invoker, built once: a handler that checks every event it is given.
fn invoker() -> &'static Invoker {
    static INVOKER: OnceLock<Invoker> = OnceLock::new();
    INVOKER.get_or_init(|| Invoker::builder(Provider::AWS, handler_fn(echo)).build())
}

async fn echo(event: Event, _ctx: Context) -> Result<Response, Error> {
    check_event(&event);
    Ok(Response::text("ok"))
}

pub fn run(data: &[u8]) {
    let payload = Bytes::copy_from_slice(data);
    let invocation = Invocation::new().request_id("fuzz");
    let _ = runtime().block_on(handle_event(invoker(), payload, invocation));
}
