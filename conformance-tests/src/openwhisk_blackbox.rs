//! A blackbox proxy stand-in (apache/openwhisk-runtime-docker `actionproxy.py`, `run`): one
//! process per activation; the JSON of `value` as argv[1] when it is at most 131,071 characters
//! (`MAX_ARG_STRLEN`), and always on stdin without a trailing newline; every other `/run` key as
//! `__OW_<KEY>`; the result is the last stdout line, which must be a JSON object or array.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

/// The longest argument actionproxy.py passes on the command line.
pub const MAX_ARG: usize = 131_071;

/// One blackbox activation's outcome.
#[derive(Debug)]
pub struct Outcome {
    /// The last stdout line parsed as a JSON object or array, as the proxy would reply 200 with;
    /// `None` where the proxy would answer 502 "did not return a dictionary or array".
    pub result: Option<Value>,
    /// The stdout lines before the result (the proxy re-emits them as logs).
    pub logs: String,
    /// Stderr.
    pub stderr: String,
    /// Whether the argument went on the command line too.
    pub had_argv: bool,
}

/// Runs `binary` for the `/run` body `body` (`value` plus the other fields) as actionproxy.py.
pub fn run(binary: &Path, body: &Value, env: &[(&str, &str)]) -> Outcome {
    let input = body["value"].to_string();
    let mut command: Command = crate::process::command(binary);
    let had_argv = input.len() <= MAX_ARG;
    if had_argv {
        command.arg(&input);
    }
    if let Value::Object(fields) = body {
        for (key, value) in fields.iter().filter(|(k, _)| *k != "value") {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            command.env(format!("__OW_{}", key.to_uppercase()), text);
        }
    }
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {binary:?}: {e}"));
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || {
        // The action may exit without reading stdin (it had argv): a broken pipe is fine, as in
        // Python's communicate().
        let _ = stdin.write_all(input.as_bytes());
    });
    let output = child.wait_with_output().expect("wait for the action");
    writer.join().expect("the stdin writer");
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8 (the proxy decodes it)");
    // actionproxy.py: the last line of stdout, even if empty; the rest are logs.
    let (logs, last) = match stdout[..stdout.len().saturating_sub(1)].rfind('\n') {
        Some(i) => (stdout[..=i].to_owned(), stdout[i + 1..].trim().to_owned()),
        None => (String::new(), stdout.trim().to_owned()),
    };
    let result = serde_json::from_str::<Value>(&last)
        .ok()
        .filter(|v| v.is_object() || v.is_array());
    Outcome {
        result,
        logs,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        had_argv,
    }
}
