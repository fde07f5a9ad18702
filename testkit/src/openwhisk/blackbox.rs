//! A blackbox proxy stand-in (apache/openwhisk-runtime-docker `actionproxy.py`, `run`): one
//! process per activation; the JSON of `value` as argv\[1\] when it is at most 131,071 characters
//! (`MAX_ARG_STRLEN`), and always on stdin without a trailing newline; every other `/run` key as
//! `__OW_<KEY>`; the result is the last stdout line, which must be a JSON object or array.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use super::OpenWhiskError;

/// The longest argument actionproxy.py passes on the command line.
pub const MAX_ARG: usize = 131_071;

/// One blackbox activation's outcome.
#[derive(Clone, Debug)]
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
///
/// ```no_run
/// use polyfaas_testkit::openwhisk::blackbox;
///
/// let outcome = blackbox::run("target/debug/echo".as_ref(),
///     &serde_json::json!({"value": {"n": 1}, "activation_id": "a1"}), &[])?;
/// println!("{:?}", outcome.result);
/// # Ok::<(), polyfaas_testkit::openwhisk::OpenWhiskError>(())
/// ```
pub fn run(binary: &Path, body: &Value, env: &[(&str, &str)]) -> Result<Outcome, OpenWhiskError> {
    let input = body["value"].to_string();
    let mut command = crate::process::command(binary);
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
    let mut child = super::spawn_piped(command, binary)?;
    let writer = child.stdin.take().map(|mut stdin| {
        std::thread::spawn(move || {
            // The action may exit without reading stdin (it had argv): a broken pipe is fine, as
            // in Python's communicate().
            let _ = stdin.write_all(input.as_bytes());
        })
    });
    let output = child
        .wait_with_output()
        .map_err(|e| OpenWhiskError::io("wait for the action", e))?;
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    // The proxy decodes stdout as UTF-8; undecodable bytes become U+FFFD here.
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    // actionproxy.py: the last line of stdout, even if empty; the rest are logs.
    let without_last_newline = stdout.strip_suffix('\n').unwrap_or(&stdout);
    let (logs, last) = match without_last_newline.rfind('\n') {
        Some(i) => (stdout[..=i].to_owned(), stdout[i + 1..].trim().to_owned()),
        None => (String::new(), stdout.trim().to_owned()),
    };
    let result = serde_json::from_str::<Value>(&last)
        .ok()
        .filter(|v| v.is_object() || v.is_array());
    Ok(Outcome {
        result,
        logs,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        had_argv,
    })
}
