//! Cross-provider equivalence: one set of logical HTTP requests that every platform's driver
//! delivers in its own wire format, and the one canonical `event` each must produce; and one
//! change record ([`logical_change`]) and one stream message ([`logical_stream_message`]) for
//! the platforms that have change streams and streams.
//!
//! A platform test sends each [`LogicalRequest`] through its shim (as a Lambda event, a
//! Functions Framework call, an Azure custom-handler payload, an OpenWhisk web action, or plain
//! HTTP to the local provider) and checks the echoed event with [`assert_equivalent`].

use serde_json::{json, Value};

use crate::echo::base64;
use crate::logical::{ChangeEvent, ChangeOp, HttpEvent, LogicalEvent, MessageEvent};

/// One database change record every platform with a change stream (DynamoDB Streams,
/// Firestore, the Cosmos DB change feed) delivers, encoded with the test kit's
/// [`Encoder`](crate::encode::Encoder): each must echo it as this canonical `change` event, but
/// for the fields its encoding names as lost.
///
/// ```
/// use polyfaas_testkit::encode::Encoder;
/// use polyfaas_testkit::equivalence::logical_change;
/// use polyfaas_testkit::Platform;
///
/// let encoded = Encoder::new(Platform::Aws).form("dynamodb").encode(&logical_change())?;
/// assert!(encoded.losses.is_empty());
/// # Ok::<(), polyfaas_testkit::encode::EncodeError>(())
/// ```
pub fn logical_change() -> LogicalEvent {
    LogicalEvent::Change(ChangeEvent {
        id: "c0ffee00-0000-4000-8000-000000000042".to_owned(),
        source: "orders".to_owned(),
        op: ChangeOp::Modify,
        key: Some(json!({"id": "order-42"})),
        old: Some(
            json!({"id": "order-42", "status": "new", "total": 12, "lines": ["tea"],
                         "gift": false, "note": null}),
        ),
        new: Some(
            json!({"id": "order-42", "status": "paid", "total": 12.5, "lines": ["tea", "cake"],
                         "gift": true, "address": {"city": "Lyon", "zip": "69001"}}),
        ),
    })
}

/// One stream message with its position (`partition_key`, `sequence_number`,
/// `enqueued_time`) every platform with a stream (Kinesis, Event Hubs) delivers, encoded with
/// the test kit's [`Encoder`](crate::encode::Encoder): each must echo it as this canonical
/// `message` event, but for the fields its encoding names as lost.
///
/// ```
/// use polyfaas_testkit::encode::Encoder;
/// use polyfaas_testkit::equivalence::logical_stream_message;
/// use polyfaas_testkit::Platform;
///
/// let encoded = Encoder::new(Platform::Aws).form("kinesis").encode(&logical_stream_message())?;
/// assert!(encoded.losses.is_empty());
/// # Ok::<(), polyfaas_testkit::encode::EncodeError>(())
/// ```
pub fn logical_stream_message() -> LogicalEvent {
    LogicalEvent::Message(MessageEvent {
        id: "shardId-000000000000:49590338271490256608559692538361571095921575989136588898"
            .to_owned(),
        source: "orders".to_owned(),
        body: br#"{"order":42,"status":"paid"}"#.to_vec(),
        attributes: [
            ("partition_key", "order-42"),
            (
                "sequence_number",
                "49590338271490256608559692538361571095921575989136588898",
            ),
            ("enqueued_time", "2026-03-01T09:00:00.500Z"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
    })
}

/// One HTTP request, independent of any platform.
#[derive(Clone, Debug)]
pub struct LogicalRequest {
    /// A short name for messages.
    pub name: &'static str,
    /// Upper-case method.
    pub method: &'static str,
    /// The path as the client sent it: percent-encoded.
    pub raw_path: &'static str,
    /// The path percent-decoded, as the canonical JSON has it.
    pub path: &'static str,
    /// The raw query string without `?` (`""` for none).
    pub query: &'static str,
    /// Headers, lower-case names, each name once (platforms differ on repeated headers; those
    /// are checked per platform).
    pub headers: Vec<(&'static str, &'static str)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl LogicalRequest {
    /// The canonical `event` every platform must echo for this request (`source_ip` aside).
    pub fn expected_event(&self) -> Value {
        let headers: serde_json::Map<String, Value> = self
            .headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!([v])))
            .collect();
        json!({
            "kind": "http",
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": headers,
            "body_base64": base64(&self.body),
            "source_ip": null,
        })
    }

    /// The path and query as a client sends them: `raw_path`, then `?query` when there is one.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            self.raw_path.to_owned()
        } else {
            format!("{}?{}", self.raw_path, self.query)
        }
    }

    /// The request as a logical event (for the encoders), without a client address.
    pub fn to_event(&self) -> LogicalEvent {
        LogicalEvent::Http(HttpEvent {
            method: self.method.to_owned(),
            path: self.path.to_owned(),
            query: self.query.to_owned(),
            headers: self
                .headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), vec![(*v).to_owned()]))
                .collect(),
            body: self.body.clone(),
            source_ip: None,
        })
    }

    /// The request as plain HTTP, for the platforms that receive it as such.
    ///
    /// # Panics
    ///
    /// When a field is not valid HTTP (the shared requests all are).
    pub fn http_request(&self) -> http::Request<bytes::Bytes> {
        let mut builder = http::Request::builder()
            .method(self.method)
            .uri(self.path_and_query());
        for (name, value) in &self.headers {
            builder = builder.header(*name, *value);
        }
        builder
            .body(bytes::Bytes::from(self.body.clone()))
            .expect("the logical requests are valid HTTP")
    }

    /// The header's value, if the request has it.
    pub fn header(&self, name: &str) -> Option<&'static str> {
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    }
}

/// The requests every platform must agree on.
pub fn logical_requests() -> Vec<LogicalRequest> {
    vec![
        LogicalRequest {
            name: "GET with repeated query keys",
            method: "GET",
            raw_path: "/items/7",
            path: "/items/7",
            query: "a=1&b=two&a=2",
            headers: vec![("accept", "application/json"), ("x-request-tag", "get-1")],
            body: vec![],
        },
        LogicalRequest {
            name: "POST with a non-UTF-8 binary body to a unicode path",
            method: "POST",
            raw_path: "/upload/caf%C3%A9/%E2%9C%93",
            path: "/upload/café/✓",
            query: "",
            headers: vec![("content-type", "application/octet-stream")],
            body: vec![0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, b'\n', 0x00, 0x7f],
        },
        LogicalRequest {
            name: "PUT with a JSON body and a cookie",
            method: "PUT",
            raw_path: "/orders/42",
            path: "/orders/42",
            query: "dry_run=true",
            headers: vec![
                ("content-type", "application/json"),
                ("cookie", "session=abc; theme=dark"),
            ],
            body: br#"{"qty":3,"note":"caf\u00e9"}"#.to_vec(),
        },
        LogicalRequest {
            name: "DELETE with no body and no query",
            method: "DELETE",
            raw_path: "/",
            path: "/",
            query: "",
            headers: vec![("x-request-tag", "del-1")],
            body: vec![],
        },
    ]
}

/// Checks an echoed `event` against the request's expected one (a test assertion: panics with
/// both events when they differ). `source_ip` is not compared
/// (not every platform tells it); `headers` must contain the logical headers exactly, and
/// `extra_headers` lists the names a platform may add on its own (such as `host`), which are
/// then ignored.
pub fn assert_equivalent(
    request: &LogicalRequest,
    actual: &Value,
    platform: &str,
    extra_headers: &[&str],
) {
    let mut actual = actual.clone();
    let mut expected = request.expected_event();
    for event in [&mut actual, &mut expected] {
        if let Some(map) = event.as_object_mut() {
            map.remove("source_ip");
        }
    }
    if let Some(headers) = actual["headers"].as_object_mut() {
        headers.retain(|name, _| !extra_headers.contains(&name.as_str()));
    }
    assert_eq!(
        actual, expected,
        "{platform}: {:?} gives a different canonical event",
        request.name
    );
}
