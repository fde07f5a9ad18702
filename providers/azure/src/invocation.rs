//! One envelope invocation: read the request into events (each trigger in its own module), run
//! them through the invocation skeleton (`runner`), reply with the captured logs.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use http::HeaderMap;
use polyfaas_core::server::read_body;
use polyfaas_core::{BadInput, Event, Failure, FailureKind};
use serde_json::Value;

use crate::app::{App, Call};
use crate::decode::{self, Events};
use crate::function_json::{FunctionDef, TriggerKind};
use crate::json::get_ci;
use crate::payload::Envelope;
use crate::rejection::Rejection;
use crate::runner::{self, Ran};
use crate::{blob_file, logs, response};

/// Handles `POST /<function>` with an envelope.
pub(crate) async fn handle(
    app: Arc<App>,
    function: Arc<FunctionDef>,
    request: Request,
) -> http::Response<Body> {
    let call = app.capturing(request.headers(), &function.name);
    let result = if function.trigger_kind == TriggerKind::Blob {
        blob(&app, &function, &call, request).await
    } else {
        buffered(&app, &function, call.clone(), request).await
    };
    let span = call.span();
    let reply = span.in_scope(|| match result {
        Ok(ran) => response::answered(&function, ran),
        Err(rejection) => response::rejected(Some(&function), classify(&app, rejection, &call)),
    });
    response::write(Some(&function), reply, logs::take(&span))
}

/// `POST /<name>` where no function is called `name`: refused at once (the body is drained
/// while the answer goes out).
pub(crate) fn unknown_function(app: &App, name: &str, headers: &HeaderMap) -> http::Response<Body> {
    let call = app.capturing(headers, name);
    let error = BadInput::new(format!(
        "no function {name:?}: there is no {name}/function.json under the app root {}",
        app.config.app_root.display()
    ));
    let span = call.span();
    let failure = span.in_scope(|| classify(app, error.into(), &call));
    response::write(None, response::rejected(None, failure), logs::take(&span))
}

/// The failure to answer a rejected request with, logged (call it inside the invocation's span,
/// so the line is in `Logs` too; the host drops the `Logs` of a failed invocation, stderr keeps
/// it).
fn classify(app: &App, rejection: Rejection, call: &Call) -> Failure {
    match rejection {
        Rejection::BadInput(error) => app.invoker.refuse(&error, Some(call.id.as_str())),
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

/// A blob trigger: the content is written to a scratch file while the body arrives (in a
/// staging context, since the blob's metadata, which its context carries, comes after the
/// content), then handed to the invocation's own context under the blob's name.
async fn blob(
    app: &App,
    function: &FunctionDef,
    call: &Call,
    request: Request,
) -> Result<Result<Ran, Failure>, Rejection> {
    let binding = &function.trigger.name;
    let staging = app.invoker.context(call.invocation());
    let received = blob_file::receive(
        request.into_body(),
        binding,
        &staging,
        app.config.body_limit,
    )
    .await?;
    received.envelope.check_method_name(&function.name)?;
    // A deferred binding sends a reference object instead of the content.
    let deferred = matches!(
        get_ci(&received.envelope.data, binding),
        Some(Value::Object(_))
    );
    let (mut blob, extras) = decode::blob(function, received.envelope)?;
    let ctx = app.invoker.context(call.invocation().extras(extras));
    match received.file {
        Some(file) => {
            let file = blob_file::rename_for_key(file, &blob.key, &ctx).await?;
            blob.size = blob.size.or(Some(file.len));
            blob = blob.with_local_file(file.path);
        }
        // Deferred binding: `local_path` downloads the blob through the store.
        None if deferred => {}
        None => {
            return Err(BadInput::at(
                format!("Data.{binding}"),
                "missing (the blob's content, as base64)",
            )
            .into())
        }
    }
    drop(staging);
    Ok(runner::run(app, Event::Blob(blob), ctx).await)
}

/// Every other trigger: the envelope is read whole, up to the body limit, and decoded before
/// the handler runs (a batch with one bad record runs none).
async fn buffered(
    app: &App,
    function: &FunctionDef,
    mut call: Call,
    request: Request,
) -> Result<Result<Ran, Failure>, Rejection> {
    let request = read_body(request, app.config.body_limit)
        .await
        .map_err(|e| e.to_failure())?;
    let envelope = Envelope::parse(request.body())?;
    envelope.check_method_name(&function.name)?;
    if let Some(name) = envelope.method_name() {
        // The host's spelling of the function's name.
        call.function = Some(name.into_owned());
    }
    match decode::decode(function, envelope)? {
        Events::One(one) => {
            let ctx = app.invoker.context(call.invocation().extras(one.extras));
            Ok(runner::run(app, one.event, ctx).await)
        }
        Events::Records { records, batch } => {
            Ok(runner::run_records(app, &call, records, batch).await)
        }
    }
}
