//! One ActionLoop input line through `polyfaas_openwhisk::fuzz_activation_line`: the line's JSON
//! (`value`, `activation_id`, `deadline`, ...), web actions (`__ow_*`), alarms, the handler
//! (which writes each event's canonical JSON) and the result line, which must stay one line of
//! JSON.
use std::sync::OnceLock;

use polyfaas_core::{handler_fn, Context, Error, Event, Invoker, Provider, Response};

use crate::{check_event, runtime};

fn invoker() -> &'static Invoker {
    static INVOKER: OnceLock<Invoker> = OnceLock::new();
    INVOKER.get_or_init(|| Invoker::builder(Provider::OPENWHISK, handler_fn(echo)).build())
}

async fn echo(event: Event, _ctx: Context) -> Result<Response, Error> {
    check_event(&event);
    Ok(Response::text("ok"))
}

pub fn run(data: &[u8]) {
    let line = runtime().block_on(polyfaas_openwhisk::fuzz_activation_line(invoker(), data));
    assert!(!line.contains(&b'\n'), "a result line with a newline");
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(&line) {
        panic!(
            "a result line that is not JSON ({e}): {:?}",
            String::from_utf8_lossy(&line)
        );
    }
}
