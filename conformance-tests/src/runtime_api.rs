//! A Lambda Runtime API server (API version 2018-06-01) over hyper, the real HTTP protocol a
//! `provided.al2023` function talks to:
//!
//! - `GET  {prefix}/2018-06-01/runtime/invocation/next`: long poll; 200 with the event as the
//!   body and `Lambda-Runtime-Aws-Request-Id`, `Lambda-Runtime-Deadline-Ms`,
//!   `Lambda-Runtime-Invoked-Function-Arn`, `Lambda-Runtime-Trace-Id`.
//! - `POST {prefix}/2018-06-01/runtime/invocation/{id}/response`: the result; 202 (or the
//!   configured 2xx), 400 for an id that is not in flight (a second answer included).
//! - `POST {prefix}/2018-06-01/runtime/invocation/{id}/error`: the failure JSON and the
//!   `Lambda-Runtime-Function-Error-Type` header; 202.
//! - `POST {prefix}/2018-06-01/runtime/init/error`: a start-up failure; 202.
//!
//! It records protocol violations (a `/next` while an invocation is still unanswered, answers
//! for unknown ids) for the tests to assert there are none.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
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

const NEXT: &str = "/2018-06-01/runtime/invocation/next";
const INVOCATION: &str = "/2018-06-01/runtime/invocation/";
const INIT_ERROR: &str = "/2018-06-01/runtime/init/error";

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
        }
    }

    /// The same invocation with another `Lambda-Runtime-Deadline-Ms` (`None`: left out).
    pub fn deadline(mut self, deadline: Option<String>) -> Invocation {
        self.deadline = deadline;
        self
    }
}

pub use crate::echo::now_ms;

/// What the function answered.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// `/response` with this body.
    Response(Bytes),
    /// `/error` with the `Lambda-Runtime-Function-Error-Type` header and the JSON body.
    Error {
        /// The header's value, if sent.
        header: Option<String>,
        /// The body, as JSON (`Value::String` of the text if it was not JSON).
        body: Value,
    },
}

impl Outcome {
    /// The `/response` body as JSON; panics with the outcome otherwise.
    pub fn response_json(&self) -> Value {
        match self {
            Outcome::Response(body) => serde_json::from_slice(body).unwrap_or_else(|e| {
                panic!(
                    "/response body is not JSON ({e}): {}",
                    String::from_utf8_lossy(body)
                )
            }),
            other => panic!("expected a /response, got {other:?}"),
        }
    }

    /// `(errorType, errorMessage)` of an `/error`; panics with the outcome otherwise.
    pub fn error(&self) -> (String, String) {
        match self {
            Outcome::Error { body, header } => {
                assert!(
                    header.is_some(),
                    "/error without Lambda-Runtime-Function-Error-Type: {body}"
                );
                (
                    body["errorType"].as_str().unwrap_or_default().to_owned(),
                    body["errorMessage"].as_str().unwrap_or_default().to_owned(),
                )
            }
            other => panic!("expected an /error, got {other:?}"),
        }
    }
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
    pub async fn start() -> RuntimeApi {
        RuntimeApi::start_with("", StatusCode::ACCEPTED).await
    }

    /// Starts a server under a path prefix (cargo-lambda serves the API under `/.rt`) that
    /// answers `/response` and `/error` with `answer_status` (cargo-lambda: 200).
    pub async fn start_with(prefix: &str, answer_status: StatusCode) -> RuntimeApi {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the Runtime API");
        let addr = listener.local_addr().expect("local address");
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
        RuntimeApi {
            addr,
            shared,
            queue,
            task,
        }
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
    let header = req
        .headers()
        .get("lambda-runtime-function-error-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = match req.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(e) => return api_error(StatusCode::BAD_REQUEST, "BadRequest", &e.to_string()),
    };
    if method == Method::GET && path == NEXT {
        return next(shared).await;
    }
    if method == Method::POST && path == INIT_ERROR {
        lock(&shared.init_errors).push((header, json_or_text(&body)));
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
                        header,
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

async fn next(shared: &Shared) -> http::Response<Full<Bytes>> {
    shared.next_calls.fetch_add(1, Ordering::SeqCst);
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
    *lock(&shared.in_flight) = Some(invocation.request_id.clone());
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
        Some(&invocation.request_id),
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

fn json_or_text(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}
