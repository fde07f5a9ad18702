//! One envelope invocation: read the request into an event (each trigger in its own module),
//! run the handler through `polyfaas_core::invoke`, reply with the captured logs.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use polyfaas_core::{invoke, Context, Event};
use serde_json::{Map, Value};

use crate::error::PayloadError;
use crate::function_json::{FunctionDef, TriggerKind};
use crate::payload::{get_ci, take_ci, undouble, Envelope};
use crate::server::App;
use crate::{blob_file, blob_trigger, http_trigger, logs, queue, response, timer};

/// The envelope's `Metadata` (the trigger's binding data and `sys`), in the context of every
/// invocation except blob triggers' (whose metadata is in the `BlobEvent`):
/// `ctx.extension::<polyfaas_azure::AzureMetadata>()`.
///
/// ```
/// use polyfaas_azure::AzureMetadata;
/// # let ctx = polyfaas_core::Context::builder(polyfaas_core::Provider::AZURE, "1").build();
/// let retry = ctx.extension::<AzureMetadata>().and_then(|m| m.0.get("RetryContext"));
/// # assert!(retry.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AzureMetadata(pub Map<String, Value>);

/// Handles `POST /<function>` with an envelope.
pub(crate) async fn handle(
    app: Arc<App>,
    function: Arc<FunctionDef>,
    request: Request,
) -> http::Response<Body> {
    let id = app.invocation_id(request.headers());
    let span = logs::invocation_span(&id, Some(&function.name));
    let body = request.into_body();
    let read = if function.trigger_kind == TriggerKind::Blob {
        read_blob(&app, &function, &id, span.clone(), body).await
    } else {
        read_buffered(&app, &function, &id, span.clone(), body).await
    };
    match read {
        Ok((event, ctx)) => {
            let result = invoke(&*app.handler, event, ctx).await;
            response::invocation(&function, result, logs::take(&span))
        }
        // The context (and any file written for it) was dropped with the error.
        Err(error) => response::payload_error(&error, logs::take(&span)),
    }
}

/// A blob trigger: the content is written to the context's scratch directory while the body
/// arrives, so the context exists first, named after the URL's function (checked against
/// `sys.MethodName` once the envelope is read).
async fn read_blob(
    app: &App,
    function: &FunctionDef,
    id: &str,
    span: tracing::Span,
    body: Body,
) -> Result<(Event, Context), PayloadError> {
    let ctx = app.context(id, Some(&function.name), span).build();
    let received = blob_file::receive(body, &function.trigger.name, &ctx).await?;
    received.envelope.check_method_name(&function.name)?;
    let mut blob = blob_trigger::blob_event(&received.envelope, function)?;
    match received.file {
        Some(file) => {
            let file = blob_file::rename_for_key(file, &blob.key, &ctx).await?;
            blob.size = blob.size.or(Some(file.len));
            blob = blob.with_local_file(file.path);
        }
        // Deferred binding: a reference object instead of the content; `local_path`
        // downloads the blob through the store.
        None if matches!(
            get_ci(&received.envelope.data, &function.trigger.name),
            Some(Value::Object(_))
        ) => {}
        None => {
            return Err(PayloadError::field(
                format!("Data.{}", function.trigger.name),
                "is missing (the blob's content, as base64)",
            ))
        }
    }
    Ok((Event::Blob(blob), ctx))
}

/// Every other trigger: the envelope is small, read whole.
async fn read_buffered(
    app: &App,
    function: &FunctionDef,
    id: &str,
    span: tracing::Span,
    body: Body,
) -> Result<(Event, Context), PayloadError> {
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|e| PayloadError::Body(e.to_string()))?;
    let mut envelope = Envelope::parse(&bytes)?;
    envelope.check_method_name(&function.name)?;
    let name = envelope
        .method_name()
        .map_or_else(|| function.name.clone(), |n| n.into_owned());
    let mut builder = app.context(id, Some(&name), span);
    let binding = &function.trigger.name;
    let event = match &function.trigger_kind {
        TriggerKind::Http => {
            let value = take_ci(&mut envelope.data, binding).ok_or_else(|| {
                PayloadError::field(format!("Data.{binding}"), "is missing (the HTTP request)")
            })?;
            Event::Http(http_trigger::request(value, binding)?)
        }
        TriggerKind::Queue => Event::Message(queue::message(&envelope, function)?),
        TriggerKind::Timer => {
            let (tick, info) = timer::tick(&envelope, function)?;
            builder = builder.extension(info);
            Event::Schedule(tick)
        }
        // (Blob triggers are read by `read_blob`; the arm only completes the match.)
        TriggerKind::Other(_) | TriggerKind::Blob => {
            let value = take_ci(&mut envelope.data, binding).unwrap_or(Value::Null);
            // A string trigger value (a Service Bus message, say) is double-encoded too.
            Event::Invoke(match value {
                Value::String(s) => Value::String(undouble(&s).into_owned()),
                other => other,
            })
        }
    };
    let ctx = builder.extension(AzureMetadata(envelope.metadata)).build();
    Ok((event, ctx))
}
