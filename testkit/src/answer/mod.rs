//! What a function answered to one event: the platform's own answer, a decoded view of it, and
//! what the function logged meanwhile.

pub(crate) mod azure;
pub(crate) mod lambda;

use std::fmt;

use bytes::Bytes;
use serde_json::Value;

/// The answer to one event.
///
/// `status`, `headers` and `body` are the same view on every platform:
/// - for an HTTP event, the HTTP response the client gets (from the Lambda result's
///   `statusCode`/`headers`/`body`, Azure's `res` output binding, the OpenWhisk web action's
///   projection, or the response itself);
/// - for any other event, `200` and the function's result (the Lambda result payload, the GCP
///   response body, Azure's `ReturnValue`, the OpenWhisk activation result) when the invocation
///   succeeded; when it failed, the platform's status (500 where it has none) and [`failure`].
///
/// [`failure`]: Answer::failure
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Answer {
    /// The platform's answer, as it came.
    pub native: NativeAnswer,
    /// The HTTP status of the view.
    pub status: u16,
    /// Headers of the view, lower-case names, in order.
    pub headers: Vec<(String, String)>,
    /// Body of the view.
    pub body: Bytes,
    /// Set when the invocation failed: the error the platform reports.
    pub failure: Option<Failure>,
    /// What the function logged while it handled the event.
    pub logs: Logs,
}

impl Answer {
    /// Every value of one header of the view.
    pub fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The body of the view as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body of the view as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A failed invocation, as the platform reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Failure {
    /// The error's type, where the platform has one (`HandlerError`, `Panic`, `Timeout`,
    /// `InvalidEvent`, ...).
    pub error_type: Option<String>,
    /// The message.
    pub message: String,
}

impl Failure {
    /// A failure with a type and a message.
    pub fn new(error_type: Option<String>, message: impl Into<String>) -> Failure {
        Failure {
            error_type,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error_type {
            Some(t) => write!(f, "{t}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// What a function logged while it handled one event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Logs {
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
    /// Lines the platform carries in its answer (Azure's `Logs` array).
    pub platform: Vec<String>,
}

impl fmt::Display for Logs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            if !text.is_empty() {
                writeln!(f, "--- {name}")?;
                f.write_str(text)?;
                if !text.ends_with('\n') {
                    writeln!(f)?;
                }
            }
        }
        if !self.platform.is_empty() {
            writeln!(f, "--- platform logs")?;
            for line in &self.platform {
                writeln!(f, "{line}")?;
            }
        }
        Ok(())
    }
}

/// A platform's own answer.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum NativeAnswer {
    /// An HTTP response (local provider, Functions Framework, Azure forwarding mode).
    Http(http::Response<Bytes>),
    /// What the function posted to the Lambda Runtime API.
    Lambda(lambda::Outcome),
    /// The Azure custom handler's reply to the host.
    Azure(azure::Reply),
    /// The OpenWhisk activation result (the fd-3 line, or the last stdout line in blackbox mode).
    OpenWhisk(Value),
}

impl fmt::Display for NativeAnswer {
    /// The answer as the platform would log it: a status line and headers, then the body.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NativeAnswer::Http(response) => {
                writeln!(f, "HTTP/1.1 {}", response.status())?;
                for (name, value) in response.headers() {
                    writeln!(f, "{name}: {}", String::from_utf8_lossy(value.as_bytes()))?;
                }
                writeln!(f)?;
                f.write_str(&String::from_utf8_lossy(response.body()))
            }
            NativeAnswer::Lambda(outcome) => fmt::Display::fmt(outcome, f),
            NativeAnswer::Azure(reply) => {
                writeln!(f, "HTTP/1.1 {}", reply.status)?;
                if let Some(ct) = &reply.content_type {
                    writeln!(f, "content-type: {ct}")?;
                }
                writeln!(f)?;
                f.write_str(&String::from_utf8_lossy(&reply.body))
            }
            NativeAnswer::OpenWhisk(result) => write!(f, "{result}"),
        }
    }
}

/// An answer that is an HTTP response. When `failed`, the failure is read from the local and
/// GCP error body `{"error": {"type": ..., "message": ...}}` (or the body's text).
pub(crate) fn from_http(response: http::Response<Bytes>, logs: Logs, failed: bool) -> Answer {
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = response.body().clone();
    let failure = failed.then(|| error_body(&body));
    Answer {
        status: response.status().as_u16(),
        headers,
        body,
        failure,
        logs,
        native: NativeAnswer::Http(response),
    }
}

/// The failure in a body `{"error": {"type": ..., "message": ...}}`, or the body's text.
pub(crate) fn error_body(body: &[u8]) -> Failure {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let error = json.as_ref().map(|j| &j["error"]);
    match error {
        Some(Value::Object(e)) => Failure::new(
            e.get("type").and_then(Value::as_str).map(str::to_owned),
            e.get("message").and_then(Value::as_str).unwrap_or_default(),
        ),
        Some(Value::String(message)) => Failure::new(None, message.clone()),
        _ => Failure::new(None, String::from_utf8_lossy(body).into_owned()),
    }
}
