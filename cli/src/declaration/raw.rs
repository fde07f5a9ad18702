//! `polyfaas.toml` as written: plain serde structs that refuse unknown keys. Checking the values
//! and turning them into typed triggers is [`super::Declaration`]'s job.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFile {
    #[serde(default)]
    pub function: RawFunction,
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    pub blob: Option<RawBlob>,
    #[serde(default)]
    pub trigger: Vec<RawTrigger>,
    #[serde(default)]
    pub aws: RawAws,
    #[serde(default)]
    pub gcp: RawGcp,
    #[serde(default)]
    pub azure: RawAzure,
    #[serde(default)]
    pub openwhisk: RawOpenWhisk,
}

/// `[function]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFunction {
    pub name: Option<String>,
    pub memory: Option<u32>,
    pub timeout: Option<u32>,
}

/// `[blob]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBlob {
    pub store: Option<String>,
}

/// One `[[trigger]]`: every key any trigger type takes; which ones a type accepts is checked
/// afterwards, so the error can name the key and the type.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTrigger {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub auth: Option<String>,
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    pub events: Option<Vec<String>>,
    pub queue: Option<String>,
    pub topic: Option<String>,
    pub batch_size: Option<u32>,
    pub source: Option<String>,
    pub stream: Option<String>,
    pub start: Option<String>,
    pub table: Option<String>,
    pub cron: Option<String>,
    pub rate: Option<String>,
}

/// `[aws]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAws {
    pub memory: Option<u32>,
    pub timeout: Option<u32>,
    pub region: Option<String>,
    #[serde(default)]
    pub trigger: BTreeMap<String, RawAwsTrigger>,
}

/// `[aws.trigger.<name>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAwsTrigger {
    pub stream_arn: Option<String>,
    pub cluster_arn: Option<String>,
}

/// `[gcp]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGcp {
    pub memory: Option<u32>,
    pub timeout: Option<u32>,
    pub project: Option<String>,
    pub region: Option<String>,
    pub image: Option<String>,
    pub concurrency: Option<u32>,
    pub max_instances: Option<u32>,
    #[serde(default)]
    pub trigger: BTreeMap<String, RawGcpTrigger>,
}

/// `[gcp.trigger.<name>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGcpTrigger {
    pub target: Option<String>,
    pub topic: Option<String>,
    pub database: Option<String>,
}

/// `[azure]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAzure {
    pub memory: Option<u32>,
    pub timeout: Option<u32>,
    pub forwarding: Option<bool>,
    #[serde(default)]
    pub trigger: BTreeMap<String, RawAzureTrigger>,
}

/// `[azure.trigger.<name>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAzureTrigger {
    pub service: Option<String>,
    pub connection: Option<String>,
    pub subscription: Option<String>,
    pub database: Option<String>,
    pub consumer_group: Option<String>,
    pub lease_container: Option<String>,
}

/// `[openwhisk]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOpenWhisk {
    pub memory: Option<u32>,
    pub timeout: Option<u32>,
    pub package: Option<String>,
    pub blob_url: Option<String>,
}
