//! OpenWhisk activations (openwhisk.md §2, §7, §9): the `/run` body the invoker sends, with a raw
//! web action's `__ow_*` parameters, a plain invocation's parameters, or what a feed's trigger
//! passes on; the inverse of `polyfaas-openwhisk`'s decoder.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::{json, Value};

use super::{text, EncodeError, Form, Input};
use crate::logical::{HttpEvent, Kind, LogicalEvent, MessageEvent};
use crate::native::{NativeEvent, OpenWhiskEvent};
use crate::openwhisk::web;

pub(super) const FORMS: &[Form] = &[
    Form {
        name: "web",
        kind: Kind::Http,
        description: "a raw web action request (--web raw), as the controller passes it",
    },
    Form {
        name: "activation",
        kind: Kind::Invoke,
        description: "a plain activation: the payload as the parameters",
    },
    Form {
        name: "alarm",
        kind: Kind::Schedule,
        description:
            "an alarms-feed trigger's activation (the trigger payload: the schedule's mark)",
    },
    Form {
        name: "kafka",
        kind: Kind::Message,
        description: "a messaging-feed (Kafka) trigger's activation with one message",
    },
];

pub(super) fn default_form(event: &LogicalEvent) -> Option<&'static str> {
    match event.kind() {
        Kind::Http => Some("web"),
        Kind::Invoke => Some("activation"),
        Kind::Schedule => Some("alarm"),
        Kind::Message => Some("kafka"),
        Kind::Blob | Kind::Change | Kind::Authorize => None,
    }
}

/// The trigger payload parameter a generated alarm carries with the schedule's name.
const SCHEDULE_MARK: &str = "polyfaas_schedule";

/// The fully qualified action name the activations carry.
pub const ACTION_NAME: &str = "/guest/polyfaas/function";

static ACTIVATIONS: AtomicU64 = AtomicU64::new(1);

/// The `/run` body around `value`: a fresh activation id and a deadline ten minutes away.
fn run_body(value: Value) -> Value {
    let n = ACTIVATIONS.fetch_add(1, Ordering::Relaxed);
    let deadline = crate::aws::now_ms() + 600_000;
    json!({
        "value": value,
        "namespace": "guest",
        "action_name": ACTION_NAME,
        "activation_id": format!("7e57c0de{n:024x}"),
        "transaction_id": format!("t3stk1t{n:025x}"),
        "deadline": deadline.to_string(),
        "api_key": "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:polyfaas-testkit-key",
        "action_version": "0.0.1",
    })
}

pub(super) fn encode(form: &str, mut input: Input<'_>) -> Result<NativeEvent, EncodeError> {
    let (value, web) = match (form, input.event) {
        ("web", LogicalEvent::Http(http)) => (web_params(http, &mut input), true),
        ("activation", LogicalEvent::Invoke(payload)) => {
            if !payload.is_object() && !payload.is_array() {
                input.lose(
                    "payload",
                    "OpenWhisk passes parameters as a JSON object (or an array to sequences)",
                );
            }
            if payload.get("__ow_method").is_some() {
                input.delivered_as(
                    Kind::Http,
                    "parameters with `__ow_method` are a web action's",
                );
            }
            (payload.clone(), false)
        }
        ("alarm", LogicalEvent::Schedule(tick)) => {
            // The trigger payload `cargo polyfaas package` gives its alarms: the schedule's
            // mark (cli/src/marks.rs: OPENWHISK_PARAMETER), which the shim reads as a schedule.
            let payload = match &tick.name {
                Some(name) => json!({ SCHEDULE_MARK: name }),
                None => {
                    input.delivered_as(
                        Kind::Invoke,
                        "an alarm without the polyfaas_schedule mark passes only its trigger payload: the handler gets it as an invoke payload",
                    );
                    json!({})
                }
            };
            if tick.time.is_some() {
                input.lose(
                    "time",
                    "an alarm's activation does not say when it was scheduled",
                );
            }
            (payload, false)
        }
        ("kafka", LogicalEvent::Message(message)) => (kafka(message, &mut input), false),
        (form, event) => {
            return Err(EncodeError::invalid(
                "kind",
                format!("form {form} does not carry {} events", event.kind()),
            ))
        }
    };
    Ok(NativeEvent::OpenWhisk(OpenWhiskEvent {
        run: run_body(value),
        web,
    }))
}

fn web_params(http: &HttpEvent, input: &mut Input<'_>) -> Value {
    for (name, values) in &http.headers {
        if values.len() > 1 {
            input.lose(
                format!("headers.{name}"),
                "the controller keeps one value per header (the last)",
            );
        }
    }
    let content_type = http.first_header("content-type");
    match (content_type, http.body.is_empty()) {
        (Some(_), true) => input.lose(
            "headers.content-type",
            "the controller drops the content type of an empty body",
        ),
        (None, false) => input.lose(
            "headers.content-type",
            "the controller gives a body without a type application/octet-stream",
        ),
        _ => {}
    }
    if let Some(ct) = content_type {
        let media = crate::openwhisk::web::media_type(ct);
        let textual = !web::is_binary(&media) && media != "application/json";
        if textual && !http.body.is_empty() && std::str::from_utf8(&http.body).is_err() {
            input.lose(
                "body_base64",
                "the controller passes a textual body as text; bytes that are not UTF-8 are replaced",
            );
        }
    }
    if text::raw_query(&http.query) != http.query {
        input.lose("query", "bytes a URI cannot hold are escaped in the query");
    }
    input.check_forwarded_for(http, "the controller");
    let headers: Vec<(&str, &str)> = http
        .headers
        .iter()
        .flat_map(|(name, values)| values.iter().map(move |v| (name.as_str(), v.as_str())))
        .collect();
    let path = if http.path == "/" {
        String::new()
    } else {
        text::raw_path(&http.path)
    };
    web::raw_params(&http.method, &path, &http.query, &headers, &http.body)
}

fn kafka(message: &MessageEvent, input: &mut Input<'_>) -> Value {
    input.delivered_as(
        Kind::Invoke,
        "a messaging feed passes its batch as parameters: the handler gets it as an invoke payload",
    );
    let number = |name: &str| {
        message
            .attributes
            .get(name)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let value = match std::str::from_utf8(&message.body) {
        Ok(text) => json!(text),
        // The feed's isBinaryValue: base64.
        Err(_) => json!(BASE64.encode(&message.body)),
    };
    json!({"messages": [{
        "partition": number("partition"),
        "key": message.attributes.get("partition_key"),
        "offset": number("offset"),
        "topic": message.source,
        "value": value,
    }]})
}
