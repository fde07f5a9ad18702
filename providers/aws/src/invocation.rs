//! What the Runtime API tells about one invocation: the `/next` response's headers as the core
//! [`Invocation`], with Lambda's extras ([`FunctionArn`], [`TraceId`], the [`RawEvent`]). A
//! malformed header is an [`InvalidHeader`] naming it, never a stopped runtime loop.

use bytes::Bytes;
use http::HeaderMap;
use polyfaas_core::{Extra, Invocation};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// `Lambda-Runtime-Aws-Request-Id`: the invocation's id, also the path of its answer.
pub const REQUEST_ID: &str = "lambda-runtime-aws-request-id";
/// `Lambda-Runtime-Deadline-Ms`: when Lambda stops waiting, in Unix milliseconds.
pub const DEADLINE_MS: &str = "lambda-runtime-deadline-ms";
/// `Lambda-Runtime-Invoked-Function-Arn`: the ARN the caller invoked.
pub const FUNCTION_ARN: &str = "lambda-runtime-invoked-function-arn";
/// `Lambda-Runtime-Trace-Id`: the X-Ray tracing header.
pub const TRACE_ID: &str = "lambda-runtime-trace-id";

/// The invoked function's ARN (with its version or alias qualifier), as a platform
/// [`Extra`]: `ctx.extra::<FunctionArn>()`, `aws.function_arn` in `ctx.extras().to_json()`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FunctionArn(pub String);

impl Extra for FunctionArn {
    const NAME: &'static str = "aws.function_arn";
}

/// The X-Ray trace header of the invocation (`Root=1-...;Parent=...;Sampled=1`), as a platform
/// [`Extra`]: `ctx.extra::<TraceId>()`, `aws.trace_id` in `ctx.extras().to_json()`. It is also
/// the context's [`trace_id`](polyfaas_core::Context::trace_id), the `trace_id` field of the
/// invocation's span and `xrayTraceId` in Lambda's JSON log lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TraceId(pub String);

impl Extra for TraceId {
    const NAME: &'static str = "aws.trace_id";
}

/// The invocation's event exactly as Lambda sent it (the `/next` body), as a platform [`Extra`]:
/// `ctx.extra::<RawEvent>()`, `aws.event` in `ctx.extras().to_json()` (the JSON itself). It is
/// the bytes the shim already holds, shared, not a copy: every field a neutral event and the
/// typed extras leave out is here.
///
/// ```
/// use polyfaas_aws::RawEvent;
///
/// let event = RawEvent::new(bytes::Bytes::from_static(br#"{"detail": {"order": 7}}"#));
/// #[derive(serde::Deserialize)]
/// struct Scheduled { detail: serde_json::Value }
/// let parsed: Scheduled = event.parse().unwrap();
/// assert_eq!(parsed.detail["order"], 7);
/// assert_eq!(serde_json::to_value(&event).unwrap()["detail"]["order"], 7);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawEvent(Bytes);

impl RawEvent {
    /// The event's bytes.
    pub fn new(event: Bytes) -> Self {
        RawEvent(event)
    }

    /// The bytes, as Lambda sent them.
    pub fn as_bytes(&self) -> &Bytes {
        &self.0
    }

    /// The event read as a `T` (an `aws_lambda_events` type, or one of your own).
    pub fn parse<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.0)
    }
}

impl Serialize for RawEvent {
    /// The event's JSON as it is; bytes that are not JSON (which the shim refuses before a
    /// handler runs) as a string.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match serde_json::from_slice::<&RawValue>(&self.0) {
            Ok(raw) => raw.serialize(serializer),
            Err(_) => serializer.serialize_str(&String::from_utf8_lossy(&self.0)),
        }
    }
}

impl Extra for RawEvent {
    const NAME: &'static str = "aws.event";
}

/// A `/next` header that cannot be read: the invocation fails through `/error`
/// (`InvalidRuntimeHeader`), or, without a request id to answer to, is skipped with a log line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{header}: {problem}")]
pub struct InvalidHeader {
    header: &'static str,
    problem: String,
}

impl InvalidHeader {
    fn new(header: &'static str, problem: impl Into<String>) -> Self {
        InvalidHeader {
            header,
            problem: problem.into(),
        }
    }

    /// The header's name (lower case).
    pub fn header(&self) -> &'static str {
        self.header
    }
}

/// Deadlines before this (2001-09-09, in Unix milliseconds) are not epoch times: cargo-lambda's
/// emulator sends a constant `600000`. They are treated as "no deadline known".
const EARLIEST_DEADLINE_MS: u64 = 1_000_000_000_000;

/// The request id of a `/next` response: present, non-empty, and made of characters that can
/// stand in the answer's URL path (Lambda's are UUIDs).
///
/// ```
/// use http::{HeaderMap, HeaderValue};
/// use polyfaas_aws::request_id;
///
/// let mut headers = HeaderMap::new();
/// assert_eq!(request_id(&headers).unwrap_err().to_string(), "lambda-runtime-aws-request-id: missing");
/// headers.insert("lambda-runtime-aws-request-id", HeaderValue::from_static("8476a536-e9f4-11e8"));
/// assert_eq!(request_id(&headers).unwrap(), "8476a536-e9f4-11e8");
/// ```
pub fn request_id(headers: &HeaderMap) -> Result<&str, InvalidHeader> {
    let value = headers
        .get(REQUEST_ID)
        .ok_or_else(|| InvalidHeader::new(REQUEST_ID, "missing"))?;
    let id = value
        .to_str()
        .map_err(|_| InvalidHeader::new(REQUEST_ID, "not ASCII text"))?;
    if id.is_empty() {
        return Err(InvalidHeader::new(REQUEST_ID, "empty"));
    }
    let path_safe = id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~:@!$&'()*+,;=".contains(&b));
    if !path_safe {
        return Err(InvalidHeader::new(
            REQUEST_ID,
            format!("{id:?} cannot be part of the answer's URL path"),
        ));
    }
    Ok(id)
}

/// The invocation as the Runtime API announced it: the request id, the deadline from
/// `Lambda-Runtime-Deadline-Ms` (absent, or below 10^12 as cargo-lambda sends: no deadline), the
/// trace id from the X-Ray header, and the [`FunctionArn`] and [`TraceId`] extras. A request id
/// or deadline that cannot be read is an [`InvalidHeader`] naming the header.
///
/// ```
/// use http::{HeaderMap, HeaderValue};
/// use polyfaas_aws::{invocation, FunctionArn};
/// use polyfaas_core::{Invoker, Provider, handler_fn, Context, Error, Event, Response};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("lambda-runtime-aws-request-id", HeaderValue::from_static("req-1"));
/// headers.insert("lambda-runtime-deadline-ms", HeaderValue::from_static("600000")); // cargo-lambda's constant
/// headers.insert("lambda-runtime-invoked-function-arn", HeaderValue::from_static("arn:aws:lambda:eu-west-1:1:function:echo"));
///
/// let handler = handler_fn(|_e: Event, _c: Context| async { Ok::<_, Error>(Response::ok()) });
/// let ctx = Invoker::builder(Provider::AWS, handler).build().context(invocation(&headers).unwrap());
/// assert_eq!(ctx.request_id(), "req-1");
/// assert_eq!(ctx.deadline_ms(), None);
/// assert_eq!(ctx.extra::<FunctionArn>().map(|a| a.0.as_str()), Some("arn:aws:lambda:eu-west-1:1:function:echo"));
///
/// headers.insert("lambda-runtime-deadline-ms", HeaderValue::from_static("-5"));
/// let err = invocation(&headers).unwrap_err();
/// assert_eq!(err.to_string(), r#"lambda-runtime-deadline-ms: "-5" is not a number of milliseconds since the Unix epoch"#);
/// ```
pub fn invocation(headers: &HeaderMap) -> Result<Invocation, InvalidHeader> {
    let mut invocation = Invocation::new()
        .request_id(request_id(headers)?)
        .deadline_ms(deadline_ms(headers)?);
    if let Some(arn) = text(headers, FUNCTION_ARN).filter(|arn| arn.starts_with("arn:")) {
        invocation = invocation.extra(FunctionArn(arn.to_owned()));
    }
    if let Some(trace) = trace_header(headers) {
        invocation = invocation
            .trace_id(Some(trace.to_owned()))
            .extra(TraceId(trace.to_owned()));
    }
    Ok(invocation)
}

/// The X-Ray trace header, when there is one.
pub(crate) fn trace_header(headers: &HeaderMap) -> Option<&str> {
    text(headers, TRACE_ID).filter(|t| !t.is_empty())
}

/// A header's value when it is text.
fn text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name)?.to_str().ok()
}

/// `Lambda-Runtime-Deadline-Ms` when it is an epoch time; `None` when absent or not an epoch
/// time; an error when it is not a number that fits (empty, negative, past `u64`, not digits).
fn deadline_ms(headers: &HeaderMap) -> Result<Option<u64>, InvalidHeader> {
    let Some(value) = headers.get(DEADLINE_MS) else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(value.as_bytes());
    let ms: u64 = text.trim().parse().map_err(|_| {
        InvalidHeader::new(
            DEADLINE_MS,
            format!("{text:?} is not a number of milliseconds since the Unix epoch"),
        )
    })?;
    if ms >= EARLIEST_DEADLINE_MS {
        return Ok(Some(ms));
    }
    tracing::debug!(
        deadline_ms = ms,
        "the deadline header is not an epoch time; ignoring it"
    );
    Ok(None)
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn only_epoch_times_are_deadlines() {
        let at = |v: &str| deadline_ms(&headers(&[(DEADLINE_MS, v)]));
        assert_eq!(at("600000"), Ok(None));
        assert_eq!(at("999999999999"), Ok(None));
        assert_eq!(at("1700000000000"), Ok(Some(1_700_000_000_000)));
        assert_eq!(deadline_ms(&HeaderMap::new()), Ok(None));
    }

    #[test]
    fn a_deadline_that_is_not_a_number_names_the_header() {
        // The three lambda_runtime 1.5 stops its loop on.
        for value in ["", "-1", "18446744073709551616", "soon"] {
            let err = deadline_ms(&headers(&[(DEADLINE_MS, value)])).unwrap_err();
            assert_eq!(err.header(), DEADLINE_MS);
            assert_eq!(
                err.to_string(),
                format!(
                    "lambda-runtime-deadline-ms: {value:?} is not a number of milliseconds since the Unix epoch"
                )
            );
        }
    }

    #[test]
    fn request_ids_must_be_usable_in_the_answers_path() {
        for bad in ["", "a/b", "a b", "a?b", "a%2Fb"] {
            let err = request_id(&headers(&[(REQUEST_ID, bad)])).unwrap_err();
            assert_eq!(err.header(), REQUEST_ID, "{bad:?}");
        }
        let ok = headers(&[(REQUEST_ID, "8476a536-e9f4-11e8-9739-2dfe598c3fcd")]);
        assert_eq!(
            request_id(&ok).unwrap(),
            "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
        );
    }

    #[test]
    fn a_missing_arn_or_trace_header_is_no_extra() {
        let invocation = invocation(&headers(&[(REQUEST_ID, "r")])).unwrap();
        let rendered = format!("{invocation:?}");
        assert!(rendered.contains("extras: []"), "{rendered}");
    }

    #[test]
    fn the_raw_event_serialises_as_its_json() {
        let event = RawEvent::new(Bytes::from_static(br#"{"a": [1, 2]}"#));
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::json!({"a": [1, 2]})
        );
        let text = RawEvent::new(Bytes::from_static(b"not json"));
        assert_eq!(serde_json::to_value(&text).unwrap(), "not json");
    }
}
