//! The conformance function of DESIGN.md: answers every event with the canonical JSON of what
//! it received, so the same logical event sent through every platform can be compared.
//!
//! ```text
//! { "provider": "local", "context": { "request_id": "...", "function": "echo", "deadline_ms": 1700000000000 },
//!   "event": { "kind": "http", ... } }
//! ```
//!
//! For blob events it reads the object through `local_path()` and adds `local_sha256`. It fails
//! on purpose when asked: an HTTP header `x-echo-fail: error|panic`, an invoke payload
//! `{"echo_fail": "error"|"panic"}`, or a message attribute `echo_fail` (SQS/SNS/Pub/Sub). It takes its time when asked, for concurrency and deadline
//! checks: `x-echo-sleep-ms: N` or `{"echo_sleep_ms": N}` (at most 60 000).
//!
//! Run it: `cargo run -p echo`, then `curl -s localhost:8080/anything?a=1`.

use polyfaas::{canonical, Context, Error, Event, Response};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

async fn echo(event: Event, ctx: Context) -> Result<Response, Error> {
    if let Some(ms) = sleep_switch(&event) {
        tokio::time::sleep(std::time::Duration::from_millis(ms.min(60_000))).await;
    }
    match failure_switch(&event) {
        Some("error") => return Err(Error::msg("echo failed on purpose (echo_fail: error)")),
        Some("panic") => panic!("echo panicked on purpose (echo_fail: panic)"),
        _ => {}
    }
    let mut event_json = canonical::to_json(&event);
    if let Event::Blob(blob) = &event {
        if blob.is_created() {
            let path = blob.local_path(&ctx).await?;
            event_json["local_sha256"] = Value::String(sha256_file(path).await?);
        }
    }
    Response::json(&json!({
        "provider": ctx.provider().as_str(),
        "context": {
            "request_id": ctx.request_id(),
            "function": ctx.function_name(),
            "deadline_ms": ctx.deadline_ms(),
        },
        "event": event_json,
    }))
}

/// `x-echo-fail` on HTTP events, `echo_fail` in invoke payloads and message attributes.
fn failure_switch(event: &Event) -> Option<&str> {
    match event {
        Event::Http(request) => request.headers().get("x-echo-fail")?.to_str().ok(),
        Event::Invoke(payload) => payload.get("echo_fail")?.as_str(),
        Event::Message(message) => message.attributes.get("echo_fail").map(String::as_str),
        _ => None,
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
    polyfaas::run(polyfaas::handler_fn(echo)).await
}
