//! One Lambda invocation payload through `polyfaas_aws::handle_event`: detection, then the
//! strict parser of the detected shape (API Gateway v1/v2, Function URL, ALB, S3, SQS, SNS,
//! EventBridge, direct invoke), the handler (which writes each event's canonical JSON) and the
//! result encoding.
use std::sync::OnceLock;

use crate::{check_event, runtime};
use bytes::Bytes;
use polyfaas_aws::{handle_event, Invocation};
use polyfaas_core::blob::{Blobs, MemoryStore};
use polyfaas_core::{handler_fn, Context, Error, Event, Response};

fn invocation() -> &'static Invocation {
    static INVOCATION: OnceLock<Invocation> = OnceLock::new();
    INVOCATION.get_or_init(|| Invocation::new("fuzz", Blobs::new(MemoryStore::new())))
}

async fn echo(event: Event, _ctx: Context) -> Result<Response, Error> {
    check_event(&event);
    Ok(Response::text("ok"))
}

pub fn run(data: &[u8]) {
    let handler = handler_fn(echo);
    let payload = Bytes::copy_from_slice(data);
    let _ = runtime().block_on(handle_event(&handler, payload, invocation()));
}
