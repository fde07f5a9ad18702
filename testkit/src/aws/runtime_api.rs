//! A Lambda Runtime API server (API version 2018-06-01) over hyper, the real HTTP protocol a
//! `provided.al2023` function talks to, with the Extensions API's registration (2020-01-01):
//!
//! - `GET  {prefix}/2018-06-01/runtime/invocation/next`: long poll; 200 with the event as the
//!   body and `Lambda-Runtime-Aws-Request-Id`, `Lambda-Runtime-Deadline-Ms`,
//!   `Lambda-Runtime-Invoked-Function-Arn`, `Lambda-Runtime-Trace-Id`. As on Lambda, the first
//!   invocation is handed out only once every registered extension has called its
//!   `/event/next` (the end of the init phase).
//! - `POST {prefix}/2018-06-01/runtime/invocation/{id}/response`: the result; 202 (or the
//!   configured 2xx), 400 for an id that is not in flight (a second answer included). With
//!   `Lambda-Runtime-Function-Response-Mode: streaming` the body is read chunk by chunk, each
//!   chunk's arrival time and the trailers recorded ([`Streamed`](super::Streamed)).
//! - `POST {prefix}/2018-06-01/runtime/invocation/{id}/error`: the failure JSON and the
//!   `Lambda-Runtime-Function-Error-Type` header; 202.
//! - `POST {prefix}/2018-06-01/runtime/init/error`: a start-up failure; 202.
//! - `POST {prefix}/2020-01-01/extension/register`: an extension (`Lambda-Extension-Name`, the
//!   events in the body); 200 with `Lambda-Extension-Identifier`.
//! - `GET  {prefix}/2020-01-01/extension/event/next`: the extension is ready; with no events
//!   subscribed it does not answer while the server runs (internal extensions never get
//!   `SHUTDOWN`).
//!
//! It records protocol violations (a `/next` while an invocation is still unanswered, answers
//! for unknown ids, an extension registered after the first `/next` or never ready) for the
//! tests to assert there are none.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot, Notify};

use crate::answer::lambda::{json_or_text, Outcome, Streamed};
use crate::client::Chunk;

const NEXT: &str = "/2018-06-01/runtime/invocation/next";
const INVOCATION: &str = "/2018-06-01/runtime/invocation/";
const INIT_ERROR: &str = "/2018-06-01/runtime/init/error";
const REGISTER: &str = "/2020-01-01/extension/register";
const EXTENSION_NEXT: &str = "/2020-01-01/extension/event/next";

/// How long Lambda's init phase may take for extensions to become ready.
const INIT_LIMIT: Duration = Duration::from_secs(10);

/// One invocation to hand out on `/next`.
#[derive(Clone, Debug)]
pub struct Invocation {
    /// The event bytes.
    pub payload: Bytes,
    /// `Lambda-Runtime-Aws-Request-Id`.
    pub request_id: String,
    /// `Lambda-Runtime-Deadline-Ms`, as sent (`None`: header left out).
    pub deadline: Option<String>,
    /// `Lambda-Runtime-Invoked-Function-Arn`.
    pub function_arn: Option<String>,
    /// `Lambda-Runtime-Trace-Id`.
    pub trace_id: Option<String>,
    /// Whether `Lambda-Runtime-Aws-Request-Id` is sent at all (`false`: the header is left
    /// out, and no answer can come).
    pub send_request_id: bool,
}

static SEQUENCE: AtomicUsize = AtomicUsize::new(1);

impl Invocation {
    /// An invocation of `payload` with a fresh request id, a deadline 60 s from now, an ARN
    /// and a trace id, as Lambda sends them.
    pub fn new(payload: impl Into<Bytes>) -> Invocation {
        let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        Invocation {
            payload: payload.into(),
            request_id: format!("8476a536-e9f4-11e8-9739-{n:012x}"),
            deadline: Some((now_ms() + 60_000).to_string()),
            function_arn: Some(
                "arn:aws:lambda:eu-west-1:123456789012:function:echo-fn:live".into(),
            ),
            trace_id: Some(format!(
                "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a{n:04x};Sampled=1"
            )),
            send_request_id: true,
        }
    }

    /// The same invocation with another `Lambda-Runtime-Aws-Request-Id` (any text a header
    /// can hold, say `""` or `"a/b"`).
    pub fn request_id(mut self, id: impl Into<String>) -> Invocation {
        self.request_id = id.into();
        self
    }

    /// The same invocation without a `Lambda-Runtime-Aws-Request-Id` header.
    pub fn without_request_id(mut self) -> Invocation {
        self.send_request_id = false;
        self
    }

    /// The same invocation with another `Lambda-Runtime-Deadline-Ms` (`None`: left out).
    pub fn deadline(mut self, deadline: Option<String>) -> Invocation {
        self.deadline = deadline;
        self
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// An extension that registered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    /// `Lambda-Extension-Name`.
    pub name: String,
    /// The events it subscribed to (`[]` for one that only wants the runtime to get SIGTERM).
    pub events: Vec<String>,
    /// The identifier the server gave it.
    pub id: String,
    /// Whether it has called `/event/next` (said it is ready).
    pub ready: bool,
}

struct Shared {
    prefix: String,
    answer_status: StatusCode,
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<Invocation>>,
    waiting: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    in_flight: Mutex<Option<String>>,
    init_errors: Mutex<Vec<(Option<String>, Value)>>,
    init_error_posted: Notify,
    violations: Mutex<Vec<String>>,
    next_calls: AtomicUsize,
    extensions: Mutex<Vec<Extension>>,
    extension_ready: Notify,
    init_done: AtomicBool,
}

/// A running Runtime API server on 127.0.0.1; stops when dropped.
pub struct RuntimeApi {
    addr: SocketAddr,
    shared: Arc<Shared>,
    queue: mpsc::UnboundedSender<Invocation>,
    task: tokio::task::JoinHandle<()>,
}

impl RuntimeApi {
    /// Starts a server that answers `/response` and `/error` with 202, as AWS does.
    pub async fn start() -> std::io::Result<RuntimeApi> {
        RuntimeApi::start_with("", StatusCode::ACCEPTED).await
    }

    /// Starts a server under a path prefix (cargo-lambda serves the API under `/.rt`) that
    /// answers `/response` and `/error` with `answer_status` (cargo-lambda: 200).
    pub async fn start_with(
        prefix: &str,
        answer_status: StatusCode,
    ) -> std::io::Result<RuntimeApi> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (queue, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            prefix: prefix.to_owned(),
            answer_status,
            queue: tokio::sync::Mutex::new(rx),
            waiting: Mutex::default(),
            in_flight: Mutex::default(),
            init_errors: Mutex::default(),
            init_error_posted: Notify::new(),
            violations: Mutex::default(),
            next_calls: AtomicUsize::new(0),
            extensions: Mutex::default(),
            extension_ready: Notify::new(),
            init_done: AtomicBool::new(false),
        });
        let server = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let shared = Arc::clone(&server);
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let shared = Arc::clone(&shared);
                        async move { Ok::<_, Infallible>(route(&shared, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(RuntimeApi {
            addr,
            shared,
            queue,
            task,
        })
    }

    /// `AWS_LAMBDA_RUNTIME_API` as Lambda sets it: `127.0.0.1:port`.
    pub fn host_port(&self) -> String {
        self.addr.to_string()
    }

    /// `AWS_LAMBDA_RUNTIME_API` as cargo-lambda sets it: `http://127.0.0.1:port{prefix}`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.shared.prefix)
    }

    /// Hands `invocation` out on the next `/next` and waits (up to `limit`) for the answer.
    pub async fn invoke(&self, invocation: Invocation, limit: Duration) -> Option<Outcome> {
        let (tx, rx) = oneshot::channel();
        lock(&self.shared.waiting).insert(invocation.request_id.clone(), tx);
        self.queue.send(invocation).ok()?;
        tokio::time::timeout(limit, rx).await.ok()?.ok()
    }

    /// Waits (up to `limit`) for an `/init/error` and returns its header and body.
    pub async fn init_error(&self, limit: Duration) -> Option<(Option<String>, Value)> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.shared.init_error_posted.notified();
            if let Some(first) = lock(&self.shared.init_errors).first().cloned() {
                return Some(first);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return None;
            }
        }
    }

    /// Protocol violations seen so far.
    pub fn violations(&self) -> Vec<String> {
        lock(&self.shared.violations).clone()
    }

    /// How many `/next` calls arrived.
    pub fn next_calls(&self) -> usize {
        self.shared.next_calls.load(Ordering::SeqCst)
    }

    /// The request id of the invocation handed out on `/next` and not answered yet, if any.
    pub fn in_flight(&self) -> Option<String> {
        lock(&self.shared.in_flight).clone()
    }

    /// The extensions that registered, in order.
    pub fn extensions(&self) -> Vec<Extension> {
        lock(&self.shared.extensions).clone()
    }
}

impl std::fmt::Debug for RuntimeApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeApi")
            .field("addr", &self.addr)
            .field("prefix", &self.shared.prefix)
            .finish_non_exhaustive()
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn reply(status: StatusCode, body: impl Into<Bytes>) -> http::Response<Full<Bytes>> {
    let mut response = http::Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
}

fn api_error(status: StatusCode, error_type: &str, message: &str) -> http::Response<Full<Bytes>> {
    let body = serde_json::json!({ "errorType": error_type, "errorMessage": message });
    reply(status, body.to_string())
}

async fn route(shared: &Shared, req: http::Request<Incoming>) -> http::Response<Full<Bytes>> {
    let Some(path) = req
        .uri()
        .path()
        .strip_prefix(shared.prefix.as_str())
        .map(str::to_owned)
    else {
        return api_error(
            StatusCode::NOT_FOUND,
            "NotFound",
            "outside the Runtime API prefix",
        );
    };
    let method = req.method().clone();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let error_type = header("lambda-runtime-function-error-type");
    let streaming = header("lambda-runtime-function-response-mode").as_deref() == Some("streaming");
    if method == Method::GET && path == EXTENSION_NEXT {
        return extension_next(shared, header("lambda-extension-identifier")).await;
    }
    if method == Method::POST && streaming {
        if let Some(id) = path
            .strip_prefix(INVOCATION)
            .and_then(|rest| rest.strip_suffix("/response"))
        {
            let id = id.to_owned();
            return match streamed(req).await {
                Ok(streamed) => answer(shared, &id, Outcome::Streamed(streamed)),
                Err(e) => api_error(StatusCode::BAD_REQUEST, "BadRequest", &e.to_string()),
            };
        }
    }
    let extension_name = header("lambda-extension-name");
    let body = match req.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(e) => return api_error(StatusCode::BAD_REQUEST, "BadRequest", &e.to_string()),
    };
    if method == Method::GET && path == NEXT {
        return next(shared).await;
    }
    if method == Method::POST && path == REGISTER {
        return register(shared, extension_name, &body);
    }
    if method == Method::POST && path == INIT_ERROR {
        lock(&shared.init_errors).push((error_type, json_or_text(&body)));
        shared.init_error_posted.notify_waiters();
        return reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#);
    }
    if method == Method::POST {
        if let Some(rest) = path.strip_prefix(INVOCATION) {
            let outcome = match rest.split_once('/') {
                Some((id, "response")) => Some((id, Outcome::Response(body))),
                Some((id, "error")) => Some((
                    id,
                    Outcome::Error {
                        header: error_type,
                        body: json_or_text(&body),
                    },
                )),
                _ => None,
            };
            if let Some((id, outcome)) = outcome {
                return answer(shared, id, outcome);
            }
        }
    }
    api_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!("no route for {method} {path}"),
    )
}

/// Reads a streamed `/response` frame by frame, timing each chunk from the head's arrival.
async fn streamed(req: http::Request<Incoming>) -> Result<Streamed, hyper::Error> {
    let started = tokio::time::Instant::now();
    let headers = req.headers();
    let text = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
    };
    let content_type = text("content-type").into_iter().next();
    let chunked = text("transfer-encoding")
        .iter()
        .any(|v| v.eq_ignore_ascii_case("chunked"));
    let declared_trailers = text("trailer");
    let mut body = req.into_body();
    let mut chunks = Vec::new();
    let mut trailers = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame?;
        if let Some(data) = frame.data_ref() {
            chunks.push(Chunk {
                at: started.elapsed(),
                data: data.clone(),
            });
        } else if let Some(map) = frame.trailers_ref() {
            for (name, value) in map {
                trailers.push((
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                ));
            }
        }
    }
    Ok(Streamed {
        content_type,
        chunked,
        declared_trailers,
        chunks,
        trailers,
    })
}

/// `POST /extension/register`: records the extension; one registered after the runtime's
/// first `/next` (when Lambda's init phase is over) is a violation.
fn register(shared: &Shared, name: Option<String>, body: &[u8]) -> http::Response<Full<Bytes>> {
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestFormat",
            "Lambda-Extension-Name is missing",
        );
    };
    if shared.init_done.load(Ordering::SeqCst) {
        lock(&shared.violations).push(format!(
            "extension {name} registered after the runtime's first /next"
        ));
    }
    let events: Vec<String> = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("events").cloned())
        .and_then(|e| serde_json::from_value(e).ok())
        .unwrap_or_default();
    let mut extensions = lock(&shared.extensions);
    let id = format!("ext-{:04}-{name}", extensions.len() + 1);
    extensions.push(Extension {
        name,
        events,
        id: id.clone(),
        ready: false,
    });
    let mut response = reply(
        StatusCode::OK,
        r#"{"functionName":"echo-fn","functionVersion":"$LATEST","handler":"bootstrap"}"#,
    );
    if let Ok(value) = http::HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert("lambda-extension-identifier", value);
    }
    response
}

/// `GET /extension/event/next`: the extension is ready; the call then waits for events, and
/// one that subscribed to none gets none while the server runs.
async fn extension_next(shared: &Shared, id: Option<String>) -> http::Response<Full<Bytes>> {
    let known = {
        let mut extensions = lock(&shared.extensions);
        let found = extensions.iter_mut().find(|e| Some(&e.id) == id.as_ref());
        match found {
            Some(extension) => {
                extension.ready = true;
                true
            }
            None => false,
        }
    };
    if !known {
        lock(&shared.violations).push(format!(
            "/extension/event/next with an unknown Lambda-Extension-Identifier {id:?}"
        ));
        return api_error(
            StatusCode::FORBIDDEN,
            "Extension.UnknownExtensionIdentifier",
            "unknown extension",
        );
    }
    shared.extension_ready.notify_waiters();
    std::future::pending().await
}

/// Waits (up to Lambda's init limit) until every registered extension is ready.
async fn extensions_ready(shared: &Shared) {
    let deadline = tokio::time::Instant::now() + INIT_LIMIT;
    loop {
        let notified = shared.extension_ready.notified();
        let waiting: Vec<String> = lock(&shared.extensions)
            .iter()
            .filter(|e| !e.ready)
            .map(|e| e.name.clone())
            .collect();
        if waiting.is_empty() {
            return;
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            lock(&shared.violations).push(format!(
                "extensions {waiting:?} never called /extension/event/next: Lambda would not end the init phase"
            ));
            return;
        }
    }
}

async fn next(shared: &Shared) -> http::Response<Full<Bytes>> {
    shared.next_calls.fetch_add(1, Ordering::SeqCst);
    if !shared.init_done.swap(true, Ordering::SeqCst) {
        extensions_ready(shared).await;
    }
    if let Some(id) = lock(&shared.in_flight).clone() {
        lock(&shared.violations).push(format!("/next while {id} was still unanswered"));
    }
    let Some(invocation) = shared.queue.lock().await.recv().await else {
        return api_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ShuttingDown",
            "no more invocations",
        );
    };
    // An invocation without a request id cannot be answered: nothing is in flight.
    *lock(&shared.in_flight) = invocation
        .send_request_id
        .then(|| invocation.request_id.clone());
    let mut response = reply(StatusCode::OK, invocation.payload);
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: Option<&str>| {
        if let Some(value) = value.and_then(|v| http::HeaderValue::from_str(v).ok()) {
            headers.insert(name, value);
        }
    };
    set("content-type", Some("application/json"));
    set(
        "lambda-runtime-aws-request-id",
        Some(invocation.request_id.as_str()).filter(|_| invocation.send_request_id),
    );
    set("lambda-runtime-deadline-ms", invocation.deadline.as_deref());
    set(
        "lambda-runtime-invoked-function-arn",
        invocation.function_arn.as_deref(),
    );
    set("lambda-runtime-trace-id", invocation.trace_id.as_deref());
    response
}

fn answer(shared: &Shared, id: &str, outcome: Outcome) -> http::Response<Full<Bytes>> {
    let Some(waiter) = lock(&shared.waiting).remove(id) else {
        lock(&shared.violations).push(format!("an answer for {id}, which is not in flight"));
        return api_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestID",
            "Invalid request ID",
        );
    };
    {
        let mut in_flight = lock(&shared.in_flight);
        if in_flight.as_deref() == Some(id) {
            *in_flight = None;
        }
    }
    let _ = waiter.send(outcome);
    reply(shared.answer_status, r#"{"status":"OK"}"#)
}
