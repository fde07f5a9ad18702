//! AWS Lambda: the real `echo` binary built with `--features aws`, driven through a Lambda
//! Runtime API server ([`runtime_api`]) over the project's own event fixtures
//! (`conformance-tests/fixtures/aws/`).
//!
//! - `http`: API Gateway v1/v2, Function URL and ALB events in, per-origin responses out, and
//!   the `lambda_http` 1.3.2 mistakes pinned.
//! - `triggers`: S3 (with the object read through the configured store), SQS partial batches,
//!   SNS, EventBridge schedules, direct and unrecognised invocations.
//! - `failures`: handler errors and panics, malformed events, deadlines, start-up failures;
//!   each followed by a good invocation.
//! - `emulators`: what cargo-lambda's emulator does differently (non-epoch deadline, `/.rt`
//!   prefix, 200 answers, its Function URL events).
//! - `equivalence`: the shared logical requests as v1, v2, Function URL and ALB events.
//! - `startup`: time from process start to the first response (ignored by default; a figure).

mod emulators;
mod equivalence;
mod failures;
mod http;
mod startup;
mod triggers;

use std::path::{Path, PathBuf};
use std::time::Duration;

use conformance_tests::build::{echo_binary, workspace_root};
use conformance_tests::echo::event_of;
use conformance_tests::process::{command, Process};
use conformance_tests::runtime_api;
use serde_json::Value;

use runtime_api::{Invocation, Outcome, RuntimeApi};

/// The function name the tests give the binary.
pub const FUNCTION: &str = "echo-fn";

/// A fixture's bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = workspace_root()
        .join("conformance-tests/fixtures/aws")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {path:?}: {e}"))
}

/// The echo binary running against a Runtime API server.
pub struct Lambda {
    pub api: RuntimeApi,
    pub process: Process,
    pub blob_dir: PathBuf,
    pub scratch: PathBuf,
    _dir: tempfile::TempDir,
}

/// How to start the binary.
#[derive(Default)]
pub struct Start<'a> {
    pub api: Option<RuntimeApi>,
    pub use_url: bool,
    pub env: &'a [(&'a str, &'a str)],
    pub remove: &'a [&'a str],
}

impl Lambda {
    /// Starts echo with Lambda's environment against a fresh server.
    pub async fn start() -> Lambda {
        Lambda::start_with(Start::default()).await
    }

    pub async fn start_with(start: Start<'_>) -> Lambda {
        let api = match start.api {
            Some(api) => api,
            None => RuntimeApi::start().await,
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let blob_dir = dir.path().join("blobs");
        let scratch = dir.path().join("scratch");
        std::fs::create_dir_all(&blob_dir).expect("blob dir");
        std::fs::create_dir_all(&scratch).expect("scratch dir");
        let endpoint = if start.use_url {
            api.url()
        } else {
            api.host_port()
        };
        let mut cmd = command(&echo_binary("aws"));
        cmd.env("AWS_LAMBDA_RUNTIME_API", endpoint)
            .env("AWS_LAMBDA_FUNCTION_NAME", FUNCTION)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_REGION", "eu-west-1")
            .env("POLYFAAS_BLOB_URL", file_url(&blob_dir))
            .env("POLYFAAS_TMPDIR", &scratch)
            .env("RUST_LOG", "info");
        for (k, v) in start.env {
            cmd.env(k, v);
        }
        for k in start.remove {
            cmd.env_remove(k);
        }
        let process = Process::spawn(cmd);
        Lambda {
            api,
            process,
            blob_dir,
            scratch,
            _dir: dir,
        }
    }

    /// Sends one invocation and returns what the function answered; panics with the process's
    /// output if it does not answer within 60 s.
    pub async fn invoke(&mut self, invocation: Invocation) -> Outcome {
        match self.api.invoke(invocation, Duration::from_secs(60)).await {
            Some(outcome) => outcome,
            None => panic!("no answer within 60 s\n{}", self.process.output()),
        }
    }

    /// Invokes with `payload` and returns the echoed document (for non-HTTP events) or the
    /// parsed HTTP response JSON.
    pub async fn result(&mut self, payload: impl Into<bytes::Bytes>) -> Value {
        let outcome = self.invoke(Invocation::new(payload)).await;
        match &outcome {
            Outcome::Response(_) => outcome.response_json(),
            other => panic!(
                "expected a /response, got {other:?}\n{}",
                self.process.output()
            ),
        }
    }

    /// The echoed canonical event inside an HTTP response (the body is echo's JSON).
    pub async fn http_event(&mut self, payload: impl Into<bytes::Bytes>) -> (Value, Value) {
        let response = self.result(payload).await;
        assert_eq!(response["statusCode"], 200, "{response:#}");
        let body = response["body"].as_str().expect("a text body");
        let document: Value = serde_json::from_str(body).expect("echo's body is JSON");
        (response, event_of(&document, "aws"))
    }

    /// Asserts the server saw no protocol violation and the process is alive.
    pub fn assert_healthy(&mut self) {
        assert_eq!(self.api.violations(), Vec::<String>::new());
        assert!(
            self.process.is_running(),
            "echo exited\n{}",
            self.process.output()
        );
    }

    /// Whether the per-invocation scratch directories were all removed.
    pub fn scratch_is_empty(&self) -> bool {
        std::fs::read_dir(&self.scratch).map_or(true, |mut d| d.next().is_none())
    }
}

/// `file:///abs/path`.
pub fn file_url(dir: &Path) -> String {
    format!("file://{}", dir.display())
}
