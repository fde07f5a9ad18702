//! AWS Lambda shim for polyfaas: the Runtime API (over one kept-alive hyper connection), every
//! common trigger into the neutral [`Event`](polyfaas_core::Event) and back.
//!
//! The shim is transport + codec over core's invocation skeleton: the runtime loop takes each
//! `/next` event's bytes as they arrive; [`invocation()`] reads what the Runtime API told about
//! it (request id, deadline, trace id, [`FunctionArn`], [`TraceId`]); [`handle_event`] decodes
//! the payload into neutral events, runs them through the [`Invoker`](polyfaas_core::Invoker)
//! and writes the result, or the [`Failure`](polyfaas_core::Failure) that goes to `/error`.
//!
//! Applications don't call this crate: they build with the `aws` feature of `polyfaas` and
//! `polyfaas::run(handler)` lands in [`run`] when `AWS_LAMBDA_RUNTIME_API` is set. They read
//! Lambda's extras as `polyfaas::aws::…`: [`FunctionArn`], [`TraceId`], the event as received
//! ([`RawEvent`]), and, with the `request-context` feature (polyfaas's `aws-request-context`), an
//! HTTP event's whole request context (`ApiGatewayV1Context`, `ApiGatewayV2Context`,
//! `FunctionUrlContext`, `AlbContext`). The pieces are public for tests and benchmarks:
//!
//! ```
//! use bytes::Bytes;
//! use polyfaas_aws::handle_event;
//! use polyfaas_core::{handler_fn, Context, Error, Event, Invocation, Invoker, Provider, RequestExt, Response};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let handler = handler_fn(|event: Event, _ctx: Context| async move {
//!     let Event::Http(req) = event else { return Ok::<_, Error>(Response::ok()) };
//!     Ok(Response::text(format!("{} {}", req.method(), req.decoded_path())))
//! });
//! let invoker = Invoker::builder(Provider::AWS, handler).build();
//! let event = Bytes::from_static(br#"{"version":"2.0","rawPath":"/Prod/items/7","rawQueryString":"",
//!     "headers":{},"requestContext":{"http":{"method":"GET"},"stage":"Prod"},"isBase64Encoded":false}"#);
//! let result = handle_event(&invoker, event, Invocation::new().request_id("req-1")).await.unwrap();
//! assert!(result.get().contains(r#""body":"GET /items/7""#)); // no stage in the path
//!
//! let failure = handle_event(&invoker, Bytes::from_static(br#"{"Records":[{"eventSource":"aws:sqs","messageId":7}]}"#),
//!     Invocation::new()).await.unwrap_err();
//! assert_eq!(failure.error_type(), "InvalidEvent");
//! assert!(failure.message().starts_with("Records[0].messageId: invalid type"));
//! # });
//! ```
//!
//! | module | job |
//! |---|---|
//! | `detect` | which source an event is, from keys only that source sends ([`detect`], [`Shape`]) |
//! | `json` | reading the event's JSON: borrowing shapes, and the parse that names the field at fault |
//! | `http` | API Gateway v1/v2, Function URL and ALB events into `Request`, the `Response` back ([`encode_response`]) |
//! | `s3`, `sqs`, `sns`, `schedule` | the other triggers |
//! | `kinesis`, `dynamodb`, `kafka` | stream records ([`KinesisRecord`], [`DynamoDbRecord`], [`KafkaRecord`]) |
//! | `authorizer` | API Gateway authorizer calls and their answers ([`AuthorizerEvent`]) |
//! | `batch` | records one at a time, each with its extras; failures reported as the source allows |
//! | `time` | epoch times as RFC 3339 |
//! | `invocation` | the core `Invocation` from the `/next` headers ([`invocation()`], [`InvalidHeader`]); [`FunctionArn`], [`TraceId`], [`RawEvent`] |
//! | `handle` | one invocation end to end: decode, the skeleton, encode ([`handle_event`]) |
//! | `whole` | streamed bodies collected where Lambda's answer must be whole |
//! | `error` | a `Failure` as the `/error` body, a start-up error as the `/init/error` body |
//! | `api` | the Runtime and Extensions API calls |
//! | `runtime` | environment checks, the `Invoker`, the loop, `/init/error`, the shutdown hooks |
//! | `extension` | the internal extension that makes Lambda send SIGTERM, and the signals |
//! | `logging` | Lambda's JSON log format or text, the level from `AWS_LAMBDA_LOG_LEVEL` |
//!
//! Failures: a handler error, panic or timeout goes to the Runtime API's error endpoint with
//! `errorType` = [`Failure::error_type`](polyfaas_core::Failure::error_type) (`HandlerError`,
//! `Panic`, `Timeout`, ...) and its message, also for HTTP events (API Gateway then answers the
//! client 502/500). A panic's own text goes to the log only (stderr, which Lambda sends to
//! CloudWatch); the message is core's [`PANIC_MESSAGE`](polyfaas_core::PANIC_MESSAGE) with the
//! request id. A malformed event gets `errorType` `InvalidEvent` and a message naming the
//! field; a `/next` header that cannot be read (`Lambda-Runtime-Deadline-Ms` empty, negative,
//! past `u64`) `InvalidRuntimeHeader`; an invocation without a usable request id is skipped
//! with a log line. The next invocation is served normally after each.

#![deny(missing_docs)]
// One exception, `detect::lane_masks`: SSE2 byte compares, which read no memory.
#![deny(unsafe_code)]

mod api;
mod authorizer;
mod batch;
mod connection;
mod detect;
mod dynamodb;
mod error;
mod extension;
#[doc(hidden)]
pub mod fuzzing;
mod handle;
mod http;
mod invocation;
mod json;
mod kafka;
mod kinesis;
mod logging;
mod runtime;
mod s3;
mod schedule;
mod sns;
mod sqs;
mod time;
mod whole;

use polyfaas_core::{Error, Handler, Shutdown};

pub use authorizer::{AuthorizerEvent, AuthorizerResponse, RESPONSE_VAR};
pub use detect::{detect, Shape};
pub use dynamodb::DynamoDbRecord;
pub use handle::handle_event;
pub use http::{encode_response, Origin};
#[cfg(feature = "request-context")]
pub use http::{AlbContext, ApiGatewayV1Context, ApiGatewayV2Context, FunctionUrlContext};
pub use invocation::{invocation, request_id, FunctionArn, InvalidHeader, RawEvent, TraceId};
pub use kafka::KafkaRecord;
pub use kinesis::KinesisRecord;
pub use s3::S3Record;
pub use sns::SnsNotification;
pub use sqs::{SqsAttributes, SqsRecord};

/// Whether this process was started by Lambda (or an emulator of its Runtime API).
pub fn detected() -> bool {
    std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
}

/// Runs `handler` on the Lambda Runtime API until the platform stops the process.
///
/// Sets up logging (Lambda's JSON format with `AWS_LAMBDA_LOG_FORMAT=JSON`, else text; the level
/// from `AWS_LAMBDA_LOG_LEVEL`, `RUST_LOG` winning; on stderr, which Lambda sends to
/// CloudWatch), opens the blob store (`POLYFAAS_BLOB_URL`, else the platform default), then
/// serves one invocation after another. Fails at start-up, after reporting to
/// `/runtime/init/error`, when the environment is not Lambda's (the message names the variable).
///
/// The loop is spawned as a task of its own, run by the worker thread that reads the Runtime
/// API: a task-local or a tracing span set around this call does not reach the handler.
pub async fn run<H: Handler>(handler: H) -> Result<(), Error> {
    runtime::run(handler, Shutdown::new()).await
}

/// [`run`], and `shutdown`'s hooks when Lambda stops the process: an internal extension is
/// registered so that Lambda sends SIGTERM first (it gives about 500 ms before SIGKILL).
pub async fn run_with<H: Handler>(handler: H, shutdown: Shutdown) -> Result<(), Error> {
    runtime::run(handler, shutdown).await
}

/// AWS Lambda as a [`Platform`](polyfaas_core::Platform), for `polyfaas::run`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Aws;

impl polyfaas_core::Platform for Aws {
    fn provider(&self) -> polyfaas_core::Provider {
        polyfaas_core::Provider::AWS
    }

    fn detected(&self) -> bool {
        detected()
    }

    fn run(
        &self,
        handler: std::sync::Arc<dyn polyfaas_core::Handler>,
        shutdown: polyfaas_core::Shutdown,
    ) -> polyfaas_core::platform::RunFuture {
        Box::pin(run_with(handler, shutdown))
    }
}
