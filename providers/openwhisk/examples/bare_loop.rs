//! The anchor of the ActionLoop measurement (conformance-tests `tests/openwhisk`,
//! `measure_action_loop_round_trips`): what the official Rust runtime's launcher does per
//! activation, without polyfaas. It reads a line, parses it, and writes `{"payload": value}` to
//! fd 3. No context, no deadline, no panic guard, no flushing.

use std::io::{BufRead, Write};
use std::os::fd::FromRawFd;

use serde_json::{json, Value};

fn main() -> std::io::Result<()> {
    // SAFETY: run only under an ActionLoop driver, which passes fd 3; nothing else owns it.
    let mut out = std::io::BufWriter::new(unsafe { std::fs::File::from_raw_fd(3) });
    for line in std::io::stdin().lock().lines() {
        let mut activation: Value = serde_json::from_str(&line?).unwrap_or(Value::Null);
        let value = activation.get_mut("value").map(Value::take);
        writeln!(out, "{}", json!({ "payload": value }))?;
        out.flush()?;
    }
    Ok(())
}
