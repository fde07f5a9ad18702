//! One activation through the handler: the event, the context, the shared invocation path, and
//! the result object. ActionLoop and blackbox mode both come through here.

use polyfaas_core::blob::Blobs;
use polyfaas_core::{invoke, Context, Event, Handler, Provider};

use crate::activation::Activation;
use crate::{result, web};

/// Runs one activation and returns its result line (a JSON object, no newline). Never fails:
/// every failure is an error result.
pub(crate) async fn activate<H: Handler + ?Sized>(
    handler: &H,
    blobs: &Blobs,
    activation: Activation,
) -> Vec<u8> {
    let Activation {
        value,
        info,
        deadline_ms,
    } = activation;
    let web = web::is_web(&value);
    let event = if web {
        match web::request(value) {
            Ok(request) => Event::Http(request),
            Err(error) => {
                tracing::warn!(activation_id = ?info.activation_id, %error, "bad web action request");
                return result::to_line(&web::error_result(
                    400,
                    "InvalidEvent",
                    &error.to_string(),
                ));
            }
        }
    } else {
        Event::Invoke(value)
    };
    let mut ctx = Context::builder(
        Provider::OPENWHISK,
        info.activation_id.clone().unwrap_or_default(),
    )
    .blobs(blobs.clone());
    if let Some(ms) = deadline_ms {
        ctx = ctx.deadline_ms(ms);
    }
    if let Some(name) = &info.action_name {
        ctx = ctx.function_name(name.clone());
    }
    let outcome = invoke(handler, event, ctx.extension(info).build()).await;
    match (web, outcome) {
        (true, Ok(response)) => web::result(response),
        (true, Err(error)) => result::to_line(&web::error_result(
            web::error_status(&error),
            error.error_type(),
            &error.to_string(),
        )),
        (false, outcome) => result::invoke_result(outcome),
    }
}
