//! An Azure custom handler's reply as the client or the host sees it.
//!
//! - A non-2xx reply is a failed invocation: the status, and the failure from the envelope's
//!   `Error` (or the body).
//! - An HTTP trigger's reply is the `http` output binding (`{"statusCode", "headers", "body"}`),
//!   as the host writes it to the client. A 5xx whose body is `{"error": {...}}` is the shim
//!   reporting a failed handler.
//! - Any other trigger's reply is its `ReturnValue`, as the body of a 200 answer.
//!
//! The envelope's `Logs` are the answer's platform logs.

use bytes::Bytes;
use serde_json::Value;

use super::Reply;
use crate::answer::{error_body, Answer, Failure, Logs, NativeAnswer};
use crate::native::AzureEvent;

pub(super) fn decode(event: &AzureEvent, reply: Reply, mut logs: Logs) -> Answer {
    let envelope = reply.envelope();
    if let Some(Value::Array(lines)) = envelope.as_ref().and_then(|e| get_ci(e, "Logs")) {
        logs.platform = lines
            .iter()
            .map(|l| l.as_str().map_or_else(|| l.to_string(), str::to_owned))
            .collect();
    }
    let json_headers = || vec![("content-type".to_owned(), "application/json".to_owned())];
    let (status, headers, body, failure) = if !(200..300).contains(&reply.status) {
        let failure = match envelope.as_ref().and_then(|e| get_ci(e, "Error")) {
            Some(Value::Object(error)) => Failure::new(
                error.get("type").and_then(Value::as_str).map(str::to_owned),
                error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            ),
            _ => Failure::new(None, String::from_utf8_lossy(&reply.body).into_owned()),
        };
        (
            reply.status,
            json_headers(),
            reply.body.clone(),
            Some(failure),
        )
    } else if event.http {
        http_output(event, envelope.as_ref())
    } else {
        let value = envelope
            .as_ref()
            .and_then(|e| get_ci(e, "ReturnValue"))
            .cloned()
            .unwrap_or(Value::Null);
        let body = match value {
            Value::Null => Bytes::new(),
            other => Bytes::from(other.to_string()),
        };
        (200, json_headers(), body, None)
    };
    Answer {
        native: NativeAnswer::Azure(reply),
        status,
        headers,
        body,
        failure,
        logs,
    }
}

type View = (u16, Vec<(String, String)>, Bytes, Option<Failure>);

/// The `http` output binding: named in `function.json`, or else the only output.
fn http_output(event: &AzureEvent, envelope: Option<&Value>) -> View {
    let binding = event
        .function
        .bindings
        .as_array()
        .into_iter()
        .flatten()
        .find(|b| {
            b["type"].as_str() == Some("http")
                && b["direction"]
                    .as_str()
                    .is_some_and(|d| d.eq_ignore_ascii_case("out"))
        })
        .and_then(|b| b["name"].as_str());
    let outputs = envelope.and_then(|e| get_ci(e, "Outputs"));
    let res = match (binding, outputs) {
        (Some("$return"), _) => envelope.and_then(|e| get_ci(e, "ReturnValue")),
        (Some(name), Some(Value::Object(outputs))) => outputs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v),
        (None, Some(Value::Object(outputs))) => outputs.values().next(),
        _ => None,
    };
    let Some(Value::Object(res)) = res else {
        // The host answers the client 500 when the binding is missing or malformed.
        return (
            500,
            Vec::new(),
            Bytes::new(),
            Some(Failure::new(
                None,
                "the reply has no http output binding object",
            )),
        );
    };
    let status = match res
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("statusCode"))
    {
        Some((_, Value::Number(n))) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Some((_, Value::String(s))) => s.parse().ok(),
        None => Some(200),
        Some(_) => None,
    }
    .unwrap_or(500);
    let mut headers = Vec::new();
    if let Some((_, Value::Object(map))) =
        res.iter().find(|(k, _)| k.eq_ignore_ascii_case("headers"))
    {
        for (name, value) in map {
            let value = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            headers.push((name.to_ascii_lowercase(), value));
        }
    }
    let body = match res.iter().find(|(k, _)| k.eq_ignore_ascii_case("body")) {
        Some((_, Value::String(s))) => Bytes::from(s.clone()),
        Some((_, Value::Null)) | None => Bytes::new(),
        Some((_, other)) => Bytes::from(other.to_string()),
    };
    let failure = (status >= 500)
        .then(|| error_body(&body))
        .filter(|f| f.error_type.is_some());
    (status, headers, body, failure)
}

fn get_ci<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}
