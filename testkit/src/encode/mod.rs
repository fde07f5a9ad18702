//! Neutral → native: one logical event ([`LogicalEvent`], the canonical JSON) becomes the request
//! a platform sends for it, the inverse of that platform's shim decoder, so one fixture drives
//! every platform.
//!
//! Each platform has several native *forms* (API Gateway v1 or v2, a Function URL, an ALB, S3,
//! SQS, SNS... on AWS; see [`forms`]); each form carries one kind of event, and each kind has a
//! default form per platform ([`default_form`]). Where a form cannot carry part of the event
//! exactly (API Gateway v2 folds repeated headers into one, an Azure queue message has no custom
//! attributes, a Cloud Run function sees the TCP peer as the client), the encoding is what the
//! platform would really deliver, and [`Encoded::losses`] names each field that comes out
//! different, and why. An event whose encoding has no losses comes back from the shim exactly
//! as it went in: the conformance suite checks that through the real echo binary.
//!
//! ```
//! use polyfaas_testkit::encode::Encoder;
//! use polyfaas_testkit::logical::LogicalEvent;
//! use polyfaas_testkit::native::NativeEvent;
//! use polyfaas_testkit::Platform;
//!
//! let event = LogicalEvent::from_json(serde_json::json!(
//!     {"kind": "schedule", "name": "nightly", "time": "2026-03-01T02:00:00Z"}))?;
//! let encoded = Encoder::new(Platform::Aws).encode(&event)?;
//! assert_eq!(encoded.form, "eventbridge-schedule");
//! assert!(encoded.losses.is_empty());
//! let NativeEvent::Aws(lambda) = &encoded.native else { unreachable!() };
//! let payload: serde_json::Value = serde_json::from_slice(&lambda.payload)?;
//! assert_eq!(payload["resources"][0], "arn:aws:events:eu-west-1:123456789012:rule/nightly");
//!
//! // An ALB in single-value mode keeps one value per header.
//! let event = LogicalEvent::from_json(serde_json::json!(
//!     {"kind": "http", "method": "GET", "path": "/", "headers": {"x-a": ["1", "2"]}}))?;
//! let encoded = Encoder::new(Platform::Aws).form("alb").encode(&event)?;
//! assert_eq!(encoded.losses[0].field, "headers.x-a");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod aws;
mod azure;
mod gcp;
mod local;
mod openwhisk;
mod text;
mod typed;

use std::fmt;

use crate::logical::{BlobChange, BlobEvent, Kind, LogicalEvent};
use crate::native::NativeEvent;
use crate::Platform;

/// A platform's native form of one kind of event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Form {
    /// The form's name, such as `apigw-v1` (also a sample event's name).
    pub name: &'static str,
    /// The kind of logical event it carries.
    pub kind: Kind,
    /// What it is, in a few words.
    pub description: &'static str,
}

/// The native forms of `platform`, in the order `invoke --list` shows them.
pub fn forms(platform: Platform) -> &'static [Form] {
    match platform {
        Platform::Local => local::FORMS,
        Platform::Aws => aws::FORMS,
        Platform::Gcp => gcp::FORMS,
        Platform::Azure => azure::FORMS,
        Platform::OpenWhisk => openwhisk::FORMS,
    }
}

/// The form `event` takes on `platform` by default, or why there is none. It depends on the
/// event's kind, and for blobs on Azure on the change (a blob trigger fires for created blobs
/// only; deletions come through Event Grid).
pub fn default_form(
    platform: Platform,
    event: &LogicalEvent,
) -> Result<&'static Form, EncodeError> {
    let name = match platform {
        Platform::Local => local::default_form(event),
        Platform::Aws => aws::default_form(event),
        Platform::Gcp => gcp::default_form(event),
        Platform::Azure => azure::default_form(event),
        Platform::OpenWhisk => openwhisk::default_form(event),
    };
    name.and_then(|name| find_form(platform, name))
        .ok_or_else(|| EncodeError::NoNativeForm {
            platform,
            kind: event.kind(),
            reason: no_form_reason(platform, event.kind()),
        })
}

fn no_form_reason(platform: Platform, kind: Kind) -> &'static str {
    match (platform, kind) {
        (Platform::OpenWhisk, Kind::Blob) => {
            "Apache OpenWhisk has no object-storage trigger (no feed in its own packages)"
        }
        (Platform::OpenWhisk, Kind::Change) => {
            "Apache OpenWhisk's own packages have no database change feed this encoder writes"
        }
        (Platform::Local, Kind::Change) => {
            "the local provider reads polyfaas-core's canonical JSON, which has no change events yet"
        }
        (_, Kind::Authorize) => {
            "only API Gateway calls a function to authorize a request; this platform authorizes before the function runs"
        }
        _ => "no native form",
    }
}

fn find_form(platform: Platform, name: &str) -> Option<&'static Form> {
    forms(platform).iter().find(|f| f.name == name)
}

/// A field of the logical event that comes out different on the platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loss {
    /// The field's canonical path: `query`, `headers.x-a`, `attributes.k`, `source_ip`,
    /// `body_base64`, `size`... or `kind` when the shim delivers the form as another kind of
    /// event (then [`delivered_as`](Loss::delivered_as) names it).
    pub field: String,
    /// Why, in a sentence.
    pub reason: String,
    /// For a `kind` loss: the kind the handler gets.
    pub delivered_as: Option<Kind>,
}

impl Loss {
    /// A field that comes out different.
    pub fn field(field: impl Into<String>, reason: impl Into<String>) -> Loss {
        Loss {
            field: field.into(),
            reason: reason.into(),
            delivered_as: None,
        }
    }

    /// The handler gets another kind of event.
    pub fn kind(delivered_as: Kind, reason: impl Into<String>) -> Loss {
        Loss {
            field: "kind".to_owned(),
            reason: reason.into(),
            delivered_as: Some(delivered_as),
        }
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.delivered_as {
            Some(kind) => write!(f, "delivered as {kind}: {}", self.reason),
            None => write!(f, "{}: {}", self.field, self.reason),
        }
    }
}

/// An object to put into the function's blob store before sending a created-blob event (on
/// Azure the content travels in the invocation too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobObject {
    /// The key.
    pub key: String,
    /// The content.
    pub content: Vec<u8>,
}

/// One logical event in a platform's native form.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Encoded {
    /// The native event.
    pub native: NativeEvent,
    /// The form's name.
    pub form: &'static str,
    /// The fields the platform delivers differently (none: the event comes back exactly).
    pub losses: Vec<Loss>,
    /// For a created blob: the object the function reads.
    pub object: Option<BlobObject>,
}

/// An event could not be encoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The platform has no native form for this kind of event.
    #[error("{platform} has no native form for a {kind} event: {reason}")]
    NoNativeForm {
        /// The platform.
        platform: Platform,
        /// The kind.
        kind: Kind,
        /// Why.
        reason: &'static str,
    },
    /// No such form.
    #[error("{platform} has no form {form:?}; its forms are {known}")]
    UnknownForm {
        /// The platform.
        platform: Platform,
        /// The name asked for.
        form: String,
        /// The names there are.
        known: String,
    },
    /// The form carries another kind of event.
    #[error("{platform} form {form:?} carries {form_kind} events, not {event_kind} events")]
    WrongKind {
        /// The platform.
        platform: Platform,
        /// The form.
        form: &'static str,
        /// The kind it carries.
        form_kind: Kind,
        /// The event's kind.
        event_kind: Kind,
    },
    /// A value of the event cannot be put on the wire at all.
    #[error("event.{field}: {reason}")]
    Invalid {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
}

impl EncodeError {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl fmt::Display) -> Self {
        EncodeError::Invalid {
            field: field.into(),
            reason: reason.to_string(),
        }
    }
}

/// Encodes logical events for one platform; see the [module docs](self).
#[derive(Clone, Debug)]
#[must_use]
pub struct Encoder {
    platform: Platform,
    form: Option<String>,
    blob_content: Option<Vec<u8>>,
}

impl Encoder {
    /// An encoder using the default form of each kind.
    pub fn new(platform: Platform) -> Encoder {
        Encoder {
            platform,
            form: None,
            blob_content: None,
        }
    }

    /// Uses the form named `form` (one of [`forms`]) instead of the kind's default.
    pub fn form(mut self, form: impl Into<String>) -> Self {
        self.form = Some(form.into());
        self
    }

    /// The content of a created blob (default: [`default_blob_content`]).
    pub fn blob_content(mut self, content: impl Into<Vec<u8>>) -> Self {
        self.blob_content = Some(content.into());
        self
    }

    /// Encodes `event`.
    pub fn encode(&self, event: &LogicalEvent) -> Result<Encoded, EncodeError> {
        let form = match &self.form {
            None => default_form(self.platform, event)?,
            Some(name) => {
                find_form(self.platform, name).ok_or_else(|| EncodeError::UnknownForm {
                    platform: self.platform,
                    form: name.clone(),
                    known: forms(self.platform)
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                })?
            }
        };
        if form.kind != event.kind() {
            return Err(EncodeError::WrongKind {
                platform: self.platform,
                form: form.name,
                form_kind: form.kind,
                event_kind: event.kind(),
            });
        }
        let object = match event {
            LogicalEvent::Blob(blob) if blob.change == BlobChange::Created => Some(BlobObject {
                key: blob.key.clone(),
                content: match &self.blob_content {
                    Some(content) => content.clone(),
                    None => default_blob_content(blob)?,
                },
            }),
            _ => None,
        };
        let mut losses = Vec::new();
        let input = Input {
            event,
            object: object.as_ref(),
            losses: &mut losses,
        };
        let native = match self.platform {
            Platform::Local => local::encode(form.name, input)?,
            Platform::Aws => aws::encode(form.name, input)?,
            Platform::Gcp => gcp::encode(form.name, input)?,
            Platform::Azure => azure::encode(form.name, input)?,
            Platform::OpenWhisk => openwhisk::encode(form.name, input)?,
        };
        Ok(Encoded {
            native,
            form: form.name,
            losses,
            object,
        })
    }
}

/// Encodes `event` in `platform`'s default form for its kind.
pub fn encode(platform: Platform, event: &LogicalEvent) -> Result<Encoded, EncodeError> {
    Encoder::new(platform).encode(event)
}

/// What a platform encoder gets: the event, the created blob's object, and where to note losses.
pub(crate) struct Input<'a> {
    pub event: &'a LogicalEvent,
    pub object: Option<&'a BlobObject>,
    pub losses: &'a mut Vec<Loss>,
}

impl Input<'_> {
    pub(crate) fn lose(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.losses.push(Loss::field(field, reason));
    }

    pub(crate) fn delivered_as(&mut self, kind: Kind, reason: impl Into<String>) {
        self.losses.push(Loss::kind(kind, reason));
    }

    /// The message body as text; bytes that are not UTF-8 are replaced, and the body noted as
    /// lost (`why` says why the form needs text).
    pub(crate) fn text_body(&mut self, body: &[u8], why: &str) -> String {
        match std::str::from_utf8(body) {
            Ok(text) => text.to_owned(),
            Err(_) => {
                self.lose(
                    "body_base64",
                    format!("{why}; bytes that are not UTF-8 are replaced"),
                );
                String::from_utf8_lossy(body).into_owned()
            }
        }
    }

    /// Notes a lost `source_ip` where the shim takes the client's address from the first hop of
    /// `x-forwarded-for` only (`platform` names who puts it there).
    pub(crate) fn check_forwarded_for(&mut self, http: &crate::logical::HttpEvent, platform: &str) {
        let first_hop = http.first_header("x-forwarded-for").and_then(|v| {
            let first = v.split(',').next()?.trim();
            first
                .parse::<std::net::IpAddr>()
                .ok()
                .or_else(|| first.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        });
        if first_hop.map(|ip| ip.to_string()) != http.source_ip {
            self.lose(
                "source_ip",
                format!("{platform} tells the client's address only in x-forwarded-for"),
            );
        }
    }
}

/// The largest object [`default_blob_content`] makes.
pub const MAX_DEFAULT_CONTENT: u64 = 64 * 1024 * 1024;

/// The content a created blob gets when none is given: `size` bytes of a fixed pattern (not
/// valid UTF-8, so text handling would show), or a short text when the event has no size.
pub fn default_blob_content(blob: &BlobEvent) -> Result<Vec<u8>, EncodeError> {
    match blob.size {
        None => Ok(format!("polyfaas-testkit object {}\n", blob.key).into_bytes()),
        Some(size) if size > MAX_DEFAULT_CONTENT => Err(EncodeError::invalid(
            "size",
            format!(
                "{size} bytes is more than the {MAX_DEFAULT_CONTENT} the test kit makes up; give the content"
            ),
        )),
        Some(size) => Ok((0..size)
            .map(|i| (i.wrapping_mul(131) % 251) as u8 ^ 0x80)
            .collect()),
    }
}
