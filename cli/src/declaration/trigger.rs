//! The platform-neutral triggers of `polyfaas.toml` and the keys each type takes.

use super::error::DeclarationError;
use super::names;
use super::raw::RawTrigger;
use super::schedule::Schedule;

/// One declared trigger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    /// Its name: the Azure function, the EventBridge rule, the Cloud Scheduler job, the OpenWhisk
    /// trigger, and part of every generated resource name.
    pub name: String,
    /// What fires the function.
    pub kind: TriggerKind,
}

/// What fires the function.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TriggerKind {
    /// HTTP requests.
    Http {
        /// Who may call.
        auth: HttpAuth,
    },
    /// An object created or deleted in a bucket (S3, Cloud Storage) or container (Azure Blob).
    Blob {
        /// The bucket or container.
        bucket: String,
        /// Only keys starting with this.
        prefix: Option<String>,
        /// Fire on created objects.
        created: bool,
        /// Fire on deleted objects.
        deleted: bool,
    },
    /// Messages of a queue (SQS, Azure Storage queue or Service Bus queue).
    Queue {
        /// The queue's name.
        queue: String,
        /// Messages per invocation, where the platform batches.
        batch_size: Option<u32>,
    },
    /// Messages published to a topic (SNS, Pub/Sub, Service Bus topic).
    Topic {
        /// The topic's name.
        topic: String,
    },
    /// Records of a stream (Kinesis, Event Hubs, Kafka).
    Stream {
        /// Which service.
        source: StreamSource,
        /// The stream, event hub or Kafka topic.
        stream: String,
        /// Records per invocation, where the platform batches.
        batch_size: Option<u32>,
        /// Where a new reader starts.
        start: StartPosition,
    },
    /// Changes of a table (DynamoDB table, Firestore collection, Cosmos DB container).
    Change {
        /// The table, collection or container.
        table: String,
        /// Records per invocation, where the platform batches.
        batch_size: Option<u32>,
        /// Where a new reader starts.
        start: StartPosition,
    },
    /// A timer, in UTC.
    Schedule(Schedule),
}

/// Who may call an HTTP trigger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpAuth {
    /// Anyone.
    Public,
    /// Callers the platform authenticates (IAM, a function key, an OpenWhisk key).
    Authenticated,
}

/// The service behind a `stream` trigger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamSource {
    /// Amazon Kinesis Data Streams.
    Kinesis,
    /// Azure Event Hubs.
    EventHubs,
    /// Apache Kafka (Amazon MSK on AWS).
    Kafka,
}

/// Where a new stream reader starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartPosition {
    /// With records written from now on.
    Latest,
    /// With the oldest record kept.
    Oldest,
}

impl TriggerKind {
    /// The `type` it is declared with.
    pub fn type_name(&self) -> &'static str {
        match self {
            TriggerKind::Http { .. } => "http",
            TriggerKind::Blob { .. } => "blob",
            TriggerKind::Queue { .. } => "queue",
            TriggerKind::Topic { .. } => "topic",
            TriggerKind::Stream { .. } => "stream",
            TriggerKind::Change { .. } => "change",
            TriggerKind::Schedule(_) => "schedule",
        }
    }
}

impl StreamSource {
    /// As declared.
    pub fn as_str(&self) -> &'static str {
        match self {
            StreamSource::Kinesis => "kinesis",
            StreamSource::EventHubs => "event-hubs",
            StreamSource::Kafka => "kafka",
        }
    }
}

const TYPES: &str = "http, blob, queue, topic, stream, change, schedule";

/// The keys each type accepts besides `name` and `type`.
fn accepted(kind: &str) -> &'static [&'static str] {
    match kind {
        "http" => &["auth"],
        "blob" => &["bucket", "prefix", "events"],
        "queue" => &["queue", "batch_size"],
        "topic" => &["topic"],
        "stream" => &["source", "stream", "batch_size", "start"],
        "change" => &["table", "batch_size", "start"],
        "schedule" => &["cron", "rate"],
        _ => &[],
    }
}

impl Trigger {
    /// Checks `trigger[index]` and types it.
    pub(crate) fn from_raw(index: usize, raw: RawTrigger) -> Result<Trigger, DeclarationError> {
        let at = |key: &str| format!("trigger[{index}].{key}");
        let Some(kind) = raw.kind.clone() else {
            return Err(DeclarationError::invalid(
                at("type"),
                format!("missing: every trigger has a `type` ({TYPES})"),
            ));
        };
        let unknown = || {
            DeclarationError::invalid(
                at("type"),
                format!("unknown trigger type {kind:?}: use one of {TYPES}"),
            )
        };
        if accepted(&kind).is_empty() {
            return Err(unknown());
        }
        for (key, present) in raw.present_keys() {
            if present && !accepted(&kind).contains(&key) {
                return Err(DeclarationError::invalid(
                    at(key),
                    format!(
                        "a {kind} trigger takes no `{key}` (it takes: {})",
                        accepted(&kind).join(", ")
                    ),
                ));
            }
        }
        let name = raw.name.clone().unwrap_or_else(|| kind.clone());
        names::check_trigger_name(&name).map_err(|m| DeclarationError::invalid(at("name"), m))?;
        let required = |value: Option<String>, key: &str| {
            value.ok_or_else(|| {
                DeclarationError::invalid(
                    at(key),
                    format!("missing: a {kind} trigger needs `{key}`"),
                )
            })
        };
        let batch = |value: Option<u32>| match value {
            Some(0) | Some(10_001..) => Err(DeclarationError::invalid(
                at("batch_size"),
                "must be from 1 to 10000",
            )),
            other => Ok(other),
        };
        let start = |value: Option<String>| match value.as_deref() {
            None | Some("latest") => Ok(StartPosition::Latest),
            Some("oldest") => Ok(StartPosition::Oldest),
            Some(other) => Err(DeclarationError::invalid(
                at("start"),
                format!("{other:?} is not a start position: use \"latest\" or \"oldest\""),
            )),
        };
        let kind = match kind.as_str() {
            "http" => TriggerKind::Http {
                auth: match raw.auth.as_deref() {
                    None | Some("public") => HttpAuth::Public,
                    Some("authenticated") => HttpAuth::Authenticated,
                    Some(other) => {
                        return Err(DeclarationError::invalid(
                            at("auth"),
                            format!("{other:?} is not an auth mode: use \"public\" or \"authenticated\""),
                        ))
                    }
                },
            },
            "blob" => {
                let bucket = required(raw.bucket, "bucket")?;
                names::check_bucket(&bucket).map_err(|m| DeclarationError::invalid(at("bucket"), m))?;
                let (created, deleted) = blob_events(raw.events.as_deref())
                    .map_err(|m| DeclarationError::invalid(at("events"), m))?;
                if let Some(prefix) = &raw.prefix {
                    names::check_prefix(prefix).map_err(|m| DeclarationError::invalid(at("prefix"), m))?;
                }
                TriggerKind::Blob {
                    bucket,
                    prefix: raw.prefix.filter(|p| !p.is_empty()),
                    created,
                    deleted,
                }
            }
            "queue" => {
                let queue = required(raw.queue, "queue")?;
                names::check_queue(&queue).map_err(|m| DeclarationError::invalid(at("queue"), m))?;
                TriggerKind::Queue {
                    queue,
                    batch_size: batch(raw.batch_size)?,
                }
            }
            "topic" => {
                let topic = required(raw.topic, "topic")?;
                names::check_resource(&topic).map_err(|m| DeclarationError::invalid(at("topic"), m))?;
                TriggerKind::Topic { topic }
            }
            "stream" => {
                let source = match required(raw.source, "source")?.as_str() {
                    "kinesis" => StreamSource::Kinesis,
                    "event-hubs" => StreamSource::EventHubs,
                    "kafka" => StreamSource::Kafka,
                    other => {
                        return Err(DeclarationError::invalid(
                            at("source"),
                            format!("{other:?} is not a stream source: use \"kinesis\", \"event-hubs\" or \"kafka\""),
                        ))
                    }
                };
                let stream = required(raw.stream, "stream")?;
                names::check_resource(&stream).map_err(|m| DeclarationError::invalid(at("stream"), m))?;
                TriggerKind::Stream {
                    source,
                    stream,
                    batch_size: batch(raw.batch_size)?,
                    start: start(raw.start)?,
                }
            }
            "change" => {
                let table = required(raw.table, "table")?;
                names::check_resource(&table).map_err(|m| DeclarationError::invalid(at("table"), m))?;
                TriggerKind::Change {
                    table,
                    batch_size: batch(raw.batch_size)?,
                    start: start(raw.start)?,
                }
            }
            "schedule" => TriggerKind::Schedule(match (raw.cron, raw.rate) {
                (Some(cron), None) => {
                    Schedule::cron(&cron).map_err(|m| DeclarationError::invalid(at("cron"), m))?
                }
                (None, Some(rate)) => {
                    Schedule::rate(&rate).map_err(|m| DeclarationError::invalid(at("rate"), m))?
                }
                (Some(_), Some(_)) => {
                    return Err(DeclarationError::invalid(
                        at("rate"),
                        "a schedule has either `cron` or `rate`, not both",
                    ))
                }
                (None, None) => {
                    return Err(DeclarationError::invalid(
                        at("cron"),
                        "missing: a schedule trigger needs `cron` (\"0 2 * * *\", UTC) or `rate` (\"5 minutes\")",
                    ))
                }
            }),
            _ => return Err(unknown()),
        };
        Ok(Trigger { name, kind })
    }
}

fn blob_events(events: Option<&[String]>) -> Result<(bool, bool), String> {
    let Some(events) = events else {
        return Ok((true, false));
    };
    let mut created = false;
    let mut deleted = false;
    for event in events {
        match event.as_str() {
            "created" => created = true,
            "deleted" => deleted = true,
            other => {
                return Err(format!(
                    "{other:?} is not a blob event: use \"created\" and/or \"deleted\""
                ))
            }
        }
    }
    if !(created || deleted) {
        return Err("empty: list \"created\" and/or \"deleted\"".to_owned());
    }
    Ok((created, deleted))
}

impl RawTrigger {
    fn present_keys(&self) -> [(&'static str, bool); 13] {
        [
            ("auth", self.auth.is_some()),
            ("bucket", self.bucket.is_some()),
            ("prefix", self.prefix.is_some()),
            ("events", self.events.is_some()),
            ("queue", self.queue.is_some()),
            ("topic", self.topic.is_some()),
            ("batch_size", self.batch_size.is_some()),
            ("source", self.source.is_some()),
            ("stream", self.stream.is_some()),
            ("start", self.start.is_some()),
            ("table", self.table.is_some()),
            ("cron", self.cron.is_some()),
            ("rate", self.rate.is_some()),
        ]
    }
}
