//! Write a serverless function once, in Rust, against provider-neutral types; build it as one
//! small native binary per platform.
//!
//! ```no_run
//! use polyfaas::{Context, Event, Response, RequestExt};
//!
//! async fn handle(event: Event, ctx: Context) -> Result<Response, polyfaas::Error> {
//!     match event {
//!         Event::Http(req) => Ok(Response::text(format!("hello from {}", req.decoded_path()))),
//!         Event::Blob(blob) if blob.is_created() => {
//!             let path = blob.local_path(&ctx).await?; // a real file, on every platform
//!             let size = tokio::fs::metadata(path).await?.len();
//!             ctx.blobs().put(&format!("sizes/{}", blob.key()), size.to_string()).await?;
//!             Ok(Response::ok())
//!         }
//!         other => Response::json(&serde_json::json!({ "ignored": other.kind() })),
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), polyfaas::Error> {
//!     polyfaas::run(polyfaas::handler_fn(handle)).await
//! }
//! ```
//!
//! An existing axum app runs unchanged: `polyfaas::run(polyfaas::from_service(router))`.
//! Middleware wraps any handler the same way on every platform: see [`layer`].
//!
//! `cargo run` serves the function on the local dev provider. Each platform is a cargo feature
//! of this crate (`local`, `aws`, `gcp`, `azure`, `openwhisk`); with several compiled in,
//! [`run`] picks by the environment the process was started in, and `POLYFAAS_PROVIDER`
//! overrides. What each platform tells beyond the neutral event is in its module (`aws`,
//! `gcp`, `azure`, `openwhisk`, each behind its feature), read with [`Context::extra`].
//!
//! # Traces over OpenTelemetry (feature `opentelemetry`)
//!
//! Off by default (the default build pulls no OpenTelemetry crate). Turned on, every platform
//! exports its spans over OTLP (HTTP/protobuf) when the standard variables ask for it:
//!
//! ```toml
//! polyfaas = { version = "0.1", features = ["aws", "opentelemetry"] }
//! ```
//!
//! ```sh
//! OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318   # spans go to <endpoint>/v1/traces
//! # or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=https://collector/v1/traces (used as it is)
//! OTEL_SERVICE_NAME=checkout                          # default: the function's name
//! ```
//!
//! - Without either endpoint variable nothing is set up (no exporter, thread or connection).
//!   An endpoint that is not an `http://`/`https://` URL is a warning at start-up naming the
//!   variable; the function still serves, without export.
//! - Each invocation's `invocation` span carries `faas.invocation_id`, `cloud.provider`,
//!   `faas.name` and the `request_id`/`trace_id` fields; the handler's own spans are its
//!   children. When the caller sent a W3C `traceparent` (local, Google Cloud, Azure; on Google
//!   Cloud also `X-Cloud-Trace-Context` with a span id), the span is in the caller's trace,
//!   with the caller's span as parent. Lambda's X-Ray header is not a W3C context: there the
//!   span starts a trace of its own (the X-Ray id stays readable as `ctx.trace_id()`).
//! - Spans are batched (`OTEL_BSP_*`) and flushed when the process stops (after the
//!   [`Shutdown`] hooks). On Lambda they are also flushed after each answer, before the next
//!   event is asked for, because Lambda freezes the process in between (the caller does not
//!   wait for the export; the next invocation's start does, for as long as it takes).
//! - Spans pass the same `RUST_LOG` filter as log lines (default `info`).

#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(not(any(
    feature = "local",
    feature = "aws",
    feature = "gcp",
    feature = "azure",
    feature = "openwhisk"
)))]
compile_error!("polyfaas needs at least one provider feature: local, aws, gcp, azure or openwhisk");

mod select;

use std::sync::Arc;

pub use polyfaas_core::{
    blob, canonical, from_service, handler_fn, layer, typed_fn, AuthRequest, Authorization,
    BadInput, BlobChange, BlobEvent, BoxError, Change, ChangeOp, Context, Error, Event, Extra,
    Extras, Handler, HandlerFn, Message, Output, Provider, Request, RequestExt, Response,
    ServiceHandler, Shutdown, SourceIp, Tick, TypedFn, EVENTS_PATH,
};

/// The platforms compiled into this binary, in the order their environments are checked. A new
/// platform is one more line here (and its feature in Cargo.toml).
const PLATFORMS: &[&dyn polyfaas_core::Platform] = &[
    #[cfg(feature = "aws")]
    &polyfaas_aws::Aws,
    #[cfg(feature = "azure")]
    &polyfaas_azure::Azure,
    #[cfg(feature = "gcp")]
    &polyfaas_gcp::Gcp,
    #[cfg(feature = "openwhisk")]
    &polyfaas_openwhisk::OpenWhisk,
    #[cfg(feature = "local")]
    &polyfaas_local::Local,
];

/// Runs `handler` on the platform this binary was built for, until the platform stops it.
///
/// With several platforms compiled in, the environment decides (`AWS_LAMBDA_RUNTIME_API`,
/// `FUNCTIONS_CUSTOMHANDLER_PORT`, `FUNCTION_TARGET`/`K_SERVICE`, the OpenWhisk variables), and
/// `POLYFAAS_PROVIDER` (`local`, `aws`, `gcp`, `azure`, `openwhisk`) overrides.
///
/// Each platform sets up its own log output (the local one: `RUST_LOG`-filtered lines on
/// stderr; Azure: log lines returned to the host with each invocation).
///
/// Fails at start-up when the platform's configuration is invalid (the message names the
/// environment variable to fix) or its port is taken.
pub async fn run<H: Handler>(handler: H) -> Result<(), Error> {
    run_with(handler, Shutdown::new()).await
}

/// [`run`], and when the platform stops the process, `shutdown`'s hooks (see [`Shutdown`] for
/// when each platform stops it and how long hooks may take).
///
/// ```no_run
/// use polyfaas::{handler_fn, Context, Error, Event, Response, Shutdown};
///
/// async fn handle(_event: Event, _ctx: Context) -> Result<Response, Error> {
///     Ok(Response::text("hi"))
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), Error> {
///     let shutdown = Shutdown::new().hook(|| async { tracing::info!("flushing before exit") });
///     polyfaas::run_with(handler_fn(handle), shutdown).await
/// }
/// ```
pub async fn run_with<H: Handler>(handler: H, shutdown: Shutdown) -> Result<(), Error> {
    let requested = std::env::var("POLYFAAS_PROVIDER").ok();
    let platform = select::select(PLATFORMS, requested.as_deref())?;
    platform.run(Arc::new(handler), shutdown).await
}

/// What AWS Lambda tells beyond the neutral event, read with [`Context::extra`]: per
/// invocation the invoked ARN, the X-Ray trace header and the event as Lambda sent it
/// ([`RawEvent`](aws::RawEvent)); for an HTTP event its origin's whole request context
/// (authorizer claims and context, path parameters, stage variables, route key, request id,
/// domain name), parsed only when read; per record of a batch what its source tells about it
/// (SQS system attributes, the SNS subject, S3 record details, Kinesis and DynamoDB stream
/// positions, Kafka partitions); for authorizer calls the API's details. Every one serialises
/// to JSON (`ctx.extras().to_json()`, keyed `aws.sqs`, `aws.api_gateway_v2`, ...). The typed
/// request contexts (`ApiGatewayV2Context`, ...) need the `aws-request-context` feature.
///
#[cfg_attr(feature = "aws-request-context", doc = "```")]
#[cfg_attr(not(feature = "aws-request-context"), doc = "```ignore")]
/// use polyfaas::aws::{ApiGatewayV2Context, DynamoDbRecord, RawEvent, SqsRecord};
/// use polyfaas::{Context, Error, Event, Response};
///
/// async fn handle(event: Event, ctx: Context) -> Result<Response, Error> {
///     if let Some(api) = ctx.extra::<ApiGatewayV2Context>() {
///         let user = api.jwt_claims().and_then(|claims| claims.get("sub")).cloned();
///         let year = api.path_parameters.get("year").cloned();
///         return Response::json(&serde_json::json!({ "user": user, "year": year }));
///     }
///     if let Some(sqs) = ctx.extra::<SqsRecord>() {
///         tracing::info!(receipt = ?sqs.receipt_handle, count = ?sqs.attributes.approximate_receive_count);
///     }
///     if let (Event::Change(change), Some(record)) = (&event, ctx.extra::<DynamoDbRecord>()) {
///         tracing::info!(table = %change.source, view = ?record.stream_view_type);
///     }
///     let size = ctx.extra::<RawEvent>().map_or(0, |event| event.as_bytes().len());
///     Ok(Response::text(format!("{size} bytes")))
/// }
/// # let _ = polyfaas::handler_fn(handle);
/// ```
///
/// Each type's own page has an example that runs it through the shim.
#[cfg(feature = "aws")]
pub mod aws {
    #[cfg(feature = "aws-request-context")]
    pub use polyfaas_aws::{
        AlbContext, ApiGatewayV1Context, ApiGatewayV2Context, FunctionUrlContext,
    };
    pub use polyfaas_aws::{
        AuthorizerEvent, AuthorizerResponse, DynamoDbRecord, FunctionArn, KafkaRecord,
        KinesisRecord, RawEvent, S3Record, SnsNotification, SqsAttributes, SqsRecord, TraceId,
    };
}

/// What Google Cloud tells beyond the neutral event, read with [`Context::extra`]: the event in
/// the form the function's signature type speaks ([`CloudEvent`] for `cloudevent` functions,
/// with every attribute and extension; [`LegacyEvent`] for `event` functions), and for a Cloud
/// Scheduler call the [`SchedulerCall`].
///
/// ```no_run
/// use polyfaas::gcp::{CloudEvent, LegacyEvent, SchedulerCall};
/// use polyfaas::{Context, Error, Event, Response};
///
/// async fn handle(event: Event, ctx: Context) -> Result<Response, Error> {
///     if let Some(ce) = ctx.extra::<CloudEvent>() {
///         // Eventarc's extension attributes, such as Firestore's `authid`.
///         tracing::info!(id = %ce.id, authid = ?ce.extensions.get("authid"), "{}", ce.ty);
///     }
///     if let Some(legacy) = ctx.extra::<LegacyEvent>() {
///         tracing::info!(timestamp = ?legacy.timestamp(), "{}", legacy.event_type());
///     }
///     if let (Event::Schedule(_), Some(call)) = (&event, ctx.extra::<SchedulerCall>()) {
///         tracing::info!(job = ?call.job_name, "scheduled for {:?}", call.schedule_time);
///     }
///     Ok(Response::ok())
/// }
/// ```
#[cfg(feature = "gcp")]
pub mod gcp {
    pub use polyfaas_gcp::{CloudEvent, LegacyEvent, SchedulerCall};
}

/// What Azure Functions tells beyond the neutral event, read with [`Context::extra`]: the
/// invocation id, the raw `Metadata`, and each trigger's metadata typed.
///
/// ```
/// use polyfaas::azure::{EventHubsMetadata, InvocationId, RouteParams};
/// use polyfaas::{Context, Error, Event, Response};
///
/// async fn handle(event: Event, ctx: Context) -> Result<Response, Error> {
///     let id = ctx.extra::<InvocationId>().map(|id| id.0.clone());
///     if let Some(params) = ctx.extra::<RouteParams>() {
///         return Ok(Response::text(format!("item {:?} ({id:?})", params.0.get("id"))));
///     }
///     if let (Event::Message(_), Some(hub)) = (&event, ctx.extra::<EventHubsMetadata>()) {
///         tracing::info!(partition = ?hub.partition_id, "event {:?}", hub.sequence_number);
///     }
///     Ok(Response::ok())
/// }
/// # let _ = handle;
/// ```
#[cfg(feature = "azure")]
pub mod azure {
    pub use polyfaas_azure::{
        AzureMetadata, BlobMetadata, CosmosDocument, EventHubsMetadata, InvocationId,
        QueueMetadata, RouteParams, ServiceBusMetadata, TimerInfo,
    };
}

/// What OpenWhisk tells beyond the neutral event, read with [`Context::extra`].
#[cfg(feature = "openwhisk")]
pub mod openwhisk {
    pub use polyfaas_openwhisk::ActivationInfo;
}
