//! Google Cloud Functions / Cloud Run: a function binary started the way the Functions Framework
//! starts one (`PORT`, `FUNCTION_TARGET`, `FUNCTION_SIGNATURE_TYPE`), and the requests Cloud Run,
//! Eventarc and Pub/Sub send it.
//!
//! ```no_run
//! use polyfaas_testkit::gcp::{binary_event, FunctionsFramework};
//! use polyfaas_testkit::native::Signature;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let function = FunctionsFramework::start("target/debug/echo".as_ref(), Signature::CloudEvent, &[])?;
//! let request = binary_event("/", &[("id", "1"), ("specversion", "1.0"), ("source", "//x"),
//!                                   ("type", "example.t")], Some("application/json"), "{}");
//! let response = polyfaas_testkit::client::try_send(function.addr, request).await?;
//! println!("{}", response.status());
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::path::Path;

use base64::Engine as _;
use bytes::Bytes;
use serde_json::Value;

use crate::answer::{self, Answer};
use crate::native::{GcpEvent, Signature};
use crate::process::{command, Process, ServeError};
use crate::sandbox::Sandbox;

/// Starting or calling the function failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GcpError {
    /// Starting or calling the function failed.
    #[error(transparent)]
    Serve(#[from] ServeError),
    /// The event needs another signature type than the function was started with.
    #[error("the event is for a {wanted} function, this one is {started}")]
    Signature {
        /// The event's.
        wanted: &'static str,
        /// The function's.
        started: &'static str,
    },
}

/// A function served the way the Functions Framework serves one, on a free port of 127.0.0.1;
/// killed when dropped.
///
/// Its environment: `HOST=127.0.0.1`, `PORT`, `FUNCTION_TARGET=echo`,
/// `FUNCTION_SIGNATURE_TYPE`, a local-directory blob store, a scratch directory and
/// `RUST_LOG=info`, then the caller's variables.
pub struct FunctionsFramework {
    /// The process.
    pub process: Process,
    /// Where it listens.
    pub addr: SocketAddr,
    /// The signature type it was started with.
    pub signature: Signature,
    /// Its blob store and scratch directories.
    pub sandbox: Sandbox,
}

impl FunctionsFramework {
    /// Starts `binary` as a `signature` function, plus `env`, and waits until it listens.
    pub fn start(
        binary: &Path,
        signature: Signature,
        env: &[(&str, &str)],
    ) -> Result<FunctionsFramework, GcpError> {
        let sandbox = Sandbox::new().map_err(ServeError::Setup)?;
        let mut cmd = command(binary);
        for var in ["GOOGLE_APPLICATION_CREDENTIALS", "STORAGE_EMULATOR_HOST"] {
            cmd.env_remove(var);
        }
        cmd.env("HOST", "127.0.0.1")
            .env("FUNCTION_TARGET", "echo")
            .env("FUNCTION_SIGNATURE_TYPE", signature.name())
            .env("POLYFAAS_BLOB_URL", sandbox.blob_url())
            .env("POLYFAAS_TMPDIR", sandbox.scratch_dir())
            .env("RUST_LOG", "info");
        for (name, value) in env {
            cmd.env(name, value);
        }
        let (process, addr) = Process::spawn_listening(cmd, "PORT").map_err(ServeError::from)?;
        Ok(FunctionsFramework {
            process,
            addr,
            signature,
            sandbox,
        })
    }

    /// For tests: puts an object into the function's blob store.
    ///
    /// # Panics
    ///
    /// When the file cannot be written or the key is not a safe relative path.
    pub fn put_object(&self, key: &str, content: &[u8]) {
        self.sandbox
            .put_blob(key, content)
            .unwrap_or_else(|e| panic!("put {key:?}: {e}"));
    }

    /// Whether no invocation left a scratch directory behind.
    pub fn scratch_is_empty(&self) -> bool {
        self.sandbox.scratch_is_empty()
    }

    /// Sends one request and decodes the answer: the response as it is; a failure when it has
    /// `X-Google-Status` (`crash` or `error`), read from the JSON error body.
    pub async fn send(&self, event: &GcpEvent) -> Result<Answer, GcpError> {
        if event.signature != self.signature {
            return Err(GcpError::Signature {
                wanted: event.signature.name(),
                started: self.signature.name(),
            });
        }
        let (response, logs) = self
            .process
            .exchange(self.addr, event.request.clone())
            .await
            .map_err(ServeError::from)?;
        let failed = response.headers().contains_key("x-google-status");
        Ok(answer::from_http(response, logs, failed))
    }
}

/// A binary-mode CloudEvent (what Eventarc posts): `ce-*` headers from `attributes`, the body
/// as the data.
///
/// # Panics
///
/// When `path` is not a request target or an attribute is not a valid header value.
pub fn binary_event(
    path: &str,
    attributes: &[(&str, &str)],
    content_type: Option<&str>,
    body: impl Into<Bytes>,
) -> http::Request<Bytes> {
    let mut request = post(path, body.into());
    for (name, value) in attributes {
        insert(&mut request, &format!("ce-{name}"), value);
    }
    if let Some(content_type) = content_type {
        insert(&mut request, "content-type", content_type);
    }
    request
}

/// A structured-mode CloudEvent: the whole event as JSON,
/// `Content-Type: application/cloudevents+json`.
///
/// # Panics
///
/// When `path` is not a request target.
pub fn structured_event(path: &str, event: &Value) -> http::Request<Bytes> {
    let mut request = post(path, Bytes::from(event.to_string()));
    insert(&mut request, "content-type", "application/cloudevents+json");
    request
}

/// A request as the project's GCP fixtures describe one: `method` (default POST), `path`
/// (default `/`), `headers` (an object of strings), and a body from `json` (which also sets
/// `content-type: application/json` unless given), `text` or `base64`. A member of the wrong
/// type is an error naming it.
pub fn request_from(spec: &Value) -> Result<http::Request<Bytes>, String> {
    let method = spec["method"].as_str().unwrap_or("POST");
    let path = spec["path"].as_str().unwrap_or("/");
    let mut request = http::Request::new(Bytes::new());
    *request.method_mut() =
        http::Method::from_bytes(method.as_bytes()).map_err(|e| format!("method: {e}"))?;
    *request.uri_mut() = path.parse().map_err(|e| format!("path {path:?}: {e}"))?;
    let mut has_content_type = false;
    if let Some(headers) = spec["headers"].as_object() {
        for (name, value) in headers {
            has_content_type |= name.eq_ignore_ascii_case("content-type");
            let value = value
                .as_str()
                .ok_or_else(|| format!("headers.{name} is not a string"))?;
            let name = http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| format!("headers.{name}: {e}"))?;
            let value =
                http::HeaderValue::from_str(value).map_err(|e| format!("headers.{name}: {e}"))?;
            request.headers_mut().append(name, value);
        }
    }
    let body = if let Some(json) = spec.get("json") {
        if !has_content_type {
            insert(&mut request, "content-type", "application/json");
        }
        Bytes::from(json.to_string())
    } else if let Some(text) = spec["text"].as_str() {
        Bytes::from(text.to_owned())
    } else if let Some(encoded) = spec["base64"].as_str() {
        Bytes::from(
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|e| format!("base64: {e}"))?,
        )
    } else {
        Bytes::new()
    };
    *request.body_mut() = body;
    Ok(request)
}

/// The response body as text, for messages.
pub fn text(response: &http::Response<Bytes>) -> String {
    String::from_utf8_lossy(response.body()).into_owned()
}

fn post(path: &str, body: Bytes) -> http::Request<Bytes> {
    let mut request = http::Request::new(body);
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = path
        .parse()
        .unwrap_or_else(|e| panic!("{path:?} is not a request target: {e}"));
    request
}

fn insert(request: &mut http::Request<Bytes>, name: &str, value: &str) {
    let header = http::HeaderName::from_bytes(name.as_bytes())
        .unwrap_or_else(|e| panic!("{name:?} is not a header name: {e}"));
    let value = http::HeaderValue::from_str(value)
        .unwrap_or_else(|e| panic!("{value:?} is not a valid value for {name}: {e}"));
    request.headers_mut().append(header, value);
}
