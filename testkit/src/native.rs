//! One event in a platform's own wire form, ready to send with
//! [`Function::send`](crate::Function::send): what the encoders and the sample events produce.

use std::fmt;

use bytes::Bytes;
use serde_json::Value;

use crate::Platform;

/// One event as a platform delivers it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum NativeEvent {
    /// A request to the local dev provider (HTTP, or `POST /_polyfaas/events`).
    Local(http::Request<Bytes>),
    /// A Lambda invocation payload.
    Aws(AwsEvent),
    /// A request to a Functions Framework server.
    Gcp(GcpEvent),
    /// An Azure Functions host invocation.
    Azure(AzureEvent),
    /// An OpenWhisk activation.
    OpenWhisk(OpenWhiskEvent),
}

impl NativeEvent {
    /// The platform the event is for.
    pub fn platform(&self) -> Platform {
        match self {
            NativeEvent::Local(_) => Platform::Local,
            NativeEvent::Aws(_) => Platform::Aws,
            NativeEvent::Gcp(_) => Platform::Gcp,
            NativeEvent::Azure(_) => Platform::Azure,
            NativeEvent::OpenWhisk(_) => Platform::OpenWhisk,
        }
    }

    /// The same event with its native data replaced by `data` (`cargo polyfaas invoke --data
    /// FILE`): what the platform hands the function, the rest of the delivery kept.
    ///
    /// | platform | `data` is | kept from the event |
    /// |---|---|---|
    /// | local | the request body (an HTTP body, or the canonical JSON at `POST /_polyfaas/events`) | method, path, headers |
    /// | aws | the invocation payload (JSON) | the origin, which shapes the answer |
    /// | gcp | the request body (a CloudEvent's data in binary mode, a legacy event, a Pub/Sub push, an HTTP body) | method, path, headers, the signature type |
    /// | azure | the invocation envelope `{"Data": ..., "Metadata": ...}` (a JSON object) | the function and its bindings |
    /// | openwhisk | the activation's parameters, `value` (a JSON object; a web action's `__ow_*` ones included) | the activation's other fields |
    ///
    /// A `content-length` header is set to the new body's length.
    ///
    /// ```
    /// use polyfaas_testkit::native::NativeEvent;
    /// use polyfaas_testkit::{sample, Params, Platform};
    ///
    /// let sqs = sample::find(Platform::Aws, "sqs")?.encode(&Params::new())?;
    /// let mine = sqs.native.with_data(br#"{"Records": []}"#.to_vec().into())?;
    /// let NativeEvent::Aws(lambda) = &mine else { unreachable!() };
    /// assert_eq!(&lambda.payload[..], br#"{"Records": []}"#);
    ///
    /// let err = sample::find(Platform::Azure, "queue")?.encode(&Params::new())?
    ///     .native.with_data(b"[1]".to_vec().into()).unwrap_err();
    /// assert_eq!(err.to_string(), "azure takes the invocation envelope, a JSON object {\"Data\": ..., \"Metadata\": ...}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_data(self, data: Bytes) -> Result<NativeEvent, DataError> {
        fn body(mut request: http::Request<Bytes>, data: Bytes) -> http::Request<Bytes> {
            if request.headers().contains_key(http::header::CONTENT_LENGTH) {
                request.headers_mut().insert(
                    http::header::CONTENT_LENGTH,
                    http::HeaderValue::from(data.len()),
                );
            }
            *request.body_mut() = data;
            request
        }
        let json = |data: &Bytes, platform: Platform, what: &'static str| {
            serde_json::from_slice::<Value>(data).map_err(|source| DataError::NotJson {
                platform,
                what,
                source,
            })
        };
        Ok(match self {
            NativeEvent::Local(request) => NativeEvent::Local(body(request, data)),
            NativeEvent::Gcp(event) => NativeEvent::Gcp(GcpEvent {
                signature: event.signature,
                request: body(event.request, data),
            }),
            NativeEvent::Aws(event) => {
                json(&data, Platform::Aws, "the invocation payload")?;
                NativeEvent::Aws(AwsEvent {
                    payload: data,
                    origin: event.origin,
                })
            }
            NativeEvent::Azure(mut event) => {
                let what =
                    "the invocation envelope, a JSON object {\"Data\": ..., \"Metadata\": ...}";
                let envelope = json(&data, Platform::Azure, what)?;
                if !envelope.is_object() {
                    return Err(DataError::NotAnObject {
                        platform: Platform::Azure,
                        what,
                    });
                }
                event.envelope = envelope;
                NativeEvent::Azure(event)
            }
            NativeEvent::OpenWhisk(mut event) => {
                let what = "the activation's parameters, a JSON object";
                let value = json(&data, Platform::OpenWhisk, what)?;
                if !value.is_object() {
                    return Err(DataError::NotAnObject {
                        platform: Platform::OpenWhisk,
                        what,
                    });
                }
                event.run["value"] = value;
                NativeEvent::OpenWhisk(event)
            }
        })
    }
}

/// Native data cannot replace an event's ([`NativeEvent::with_data`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The platform takes JSON and the data is not.
    #[error("{platform} takes {what}; the data is not JSON: {source}")]
    NotJson {
        /// The platform.
        platform: Platform,
        /// What the data must be.
        what: &'static str,
        /// Why it is not JSON.
        source: serde_json::Error,
    },
    /// The platform takes a JSON object and the data is another JSON value.
    #[error("{platform} takes {what}")]
    NotAnObject {
        /// The platform.
        platform: Platform,
        /// What the data must be.
        what: &'static str,
    },
}

/// What kind of Lambda event source sent a payload: it decides the shape of the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AwsOrigin {
    /// API Gateway REST API (payload 1.0): the answer has `multiValueHeaders`.
    ApiGatewayV1,
    /// API Gateway HTTP API (payload 2.0): `headers` and `cookies`.
    ApiGatewayV2,
    /// A Function URL: as payload 2.0.
    FunctionUrl,
    /// An Application Load Balancer target group.
    Alb,
    /// Anything that is not an HTTP request: the answer is the result payload.
    Other,
}

impl AwsOrigin {
    /// Whether the answer is an HTTP response.
    pub fn is_http(self) -> bool {
        self != AwsOrigin::Other
    }
}

/// A Lambda invocation.
#[derive(Clone, Debug)]
pub struct AwsEvent {
    /// The event JSON, as `GET /next` hands it out.
    pub payload: Bytes,
    /// Where it comes from.
    pub origin: AwsOrigin,
}

/// The Functions Framework signature type a function must be started with
/// (`FUNCTION_SIGNATURE_TYPE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signature {
    /// `http`: plain HTTP requests.
    Http,
    /// `cloudevent`: CloudEvents (and legacy events, converted).
    CloudEvent,
    /// `event`: legacy background events (and CloudEvents, converted).
    Event,
}

impl Signature {
    /// The value of `FUNCTION_SIGNATURE_TYPE`.
    pub fn name(self) -> &'static str {
        match self {
            Signature::Http => "http",
            Signature::CloudEvent => "cloudevent",
            Signature::Event => "event",
        }
    }
}

/// A request to a Functions Framework server.
#[derive(Clone, Debug)]
pub struct GcpEvent {
    /// The signature type the function must have.
    pub signature: Signature,
    /// The request.
    pub request: http::Request<Bytes>,
}

/// One function of an Azure function app: its folder name and its `function.json` bindings.
#[derive(Clone, Debug, PartialEq)]
pub struct AzureFunction {
    /// The function's name (its folder; the path the host POSTs to).
    pub name: String,
    /// The `bindings` array of its `function.json`.
    pub bindings: Value,
}

/// An Azure Functions host invocation: the envelope it POSTs to `/<function>`, and the function
/// that must exist for it.
#[derive(Clone, Debug)]
pub struct AzureEvent {
    /// The function (the app is written with it before the handler starts).
    pub function: AzureFunction,
    /// `{"Data": {...}, "Metadata": {...}}`.
    pub envelope: Value,
    /// Whether the trigger is an HTTP trigger (the answer is in the `http` output binding).
    pub http: bool,
}

/// An OpenWhisk activation.
#[derive(Clone, Debug)]
pub struct OpenWhiskEvent {
    /// The `/run` body: `value` (the parameters) and the activation's fields.
    pub run: Value,
    /// Whether it is a web action (`--web raw`): the result is projected as an HTTP response.
    pub web: bool,
}

impl fmt::Display for NativeEvent {
    /// The event as it goes over the wire, for people to read.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn request(f: &mut fmt::Formatter<'_>, request: &http::Request<Bytes>) -> fmt::Result {
            writeln!(f, "{} {} HTTP/1.1", request.method(), request.uri())?;
            for (name, value) in request.headers() {
                writeln!(f, "{name}: {}", String::from_utf8_lossy(value.as_bytes()))?;
            }
            writeln!(f)?;
            f.write_str(&String::from_utf8_lossy(request.body()))
        }
        match self {
            NativeEvent::Local(r) => request(f, r),
            NativeEvent::Gcp(e) => {
                writeln!(f, "# FUNCTION_SIGNATURE_TYPE={}", e.signature.name())?;
                request(f, &e.request)
            }
            NativeEvent::Aws(e) => f.write_str(&pretty_or_text(&e.payload)),
            NativeEvent::Azure(e) => {
                writeln!(
                    f,
                    "# {}/function.json: {}",
                    e.function.name, e.function.bindings
                )?;
                writeln!(f, "POST /{} HTTP/1.1", e.function.name)?;
                writeln!(f)?;
                f.write_str(&serde_json::to_string_pretty(&e.envelope).unwrap_or_default())
            }
            NativeEvent::OpenWhisk(e) => {
                f.write_str(&serde_json::to_string_pretty(&e.run).unwrap_or_default())
            }
        }
    }
}

fn pretty_or_text(bytes: &[u8]) -> String {
    serde_json::from_slice::<Value>(bytes)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned())
}
