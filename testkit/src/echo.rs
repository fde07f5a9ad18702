//! For functions that answer with echo's document (`examples/echo`): checks on its canonical
//! JSON, for tests. The assertions panic with the document when it is not what they expect.
//!
//! ```
//! use polyfaas_testkit::echo::{event_of, header_values};
//!
//! let document = serde_json::json!({"provider": "aws",
//!     "context": {"request_id": "r-1", "function": "echo", "deadline_ms": null},
//!     "event": {"kind": "http", "headers": {"x-a": ["1", "2"]}}});
//! let event = event_of(&document, "aws");
//! assert_eq!(header_values(&event, "x-a"), ["1", "2"]);
//! ```

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::answer::Answer;
use crate::encode::Encoded;
use crate::logical::{Kind, LogicalEvent};
use crate::Platform;

/// Checks the document's outer shape (`provider`, a non-empty `context.request_id`,
/// `context.function`, a numeric or null `context.deadline_ms`) and returns its `event`.
///
/// # Panics
///
/// When the shape is not so, with the document.
pub fn event_of(document: &Value, provider: &str) -> Value {
    assert_eq!(document["provider"], provider, "{document:#}");
    let context = &document["context"];
    assert!(
        context["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "context.request_id: {document:#}"
    );
    assert!(
        context.get("function").is_some(),
        "context.function: {document:#}"
    );
    assert!(
        context["deadline_ms"].is_null() || context["deadline_ms"].is_u64(),
        "context.deadline_ms: {document:#}"
    );
    document["event"].clone()
}

/// Sends a non-UTF-8 binary body with every method that carries one to an HTTP-serving echo at
/// `addr`, and checks each arrives intact under the expected `provider`.
///
/// # Panics
///
/// When a request fails or the echoed body differs.
pub async fn assert_binary_bodies_arrive_intact(addr: std::net::SocketAddr, provider: &str) {
    let body: Vec<u8> = vec![0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, b'\n', 0x00];
    for method in ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        let mut request = http::Request::new(bytes::Bytes::from(body.clone()));
        *request.method_mut() = http::Method::from_bytes(method.as_bytes()).unwrap_or_default();
        *request.uri_mut() = http::Uri::from_static("/upload");
        request.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/octet-stream"),
        );
        let response = crate::client::send(addr, request).await;
        assert_eq!(response.status(), 200, "{provider} {method}");
        let event = event_of(&crate::client::json(&response), provider);
        assert_eq!(event["method"], method, "{provider}");
        assert_eq!(body_of(&event), body, "{provider} {method}");
        assert_eq!(event["body_base64"], base64(&body), "{provider} {method}");
    }
}

pub use crate::aws::now_ms;

/// The canonical event echo reported in `answer`: the `event` of its document (checked to come
/// from `provider`; an Azure batch of one record answers with a one-item array of it; an
/// authorizer call's answer holds it as `context.echo`), or, when the answer is a batch source's
/// partial-batch response (which must name no failed record), the last `echo record {...}` line
/// of its logs.
pub fn reported_event(answer: &Answer, provider: &str) -> Result<Value, String> {
    let document = match answer.json() {
        // Only Azure answers a batch (Event Hubs `cardinality: many`, the Cosmos DB change feed)
        // with the array of its records' results; an array from any other platform is a fault.
        Some(Value::Array(mut items)) if provider == "azure" && items.len() == 1 => {
            Some(items.remove(0))
        }
        other => other,
    };
    let document = match document {
        Some(answer) if answer["context"]["echo"].is_string() => {
            Some(authorizer_document(&answer)?)
        }
        other => other,
    };
    if let Some(document) = document.as_ref().filter(|d| d.get("event").is_some()) {
        if document["provider"] != provider {
            return Err(format!(
                "provider {} instead of {provider}: {document}",
                document["provider"]
            ));
        }
        return Ok(document["event"].clone());
    }
    if let Some(failed) = document
        .as_ref()
        .and_then(|d| d["batchItemFailures"].as_array())
        .filter(|failed| !failed.is_empty())
    {
        return Err(format!("records failed: {}", Value::Array(failed.clone())));
    }
    let logs = format!("{}\n{}", answer.logs.stdout, answer.logs.stderr);
    logs.lines()
        .rev()
        .find_map(|line| {
            let (_, rest) = line.split_once("echo record ")?;
            serde_json::Deserializer::from_str(rest)
                .into_iter::<Value>()
                .next()?
                .ok()
        })
        .ok_or_else(|| {
            format!(
                "neither echo's document nor an `echo record` log line: {} {}\n{}",
                answer.status,
                answer.text(),
                answer.logs
            )
        })
}

/// Echo's document from its answer to an authorizer call: echo allows, with principal `echo` (an
/// IAM policy) or `isAuthorized` (a simple response), and its canonical JSON as the string
/// `context.echo`. Anything else (a deny, no `context.echo`) is an error saying what came.
pub fn authorizer_document(answer: &Value) -> Result<Value, String> {
    let allowed = answer["isAuthorized"] == Value::Bool(true)
        || (answer["principalId"] == "echo"
            && answer["policyDocument"]["Statement"][0]["Effect"] == "Allow");
    if !allowed {
        return Err(format!("not an allow answer: {answer}"));
    }
    let text = answer["context"]["echo"]
        .as_str()
        .ok_or_else(|| format!("no context.echo: {answer}"))?;
    serde_json::from_str(text).map_err(|e| format!("context.echo is not JSON ({e}): {text}"))
}

/// Checks echo's answer to `encoded` against the logical event it was made from: the same
/// canonical event but for the fields the encoding names as lost (left out on both sides); the
/// kind the platform delivers it as when the form is delivered as another kind; a blob's
/// `local_sha256` of the object put in the store.
///
/// ```no_run
/// use polyfaas_testkit::echo::check;
/// use polyfaas_testkit::{build::Build, sample, Function, Params, Platform};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let binary = Build::for_platform(Platform::Aws).package("echo").run()?;
/// let mut echo = Function::start(Platform::Aws, &binary).await?;
/// let sample = sample::find(Platform::Aws, "s3-put")?;
/// let params = Params::parse(["bucket=photos", "key=cat.png", "content=meow"])?;
/// let encoded = sample.encode(&params)?;
/// let answer = echo.send_encoded(&encoded).await?;
/// check(Platform::Aws, &sample.event(&params)?, &encoded, &answer)?;
/// # Ok(()) }
/// ```
pub fn check(
    platform: Platform,
    logical: &LogicalEvent,
    encoded: &Encoded,
    answer: &Answer,
) -> Result<(), String> {
    let what = format!("{platform} {}", encoded.form);
    if let Some(failure) = &answer.failure {
        return Err(format!("{what}: failed: {failure}\n{}", answer.logs));
    }
    let mut actual = reported_event(answer, platform.name()).map_err(|e| format!("{what}: {e}"))?;
    let mut expected = logical.to_json();
    if logical.kind() == Kind::Blob {
        expected["local_sha256"] = match &encoded.object {
            Some(object) => Value::String(sha256_hex(&object.content)),
            None => Value::Null,
        };
    }
    if let Some(kind) = encoded.losses.iter().find_map(|l| l.delivered_as) {
        return if actual["kind"] == kind.name() {
            Ok(())
        } else {
            Err(format!(
                "{what}: delivered as {}, said {kind}",
                actual["kind"]
            ))
        };
    }
    let payload_lost = encoded.losses.iter().any(|l| l.field == "payload");
    if payload_lost && platform == Platform::Gcp {
        // A CloudEvent function gets the whole CloudEvent; the payload is its data.
        return if actual["payload"].get("data") == Some(&expected["payload"]) {
            Ok(())
        } else {
            Err(format!("{what}: payload {}", actual["payload"]))
        };
    }
    for loss in &encoded.losses {
        for side in [&mut actual, &mut expected] {
            match loss.field.split_once('.') {
                // A field of an authorizer call's request: `request.query`, `request.headers.x`.
                Some(("request", field)) => match field.split_once('.') {
                    Some((map, key)) => {
                        if let Some(map) = side["request"][map].as_object_mut() {
                            map.remove(key);
                        }
                    }
                    None => {
                        if let Some(request) = side["request"].as_object_mut() {
                            request.remove(field);
                        }
                    }
                },
                Some((map, key)) => {
                    if let Some(map) = side[map].as_object_mut() {
                        map.remove(key);
                    }
                }
                None => {
                    if let Some(event) = side.as_object_mut() {
                        event.remove(&loss.field);
                    }
                }
            }
        }
    }
    if actual == expected {
        Ok(())
    } else {
        Err(format!(
            "{what} (losses {:?}):\n  sent:   {expected}\n  echoed: {actual}",
            encoded.losses.iter().map(|l| &l.field).collect::<Vec<_>>()
        ))
    }
}

/// The decoded `body_base64` of an event.
///
/// # Panics
///
/// When `body_base64` is not a base64 string.
pub fn body_of(event: &Value) -> Vec<u8> {
    BASE64
        .decode(
            event["body_base64"]
                .as_str()
                .expect("body_base64 is a string"),
        )
        .expect("body_base64 is base64")
}

/// Base64 of bytes, as the canonical JSON writes it.
pub fn base64(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// Lower-case hex SHA-256, as echo's `local_sha256`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The JSON after `marker` on each line of a function's log that has it: echo's
/// `echo record {...}` (`marker` = `"echo record "`) and `echo extras {...}` lines, in order.
/// Text lines and JSON log lines (whose `message` holds the text) are both read.
///
/// ```
/// use polyfaas_testkit::echo::logged;
///
/// let log = concat!(
///     r#"2026-03-01T09:00:00Z  INFO invocation: echo: echo record {"kind":"message","id":"m1"}"#,
///     "\n",
///     r#"{"level":"INFO","message":"echo record {\"kind\":\"change\"}"}"#,
///     "\n",
/// );
/// let records = logged(log, "echo record ");
/// assert_eq!(records[0]["id"], "m1");
/// assert_eq!(records[1]["kind"], "change");
/// ```
pub fn logged(log: &str, marker: &str) -> Vec<Value> {
    log.lines()
        .filter_map(|line| {
            let message = match serde_json::from_str::<Value>(line) {
                Ok(Value::Object(json)) => json.get("message")?.as_str()?.to_owned(),
                _ => line.to_owned(),
            };
            let at = message.find(marker)?;
            serde_json::from_str(message[at + marker.len()..].trim_end()).ok()
        })
        .collect()
}

/// The values of one header in an http event.
pub fn header_values(event: &Value, name: &str) -> Vec<String> {
    event["headers"][name]
        .as_array()
        .map(|values| {
            values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
