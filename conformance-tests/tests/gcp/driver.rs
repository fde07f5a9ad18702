//! The Functions Framework caller: starts the real `echo` binary built with `--features gcp`
//! and builds the requests Cloud Run, Eventarc and Pub/Sub send.

use std::net::SocketAddr;
use std::path::PathBuf;

use base64::Engine as _;
use bytes::Bytes;
use conformance_tests::build::echo_binary;
use conformance_tests::process::{command, Process};
use serde_json::Value;

/// A running echo function.
pub struct Echo {
    pub process: Process,
    pub addr: SocketAddr,
    pub blob_dir: PathBuf,
    pub scratch_dir: PathBuf,
    _dir: tempfile::TempDir,
}

/// Variables of the shim that the shell running the tests must not leak into the function.
const SHIM_VARS: &[&str] = &[
    "FUNCTION_SIGNATURE_TYPE",
    "CLOUD_RUN_TIMEOUT_SECONDS",
    "K_REVISION",
    "K_CONFIGURATION",
    "POLYFAAS_BLOB_URL",
    "POLYFAAS_DRAIN_SECONDS",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "STORAGE_EMULATOR_HOST",
];

/// Starts echo as a `signature` function (`http`, `cloudevent`, `event`) on a free port of
/// 127.0.0.1, with a local-directory blob store, plus `env`.
pub fn start(signature: &str, env: &[(&str, &str)]) -> Echo {
    let dir = tempfile::tempdir().expect("temp dir");
    let blob_dir = dir.path().join("blobs");
    let scratch_dir = dir.path().join("scratch");
    std::fs::create_dir_all(&blob_dir).expect("blob dir");
    let mut cmd = command(&echo_binary("gcp"));
    for var in SHIM_VARS {
        cmd.env_remove(var);
    }
    cmd.env("HOST", "127.0.0.1")
        .env("FUNCTION_TARGET", "echo")
        .env("FUNCTION_SIGNATURE_TYPE", signature)
        .env(
            "POLYFAAS_BLOB_URL",
            format!("file://{}", blob_dir.display()),
        )
        .env("POLYFAAS_TMPDIR", &scratch_dir)
        .env("RUST_LOG", "info");
    for (name, value) in env {
        cmd.env(name, value);
    }
    let (process, addr) = Process::spawn_listening(cmd, "PORT");
    Echo {
        process,
        addr,
        blob_dir,
        scratch_dir,
        _dir: dir,
    }
}

impl Echo {
    /// Puts an object into the function's blob store.
    pub fn put_object(&self, key: &str, content: &[u8]) {
        let path = self.blob_dir.join(key);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("object dir");
        std::fs::write(path, content).expect("write the object");
    }

    /// Whether no invocation left a scratch directory behind.
    pub fn scratch_is_empty(&self) -> bool {
        std::fs::read_dir(&self.scratch_dir).map_or(true, |mut d| d.next().is_none())
    }
}

/// A binary-mode CloudEvent: `ce-*` headers from `attributes`, the body as the data.
pub fn binary_event(
    path: &str,
    attributes: &[(&str, &str)],
    content_type: Option<&str>,
    body: impl Into<Bytes>,
) -> http::Request<Bytes> {
    let mut builder = http::Request::post(path);
    for (name, value) in attributes {
        builder = builder.header(format!("ce-{name}"), *value);
    }
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    builder.body(body.into()).expect("request")
}

/// A structured-mode CloudEvent.
pub fn structured_event(path: &str, event: &Value) -> http::Request<Bytes> {
    http::Request::post(path)
        .header("content-type", "application/cloudevents+json")
        .body(Bytes::from(event.to_string()))
        .expect("request")
}

/// A request as a fixture describes it: `method` (default POST), `path` (default `/`),
/// `headers` (an object), and a body from `json` (also sets `content-type:
/// application/json` unless given), `text` or `base64`.
pub fn request_from(spec: &Value) -> http::Request<Bytes> {
    let method = spec["method"].as_str().unwrap_or("POST");
    let path = spec["path"].as_str().unwrap_or("/");
    let mut builder = http::Request::builder().method(method).uri(path);
    let mut has_content_type = false;
    if let Some(headers) = spec["headers"].as_object() {
        for (name, value) in headers {
            has_content_type |= name.eq_ignore_ascii_case("content-type");
            builder = builder.header(
                name.as_str(),
                value.as_str().expect("header values are strings"),
            );
        }
    }
    let body = if let Some(json) = spec.get("json") {
        if !has_content_type {
            builder = builder.header("content-type", "application/json");
        }
        Bytes::from(json.to_string())
    } else if let Some(text) = spec["text"].as_str() {
        Bytes::from(text.to_owned())
    } else if let Some(encoded) = spec["base64"].as_str() {
        Bytes::from(
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .expect("fixture base64"),
        )
    } else {
        Bytes::new()
    };
    builder.body(body).expect("fixture request")
}

/// The response body as text, for messages.
pub fn text(response: &http::Response<Bytes>) -> String {
    String::from_utf8_lossy(response.body()).into_owned()
}

/// One kept-alive HTTP/1.1 connection: a first answered request proves the server has accepted
/// it, so a later request on it is surely in flight (what a SIGTERM test needs).
pub struct KeptAlive {
    sender: hyper::client::conn::http1::SendRequest<http_body_util::Full<Bytes>>,
    addr: SocketAddr,
}

impl KeptAlive {
    pub async fn open(addr: SocketAddr) -> KeptAlive {
        let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let (sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .expect("handshake");
        tokio::spawn(connection);
        KeptAlive { sender, addr }
    }

    /// Sends one request on the connection and reads the whole answer.
    pub async fn send(
        &mut self,
        mut request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, hyper::Error> {
        use http_body_util::BodyExt;
        request.headers_mut().insert(
            http::header::HOST,
            self.addr.to_string().parse().expect("host"),
        );
        self.sender.ready().await?;
        let response = self
            .sender
            .send_request(request.map(http_body_util::Full::new))
            .await?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        Ok(http::Response::from_parts(parts, body))
    }
}
