//! Apache OpenWhisk: the two proxies a native action sits behind ([`ActionLoop`], [`blackbox`])
//! and the controller's web-action shaping ([`web`]), so an action runs with no invoker.
//!
//! [`Action`] is the ActionLoop driver with a sandbox, as [`Function`](crate::Function) runs it:
//! `__OW_WAIT_FOR_ACK=1`, a local-directory blob store, a scratch directory, `RUST_LOG=info`.

mod action_loop;
pub mod blackbox;
pub mod web;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

pub use action_loop::{ActionLoop, Activation};

use crate::answer::{error_body, Answer, Failure, Logs, NativeAnswer};
use crate::native::OpenWhiskEvent;
use crate::sandbox::Sandbox;

/// Driving the action failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenWhiskError {
    /// The action could not be started.
    #[error("cannot start {program}: {source}")]
    Spawn {
        /// The program.
        program: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A pipe or file operation failed.
    #[error("cannot {what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// Why.
        source: std::io::Error,
    },
    /// Writing the activation line failed (the action is gone).
    #[error("cannot write the activation line: {source}\n{output}")]
    Write {
        /// Why.
        source: std::io::Error,
        /// What the action printed.
        output: String,
    },
    /// No result line in time.
    #[error("no line on fd 3 after {limit:?}\n{output}")]
    NoResult {
        /// The limit.
        limit: Duration,
        /// What the action printed.
        output: String,
    },
    /// The action exited (closed fd 3) instead of answering.
    #[error("the action exited instead of answering\n{output}")]
    Exited {
        /// What the action printed.
        output: String,
    },
    /// The fd-3 line is not JSON (the proxy answers 502 for it).
    #[error("the fd-3 line {line:?} is not JSON ({error})\n{output}")]
    NotJson {
        /// The line.
        line: String,
        /// Why.
        error: serde_json::Error,
        /// What the action printed meanwhile.
        output: String,
    },
    /// The action did not exit after stdin closed.
    #[error("the action did not exit within 30 s of stdin closing\n{output}")]
    StillRunning {
        /// What the action printed.
        output: String,
    },
}

impl OpenWhiskError {
    pub(crate) fn io(what: &'static str, source: std::io::Error) -> Self {
        OpenWhiskError::Io { what, source }
    }
}

/// Starts `command` (for `binary`) with stdin, stdout and stderr as pipes, as the proxies do.
fn spawn_piped(
    mut command: std::process::Command,
    binary: &Path,
) -> Result<std::process::Child, OpenWhiskError> {
    use std::process::Stdio;
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| OpenWhiskError::Spawn {
            program: binary.to_owned(),
            source,
        })
}

/// An action under the ActionLoop driver (ack on), with its sandbox.
pub struct Action {
    action: Arc<Mutex<ActionLoop>>,
    sandbox: Sandbox,
}

impl Action {
    /// Starts `binary` with the sandbox's variables plus `env`, and reads its ack.
    pub fn start(binary: &Path, env: &[(&str, &str)]) -> Result<Action, OpenWhiskError> {
        let sandbox = Sandbox::new().map_err(|e| OpenWhiskError::io("create the sandbox", e))?;
        let blob_url = sandbox.blob_url();
        let scratch = sandbox.scratch_dir().display().to_string();
        let mut all: Vec<(&str, &str)> = vec![
            ("POLYFAAS_BLOB_URL", &blob_url),
            ("POLYFAAS_TMPDIR", &scratch),
            ("RUST_LOG", "info"),
        ];
        all.extend_from_slice(env);
        let mut action = ActionLoop::start(binary, true, &all)?;
        let ack = action.read_ack()?;
        if ack != serde_json::json!({"ok": true}) {
            return Err(OpenWhiskError::io(
                "read the ack",
                std::io::Error::other(format!("the ack is {ack}, not {{\"ok\":true}}")),
            ));
        }
        Ok(Action {
            action: Arc::new(Mutex::new(action)),
            sandbox,
        })
    }

    /// Everything the action printed so far.
    pub fn output(&self) -> String {
        self.action
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain_all()
    }

    /// The action's blob store and scratch directories.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Runs one activation (on a blocking thread) and decodes the answer.
    pub async fn send(&self, event: &OpenWhiskEvent) -> Result<Answer, OpenWhiskError> {
        let action = Arc::clone(&self.action);
        let run = event.run.clone();
        let activation = tokio::task::spawn_blocking(move || {
            action.lock().unwrap_or_else(|p| p.into_inner()).run(&run)
        })
        .await
        .map_err(|e| OpenWhiskError::io("run the activation", std::io::Error::other(e)))??;
        Ok(decode(event.web, activation))
    }
}

/// An activation's result as the caller sees it: a web action's `.http` projection (a failure
/// when the result is an application error), or the result itself (a failure when it has an
/// `error` field, with status 500).
fn decode(web: bool, activation: Activation) -> Answer {
    let logs = Logs {
        stdout: activation.stdout,
        stderr: activation.stderr,
        platform: Vec::new(),
    };
    let result = activation.result;
    let application_error = result.get("error").cloned();
    let (status, headers, body, failure) = if web {
        let reply = web::project(&result);
        let failure = application_error.map(|_| error_body(&reply.body));
        (
            reply.status,
            reply.headers,
            Bytes::from(reply.body),
            failure,
        )
    } else {
        let failure = application_error.map(|error| match error {
            Value::String(message) => Failure::new(None, message),
            other => Failure::new(None, other.to_string()),
        });
        let status = if failure.is_some() { 500 } else { 200 };
        (
            status,
            vec![("content-type".to_owned(), "application/json".to_owned())],
            Bytes::from(result.to_string()),
            failure,
        )
    };
    Answer {
        native: NativeAnswer::OpenWhisk(result),
        status,
        headers,
        body,
        failure,
        logs,
    }
}
