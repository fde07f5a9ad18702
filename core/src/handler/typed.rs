//! A [`Handler`] from an async fn of a typed payload: serde in, serde out.

use std::future::Future;
use std::marker::PhantomData;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::Handler;
use crate::error::{from_value_at, parse_at, BadInput};
use crate::{canonical, Context, Error, Event, Response};

/// Makes a [`Handler`] from an async function of `(T, Context)` returning a `U`, for functions
/// that take a JSON payload whatever the trigger:
///
/// | event | `T` is read from |
/// |---|---|
/// | invoke | the payload (on Google Cloud, a CloudEvent of a type polyfaas does not map arrives as an invoke whose payload is the whole structured CloudEvent: type `T` with a `data` field there) |
/// | message (queue, topic, stream) | the body, as JSON |
/// | change | the new value (the old one for a removal) |
/// | http | the request body, as JSON |
/// | anything else | the event's canonical JSON |
///
/// The answer is `U` as JSON. A payload that does not fit `T` is bad input naming the field
/// (`payload.items[2].qty: invalid type: string "x", expected u32`), answered in the platform's
/// error format (400 on HTTP platforms, `InvalidEvent` on Lambda, a failed record in a batch).
///
/// `examples/orders` is a whole function built this way, tested through every platform.
///
/// ```
/// use polyfaas_core::{typed_fn, Context, Error};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Deserialize)]
/// struct Order { id: u64, items: Vec<Item> }
/// #[derive(Deserialize)]
/// struct Item { sku: String, qty: u32 }
/// #[derive(Serialize)]
/// struct Receipt { id: u64, units: u32 }
///
/// async fn receipt(order: Order, _ctx: Context) -> Result<Receipt, Error> {
///     Ok(Receipt { id: order.id, units: order.items.iter().map(|i| i.qty).sum() })
/// }
/// let handler = typed_fn(receipt); // polyfaas::run(handler) on any platform
/// # let _ = handler;
/// ```
pub fn typed_fn<F, T, Fut, U, E>(f: F) -> TypedFn<F, T>
where
    F: Fn(T, Context) -> Fut + Send + Sync + 'static,
    T: DeserializeOwned + Send + 'static,
    Fut: Future<Output = Result<U, E>> + Send,
    U: Serialize,
    E: Into<Error>,
{
    TypedFn {
        f,
        payload: PhantomData,
    }
}

/// The [`Handler`] made by [`typed_fn`].
pub struct TypedFn<F, T> {
    f: F,
    payload: PhantomData<fn() -> T>,
}

impl<F: Clone, T> Clone for TypedFn<F, T> {
    fn clone(&self) -> Self {
        TypedFn {
            f: self.f.clone(),
            payload: PhantomData,
        }
    }
}

impl<F, T> std::fmt::Debug for TypedFn<F, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedFn")
            .field("payload", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl<F, T, Fut, U, E> Handler for TypedFn<F, T>
where
    F: Fn(T, Context) -> Fut + Send + Sync + 'static,
    T: DeserializeOwned + Send + 'static,
    Fut: Future<Output = Result<U, E>> + Send,
    U: Serialize,
    E: Into<Error>,
{
    async fn call(&self, event: Event, ctx: Context) -> Result<Response, Error> {
        let payload = payload_of(event)?;
        let output = (self.f)(payload, ctx).await.map_err(Into::into)?;
        Response::json(&output)
    }
}

/// The typed payload of an event (see [`typed_fn`]).
fn payload_of<T: DeserializeOwned>(event: Event) -> Result<T, BadInput> {
    match event {
        Event::Invoke(payload) => from_value_at(payload, "payload"),
        Event::Message(message) => message.json(),
        Event::Http(request) => parse_at(request.body(), "body"),
        Event::Change(change) => match (change.new, change.old) {
            (Some(new), _) => from_value_at(new, "new"),
            (None, Some(old)) => from_value_at(old, "old"),
            (None, None) => Err(BadInput::new(format!(
                "the {} change of {:?} has neither a new nor an old value to read",
                change.op.as_str(),
                change.source
            ))),
        },
        other => from_value_at(canonical::to_json(&other), "event"),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;
    use crate::{Change, ChangeOp, Message, Provider};

    #[derive(Debug, Deserialize, PartialEq)]
    struct Order {
        id: u64,
    }

    #[test]
    fn every_kind_of_event_has_a_payload() {
        let order = |event: Event| payload_of::<Order>(event).map(|o| o.id);
        assert_eq!(order(Event::Invoke(json!({"id": 1}))).unwrap(), 1);
        assert_eq!(
            order(Event::Message(Message::new("m", "q", r#"{"id":2}"#))).unwrap(),
            2
        );
        let mut change = Change::new("e", "orders", ChangeOp::Remove);
        change.old = Some(json!({"id": 3}));
        assert_eq!(order(Event::Change(change)).unwrap(), 3);
        let request = http::Request::post("/").body(r#"{"id":4}"#.into()).unwrap();
        assert_eq!(order(Event::Http(request)).unwrap(), 4);
    }

    #[test]
    fn a_payload_that_does_not_fit_names_the_field() {
        let err = payload_of::<Order>(Event::Invoke(json!({"id": "x"}))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "payload.id: invalid type: string \"x\", expected u64"
        );
        let err = payload_of::<Order>(Event::Message(Message::new("m", "q", "{}"))).unwrap_err();
        assert_eq!(err.to_string(), "body.id: missing field `id`");
        let err = payload_of::<Order>(Event::Change(Change::new("e", "t", ChangeOp::Modify)))
            .unwrap_err();
        assert!(
            err.to_string().contains("neither a new nor an old value"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn the_answer_is_json_and_bad_input_is_classified_as_such() {
        let handler = typed_fn(|order: Order, _ctx: Context| async move {
            Ok::<_, Error>(json!({"seen": order.id}))
        });
        let invoker = crate::Invoker::builder(Provider::LOCAL, handler).build();
        let ok = invoker
            .invoke(Event::Invoke(json!({"id": 9})), crate::Invocation::new())
            .await
            .unwrap();
        assert_eq!(ok.body().as_ref(), br#"{"seen":9}"#);
        let failure = invoker
            .invoke(Event::Invoke(json!({"id": -1})), crate::Invocation::new())
            .await
            .unwrap_err();
        assert_eq!(
            (failure.status().as_u16(), failure.error_type()),
            (400, "InvalidEvent")
        );
        assert!(
            failure.message().starts_with("payload.id: invalid value"),
            "{failure}"
        );
    }
}
