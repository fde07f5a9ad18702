//! What the Runtime API tells about one invocation (the `/next` response's headers, as
//! `lambda_runtime` read them) as the core [`Invocation`], with Lambda's extras.

use lambda_runtime::Context as LambdaContext;
use polyfaas_core::{Extra, Invocation};
use serde::Serialize;

/// The invoked function's ARN (with its version or alias qualifier), as a platform
/// [`Extra`]: `ctx.extra::<FunctionArn>()`, `aws.function_arn` in `ctx.extras().to_json()`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FunctionArn(pub String);

impl Extra for FunctionArn {
    const NAME: &'static str = "aws.function_arn";
}

/// The X-Ray trace header of the invocation (`Root=1-...;Parent=...;Sampled=1`), as a platform
/// [`Extra`]: `ctx.extra::<TraceId>()`, `aws.trace_id` in `ctx.extras().to_json()`. It is also
/// the context's [`trace_id`](polyfaas_core::Context::trace_id). It is per invocation; the
/// process-wide `_X_AMZN_TRACE_ID` that `lambda_runtime` also sets is not safe to read under
/// concurrency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TraceId(pub String);

impl Extra for TraceId {
    const NAME: &'static str = "aws.trace_id";
}

/// Deadlines before this (2001-09-09, in Unix milliseconds) are not epoch times: cargo-lambda's
/// emulator sends a constant `600000`. They are treated as "no deadline known".
const EARLIEST_DEADLINE_MS: u64 = 1_000_000_000_000;

/// The invocation as the Runtime API announced it: the request id, the deadline from
/// `Lambda-Runtime-Deadline-Ms` (a value below 10^12 is not an epoch time and means no deadline),
/// the function's name, the trace id from the X-Ray header, and the [`FunctionArn`] and
/// [`TraceId`] extras.
///
/// ```
/// use polyfaas_aws::{invocation, FunctionArn};
/// use polyfaas_core::{Invoker, Provider, handler_fn, Context, Error, Event, Response};
///
/// let mut lambda = lambda_runtime::Context::default();
/// lambda.request_id = "req-1".into();
/// lambda.deadline = 600_000; // cargo-lambda's constant, not a time
/// lambda.invoked_function_arn = "arn:aws:lambda:eu-west-1:1:function:echo".into();
///
/// let handler = handler_fn(|_e: Event, _c: Context| async { Ok::<_, Error>(Response::ok()) });
/// let ctx = Invoker::builder(Provider::AWS, handler).build().context(invocation(&lambda));
/// assert_eq!(ctx.request_id(), "req-1");
/// assert_eq!(ctx.deadline_ms(), None);
/// assert_eq!(ctx.extra::<FunctionArn>().map(|a| a.0.as_str()), Some("arn:aws:lambda:eu-west-1:1:function:echo"));
/// ```
pub fn invocation(lambda: &LambdaContext) -> Invocation {
    let mut invocation = Invocation::new()
        .request_id(lambda.request_id.clone())
        .deadline_ms(deadline_ms(lambda.deadline))
        .function_name(lambda.env_config.function_name.clone());
    // lambda_runtime fills a missing ARN header with a sentence; only a real ARN is kept.
    if lambda.invoked_function_arn.starts_with("arn:") {
        invocation = invocation.extra(FunctionArn(lambda.invoked_function_arn.clone()));
    }
    if let Some(trace) = lambda.xray_trace_id.as_deref().filter(|t| !t.is_empty()) {
        invocation = invocation
            .trace_id(Some(trace.to_owned()))
            .extra(TraceId(trace.to_owned()));
    }
    invocation
}

/// `Lambda-Runtime-Deadline-Ms` when it is an epoch time.
fn deadline_ms(header: u64) -> Option<u64> {
    if header >= EARLIEST_DEADLINE_MS {
        return Some(header);
    }
    tracing::debug!(
        deadline_ms = header,
        "the deadline header is not an epoch time; ignoring it"
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_epoch_times_are_deadlines() {
        assert_eq!(deadline_ms(600_000), None);
        assert_eq!(deadline_ms(999_999_999_999), None);
        assert_eq!(deadline_ms(1_700_000_000_000), Some(1_700_000_000_000));
    }
}
