//! The conformance function of DESIGN.md: answers every event with the canonical JSON of what
//! it received, so the same logical event sent through every platform can be compared.
//!
//! ```text
//! { "provider": "local", "context": { "request_id": "...", "function": "echo", "deadline_ms": 1700000000000 },
//!   "event": { "kind": "http", ... } }
//! ```
//!
//! - Blob events: it reads the object through `local_path()` and adds `local_sha256`.
//! - Message and change records: it also writes their canonical JSON to its log, one line each
//!   (`echo record {...}`): batch sources answer with the partial-batch response, so the log is
//!   how the records are seen from outside.
//! - Authorizer calls: it allows, with principal `echo` and its canonical JSON as the string
//!   context value `echo`, unless the token (with or without `Bearer `) is `deny` or the request
//!   has `x-echo-deny: deny`.
//! - Platform extras: with the header `x-echo-extras: 1` (on an HTTP request, or the request an
//!   authorizer call is about), an invoke payload field `echo_extras`
//!   or a message attribute `echo_extras` (or for every event, when started with
//!   `ECHO_EXTRAS=1`), the answer gets a top-level `"extras"` key with every extra the platform
//!   sent (`ctx.extras()`); the canonical `event` is unchanged. For message and change records
//!   they are also logged, one line `echo extras {...}` after the record's (batch sources answer
//!   with the partial-batch response).
//! - It fails on purpose when asked: an HTTP header `x-echo-fail: error|panic`, an invoke payload
//!   `{"echo_fail": "error"|"panic"}`, a message attribute `echo_fail`, a message whose body is
//!   JSON with `echo_fail` (stream records), or a change whose new value has `echo_fail`.
//! - It takes its time when asked, for concurrency and deadline checks: `x-echo-sleep-ms: N` or
//!   `{"echo_sleep_ms": N}` (at most 60 000).
//! - It sets named outputs when asked (Azure output bindings; other platforms drop them with a
//!   warning): the HTTP header `x-echo-outputs`, an invoke payload field `echo_outputs` or a
//!   message attribute `echo_outputs` holding a JSON object `{"<binding>": value}`; a string value
//!   is sent as text, any other as JSON.
//! - It streams when asked: with `x-echo-stream-ms: N` its answer comes in two chunks, the first
//!   at once and the rest N ms later (at most 60 000), as a streamed body; platforms that cannot
//!   stream send both together.
//! - It has a shutdown hook, which logs `echo shutdown hook ran` when the platform stops it.
//!
//! - When the platform stops it, a shutdown hook logs `echo: shutdown hook ran`.
//!
//! Run it: `cargo run -p echo`, then `curl -s localhost:8080/anything?a=1`.

use std::convert::Infallible;

use bytes::Bytes;
use futures_util::StreamExt;
use http::HeaderValue;
use polyfaas::{canonical, Authorization, Context, Error, Event, Response, Shutdown};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

async fn echo(event: Event, ctx: Context) -> Result<Response, Error> {
    if let Some(ms) = sleep_switch(&event) {
        tokio::time::sleep(std::time::Duration::from_millis(ms.min(60_000))).await;
    }
    let mut event_json = canonical::to_json(&event);
    let extras = extras_switch(&event);
    if matches!(event, Event::Message(_) | Event::Change(_)) {
        tracing::info!("echo record {event_json}");
        if extras {
            let extras_json = Value::Object(ctx.extras().to_json());
            tracing::info!("echo extras {extras_json}");
        }
    }
    match failure_switch(&event).as_deref() {
        Some("error") => return Err(Error::msg("echo failed on purpose (echo_fail: error)")),
        Some("panic") => panic!("echo panicked on purpose (echo_fail: panic)"),
        _ => {}
    }
    if let Event::Blob(blob) = &event {
        if blob.is_created() {
            let path = blob.local_path(&ctx).await?;
            event_json["local_sha256"] = Value::String(sha256_file(path).await?);
        }
    }
    let mut answer = json!({
        "provider": ctx.provider().as_str(),
        "context": {
            "request_id": ctx.request_id(),
            "function": ctx.function_name(),
            "deadline_ms": ctx.deadline_ms(),
        },
        "event": event_json,
    });
    if extras {
        answer["extras"] = Value::Object(ctx.extras().to_json());
    }
    if let Event::Authorize(auth) = &event {
        let denied = auth
            .token
            .as_deref()
            .map(|t| t.strip_prefix("Bearer ").unwrap_or(t))
            .is_some_and(|t| t.eq_ignore_ascii_case("deny"))
            || auth
                .request
                .as_ref()
                .and_then(|r| r.headers().get("x-echo-deny"))
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"deny"));
        let decision = if denied {
            Authorization::deny("echo")
        } else {
            Authorization::allow("echo")
        };
        return Ok(decision.with_context("echo", answer.to_string()).into());
    }
    let mut response = match stream_switch(&event) {
        Some(ms) => two_chunks(answer.to_string(), ms.min(60_000)),
        None => Response::json(&answer)?,
    };
    for (binding, value) in outputs_switch(&event) {
        response = match value {
            Value::String(text) => response.with_output(binding, text),
            other => response.with_output(binding, other),
        };
    }
    Ok(response)
}

/// The `echo_outputs` switch: `{"<binding>": value}` from a header, a payload field or a
/// message attribute.
fn outputs_switch(event: &Event) -> serde_json::Map<String, Value> {
    let text: Option<&[u8]> = match event {
        Event::Http(request) => request
            .headers()
            .get("x-echo-outputs")
            .map(|v| v.as_bytes()),
        Event::Invoke(payload) => {
            return match payload.get("echo_outputs") {
                Some(Value::Object(outputs)) => outputs.clone(),
                _ => serde_json::Map::new(),
            }
        }
        Event::Message(message) => message.attributes.get("echo_outputs").map(|v| v.as_bytes()),
        _ => None,
    };
    match text.map(serde_json::from_slice::<Value>) {
        Some(Ok(Value::Object(outputs))) => outputs,
        _ => serde_json::Map::new(),
    }
}

/// A JSON answer streamed in two chunks, the second `ms` later.
fn two_chunks(text: String, ms: u64) -> Response {
    let mut text = text.into_bytes();
    let rest = Bytes::from(text.split_off(text.len() / 2));
    let first = Bytes::from(text);
    let chunks = futures_util::stream::once(async move { Ok::<_, Infallible>(first) }).chain(
        futures_util::stream::once(async move {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            Ok(rest)
        }),
    );
    Response::from_stream(chunks).with_content_type(HeaderValue::from_static("application/json"))
}

/// `x-echo-stream-ms` on HTTP events.
fn stream_switch(event: &Event) -> Option<u64> {
    let Event::Http(request) = event else {
        return None;
    };
    request
        .headers()
        .get("x-echo-stream-ms")?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// The `echo_fail` switch, wherever the event kind can carry it.
fn failure_switch(event: &Event) -> Option<String> {
    let text = |v: &Value| v.get("echo_fail")?.as_str().map(str::to_owned);
    match event {
        Event::Http(request) => Some(
            request
                .headers()
                .get("x-echo-fail")?
                .to_str()
                .ok()?
                .to_owned(),
        ),
        Event::Invoke(payload) => text(payload),
        Event::Message(message) => message
            .attributes
            .get("echo_fail")
            .cloned()
            .or_else(|| text(&serde_json::from_slice(&message.body).ok()?)),
        Event::Change(change) => text(change.new.as_ref()?),
        _ => None,
    }
}

/// The `echo_extras` switch, or `ECHO_EXTRAS=1` for every event.
fn extras_switch(event: &Event) -> bool {
    if std::env::var_os("ECHO_EXTRAS").is_some_and(|v| v == "1") {
        return true;
    }
    match event {
        Event::Http(request) => request
            .headers()
            .get("x-echo-extras")
            .is_some_and(|v| v == "1"),
        Event::Invoke(payload) => payload
            .get("echo_extras")
            .is_some_and(|v| !matches!(v, Value::Null | Value::Bool(false))),
        Event::Message(message) => message.attributes.contains_key("echo_extras"),
        Event::Authorize(auth) => auth
            .request
            .as_ref()
            .and_then(|r| r.headers().get("x-echo-extras"))
            .is_some_and(|v| v == "1"),
        _ => false,
    }
}

/// `x-echo-sleep-ms` on HTTP events, `echo_sleep_ms` in invoke payloads.
fn sleep_switch(event: &Event) -> Option<u64> {
    match event {
        Event::Http(request) => request
            .headers()
            .get("x-echo-sleep-ms")?
            .to_str()
            .ok()?
            .parse()
            .ok(),
        Event::Invoke(payload) => payload.get("echo_sleep_ms")?.as_u64(),
        _ => None,
    }
}

/// The file's SHA-256, read in chunks so a large object is not held in memory.
async fn sha256_file(path: &std::path::Path) -> Result<String, Error> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    // A hook every platform runs when it stops the process: the suites look for its line.
    let shutdown = Shutdown::new().hook(|| async { tracing::info!("echo: shutdown hook ran") });
    polyfaas::run_with(polyfaas::handler_fn(echo), shutdown).await
}
