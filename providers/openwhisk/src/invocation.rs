//! One activation through the invocation skeleton: what OpenWhisk told about it as an
//! [`Invocation`], its parameters as the event, and the outcome as the result line. ActionLoop
//! and blackbox mode both come through here.

use polyfaas_core::{Event, Invocation, Invoker};

use crate::activation::Activation;
use crate::{result, schedule, web};

/// Runs one activation and returns its result line (a JSON object, no newline). Never fails:
/// every failure is an error result.
///
/// The invocation's request id is the activation id (an activation without one gets a generated
/// id from the [`Invoker`], and a warning says so), its function name the action name, its deadline the activation's,
/// its trace id the transaction id; the [`ActivationInfo`](crate::ActivationInfo) is its extra.
pub(crate) async fn activate(invoker: &Invoker, activation: Activation) -> Vec<u8> {
    let Activation {
        value,
        info,
        deadline_ms,
    } = activation;
    let request_id = match info.activation_id.as_deref().filter(|id| !id.is_empty()) {
        Some(id) => id.to_owned(),
        None => {
            let id = invoker.next_request_id();
            tracing::warn!(
                request_id = id,
                "the activation has no activation_id: it runs under a generated request id"
            );
            id
        }
    };
    let mut invocation = Invocation::new()
        .request_id(request_id)
        .deadline_ms(deadline_ms)
        .trace_id(info.transaction_id.clone());
    if let Some(name) = &info.action_name {
        invocation = invocation.function_name(name.clone());
    }
    let web = web::is_web(&value);
    let decoded = if web {
        web::request(value).map(Event::Http)
    } else {
        schedule::tick(&value).map(|tick| tick.map_or(Event::Invoke(value), Event::Schedule))
    };
    let event = match decoded {
        Ok(event) => event,
        Err(error) => {
            let failure = invoker.refuse(&error, invocation.request_id_given());
            return if web {
                web::error_result(&failure)
            } else {
                result::error_result(failure.message())
            };
        }
    };
    let outcome = invoker.invoke(event, invocation.extra(info)).await;
    match (web, outcome) {
        (true, Ok(response)) => web::result(response),
        (true, Err(failure)) => web::error_result(&failure),
        (false, outcome) => result::invoke_result(outcome),
    }
}

#[cfg(test)]
mod tests {
    use polyfaas_core::{handler_fn, Context, Provider, Response, PANIC_MESSAGE};
    use serde_json::{json, Value};

    use super::*;

    /// A handler that reports its context, or panics when asked.
    fn invoker() -> Invoker {
        let handler = handler_fn(|event: Event, ctx: Context| async move {
            if matches!(&event, Event::Invoke(v) if v["panic"] == true) {
                panic!("the secret is 42");
            }
            Response::json(&json!({
                "request_id": ctx.request_id(),
                "function": ctx.function_name(),
                "deadline_ms": ctx.deadline_ms(),
                "trace_id": ctx.trace_id(),
                "extras": ctx.extras().to_json(),
            }))
        });
        Invoker::builder(Provider::OPENWHISK, handler).build()
    }

    async fn run(invoker: &Invoker, line: Value) -> Value {
        let activation = Activation::from_line(line.to_string().as_bytes()).unwrap();
        serde_json::from_slice(&activate(invoker, activation).await).unwrap()
    }

    #[tokio::test]
    async fn the_context_comes_from_the_activation() {
        let invoker = invoker();
        let result = run(
            &invoker,
            json!({"value": {}, "activation_id": "a-1", "action_name": "/guest/echo",
                   "deadline": "4102444800000", "transaction_id": "tx-9", "api_key": "uuid:key-7Qx9"}),
        )
        .await;
        assert_eq!(result["request_id"], "a-1");
        assert_eq!(result["function"], "/guest/echo");
        assert_eq!(result["deadline_ms"], 4_102_444_800_000_u64);
        assert_eq!(result["trace_id"], "tx-9");
        assert_eq!(
            result["extras"]["openwhisk.activation"]["action_name"],
            "/guest/echo"
        );
        assert!(!result.to_string().contains("key-7Qx9"), "{result}");
    }

    #[tokio::test]
    async fn an_activation_without_an_id_gets_a_generated_one() {
        let invoker = invoker();
        let first = run(&invoker, json!({"value": {}})).await;
        let second = run(&invoker, json!({"value": {}, "activation_id": ""})).await;
        for result in [&first, &second] {
            let id = result["request_id"].as_str().unwrap();
            assert!(id.starts_with("openwhisk-"), "{id}");
        }
        assert_ne!(first["request_id"], second["request_id"]);
    }

    #[tokio::test]
    async fn a_panic_answers_the_policy_message_and_the_next_activation_runs() {
        let invoker = invoker();
        let result = run(
            &invoker,
            json!({"value": {"panic": true}, "activation_id": "p-1"}),
        )
        .await;
        assert_eq!(
            result,
            json!({ "error": format!("{PANIC_MESSAGE} (request id p-1)") })
        );
        let web = run(
            &invoker,
            json!({"value": {"__ow_method": "get", "__ow_headers": {"x": "a\nb"}}, "activation_id": "w-1"}),
        )
        .await;
        assert_eq!(web["error"]["statusCode"], 400);
        let body: Value = serde_json::from_str(web["error"]["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["error"]["type"], "InvalidEvent");
        let after = run(&invoker, json!({"value": {}, "activation_id": "a-2"})).await;
        assert_eq!(after["request_id"], "a-2");
    }
}
