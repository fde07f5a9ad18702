//! `polyfaas.toml`: the one declaration of a function's deployment, beside its Cargo.toml.
//!
//! ```
//! use polyfaas_cli::declaration::{Declaration, TriggerKind};
//!
//! let declaration = Declaration::parse(r#"
//!     [function]
//!     name = "thumbnails"
//!     memory = 512
//!     timeout = 60
//!
//!     [environment]
//!     RUST_LOG = "info"
//!
//!     [[trigger]]
//!     name = "uploads"
//!     type = "blob"
//!     bucket = "photos"
//!     prefix = "in/"
//!
//!     [[trigger]]
//!     name = "nightly"
//!     type = "schedule"
//!     cron = "0 2 * * *"
//! "#)?;
//! assert_eq!(declaration.name, "thumbnails");
//! assert!(matches!(declaration.triggers[0].kind, TriggerKind::Blob { .. }));
//! assert!(declaration.needs_blob_backend());
//! # Ok::<(), polyfaas_cli::declaration::DeclarationError>(())
//! ```
//!
//! The keys, all optional except each trigger's own:
//!
//! | key | meaning |
//! |---|---|
//! | `[function]` `name`, `memory` (MiB, default 256), `timeout` (seconds, default 30) | the function |
//! | `[environment]` | variables set on every platform |
//! | `[blob]` `store` | the bucket or container behind `ctx.blobs()` (`"bucket"` or `"bucket/prefix"`): sets `POLYFAAS_BLOB_URL`, compiles the cloud blob backend in, grants access on AWS |
//! | `[[trigger]]` `name`, `type` | one per trigger; `type` is `http`, `blob`, `queue`, `topic`, `stream`, `change` or `schedule` |
//! | http: `auth` | `"public"` (default) or `"authenticated"` |
//! | blob: `bucket`, `prefix`, `events` | `events`: `["created"]` (default), `"deleted"` |
//! | queue: `queue`, `batch_size` | |
//! | topic: `topic` | |
//! | stream: `source`, `stream`, `batch_size`, `start` | `source`: `kinesis`, `event-hubs`, `kafka`; `start`: `latest` (default) or `oldest` |
//! | change: `table`, `batch_size`, `start` | a DynamoDB table, Firestore collection or Cosmos DB container |
//! | schedule: `cron` or `rate` | five-field cron in UTC, or `"N minutes|hours|days"` |
//! | `[aws]` `memory`, `timeout`, `region`; `[aws.trigger.NAME]` `stream_arn` (change), `cluster_arn` (Kafka on MSK) | |
//! | `[gcp]` `memory`, `timeout`, `project`, `region`, `image`, `concurrency`, `max_instances`; `[gcp.trigger.NAME]` `target` (schedule: `http` or `pubsub`), `topic` (the schedule's Pub/Sub topic), `database` (Firestore) | |
//! | `[azure]` `memory`, `timeout`, `forwarding`; `[azure.trigger.NAME]` `service` (queue: `storage` or `service-bus`), `connection`, `subscription` (topic), `database` (change), `consumer_group` (event hubs), `lease_container` (change) | |
//! | `[openwhisk]` `memory`, `timeout`, `package`, `blob_url` | |

mod error;
mod names;
mod raw;
mod schedule;
mod trigger;

use std::collections::BTreeMap;
use std::path::Path;

pub use error::DeclarationError;
pub(crate) use names::{check_function_name, function_name_from_package, pascal_case};
pub use schedule::{Cron, Inexpressible, Rate, RateUnit, Schedule};
pub use trigger::{HttpAuth, StartPosition, StreamSource, Trigger, TriggerKind};

use raw::RawFile;

/// The file's name, beside Cargo.toml.
pub const FILE_NAME: &str = "polyfaas.toml";

/// The memory a function gets when none is declared, in MiB.
pub const DEFAULT_MEMORY: u32 = 256;
/// The timeout a function gets when none is declared, in seconds.
pub const DEFAULT_TIMEOUT: u32 = 30;

/// A checked `polyfaas.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Declaration {
    /// The function's name on every platform.
    pub name: String,
    /// Memory in MiB.
    pub memory: u32,
    /// Timeout in seconds.
    pub timeout: u32,
    /// Environment variables.
    pub environment: BTreeMap<String, String>,
    /// `[blob] store`: the bucket (and prefix) behind `ctx.blobs()`.
    pub blob_store: Option<String>,
    /// The triggers, in the order declared.
    pub triggers: Vec<Trigger>,
    /// `[aws]`.
    pub aws: AwsSettings,
    /// `[gcp]`.
    pub gcp: GcpSettings,
    /// `[azure]`.
    pub azure: AzureSettings,
    /// `[openwhisk]`.
    pub openwhisk: OpenWhiskSettings,
}

/// `[aws]` and `[aws.trigger.NAME]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwsSettings {
    /// Overrides `[function] memory`.
    pub memory: Option<u32>,
    /// Overrides `[function] timeout`.
    pub timeout: Option<u32>,
    /// The region the deploy command names.
    pub region: Option<String>,
    /// `stream_arn` per change trigger: a DynamoDB stream's ARN.
    pub stream_arns: BTreeMap<String, String>,
    /// `cluster_arn` per Kafka trigger: the MSK cluster's ARN.
    pub cluster_arns: BTreeMap<String, String>,
}

/// `[gcp]` and `[gcp.trigger.NAME]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GcpSettings {
    /// Overrides `[function] memory`.
    pub memory: Option<u32>,
    /// Overrides `[function] timeout`.
    pub timeout: Option<u32>,
    /// The Google Cloud project.
    pub project: Option<String>,
    /// The region (default `us-central1`).
    pub region: Option<String>,
    /// The container image (default: Artifact Registry in the project and region).
    pub image: Option<String>,
    /// `containerConcurrency` (default 80).
    pub concurrency: Option<u32>,
    /// `autoscaling.knative.dev/maxScale`.
    pub max_instances: Option<u32>,
    /// Per schedule: `http` or `pubsub` Cloud Scheduler target.
    pub schedule_targets: BTreeMap<String, ScheduleTarget>,
    /// Per schedule with a Pub/Sub target: the topic.
    pub schedule_topics: BTreeMap<String, String>,
    /// Per change trigger: the Firestore database (default `(default)`).
    pub databases: BTreeMap<String, String>,
}

/// How Cloud Scheduler calls the function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScheduleTarget {
    /// An HTTP POST to the service (marked with a header).
    Http,
    /// A Pub/Sub message (marked with an attribute), delivered through Eventarc.
    PubSub,
}

/// `[azure]` and `[azure.trigger.NAME]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AzureSettings {
    /// Overrides `[function] memory` (Azure plans fix memory; only checked).
    pub memory: Option<u32>,
    /// Overrides `[function] timeout`.
    pub timeout: Option<u32>,
    /// `enableForwardingHttpRequest` (default: on when an http trigger is declared).
    pub forwarding: Option<bool>,
    /// Per trigger.
    pub triggers: BTreeMap<String, AzureTriggerSettings>,
}

/// `[azure.trigger.NAME]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AzureTriggerSettings {
    /// For a queue: Service Bus instead of a Storage queue.
    pub service_bus: bool,
    /// The app setting holding the connection.
    pub connection: Option<String>,
    /// For a topic: the Service Bus subscription.
    pub subscription: Option<String>,
    /// For a change trigger: the Cosmos DB database.
    pub database: Option<String>,
    /// For Event Hubs: the consumer group.
    pub consumer_group: Option<String>,
    /// For a change trigger: the lease container.
    pub lease_container: Option<String>,
}

/// `[openwhisk]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenWhiskSettings {
    /// Overrides `[function] memory`.
    pub memory: Option<u32>,
    /// Overrides `[function] timeout`.
    pub timeout: Option<u32>,
    /// The manifest's package (default: the function's name).
    pub package: Option<String>,
    /// The blob store URL (OpenWhisk has none of its own): `s3://`, `gs://` or `az://`.
    pub blob_url: Option<String>,
}

impl Declaration {
    /// Reads `polyfaas.toml` at `path`; `package` names the function when `[function] name` is
    /// not set.
    pub fn load(path: &Path, package: &str) -> Result<Declaration, DeclarationError> {
        let text = std::fs::read_to_string(path).map_err(|source| DeclarationError::Read {
            path: path.to_owned(),
            source,
        })?;
        Declaration::parse_with_default(&text, &function_name_from_package(package))
    }

    /// Parses a declaration whose default name is `function`.
    pub fn parse(text: &str) -> Result<Declaration, DeclarationError> {
        Declaration::parse_with_default(text, "function")
    }

    /// Parses a declaration; `default_name` names the function when `[function] name` is not set.
    pub fn parse_with_default(
        text: &str,
        default_name: &str,
    ) -> Result<Declaration, DeclarationError> {
        let deserializer =
            toml::Deserializer::parse(text).map_err(|e| DeclarationError::Syntax {
                key: "(document)".to_owned(),
                message: toml_message(text, &e),
            })?;
        let raw: RawFile = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let key = e.path().to_string();
            DeclarationError::Syntax {
                key: if key == "." {
                    "(document)".to_owned()
                } else {
                    key
                },
                message: toml_message(text, e.inner()),
            }
        })?;
        Declaration::from_raw(raw, default_name)
    }

    fn from_raw(raw: RawFile, default_name: &str) -> Result<Declaration, DeclarationError> {
        let name_key = if raw.function.name.is_some() {
            "function.name"
        } else {
            "function.name (from the package name)"
        };
        let name = raw.function.name.unwrap_or_else(|| default_name.to_owned());
        names::check_function_name(&name).map_err(|m| invalid(name_key, m))?;
        let memory = raw.function.memory.unwrap_or(DEFAULT_MEMORY);
        check_memory("function.memory", memory)?;
        let timeout = raw.function.timeout.unwrap_or(DEFAULT_TIMEOUT);
        check_timeout("function.timeout", timeout)?;

        for key in raw.environment.keys() {
            names::check_env_name(key).map_err(|m| invalid(format!("environment.{key}"), m))?;
        }
        let blob_store = match raw.blob.and_then(|b| b.store) {
            Some(store) => {
                let bucket = store.split_once('/').map_or(store.as_str(), |(b, _)| b);
                names::check_bucket(bucket).map_err(|m| invalid("blob.store", m))?;
                if raw.environment.contains_key(BLOB_URL) {
                    return Err(invalid(
                        format!("environment.{BLOB_URL}"),
                        "set by `[blob] store`: declare one or the other",
                    ));
                }
                Some(store)
            }
            None => None,
        };

        let mut triggers: Vec<Trigger> = Vec::new();
        for (index, raw_trigger) in raw.trigger.into_iter().enumerate() {
            let trigger = Trigger::from_raw(index, raw_trigger)?;
            if triggers.iter().any(|t| t.name == trigger.name) {
                return Err(invalid(
                    format!("trigger[{index}].name"),
                    format!(
                        "two triggers are named {:?}: give each a distinct `name`",
                        trigger.name
                    ),
                ));
            }
            if matches!(trigger.kind, TriggerKind::Http { .. })
                && triggers
                    .iter()
                    .any(|t| matches!(t.kind, TriggerKind::Http { .. }))
            {
                return Err(invalid(
                    format!("trigger[{index}].type"),
                    "a function has at most one http trigger (it receives every path)",
                ));
            }
            triggers.push(trigger);
        }
        let trigger_named = |platform: &str, name: &str| {
            triggers.iter().find(|t| t.name == name).ok_or_else(|| {
                invalid(
                    format!("{platform}.trigger.{name}"),
                    format!("no trigger is named {name:?}"),
                )
            })
        };

        let mut aws = AwsSettings {
            memory: raw.aws.memory,
            timeout: raw.aws.timeout,
            region: raw.aws.region,
            ..AwsSettings::default()
        };
        for (name, t) in raw.aws.trigger {
            trigger_named("aws", &name)?;
            if let Some(arn) = t.stream_arn {
                check_arn(&format!("aws.trigger.{name}.stream_arn"), &arn, "dynamodb")?;
                aws.stream_arns.insert(name.clone(), arn);
            }
            if let Some(arn) = t.cluster_arn {
                check_arn(&format!("aws.trigger.{name}.cluster_arn"), &arn, "kafka")?;
                aws.cluster_arns.insert(name, arn);
            }
        }

        let mut gcp = GcpSettings {
            memory: raw.gcp.memory,
            timeout: raw.gcp.timeout,
            project: raw.gcp.project,
            region: raw.gcp.region,
            image: raw.gcp.image,
            concurrency: raw.gcp.concurrency,
            max_instances: raw.gcp.max_instances,
            ..GcpSettings::default()
        };
        if let Some(concurrency) = gcp.concurrency {
            if !(1..=1000).contains(&concurrency) {
                return Err(invalid("gcp.concurrency", "must be from 1 to 1000"));
            }
        }
        for (name, t) in raw.gcp.trigger {
            let trigger = trigger_named("gcp", &name)?;
            let key = |k: &str| format!("gcp.trigger.{name}.{k}");
            let is_schedule = matches!(trigger.kind, TriggerKind::Schedule(_));
            if let Some(target) = t.target {
                if !is_schedule {
                    return Err(invalid(
                        key("target"),
                        "only a schedule trigger has a target",
                    ));
                }
                let target = match target.as_str() {
                    "http" => ScheduleTarget::Http,
                    "pubsub" => ScheduleTarget::PubSub,
                    other => {
                        return Err(invalid(
                            key("target"),
                            format!(
                            "{other:?} is not a Cloud Scheduler target: use \"http\" or \"pubsub\""
                        ),
                        ))
                    }
                };
                gcp.schedule_targets.insert(name.clone(), target);
            }
            if let Some(topic) = t.topic {
                if !is_schedule {
                    return Err(invalid(
                        key("topic"),
                        "only a schedule trigger has a topic here",
                    ));
                }
                names::check_resource(&topic).map_err(|m| invalid(key("topic"), m))?;
                gcp.schedule_topics.insert(name.clone(), topic);
            }
            if let Some(database) = t.database {
                if !matches!(trigger.kind, TriggerKind::Change { .. }) {
                    return Err(invalid(
                        key("database"),
                        "only a change trigger has a database",
                    ));
                }
                gcp.databases.insert(name, database);
            }
        }

        let mut azure = AzureSettings {
            memory: raw.azure.memory,
            timeout: raw.azure.timeout,
            forwarding: raw.azure.forwarding,
            ..AzureSettings::default()
        };
        for (name, t) in raw.azure.trigger {
            trigger_named("azure", &name)?;
            let service_bus = match t.service.as_deref() {
                None | Some("storage") => false,
                Some("service-bus") => true,
                Some(other) => {
                    return Err(invalid(
                        format!("azure.trigger.{name}.service"),
                        format!(
                            "{other:?} is not a queue service: use \"storage\" or \"service-bus\""
                        ),
                    ))
                }
            };
            azure.triggers.insert(
                name,
                AzureTriggerSettings {
                    service_bus,
                    connection: t.connection,
                    subscription: t.subscription,
                    database: t.database,
                    consumer_group: t.consumer_group,
                    lease_container: t.lease_container,
                },
            );
        }

        let openwhisk = OpenWhiskSettings {
            memory: raw.openwhisk.memory,
            timeout: raw.openwhisk.timeout,
            package: raw.openwhisk.package,
            blob_url: raw.openwhisk.blob_url,
        };
        if let Some(url) = &openwhisk.blob_url {
            if blob_backend_of_url(url).is_none() {
                return Err(invalid(
                    "openwhisk.blob_url",
                    format!("{url:?} is not a cloud store URL: use s3://bucket, gs://bucket or az://container"),
                ));
            }
        }
        if let Some(package) = &openwhisk.package {
            names::check_resource(package).map_err(|m| invalid("openwhisk.package", m))?;
        }
        for (key, value) in [
            ("aws.memory", aws.memory),
            ("gcp.memory", gcp.memory),
            ("azure.memory", azure.memory),
            ("openwhisk.memory", openwhisk.memory),
        ] {
            if let Some(memory) = value {
                check_memory(key, memory)?;
            }
        }
        for (key, value) in [
            ("aws.timeout", aws.timeout),
            ("gcp.timeout", gcp.timeout),
            ("azure.timeout", azure.timeout),
            ("openwhisk.timeout", openwhisk.timeout),
        ] {
            if let Some(timeout) = value {
                check_timeout(key, timeout)?;
            }
        }

        Ok(Declaration {
            name,
            memory,
            timeout,
            environment: raw.environment,
            blob_store,
            triggers,
            aws,
            gcp,
            azure,
            openwhisk,
        })
    }

    /// Whether the cloud blob backend is compiled in: a blob trigger, or `[blob] store`.
    pub fn needs_blob_backend(&self) -> bool {
        self.blob_store.is_some()
            || self
                .triggers
                .iter()
                .any(|t| matches!(t.kind, TriggerKind::Blob { .. }))
    }

    /// The triggers of one type.
    pub fn triggers_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Trigger> + 'a {
        self.triggers
            .iter()
            .filter(move |t| t.kind.type_name() == kind)
    }
}

/// The variable the blob store is configured with.
pub const BLOB_URL: &str = "POLYFAAS_BLOB_URL";

/// `s3://…` → `s3`, `gs://…` → `gcs`, `az://…` → `azure-blob`: the facade's feature.
pub fn blob_backend_of_url(url: &str) -> Option<&'static str> {
    let (scheme, rest) = url.split_once("://")?;
    if rest.is_empty() {
        return None;
    }
    match scheme {
        "s3" => Some("s3"),
        "gs" => Some("gcs"),
        "az" => Some("azure-blob"),
        _ => None,
    }
}

fn check_memory(key: &str, memory: u32) -> Result<(), DeclarationError> {
    if (128..=32_768).contains(&memory) {
        Ok(())
    } else {
        Err(DeclarationError::invalid(
            key,
            format!("{memory} MiB: must be from 128 to 32768 (MiB)"),
        ))
    }
}

fn check_timeout(key: &str, timeout: u32) -> Result<(), DeclarationError> {
    if (1..=3600).contains(&timeout) {
        Ok(())
    } else {
        Err(DeclarationError::invalid(
            key,
            format!("{timeout} s: must be from 1 to 3600 (seconds)"),
        ))
    }
}

fn check_arn(key: &str, arn: &str, service: &str) -> Result<(), DeclarationError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() == 6 && parts[0] == "arn" && parts[2] == service && !parts[5].is_empty() {
        Ok(())
    } else {
        Err(DeclarationError::invalid(
            key,
            format!("{arn:?} is not an ARN of {service} (arn:aws:{service}:REGION:ACCOUNT:...)"),
        ))
    }
}

fn invalid(key: impl Into<String>, message: impl Into<String>) -> DeclarationError {
    DeclarationError::invalid(key, message)
}

/// The TOML error's own message and where it is: `invalid type: ... (line 2, column 10)`.
fn toml_message(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim().to_owned();
    match error.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("{message} (line {line}, column {column})")
        }
        None => message,
    }
}
