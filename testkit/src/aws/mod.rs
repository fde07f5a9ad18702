//! AWS Lambda: a function binary running against a [`RuntimeApi`] server, with Lambda's
//! environment.
//!
//! ```no_run
//! use polyfaas_testkit::aws::{Invocation, Lambda, LambdaOptions};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let mut lambda = Lambda::start("target/debug/echo".as_ref(), LambdaOptions::default()).await?;
//! let outcome = lambda.invoke(Invocation::new(r#"{"order": 7}"#)).await?;
//! println!("{outcome}\n{}", lambda.process.output());
//! # Ok(()) }
//! ```

mod answer;
mod runtime_api;

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

pub use crate::answer::lambda::{Outcome, Streamed};
pub use runtime_api::{now_ms, Extension, Invocation, RuntimeApi};

use crate::answer::Answer;
use crate::native::AwsEvent;
use crate::process::{command, Process, ProcessError};
use crate::sandbox::Sandbox;

/// Starting or driving the function failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LambdaError {
    /// The Runtime API server or the sandbox could not be set up.
    #[error("cannot set up the Lambda emulator: {0}")]
    Setup(#[source] std::io::Error),
    /// The function could not be started.
    #[error(transparent)]
    Process(#[from] ProcessError),
    /// The function posted no answer in time.
    #[error("the function posted no answer within {limit:?}\n{output}")]
    NoAnswer {
        /// The limit.
        limit: Duration,
        /// What the function printed.
        output: String,
    },
}

/// How to start the function.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct LambdaOptions {
    /// A server to use instead of a fresh one (say, one started with a path prefix).
    pub api: Option<RuntimeApi>,
    /// Set `AWS_LAMBDA_RUNTIME_API` as a URL with the server's prefix (cargo-lambda does)
    /// instead of `host:port` (Lambda does).
    pub use_url: bool,
    /// `AWS_LAMBDA_FUNCTION_NAME` (default: the binary's file name).
    pub function_name: Option<String>,
    /// More variables, set after the defaults (so they can override them).
    pub env: Vec<(String, String)>,
    /// Variables to remove after the defaults are set.
    pub remove: Vec<String>,
}

impl LambdaOptions {
    /// Adds a variable.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Removes a variable (after the defaults are set).
    pub fn remove(mut self, name: impl Into<String>) -> Self {
        self.remove.push(name.into());
        self
    }

    /// Uses `api` instead of a fresh server.
    pub fn api(mut self, api: RuntimeApi) -> Self {
        self.api = Some(api);
        self
    }

    /// Sets `AWS_LAMBDA_RUNTIME_API` as a URL with the server's prefix.
    pub fn use_url(mut self, use_url: bool) -> Self {
        self.use_url = use_url;
        self
    }

    /// `AWS_LAMBDA_FUNCTION_NAME`.
    pub fn function_name(mut self, name: impl Into<String>) -> Self {
        self.function_name = Some(name.into());
        self
    }
}

/// A function binary running against a Runtime API server, killed when dropped.
///
/// Its environment is Lambda's (`AWS_LAMBDA_RUNTIME_API`, `AWS_LAMBDA_FUNCTION_NAME`,
/// `_VERSION`, `_MEMORY_SIZE`, `AWS_REGION=eu-west-1`), plus a local-directory blob store
/// (`POLYFAAS_BLOB_URL`), a scratch directory (`POLYFAAS_TMPDIR`) and `RUST_LOG=info`.
pub struct Lambda {
    /// The Runtime API server.
    pub api: RuntimeApi,
    /// The function's process.
    pub process: Process,
    /// Its blob store and scratch directories.
    pub sandbox: Sandbox,
}

impl Lambda {
    /// Starts `binary` against a fresh server (or `options.api`).
    pub async fn start(binary: &Path, options: LambdaOptions) -> Result<Lambda, LambdaError> {
        let api = match options.api {
            Some(api) => api,
            None => RuntimeApi::start().await.map_err(LambdaError::Setup)?,
        };
        let sandbox = Sandbox::new().map_err(LambdaError::Setup)?;
        let endpoint = if options.use_url {
            api.url()
        } else {
            api.host_port()
        };
        let name = options.function_name.unwrap_or_else(|| {
            binary.file_name().map_or_else(
                || "function".to_owned(),
                |n| n.to_string_lossy().into_owned(),
            )
        });
        let mut cmd = command(binary);
        cmd.env("AWS_LAMBDA_RUNTIME_API", endpoint)
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_REGION", "eu-west-1")
            .env("POLYFAAS_BLOB_URL", sandbox.blob_url())
            .env("POLYFAAS_TMPDIR", sandbox.scratch_dir())
            .env("RUST_LOG", "info");
        for (k, v) in &options.env {
            cmd.env(k, v);
        }
        for k in &options.remove {
            cmd.env_remove(k);
        }
        let process = Process::spawn(cmd)?;
        Ok(Lambda {
            api,
            process,
            sandbox,
        })
    }

    /// Hands out one invocation and waits up to 60 s for the function's answer.
    pub async fn invoke(&self, invocation: Invocation) -> Result<Outcome, LambdaError> {
        let limit = Duration::from_secs(60);
        match self.api.invoke(invocation, limit).await {
            Some(outcome) => Ok(outcome),
            None => Err(LambdaError::NoAnswer {
                limit,
                output: self.process.output(),
            }),
        }
    }

    /// Sends one event and decodes the answer (see [`Answer`]), with the function's logs.
    pub async fn send(&self, event: &AwsEvent) -> Result<Answer, LambdaError> {
        let mark = self.process.mark();
        let outcome = self.invoke(Invocation::new(event.payload.clone())).await?;
        let logs = self.process.logs_since(mark);
        Ok(answer::decode(event.origin, outcome, logs))
    }

    /// For tests: invokes with `payload` and returns the `/response` body as JSON.
    ///
    /// # Panics
    ///
    /// When there is no answer, an `/error`, or a body that is not JSON.
    pub async fn result(&self, payload: impl Into<Bytes>) -> Value {
        let outcome = self
            .invoke(Invocation::new(payload))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        match &outcome {
            Outcome::Response(_) => outcome.response_json(),
            other => panic!(
                "expected a /response, got {other:?}\n{}",
                self.process.output()
            ),
        }
    }

    /// For tests: asserts the server saw no protocol violation and the process is alive.
    ///
    /// # Panics
    ///
    /// When either is not so, with the violations or the function's output.
    pub fn assert_healthy(&mut self) {
        assert_eq!(self.api.violations(), Vec::<String>::new());
        assert!(
            self.process.is_running(),
            "the function exited\n{}",
            self.process.output()
        );
    }
}
