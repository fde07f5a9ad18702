//! An Azure Functions host stand-in: writes a function app (host.json and function.json files,
//! with the shim's own scaffold API) into a temp directory, starts the real `echo` binary built
//! with `--features azure` the way the host starts a custom handler, polls `GET /` every 25 ms
//! until it answers, and POSTs invocation envelopes the way the host does (chunked, with the
//! `X-Azure-Functions-*` and `User-Agent` headers).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::build::echo_binary;
use crate::process::{command, free_port, Process};
use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper_util::rt::TokioIo;
use polyfaas_azure::scaffold::AppScaffold;
use serde_json::Value;

/// The host version the stand-in reports.
pub const HOST_VERSION: &str = "4.1037.0.0";

/// A started function app.
pub struct Host {
    /// The custom handler's process.
    pub process: Process,
    /// Where it listens.
    pub addr: SocketAddr,
    dir: tempfile::TempDir,
    ids: AtomicU64,
}

/// What the handler answered.
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The `content-type` header.
    pub content_type: Option<String>,
    /// The body.
    pub body: Bytes,
    /// The invocation id the stand-in sent.
    pub invocation_id: String,
}

impl Reply {
    /// The body as JSON; panics with the body when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "the reply is not JSON ({e}): {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

impl Host {
    /// Writes the app with `app`, then starts echo in it. `extra` is written into the app root
    /// as (relative path, JSON) pairs after the scaffold, for hand-made function.json files.
    pub fn start(app: AppScaffold, extra: &[(&str, Value)], env: &[(&str, &str)]) -> Host {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("app");
        app.write(&root).expect("write the app's files");
        for (path, json) in extra {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
            std::fs::write(&path, json.to_string()).expect("write");
        }
        Host::start_in(dir, &root, &echo_binary("azure"), env)
    }

    /// Starts `executable` in an app folder written beforehand (`root`, with its host.json and
    /// function.json files), as the host starts a custom handler.
    pub fn start_app(root: &Path, executable: &Path, env: &[(&str, &str)]) -> Host {
        let dir = tempfile::tempdir().expect("temp dir");
        Host::start_in(dir, root, executable, env)
    }

    fn start_in(
        dir: tempfile::TempDir,
        root: &Path,
        executable: &Path,
        env: &[(&str, &str)],
    ) -> Host {
        std::fs::create_dir_all(dir.path().join("tmp")).expect("tmp dir");
        let port = free_port();
        let mut cmd = command(executable);
        cmd.current_dir(root)
            .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
            .env("FUNCTIONS_CUSTOMHANDLER_WORKER_ID", "c0ffee00-worker")
            .env("FUNCTIONS_APP_ROOT_PATH", root)
            .env("POLYFAAS_TMPDIR", dir.path().join("tmp"))
            .env(
                "POLYFAAS_BLOB_URL",
                format!("file://{}", dir.path().join("blobs").display()),
            )
            .env("RUST_LOG", "info");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let process = Process::spawn(cmd);
        let mut host = Host {
            process,
            addr: ([127, 0, 0, 1], port).into(),
            dir,
            ids: AtomicU64::new(1),
        };
        host.wait_ready();
        host
    }

    /// `DefaultHttpWorkerService.IsWorkerReady`: `GET /` every 25 ms; any HTTP answer means
    /// ready, a refused connection means keep waiting (the host gives up after 30 s).
    fn wait_ready(&mut self) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if probe(self.addr).is_some() {
                return;
            }
            assert!(
                self.process.is_running(),
                "the handler exited before it was ready\n{}",
                self.process.output()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!(
            "Initializing HttpWorker timed out.\n{}",
            self.process.output()
        );
    }

    /// The blob store's directory (`POLYFAAS_BLOB_URL`).
    pub fn blob_dir(&self) -> PathBuf {
        self.dir.path().join("blobs")
    }

    /// Whether every invocation's scratch files are gone.
    pub fn scratch_is_empty(&self) -> bool {
        std::fs::read_dir(self.dir.path().join("tmp")).map_or(true, |mut d| d.next().is_none())
    }

    fn next_invocation_id(&self) -> String {
        let n = self.ids.fetch_add(1, Ordering::Relaxed);
        format!("5e2a6c1d-0000-4000-8000-{n:012x}")
    }

    /// POSTs an envelope to `/<function>`.
    pub async fn invoke(&self, function: &str, envelope: &Value) -> Reply {
        self.invoke_raw(function, Bytes::from(envelope.to_string()))
            .await
    }

    /// POSTs any body to `/<function>` as the host would, in 64 KiB chunks.
    pub async fn invoke_raw(&self, function: &str, body: Bytes) -> Reply {
        let chunks: Vec<Bytes> = (0..body.len().div_ceil(64 * 1024))
            .map(|i| body.slice(i * 64 * 1024..((i + 1) * 64 * 1024).min(body.len())))
            .collect();
        self.invoke_stream(function, chunks.into_iter()).await
    }

    /// POSTs a chunked body made of `chunks` (produced as they are sent) to `/<function>`.
    pub async fn invoke_stream(
        &self,
        function: &str,
        chunks: impl Iterator<Item = Bytes> + Send + 'static,
    ) -> Reply {
        let id = self.next_invocation_id();
        let request = http::Request::post(format!("/{function}"))
            .header("content-type", "application/json; charset=utf-8")
            .header("x-azure-functions-invocationid", &id)
            .header("x-azure-functions-hostversion", HOST_VERSION)
            .header("user-agent", format!("Azure-Functions-Host/{HOST_VERSION}"))
            .header(
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            )
            .body(body_of(chunks))
            .expect("request");
        send(self.addr, request, id).await
    }

    /// Forwards a client's request as the host does with `enableForwardingHttpRequest`: same
    /// method, path, query, headers and body, plus the host's headers.
    pub async fn forward(&self, request: http::Request<Bytes>) -> Reply {
        let id = self.next_invocation_id();
        let (mut parts, body) = request.into_parts();
        parts
            .headers
            .insert("x-azure-functions-invocationid", id.parse().expect("id"));
        parts.headers.insert(
            "x-azure-functions-hostversion",
            HOST_VERSION.parse().expect("v"),
        );
        if !body.is_empty() {
            parts.headers.insert("content-length", body.len().into());
        }
        let body = http_body_util::Full::new(body).boxed_unsync();
        send(self.addr, http::Request::from_parts(parts, body), id).await
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

async fn send(
    addr: SocketAddr,
    mut request: http::Request<UnsyncBoxBody<Bytes, Infallible>>,
    invocation_id: String,
) -> Reply {
    let go = async {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        request
            .headers_mut()
            .insert(http::header::HOST, addr.to_string().parse()?);
        let response = sender.send_request(request).await?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>((parts, body))
    };
    let (parts, body) = tokio::time::timeout(Duration::from_secs(120), go)
        .await
        .expect("the invocation took more than 120 s")
        .unwrap_or_else(|e| panic!("the invocation request to {addr} failed: {e}"));
    Reply {
        status: parts.status.as_u16(),
        content_type: parts
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body,
        invocation_id,
    }
}

/// `GET /` over a plain socket (the stand-in's start-up runs outside any async runtime's
/// reach): the status line of any answer.
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

/// A fixture of the project's own, from `conformance-tests/fixtures/azure/`.
pub fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/azure")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?} is not JSON: {e}"))
}

/// Peak resident memory (`VmHWM`) of a process, in KiB (Linux).
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
