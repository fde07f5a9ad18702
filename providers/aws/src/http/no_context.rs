//! Without the `request-context` feature, an HTTP event's request context is not typed: the
//! handler finds it in [`RawEvent`](crate::RawEvent), and `ctx.extras().to_json()` says, under
//! `aws.request_context`, which feature types it, instead of leaving the reader to wonder where
//! `aws.api_gateway_v2` went.

use bytes::Bytes;
use polyfaas_core::{Extra, Invocation};
use serde::Serialize;

use super::response::Origin;

/// What `ctx.extras().to_json()` holds in place of a typed request context.
#[derive(Debug, Serialize)]
struct NotTyped(&'static str);

impl Extra for NotTyped {
    const NAME: &'static str = "aws.request_context";
}

/// What [`NotTyped`] says.
const NOT_TYPED: &str = "the request context is typed (aws.api_gateway_v1, aws.api_gateway_v2, \
    aws.function_url, aws.alb) with polyfaas's cargo feature `aws-request-context` \
    (polyfaas-aws's `request-context`); without it, read it from the event in aws.event";

/// Adds the note naming the feature; the event itself is already in `RawEvent`.
pub(crate) fn attach(invocation: Invocation, _origin: Origin, _event: &Bytes) -> Invocation {
    invocation.extra(NotTyped(NOT_TYPED))
}

#[cfg(test)]
mod tests {
    use polyfaas_core::{handler_fn, Context, Error, Event, Invoker, Provider, Response};

    use super::*;

    #[test]
    fn the_extras_name_the_feature_that_types_the_request_context() {
        let handler = handler_fn(|_e: Event, _c: Context| async { Ok::<_, Error>(Response::ok()) });
        let invoker = Invoker::builder(Provider::AWS, handler).build();
        let event = Bytes::from_static(br#"{"requestContext":{"http":{"method":"GET"}}}"#);
        let ctx = invoker.context(attach(Invocation::new(), Origin::ApiGatewayV2, &event));
        let extras = ctx.extras().to_json();
        let note = extras["aws.request_context"].as_str().expect("a note");
        assert!(note.contains("`aws-request-context`"), "{note}");
        assert!(!extras.contains_key("aws.api_gateway_v2"));
    }
}
