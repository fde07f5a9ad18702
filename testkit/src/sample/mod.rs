//! Native sample events, generated from parameters: the events `cargo polyfaas invoke --event
//! NAME [--set key=value]...` sends.
//!
//! Every platform has the stable names `http`, `blob-created`, `blob-deleted`, `message`,
//! `schedule` and `invoke` (each in the platform's default form for it, where it has one), and
//! names of its own for its other forms (`apigw-v1`, `alb`, `sqs`, `pubsub-push`,
//! `service-bus`...). A sample is a logical event with realistic values for the platform,
//! changed by [`Params`], then encoded in the sample's form.
//!
//! ```
//! use polyfaas_testkit::{sample, Params, Platform};
//!
//! let names: Vec<&str> = sample::list(Platform::Aws).iter().map(|s| s.name).collect();
//! assert!(names.contains(&"schedule") && names.contains(&"alb"));
//!
//! let params = Params::parse(["bucket=invoices", "key=2026/03/a b.pdf", "size=52731"])?;
//! let event = sample::find(Platform::Aws, "s3-put")?.encode(&params)?;
//! let polyfaas_testkit::native::NativeEvent::Aws(lambda) = &event.native else { unreachable!() };
//! let payload: serde_json::Value = serde_json::from_slice(&lambda.payload)?;
//! assert_eq!(payload["Records"][0]["s3"]["object"]["key"], "2026/03/a+b.pdf");
//! assert_eq!(event.object.as_ref().map(|o| o.content.len()), Some(52731));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod params;

use std::collections::BTreeMap;

use serde_json::json;

pub use params::{ParamError, Params};

use crate::encode::{EncodeError, Encoded, Encoder};
use crate::logical::{
    AuthorizeEvent, BlobChange, BlobEvent, ChangeEvent, ChangeOp, HttpEvent, Kind, LogicalEvent,
    MessageEvent, ScheduleEvent,
};
use crate::Platform;

/// A sample could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SampleError {
    /// No sample of that name on the platform.
    #[error("{platform} has no sample event {name:?}; it has {known}")]
    Unknown {
        /// The platform.
        platform: Platform,
        /// The name asked for.
        name: String,
        /// The names there are.
        known: String,
    },
    /// A parameter is wrong.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// The event cannot be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// A data file's event is of another kind than the sample.
    #[error("sample {name:?} carries {kind} events, not {data} events")]
    WrongKind {
        /// The sample.
        name: &'static str,
        /// Its kind.
        kind: Kind,
        /// The data's kind.
        data: Kind,
    },
}

/// One sample event of a platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// The name (`http`, `apigw-v1`...).
    pub name: &'static str,
    /// The platform.
    pub platform: Platform,
    /// The native form it is sent in.
    pub form: &'static str,
    /// The kind of logical event it carries.
    pub kind: Kind,
    /// What it is.
    pub description: &'static str,
    /// Whether it is one of the stable names every platform has.
    pub stable: bool,
    /// The sample's own parameters, applied before the caller's.
    defaults: &'static [(&'static str, &'static str)],
}

/// Parameters a sample applies before the caller's.
type Defaults = &'static [(&'static str, &'static str)];

/// The stable names, each with the kind (and blob change) it carries.
const STABLE: [(&str, Kind, Defaults); 6] = [
    ("http", Kind::Http, &[]),
    ("blob-created", Kind::Blob, &[("change", "created")]),
    ("blob-deleted", Kind::Blob, &[("change", "deleted")]),
    ("message", Kind::Message, &[]),
    ("schedule", Kind::Schedule, &[]),
    ("invoke", Kind::Invoke, &[]),
];

/// A platform-specific sample: name, form, description, parameters.
type Specific = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const AWS: &[Specific] = &[
    (
        "apigw-v2",
        "apigw-v2",
        "API Gateway HTTP API (payload 2.0)",
        &[],
    ),
    (
        "apigw-v1",
        "apigw-v1",
        "API Gateway REST API (payload 1.0)",
        &[],
    ),
    ("function-url", "function-url", "Lambda Function URL", &[]),
    (
        "alb",
        "alb",
        "Application Load Balancer, single-value headers",
        &[],
    ),
    (
        "alb-multi",
        "alb-multi",
        "Application Load Balancer, multi-value headers",
        &[],
    ),
    (
        "s3-put",
        "s3",
        "S3 ObjectCreated:Put",
        &[("change", "created")],
    ),
    (
        "s3-delete",
        "s3",
        "S3 ObjectRemoved:Delete",
        &[("change", "deleted")],
    ),
    (
        "sns",
        "sns",
        "SNS notification",
        &[("source", "arn:aws:sns:eu-west-1:123456789012:orders")],
    ),
    (
        "sqs",
        "sqs",
        "SQS batch of one (answer: batchItemFailures)",
        &[("source", "arn:aws:sqs:eu-west-1:123456789012:orders")],
    ),
    (
        "kinesis",
        "kinesis",
        "Kinesis Data Streams record (answer: batchItemFailures)",
        &[
            ("source", "orders"),
            ("attribute.partition_key", "order-7"),
            (
                "attribute.sequence_number",
                "49590338271490256608559692538361571095921575989136588898",
            ),
            ("attribute.enqueued_time", "2026-03-01T09:00:00.500Z"),
            ("attribute.origin", ""),
        ],
    ),
    (
        "dynamodb",
        "dynamodb",
        "DynamoDB Streams record, INSERT/MODIFY/REMOVE (answer: batchItemFailures)",
        &[],
    ),
    (
        "kafka",
        "kafka",
        "Kafka record from Amazon MSK",
        &[
            ("source", "orders-0"),
            ("id", "orders-0:15"),
            ("attribute.partition", "0"),
            ("attribute.offset", "15"),
            ("attribute.enqueued_time", "2026-03-01T09:00:00.500Z"),
            ("attribute.key", "order-7"),
        ],
    ),
    (
        "authorizer-token",
        "authorizer-token",
        "API Gateway REST TOKEN authorizer (answer: IAM policy)",
        &[("request", "")],
    ),
    (
        "authorizer-request",
        "authorizer-request",
        "API Gateway REST REQUEST authorizer (answer: IAM policy)",
        &[],
    ),
    (
        "authorizer-v2",
        "authorizer-v2",
        "API Gateway HTTP API authorizer, payload 2.0 (answer: simple response)",
        &[],
    ),
    (
        "authorizer-v2-payload1",
        "authorizer-v2-payload1",
        "API Gateway HTTP API authorizer, payload 1.0 (answer: IAM policy)",
        &[],
    ),
    (
        "eventbridge-schedule",
        "eventbridge-schedule",
        "EventBridge scheduled rule",
        &[],
    ),
];

const GCP: &[Specific] = &[
    (
        "storage-finalized",
        "storage",
        "Cloud Storage object finalized (CloudEvent)",
        &[("change", "created")],
    ),
    (
        "storage-deleted",
        "storage",
        "Cloud Storage object deleted (CloudEvent)",
        &[("change", "deleted")],
    ),
    (
        "legacy-storage",
        "legacy-storage",
        "legacy google.storage.object.finalize",
        &[("change", "created")],
    ),
    (
        "legacy-storage-delete",
        "legacy-storage",
        "legacy google.storage.object.delete",
        &[("change", "deleted")],
    ),
    (
        "pubsub",
        "pubsub",
        "Pub/Sub messagePublished (CloudEvent)",
        &[],
    ),
    ("pubsub-push", "pubsub-push", "raw Pub/Sub push", &[]),
    (
        "legacy-pubsub",
        "legacy-pubsub",
        "legacy google.pubsub.topic.publish",
        &[],
    ),
    (
        "firestore",
        "firestore",
        "Firestore document updated (CloudEvent)",
        &[],
    ),
    (
        "firestore-created",
        "firestore",
        "Firestore document created (CloudEvent, JSON data)",
        &[("op", "insert"), ("old", "")],
    ),
    (
        "firestore-updated",
        "firestore",
        "Firestore document updated (CloudEvent, JSON data)",
        &[("op", "modify")],
    ),
    (
        "firestore-deleted",
        "firestore",
        "Firestore document deleted (CloudEvent, JSON data)",
        &[("op", "remove"), ("new", "")],
    ),
    (
        "firestore-written",
        "firestore",
        "Firestore document written (CloudEvent, JSON data)",
        &[("op", "upsert")],
    ),
    (
        "firestore-protobuf",
        "firestore-protobuf",
        "Firestore document updated (CloudEvent, application/protobuf data)",
        &[("op", "modify")],
    ),
    (
        "legacy-firestore",
        "legacy-firestore",
        "legacy Firestore document update",
        &[],
    ),
    ("scheduler", "scheduler", "Cloud Scheduler HTTP target", &[]),
    (
        "scheduler-http",
        "scheduler",
        "Cloud Scheduler HTTP target with the x-polyfaas-schedule mark",
        &[],
    ),
    (
        "scheduler-pubsub",
        "scheduler-pubsub",
        "Cloud Scheduler Pub/Sub target (attribute polyfaas_schedule) through Eventarc",
        &[],
    ),
    (
        "cloudevent",
        "cloudevent",
        "CloudEvent of a custom type",
        &[],
    ),
];

const AZURE: &[Specific] = &[
    ("blob", "blob", "blob trigger", &[("change", "created")]),
    (
        "event-grid-blob-created",
        "event-grid",
        "Event Grid Microsoft.Storage.BlobCreated",
        &[("change", "created")],
    ),
    (
        "event-grid-blob-deleted",
        "event-grid",
        "Event Grid Microsoft.Storage.BlobDeleted",
        &[("change", "deleted")],
    ),
    ("queue", "queue", "Storage queue trigger", &[]),
    (
        "service-bus",
        "service-bus",
        "Service Bus queue trigger",
        &[],
    ),
    (
        "service-bus-topic",
        "service-bus-topic",
        "Service Bus topic subscription trigger",
        &[("source", "orders/subscriptions/billing")],
    ),
    ("event-hubs", "event-hubs", "Event Hubs trigger", &[]),
    (
        "event-hubs-batch",
        "event-hubs-batch",
        "Event Hubs trigger, cardinality many (a batch of one)",
        &[("attribute.enqueued_time", "2026-03-01T09:00:00.125Z")],
    ),
    (
        "cosmos",
        "cosmos",
        "Cosmos DB change feed trigger",
        &[("op", "upsert"), ("old", ""), ("source", "shop/orders")],
    ),
    ("timer", "timer", "timer trigger", &[]),
];

const OPENWHISK: &[Specific] = &[
    ("web", "web", "raw web action", &[]),
    ("activation", "activation", "plain activation", &[]),
    ("alarm", "alarm", "alarms feed trigger", &[]),
    ("kafka", "kafka", "messaging feed (Kafka) trigger", &[]),
];

/// Per platform, values of its samples that differ from the logical defaults (`form`: the
/// sample's native form; `deleted`: the sample is a deleted blob).
fn platform_defaults(
    platform: Platform,
    kind: Kind,
    form: &str,
    deleted: bool,
) -> &'static [(&'static str, &'static str)] {
    match (platform, kind) {
        // Azure's Service Bus and Event Hubs messages: the positions the host always sends.
        (Platform::Azure, Kind::Message) if form.starts_with("service-bus") => &[
            ("attribute.delivery_count", "1"),
            ("attribute.sequence_number", "310"),
            ("attribute.enqueued_time", "2026-03-01T09:00:00Z"),
        ],
        (Platform::Azure, Kind::Message) if form.starts_with("event-hubs") => &[
            ("attribute.partition_key", "order-7"),
            ("attribute.partition", "0"),
            ("attribute.offset", "4096"),
            ("attribute.sequence_number", "42"),
            ("attribute.enqueued_time", "2026-03-01T09:00:00Z"),
        ],
        // S3 deletion notifications have no size or ETag.
        (Platform::Aws, Kind::Blob) if deleted => &[("size", ""), ("etag", "")],
        (Platform::Aws, Kind::Message) => {
            &[("source", "arn:aws:sns:eu-west-1:123456789012:orders")]
        }
        (Platform::Gcp, Kind::Message) => &[("source", "projects/polyfaas-testkit/topics/orders")],
        // Firestore names a document by its path below the database.
        (Platform::Gcp, Kind::Change) => &[("key", "orders/order-7")],
        (Platform::Azure, Kind::Message) => &[
            ("attribute.origin", ""),
            ("attribute.dequeue_count", "1"),
            ("attribute.insertion_time", "2026-03-01T09:00:00+00:00"),
            ("attribute.expiration_time", "2026-03-08T09:00:00+00:00"),
            ("attribute.next_visible_time", "2026-03-01T09:10:00+00:00"),
        ],
        (Platform::Gcp | Platform::Local, Kind::Http) => &[("source_ip", "127.0.0.1")],
        (Platform::Aws, Kind::Http | Kind::Authorize) => &[("source_ip", "198.51.100.7")],
        // Cloud Storage and Azure Blob objects always have a content type.
        (Platform::Gcp | Platform::Azure, Kind::Blob) => &[("content_type", "text/csv")],
        (Platform::Azure | Platform::OpenWhisk, Kind::Http) => {
            &[("header.x-forwarded-for", "198.51.100.7")]
        }
        _ => &[],
    }
}

/// Every sample of `platform`: the stable names it has a form for, then its own.
pub fn list(platform: Platform) -> Vec<Sample> {
    let mut samples = Vec::new();
    for (name, kind, defaults) in STABLE {
        let event = base_event(kind, defaults);
        if let Ok(form) = crate::encode::default_form(platform, &event) {
            samples.push(Sample {
                name,
                platform,
                form: form.name,
                kind,
                description: form.description,
                stable: true,
                defaults,
            });
        }
    }
    let specific = match platform {
        Platform::Local => &[][..],
        Platform::Aws => AWS,
        Platform::Gcp => GCP,
        Platform::Azure => AZURE,
        Platform::OpenWhisk => OPENWHISK,
    };
    for (name, form, description, defaults) in specific {
        if let Some(form) = crate::encode::forms(platform)
            .iter()
            .find(|f| f.name == *form)
        {
            samples.push(Sample {
                name,
                platform,
                form: form.name,
                kind: form.kind,
                description,
                stable: false,
                defaults,
            });
        }
    }
    samples
}

/// The sample `name` of `platform`.
pub fn find(platform: Platform, name: &str) -> Result<Sample, SampleError> {
    let samples = list(platform);
    samples
        .iter()
        .find(|s| s.name == name)
        .copied()
        .ok_or_else(|| SampleError::Unknown {
            platform,
            name: name.to_owned(),
            known: samples
                .iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

impl Sample {
    /// The sample's logical event with `params` applied.
    pub fn event(&self, params: &Params) -> Result<LogicalEvent, SampleError> {
        let mut event = base_event(self.kind, &[]);
        self.apply(&mut event, params)?;
        Ok(event)
    }

    fn apply(&self, event: &mut LogicalEvent, params: &Params) -> Result<(), SampleError> {
        let deleted = self.defaults.contains(&("change", "deleted"));
        let own = Params::parse(
            platform_defaults(self.platform, self.kind, self.form, deleted)
                .iter()
                .chain(self.defaults)
                .map(|(k, v)| format!("{k}={v}")),
        )?;
        own.apply(event)?;
        params.apply(event)?;
        Ok(())
    }

    /// The sample's event with `params` applied, in the sample's form.
    pub fn encode(&self, params: &Params) -> Result<Encoded, SampleError> {
        let event = self.event(params)?;
        self.encode_event(&event, params)
    }

    /// Encodes `event` (say, read from a `--data` file) in the sample's form, with `params`
    /// applied on top.
    pub fn encode_data(
        &self,
        data: &LogicalEvent,
        params: &Params,
    ) -> Result<Encoded, SampleError> {
        if data.kind() != self.kind {
            return Err(SampleError::WrongKind {
                name: self.name,
                kind: self.kind,
                data: data.kind(),
            });
        }
        let mut event = data.clone();
        params.apply(&mut event)?;
        self.encode_event(&event, params)
    }

    fn encode_event(&self, event: &LogicalEvent, params: &Params) -> Result<Encoded, SampleError> {
        let mut encoder = Encoder::new(self.platform).form(self.form);
        if let Some(content) = params.blob_content()? {
            encoder = encoder.blob_content(content);
        }
        Ok(encoder.encode(event)?)
    }
}

/// The logical defaults of each kind, with `params` applied.
fn base_event(kind: Kind, params: &[(&str, &str)]) -> LogicalEvent {
    let mut event = match kind {
        Kind::Http => LogicalEvent::Http(base_http()),
        Kind::Blob => LogicalEvent::Blob(BlobEvent {
            change: BlobChange::Created,
            store: "uploads".to_owned(),
            key: "reports/2026-03 summary.csv".to_owned(),
            size: Some(26),
            etag: Some("9b2cf535f27731c974343645a3985328".to_owned()),
            content_type: None,
        }),
        Kind::Message => LogicalEvent::Message(MessageEvent {
            id: "8c1f6e3a-2b4d-4e5f-9a0b-1c2d3e4f5a6b".to_owned(),
            source: "orders".to_owned(),
            body: br#"{"order":7}"#.to_vec(),
            attributes: BTreeMap::from([("origin".to_owned(), "web".to_owned())]),
        }),
        Kind::Change => LogicalEvent::Change(ChangeEvent {
            id: "c0ffee00-0000-4000-8000-000000000007".to_owned(),
            source: "orders".to_owned(),
            op: ChangeOp::Modify,
            key: Some(json!({"id": "order-7"})),
            old: Some(json!({"id": "order-7", "status": "new"})),
            new: Some(json!({"id": "order-7", "status": "paid"})),
        }),
        Kind::Schedule => LogicalEvent::Schedule(ScheduleEvent {
            name: Some("nightly".to_owned()),
            time: Some("2026-03-01T02:00:00Z".to_owned()),
        }),
        Kind::Authorize => {
            let mut request = base_http();
            let token = "Bearer allow-me";
            request
                .headers
                .insert("authorization".to_owned(), vec![token.to_owned()]);
            LogicalEvent::Authorize(AuthorizeEvent {
                token: Some(token.to_owned()),
                resource: "arn:aws:execute-api:eu-west-1:123456789012:k7t3stk1t0/prod/GET/hello"
                    .to_owned(),
                request: Some(request),
            })
        }
        Kind::Invoke => LogicalEvent::Invoke(json!({"order": 7})),
    };
    if let LogicalEvent::Blob(blob) = &mut event {
        for (key, value) in params {
            if *key == "change" && *value == "deleted" {
                blob.change = BlobChange::Deleted;
            }
        }
    }
    event
}

/// The request of the http sample, and of the authorizer samples.
fn base_http() -> HttpEvent {
    HttpEvent {
        method: "GET".to_owned(),
        path: "/hello".to_owned(),
        query: "name=polyfaas".to_owned(),
        headers: BTreeMap::from([
            ("accept".to_owned(), vec!["*/*".to_owned()]),
            ("host".to_owned(), vec!["example.com".to_owned()]),
            ("user-agent".to_owned(), vec!["polyfaas-testkit".to_owned()]),
        ]),
        body: Vec::new(),
        source_ip: None,
    }
}
