//! An action that writes to stdout and stderr before answering, to check that its output never
//! mixes with the result line (the conformance suite runs it under its ActionLoop driver).
//!
//! Invoked with `{"stdout": "...", "stderr": "..."}`, it prints exactly those texts (no newline
//! added) and answers `{"printed": true}`.

use polyfaas_core::{handler_fn, Context, Error, Event, Response};

async fn noisy(event: Event, _ctx: Context) -> Result<Response, Error> {
    if let Event::Invoke(params) = &event {
        if let Some(text) = params.get("stdout").and_then(|v| v.as_str()) {
            print!("{text}");
        }
        if let Some(text) = params.get("stderr").and_then(|v| v.as_str()) {
            eprint!("{text}");
        }
    }
    Response::json(&serde_json::json!({ "printed": true }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    polyfaas_openwhisk::run(handler_fn(noisy)).await
}
