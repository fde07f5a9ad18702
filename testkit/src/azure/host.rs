//! The Azure Functions host stand-in: starts a custom handler in a function app the way the host
//! does, polls `GET /` until it answers, and POSTs invocations the way the host does.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper_util::rt::TokioIo;
use serde_json::Value;

use super::AzureError;
use crate::answer::azure::Reply;
use crate::process::{command, free_port, Process};
use crate::sandbox::Sandbox;

/// The host version the stand-in announces.
pub const HOST_VERSION: &str = "4.1037.0.0";

/// How long the host waits for a custom handler to answer `GET /` (its
/// `InitializationTimeout`).
const INITIALIZATION_TIMEOUT: Duration = Duration::from_secs(30);

/// A custom handler started by the stand-in, killed when dropped.
///
/// The handler runs with its working directory and `FUNCTIONS_APP_ROOT_PATH` at the app root,
/// `FUNCTIONS_CUSTOMHANDLER_PORT` (and `_WORKER_ID`), a local-directory blob store, a scratch
/// directory and `RUST_LOG=info`, then the caller's variables.
///
/// ```no_run
/// use polyfaas_testkit::azure::Host;
/// use serde_json::json;
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let host = Host::start("target/debug/echo".as_ref(), |root| {
///     std::fs::write(root.join("host.json"), r#"{"version": "2.0"}"#)?;
///     std::fs::create_dir_all(root.join("nightly"))?;
///     std::fs::write(root.join("nightly/function.json"),
///         r#"{"bindings": [{"type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "0 0 2 * * *"}]}"#)
/// }, &[])?;
/// let reply = host.invoke("nightly", &json!({"Data": {"timer": {}}, "Metadata": {}})).await?;
/// println!("{} {}", reply.status, String::from_utf8_lossy(&reply.body));
/// # Ok(()) }
/// ```
pub struct Host {
    /// The handler's process.
    pub process: Process,
    /// Where it listens.
    pub addr: SocketAddr,
    sandbox: Sandbox,
    ids: AtomicU64,
}

impl Host {
    /// Makes a sandbox, lets `write_app` write the function app into its `app` folder
    /// (`host.json`, one `function.json` per function), then starts `binary` in it.
    pub fn start(
        binary: &Path,
        write_app: impl FnOnce(&Path) -> std::io::Result<()>,
        env: &[(&str, &str)],
    ) -> Result<Host, AzureError> {
        let sandbox = Sandbox::new().map_err(AzureError::Setup)?;
        let root = sandbox.root().join("app");
        std::fs::create_dir_all(&root).map_err(AzureError::Setup)?;
        write_app(&root).map_err(AzureError::Setup)?;
        Host::start_in(binary, sandbox, env)
    }

    /// Starts `binary` in the app already written to `sandbox.root()/app`.
    pub fn start_in(
        binary: &Path,
        sandbox: Sandbox,
        env: &[(&str, &str)],
    ) -> Result<Host, AzureError> {
        let root = sandbox.root().join("app");
        let port = free_port()?;
        let mut cmd = command(binary);
        cmd.current_dir(&root)
            .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
            .env("FUNCTIONS_CUSTOMHANDLER_WORKER_ID", "c0ffee00-worker")
            .env("FUNCTIONS_APP_ROOT_PATH", &root)
            .env("POLYFAAS_TMPDIR", sandbox.scratch_dir())
            .env("POLYFAAS_BLOB_URL", sandbox.blob_url())
            .env("RUST_LOG", "info");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut process = Process::spawn(cmd)?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        // DefaultHttpWorkerService.IsWorkerReady: `GET /` every 25 ms; any HTTP answer means
        // ready, a refused connection means keep waiting.
        process.wait_until(INITIALIZATION_TIMEOUT, addr, || probe(addr).is_some())?;
        Ok(Host {
            process,
            addr,
            sandbox,
            ids: AtomicU64::new(1),
        })
    }

    /// Stops the handler and hands back its sandbox (blob store, scratch directory, app), to
    /// start it again with another app.
    pub fn stop(self) -> Sandbox {
        let Host {
            process, sandbox, ..
        } = self;
        drop(process);
        sandbox
    }

    /// The app root.
    pub fn app_root(&self) -> PathBuf {
        self.sandbox.root().join("app")
    }

    /// The handler's blob store and scratch directories.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// The blob store's directory (`POLYFAAS_BLOB_URL`).
    pub fn blob_dir(&self) -> PathBuf {
        self.sandbox.blob_dir()
    }

    /// Whether every invocation's scratch files are gone.
    pub fn scratch_is_empty(&self) -> bool {
        self.sandbox.scratch_is_empty()
    }

    fn next_invocation_id(&self) -> String {
        let n = self.ids.fetch_add(1, Ordering::Relaxed);
        format!("5e2a6c1d-0000-4000-8000-{n:012x}")
    }

    /// POSTs an envelope to `/<function>`.
    pub async fn invoke(&self, function: &str, envelope: &Value) -> Result<Reply, AzureError> {
        self.invoke_raw(function, Bytes::from(envelope.to_string()))
            .await
    }

    /// POSTs any body to `/<function>` as the host would: chunked, in 64 KiB pieces.
    pub async fn invoke_raw(&self, function: &str, body: Bytes) -> Result<Reply, AzureError> {
        let chunks: Vec<Bytes> = (0..body.len().div_ceil(64 * 1024))
            .map(|i| body.slice(i * 64 * 1024..((i + 1) * 64 * 1024).min(body.len())))
            .collect();
        self.invoke_stream(function, chunks.into_iter()).await
    }

    /// POSTs a chunked body made of `chunks` (produced as they are sent) to `/<function>`, with
    /// the host's headers (`X-Azure-Functions-InvocationId`, `-HostVersion`, `User-Agent`,
    /// `traceparent`).
    pub async fn invoke_stream(
        &self,
        function: &str,
        chunks: impl Iterator<Item = Bytes> + Send + 'static,
    ) -> Result<Reply, AzureError> {
        let id = self.next_invocation_id();
        let mut request = http::Request::new(body_of(chunks));
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = format!("/{function}")
            .parse()
            .map_err(|_| AzureError::FunctionName(function.to_owned()))?;
        let headers = request.headers_mut();
        for (name, value) in [
            ("content-type", "application/json; charset=utf-8".to_owned()),
            ("x-azure-functions-invocationid", id.clone()),
            ("x-azure-functions-hostversion", HOST_VERSION.to_owned()),
            ("user-agent", format!("Azure-Functions-Host/{HOST_VERSION}")),
            (
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned(),
            ),
        ] {
            if let Ok(value) = http::HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        self.send(request, id).await
    }

    /// Forwards a client's request as the host does with `enableForwardingHttpRequest`: same
    /// method, path, query, headers and body, plus the host's headers.
    pub async fn forward(&self, request: http::Request<Bytes>) -> Result<Reply, AzureError> {
        let id = self.next_invocation_id();
        let (mut parts, body) = request.into_parts();
        if let Ok(value) = http::HeaderValue::from_str(&id) {
            parts
                .headers
                .insert("x-azure-functions-invocationid", value);
        }
        parts.headers.insert(
            "x-azure-functions-hostversion",
            http::HeaderValue::from_static(HOST_VERSION),
        );
        if !body.is_empty() {
            parts.headers.insert("content-length", body.len().into());
        }
        let body = http_body_util::Full::new(body).boxed_unsync();
        self.send(http::Request::from_parts(parts, body), id).await
    }

    async fn send(
        &self,
        mut request: http::Request<UnsyncBoxBody<Bytes, Infallible>>,
        invocation_id: String,
    ) -> Result<Reply, AzureError> {
        let addr = self.addr;
        let go = async {
            let stream = tokio::net::TcpStream::connect(addr)
                .await
                .map_err(|e| e.to_string())?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream))
                    .await
                    .map_err(|e| e.to_string())?;
            tokio::spawn(connection);
            if let Ok(host) = http::HeaderValue::from_str(&addr.to_string()) {
                request.headers_mut().insert(http::header::HOST, host);
            }
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| e.to_string())?;
            let (parts, body) = response.into_parts();
            let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
            Ok::<_, String>((parts, body))
        };
        let limit = Duration::from_secs(120);
        let (parts, body) = tokio::time::timeout(limit, go)
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {limit:?}")))
            .map_err(|reason| AzureError::Request {
                reason,
                output: self.process.output(),
            })?;
        Ok(Reply {
            status: parts.status.as_u16(),
            content_type: parts
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body,
            invocation_id,
        })
    }
}

fn body_of(
    chunks: impl Iterator<Item = Bytes> + Send + 'static,
) -> UnsyncBoxBody<Bytes, Infallible> {
    StreamBody::new(tokio_stream::iter(
        chunks.map(|c| Ok::<_, Infallible>(Frame::data(c))),
    ))
    .boxed_unsync()
}

/// `GET /` over a plain socket: the status line of any answer, `None` when nothing answers.
pub fn probe(addr: SocketAddr) -> Option<String> {
    use std::io::{BufRead, BufReader, Write};
    let mut stream =
        std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream
        .write_all(
            format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .ok()?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).ok()?;
    line.starts_with("HTTP/1.1 ")
        .then(|| line.trim_end().to_owned())
}
