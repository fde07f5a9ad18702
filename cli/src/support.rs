//! What each platform can express, in one place: a declaration a platform cannot deploy as
//! written is refused for that platform, with the key and the reason.
//!
//! | trigger | aws | gcp | azure | openwhisk |
//! |---|---|---|---|---|
//! | http | Function URL (`AWS_IAM` when authenticated) | the Cloud Run service (no `allUsers` invoker when authenticated) | `httpTrigger` (`function` key when authenticated) | raw web action (`require-whisk-auth` when authenticated) |
//! | blob | S3 notifications on a bucket the template creates | Eventarc, `finalized`/`deleted`; no prefix filter | `blobTrigger`; created only | – |
//! | queue | SQS | – | Storage queue, or Service Bus queue | – |
//! | topic | SNS | Pub/Sub through Eventarc | Service Bus topic | – |
//! | stream | Kinesis; Kafka on MSK | – | Event Hubs | – |
//! | change | DynamoDB stream (`stream_arn`) | Firestore through Eventarc | Cosmos DB (`database`) | – |
//! | schedule | EventBridge rule | Cloud Scheduler (HTTP or Pub/Sub target) | timer | alarms feed |
//!
//! ```
//! use polyfaas_cli::declaration::Declaration;
//! use polyfaas_cli::platform::Platform;
//! use polyfaas_cli::support;
//!
//! let d = Declaration::parse("[[trigger]]\nname = \"orders\"\ntype = \"queue\"\nqueue = \"orders\"\n")?;
//! assert!(support::check(&d, Platform::Aws).is_ok());
//! let refusal = support::check(&d, Platform::Gcp).unwrap_err();
//! assert_eq!(refusal.key, "trigger[0] (orders)");
//! # Ok::<(), polyfaas_cli::declaration::DeclarationError>(())
//! ```

use crate::declaration::{
    Declaration, ScheduleTarget, StreamSource, Trigger, TriggerKind, BLOB_URL,
};
use crate::platform::Platform;

/// A declaration one platform cannot deploy.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{platform} cannot deploy this declaration: {key}: {reason}")]
pub struct Refusal {
    /// The platform.
    pub platform: Platform,
    /// The key at fault.
    pub key: String,
    /// Why, and what to do instead.
    pub reason: String,
}

/// Limits of one platform: memory in MiB and timeout in seconds.
struct Limits {
    memory: Option<(u32, u32)>,
    timeout: u32,
    reserved_env: &'static [&'static str],
    reserved_env_prefixes: &'static [&'static str],
}

fn limits(platform: Platform) -> Limits {
    match platform {
        Platform::Aws => Limits {
            memory: Some((128, 10_240)),
            timeout: 900,
            reserved_env: &[
                "_HANDLER",
                "_X_AMZN_TRACE_ID",
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
                "AWS_EXECUTION_ENV",
                "AWS_ACCESS_KEY",
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "LAMBDA_TASK_ROOT",
                "LAMBDA_RUNTIME_DIR",
            ],
            reserved_env_prefixes: &["AWS_LAMBDA_"],
        },
        Platform::Gcp => Limits {
            memory: Some((128, 32_768)),
            timeout: 3600,
            reserved_env: &["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"],
            reserved_env_prefixes: &[],
        },
        Platform::Azure => Limits {
            memory: None,
            timeout: 3600,
            reserved_env: &["FUNCTIONS_CUSTOMHANDLER_PORT", "FUNCTIONS_WORKER_RUNTIME"],
            reserved_env_prefixes: &[],
        },
        Platform::Openwhisk => Limits {
            memory: Some((128, 2048)),
            timeout: 600,
            reserved_env: &[],
            reserved_env_prefixes: &["__OW_"],
        },
    }
}

/// The memory the platform gets (its override, else the function's).
pub fn memory(declaration: &Declaration, platform: Platform) -> u32 {
    match platform {
        Platform::Aws => declaration.aws.memory,
        Platform::Gcp => declaration.gcp.memory,
        Platform::Azure => declaration.azure.memory,
        Platform::Openwhisk => declaration.openwhisk.memory,
    }
    .unwrap_or(declaration.memory)
}

/// The timeout the platform gets (its override, else the function's), in seconds.
pub fn timeout(declaration: &Declaration, platform: Platform) -> u32 {
    match platform {
        Platform::Aws => declaration.aws.timeout,
        Platform::Gcp => declaration.gcp.timeout,
        Platform::Azure => declaration.azure.timeout,
        Platform::Openwhisk => declaration.openwhisk.timeout,
    }
    .unwrap_or(declaration.timeout)
}

/// Whether Cloud Run serves CloudEvents (`FUNCTION_SIGNATURE_TYPE=cloudevent`) rather than
/// plain HTTP: every trigger but http and HTTP-target schedules arrives as an event.
pub fn gcp_is_event_function(declaration: &Declaration) -> bool {
    declaration
        .triggers
        .iter()
        .any(|t| gcp_arrives_as_event(declaration, t))
}

/// The Cloud Scheduler target of a schedule: as overridden, else Pub/Sub when the function
/// has event triggers (one signature type per service), else HTTP.
pub fn gcp_schedule_target(declaration: &Declaration, name: &str) -> ScheduleTarget {
    if let Some(target) = declaration.gcp.schedule_targets.get(name) {
        return *target;
    }
    let has_events = declaration
        .triggers
        .iter()
        .any(|t| !matches!(t.kind, TriggerKind::Http { .. } | TriggerKind::Schedule(_)));
    if has_events {
        ScheduleTarget::PubSub
    } else {
        ScheduleTarget::Http
    }
}

fn gcp_arrives_as_event(declaration: &Declaration, trigger: &Trigger) -> bool {
    match &trigger.kind {
        TriggerKind::Http { .. } => false,
        TriggerKind::Schedule(_) => {
            gcp_schedule_target(declaration, &trigger.name) == ScheduleTarget::PubSub
        }
        _ => true,
    }
}

/// Checks that `platform` can deploy `declaration` as written.
pub fn check(declaration: &Declaration, platform: Platform) -> Result<(), Refusal> {
    let refuse = |key: String, reason: String| Refusal {
        platform,
        key,
        reason,
    };
    let limits = limits(platform);
    let memory = memory(declaration, platform);
    if let Some((min, max)) = limits.memory {
        if !(min..=max).contains(&memory) {
            return Err(refuse(
                override_key(declaration, platform, "memory"),
                format!("{memory} MiB is outside {platform}'s {min} to {max} MiB"),
            ));
        }
    }
    let timeout = timeout(declaration, platform);
    if timeout > limits.timeout {
        return Err(refuse(
            override_key(declaration, platform, "timeout"),
            format!(
                "{timeout} s is over {platform}'s maximum of {} s; set a lower `{platform}.timeout`",
                limits.timeout
            ),
        ));
    }
    for name in declaration.environment.keys() {
        if limits.reserved_env.contains(&name.as_str())
            || limits
                .reserved_env_prefixes
                .iter()
                .any(|p| name.starts_with(p))
        {
            return Err(refuse(
                format!("environment.{name}"),
                format!("{platform} reserves this variable and sets it itself"),
            ));
        }
    }
    if platform == Platform::Openwhisk
        && declaration.blob_store.is_some()
        && declaration.environment.contains_key(BLOB_URL)
    {
        return Err(refuse(
            format!("environment.{BLOB_URL}"),
            "set by `[blob] store` / `openwhisk.blob_url`".to_owned(),
        ));
    }
    if platform == Platform::Gcp {
        let http = declaration
            .triggers
            .iter()
            .position(|t| !gcp_arrives_as_event(declaration, t));
        let event = declaration
            .triggers
            .iter()
            .position(|t| gcp_arrives_as_event(declaration, t));
        if let (Some(http), Some(event)) = (http, event) {
            let (http, event) = (&declaration.triggers[http], &declaration.triggers[event]);
            return Err(refuse(
                trigger_key(declaration, event),
                format!(
                    "a Cloud Run service serves either plain HTTP or CloudEvents (FUNCTION_SIGNATURE_TYPE), and {:?} is HTTP while {:?} arrives as an event: split them into two functions",
                    http.name, event.name
                ),
            ));
        }
    }
    for trigger in &declaration.triggers {
        check_trigger(declaration, platform, trigger)
            .map_err(|reason| refuse(trigger_key(declaration, trigger), reason))?;
    }
    Ok(())
}

fn check_trigger(
    declaration: &Declaration,
    platform: Platform,
    trigger: &Trigger,
) -> Result<(), String> {
    let none = |what: &str, why: &str| Err(format!("{platform} has no {what} trigger ({why})"));
    match (&trigger.kind, platform) {
        (TriggerKind::Http { .. }, _) => Ok(()),
        (TriggerKind::Blob { .. }, Platform::Openwhisk) => {
            none("object storage", "its default catalog has no such feed")
        }
        (TriggerKind::Blob { prefix: Some(_), .. }, Platform::Gcp) => Err(
            "Eventarc's Cloud Storage triggers filter by bucket only, not by key prefix: drop `prefix` or filter in the handler".to_owned(),
        ),
        (TriggerKind::Blob { deleted: true, .. }, Platform::Azure) => Err(
            "the Azure blob trigger fires for new and updated blobs only, never for deletions: drop \"deleted\" from `events` (Event Grid would be needed)".to_owned(),
        ),
        (TriggerKind::Blob { .. }, _) => Ok(()),
        (TriggerKind::Queue { .. }, Platform::Gcp) => Err(
            "Google Cloud has no queue that triggers a service: declare a `topic` (Pub/Sub) instead".to_owned(),
        ),
        (TriggerKind::Queue { .. } | TriggerKind::Topic { .. }, Platform::Openwhisk) => {
            none("queue or topic", "its default catalog has no such feed")
        }
        (TriggerKind::Queue { batch_size: Some(n), .. }, Platform::Azure)
            if *n > 32
                && !declaration
                    .azure
                    .triggers
                    .get(&trigger.name)
                    .is_some_and(|s| s.service_bus) =>
        {
            Err(format!(
                "a Storage queue trigger takes at most 32 messages at a time (host.json queues.batchSize), not {n}"
            ))
        }
        (TriggerKind::Queue { .. } | TriggerKind::Topic { .. }, _) => Ok(()),
        (TriggerKind::Stream { source, .. }, _) => check_stream(declaration, platform, trigger, *source),
        (TriggerKind::Change { .. }, Platform::Openwhisk) => {
            none("DynamoDB, Firestore or Cosmos DB change", "no such feed exists for it")
        }
        (TriggerKind::Change { .. }, Platform::Aws)
            if !declaration.aws.stream_arns.contains_key(&trigger.name) =>
        {
            Err(format!(
                "a DynamoDB stream's ARN cannot be derived from the table name: set `aws.trigger.{}.stream_arn`",
                trigger.name
            ))
        }
        (TriggerKind::Change { .. }, Platform::Azure)
            if declaration
                .azure
                .triggers
                .get(&trigger.name)
                .and_then(|s| s.database.as_ref())
                .is_none() =>
        {
            Err(format!(
                "a Cosmos DB trigger needs the database: set `azure.trigger.{}.database`",
                trigger.name
            ))
        }
        (TriggerKind::Change { .. }, _) => Ok(()),
        (TriggerKind::Schedule(schedule), Platform::Aws) => {
            schedule.eventbridge().map(drop).map_err(|e| e.0)
        }
        (TriggerKind::Schedule(schedule), Platform::Gcp) => {
            schedule.unix_cron().map(drop).map_err(|e| e.0)
        }
        (TriggerKind::Schedule(schedule), Platform::Azure) => {
            schedule.ncrontab().map(drop).map_err(|e| e.0)
        }
        (TriggerKind::Schedule(_), Platform::Openwhisk) => Ok(()),
    }
}

fn check_stream(
    declaration: &Declaration,
    platform: Platform,
    trigger: &Trigger,
    source: StreamSource,
) -> Result<(), String> {
    match (source, platform) {
        (StreamSource::Kinesis, Platform::Aws) | (StreamSource::EventHubs, Platform::Azure) => {
            Ok(())
        }
        (StreamSource::Kafka, Platform::Aws) => {
            if declaration.aws.cluster_arns.contains_key(&trigger.name) {
                Ok(())
            } else {
                Err(format!(
                    "Kafka on Lambda reads an Amazon MSK cluster: set `aws.trigger.{}.cluster_arn`",
                    trigger.name
                ))
            }
        }
        (StreamSource::Kafka, Platform::Azure) => Err(
            "the Azure Functions Kafka trigger needs a Premium plan and is not generated: use Event Hubs' Kafka endpoint with source = \"event-hubs\"".to_owned(),
        ),
        (source, platform) => Err(format!(
            "{platform} has no {} stream trigger",
            source.as_str()
        )),
    }
}

fn trigger_key(declaration: &Declaration, trigger: &Trigger) -> String {
    let index = declaration
        .triggers
        .iter()
        .position(|t| t.name == trigger.name)
        .unwrap_or_default();
    format!("trigger[{index}] ({})", trigger.name)
}

fn override_key(declaration: &Declaration, platform: Platform, field: &str) -> String {
    let overridden = match (platform, field) {
        (Platform::Aws, "memory") => declaration.aws.memory.is_some(),
        (Platform::Gcp, "memory") => declaration.gcp.memory.is_some(),
        (Platform::Azure, "memory") => declaration.azure.memory.is_some(),
        (Platform::Openwhisk, "memory") => declaration.openwhisk.memory.is_some(),
        (Platform::Aws, _) => declaration.aws.timeout.is_some(),
        (Platform::Gcp, _) => declaration.gcp.timeout.is_some(),
        (Platform::Azure, _) => declaration.azure.timeout.is_some(),
        (Platform::Openwhisk, _) => declaration.openwhisk.timeout.is_some(),
    };
    if overridden {
        format!("{platform}.{field}")
    } else {
        format!("function.{field}")
    }
}
