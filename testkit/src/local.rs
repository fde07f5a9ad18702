//! The local dev provider: a function binary serving HTTP on a free port of 127.0.0.1, every other
//! event fired as its canonical JSON at `POST /_polyfaas/events`.

use std::net::SocketAddr;
use std::path::Path;

use bytes::Bytes;

use crate::answer::{self, Answer};
use crate::process::{command, Process, ServeError};
use crate::sandbox::Sandbox;

/// The local provider's route for non-HTTP events.
pub const EVENTS_PATH: &str = "/_polyfaas/events";

/// Starting or calling the function failed.
pub type LocalError = ServeError;

/// A function on the local dev provider, killed when dropped. Its environment: `PORT`,
/// `POLYFAAS_BLOB_DIR` and `POLYFAAS_TMPDIR` in its sandbox, `RUST_LOG=info`, then the caller's
/// variables.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let server = polyfaas_testkit::local::LocalServer::start("target/debug/echo".as_ref(), &[])?;
/// let response = polyfaas_testkit::client::try_send(server.addr,
///     http::Request::get("/hello").body(bytes::Bytes::new())?).await?;
/// println!("{}", response.status());
/// # Ok(()) }
/// ```
pub struct LocalServer {
    /// The process.
    pub process: Process,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its blob store and scratch directories.
    pub sandbox: Sandbox,
}

impl LocalServer {
    /// Starts `binary` and waits until it listens.
    pub fn start(binary: &Path, env: &[(&str, &str)]) -> Result<LocalServer, LocalError> {
        let sandbox = Sandbox::new().map_err(ServeError::Setup)?;
        let mut cmd = command(binary);
        cmd.env("POLYFAAS_BLOB_DIR", sandbox.blob_dir())
            .env("POLYFAAS_TMPDIR", sandbox.scratch_dir())
            .env("RUST_LOG", "info");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let (process, addr) = Process::spawn_listening(cmd, "PORT").map_err(ServeError::from)?;
        Ok(LocalServer {
            process,
            addr,
            sandbox,
        })
    }

    /// Sends one request and decodes the answer. An event fired at [`EVENTS_PATH`] failed when
    /// the status is not 2xx; an HTTP request failed when the provider answered 5xx with its
    /// error body `{"error": {"type", "message"}}`.
    pub async fn send(&self, request: &http::Request<Bytes>) -> Result<Answer, LocalError> {
        let fired = request.uri().path() == EVENTS_PATH;
        let (response, logs) = self
            .process
            .exchange(self.addr, request.clone())
            .await
            .map_err(ServeError::from)?;
        let status = response.status();
        let failed = if fired {
            !status.is_success()
        } else {
            status.is_server_error() && answer::error_body(response.body()).error_type.is_some()
        };
        Ok(answer::from_http(response, logs, failed))
    }
}
