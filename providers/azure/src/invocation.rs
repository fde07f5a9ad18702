//! One envelope invocation: read the request into an event (each trigger in its own module), run
//! it through the invocation skeleton, reply with the captured logs.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use http::HeaderMap;
use polyfaas_core::server::read_body;
use polyfaas_core::{BadInput, Context, Event, Extra, Failure, FailureKind, Invocation, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::app::App;
use crate::function_json::{FunctionDef, TriggerKind};
use crate::json::{get_ci, take_ci};
use crate::payload::{undouble, Envelope};
use crate::rejection::Rejection;
use crate::{blob_file, blob_trigger, http_trigger, logs, queue, response, timer};

/// The envelope's `Metadata` (the trigger's binding data and `sys`), an extra of every
/// invocation except blob triggers' (whose metadata is in the `BlobEvent`):
/// `ctx.extra::<polyfaas_azure::AzureMetadata>()`.
///
/// ```
/// use polyfaas_azure::AzureMetadata;
/// # let ctx = polyfaas_core::Context::builder(polyfaas_core::Provider::AZURE, "1").build();
/// let retry = ctx.extra::<AzureMetadata>().and_then(|m| m.0.get("RetryContext"));
/// # assert!(retry.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AzureMetadata(pub Map<String, Value>);

impl Extra for AzureMetadata {
    const NAME: &'static str = "azure.metadata";
}

/// Handles `POST /<function>` with an envelope.
pub(crate) async fn handle(
    app: Arc<App>,
    function: Arc<FunctionDef>,
    request: Request,
) -> http::Response<Body> {
    let (invocation, id, span) = app.capturing(request.headers(), &function.name);
    let result = if function.trigger_kind == TriggerKind::Blob {
        blob(&app, &function, invocation, request).await
    } else {
        buffered(&app, &function, invocation, request).await
    };
    let reply = span.in_scope(|| match result {
        Ok(answer) => response::answered(&function, answer),
        Err(rejection) => response::rejected(Some(&function), classify(&app, rejection, &id)),
    });
    response::write(Some(&function), reply, logs::take(&span))
}

/// `POST /<name>` where no function is called `name`: refused at once (the body is drained
/// while the answer goes out).
pub(crate) fn unknown_function(app: &App, name: &str, headers: &HeaderMap) -> http::Response<Body> {
    let (_, id, span) = app.capturing(headers, name);
    let error = BadInput::new(format!(
        "no function {name:?}: there is no {name}/function.json under the app root {}",
        app.config.app_root.display()
    ));
    let failure = span.in_scope(|| classify(app, error.into(), &id));
    response::write(None, response::rejected(None, failure), logs::take(&span))
}

/// The failure to answer a rejected request with, logged (call it inside the invocation's span,
/// so the line is in `Logs` too; the host drops the `Logs` of a failed invocation, stderr keeps
/// it).
fn classify(app: &App, rejection: Rejection, request_id: &str) -> Failure {
    match rejection {
        Rejection::BadInput(error) => app
            .invoker
            .refuse(&error, Some(request_id).filter(|id| !id.is_empty())),
        Rejection::Failure(failure) => {
            if failure.kind() == FailureKind::Internal {
                tracing::error!(error_type = failure.error_type(), "{}", failure.message());
            } else {
                tracing::warn!(error_type = failure.error_type(), "{}", failure.message());
            }
            failure
        }
    }
}

/// Runs `event` through the skeleton. For events other than HTTP, an answer that is not 2xx is
/// a failure: the host takes its retry path.
async fn run(app: &App, event: Event, ctx: Context) -> Result<Response, Failure> {
    let kind = event.kind();
    let span = ctx.span().clone();
    match app.invoker.run(event, ctx).await {
        Ok(response) if kind != "http" && !response.is_success() => {
            let failure = Failure::unsuccessful(kind, &response);
            span.in_scope(|| {
                tracing::warn!(error_type = failure.error_type(), "{}", failure.message())
            });
            Err(failure)
        }
        result => result,
    }
}

/// A blob trigger: the content is written to the context's scratch directory while the body
/// arrives, so the context exists first, named after the URL's function (checked against
/// `sys.MethodName` once the envelope is read).
async fn blob(
    app: &App,
    function: &FunctionDef,
    invocation: Invocation,
    request: Request,
) -> Result<Result<Response, Failure>, Rejection> {
    let ctx = app.invoker.context(invocation);
    let event = blob_event(app, function, &ctx, request.into_body()).await?;
    Ok(run(app, event, ctx).await)
}

/// The blob event, its content in a scratch file of `ctx` (removed with the context when the
/// request is rejected).
async fn blob_event(
    app: &App,
    function: &FunctionDef,
    ctx: &Context,
    body: Body,
) -> Result<Event, Rejection> {
    let binding = &function.trigger.name;
    let received = blob_file::receive(body, binding, ctx, app.config.body_limit).await?;
    received.envelope.check_method_name(&function.name)?;
    let mut blob = blob_trigger::blob_event(&received.envelope, function)?;
    match received.file {
        Some(file) => {
            let file = blob_file::rename_for_key(file, &blob.key, ctx).await?;
            blob.size = blob.size.or(Some(file.len));
            blob = blob.with_local_file(file.path);
        }
        // Deferred binding: a reference object instead of the content; `local_path`
        // downloads the blob through the store.
        None if matches!(
            get_ci(&received.envelope.data, binding),
            Some(Value::Object(_))
        ) => {}
        None => {
            return Err(BadInput::at(
                format!("Data.{binding}"),
                "missing (the blob's content, as base64)",
            )
            .into())
        }
    }
    Ok(Event::Blob(blob))
}

/// Every other trigger: the envelope is read whole, up to the body limit.
async fn buffered(
    app: &App,
    function: &FunctionDef,
    invocation: Invocation,
    request: Request,
) -> Result<Result<Response, Failure>, Rejection> {
    let request = read_body(request, app.config.body_limit)
        .await
        .map_err(|e| e.to_failure())?;
    let mut envelope = Envelope::parse(request.body())?;
    envelope.check_method_name(&function.name)?;
    let mut invocation = match envelope.method_name() {
        Some(name) => invocation.function_name(name),
        None => invocation,
    };
    let binding = &function.trigger.name;
    let event = match &function.trigger_kind {
        TriggerKind::Http => {
            let value = take_ci(&mut envelope.data, binding).ok_or_else(|| {
                BadInput::at(format!("Data.{binding}"), "missing (the HTTP request)")
            })?;
            let (request, params) = http_trigger::request(value, binding)?;
            if let Some(params) = params {
                invocation = invocation.extra(params);
            }
            Event::Http(request)
        }
        TriggerKind::Queue => Event::Message(queue::message(&envelope, function)?),
        TriggerKind::Timer => {
            let (tick, info) = timer::tick(&envelope, function)?;
            invocation = invocation.extra(info);
            Event::Schedule(tick)
        }
        // (Blob triggers are read by `blob`; the arm only completes the match.)
        TriggerKind::Other(_) | TriggerKind::Blob => {
            let value = take_ci(&mut envelope.data, binding).unwrap_or(Value::Null);
            // A string trigger value (a Service Bus message, say) is double-encoded too.
            Event::Invoke(match value {
                Value::String(s) => Value::String(undouble(&s).into_owned()),
                other => other,
            })
        }
    };
    let ctx = app
        .invoker
        .context(invocation.extra(AzureMetadata(envelope.metadata)));
    Ok(run(app, event, ctx).await)
}
