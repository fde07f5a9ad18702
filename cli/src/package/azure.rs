//! Azure Functions: the function app folder (`host.json`, one `<trigger>/function.json` per
//! trigger, the executable) and `app.zip` of it for zip deploy.
//!
//! `host.json` and every trigger's bindings come from the shim's own writer
//! (`polyfaas_azure::scaffold`), so the binding names and `dataType`s are the ones the shim
//! reads.

use serde_json::{json, Value};

use polyfaas_azure::scaffold::{AppScaffold, TriggerSpec};

use super::{archive, environment, write_file, Inputs, Package, PackageError};
use crate::check;
use crate::declaration::{
    AzureTriggerSettings, HttpAuth, StartPosition, StreamSource, Trigger, TriggerKind,
};
use crate::platform::Platform;
use crate::support;

/// The app folder inside the package.
pub const APP_DIR: &str = "app";

pub(super) fn write(inputs: &Inputs<'_>, package: &mut Package) -> Result<(), PackageError> {
    let declaration = inputs.declaration;
    let app = package.dir.join(APP_DIR);
    if app.exists() {
        std::fs::remove_dir_all(&app).map_err(|source| PackageError::Io {
            path: app.clone(),
            source,
        })?;
    }
    let executable = app.join(inputs.bin);
    std::fs::create_dir_all(&app).map_err(|source| PackageError::Io {
        path: app.clone(),
        source,
    })?;
    archive::copy_executable(&inputs.built.path, &executable)?;

    let has_http = declaration
        .triggers
        .iter()
        .any(|t| matches!(t.kind, TriggerKind::Http { .. }));
    let timeout = support::timeout(declaration, Platform::Azure);
    let scaffold = AppScaffold::new(inputs.bin)
        .forwarding(declaration.azure.forwarding.unwrap_or(has_http))
        .function_timeout(format!(
            "{:02}:{:02}:{:02}",
            timeout / 3600,
            timeout / 60 % 60,
            timeout % 60
        ))
        .route_prefix("");
    let mut host = scaffold.host_json();
    for trigger in &declaration.triggers {
        if let TriggerKind::Queue {
            batch_size: Some(size),
            ..
        } = trigger.kind
        {
            if !settings(inputs, trigger).service_bus {
                host["extensions"]["queues"]["batchSize"] = json!(size);
            }
        }
    }
    write_json(&app.join("host.json"), &host)?;
    for trigger in &declaration.triggers {
        let bindings = bindings(inputs, trigger);
        write_json(
            &app.join(&trigger.name).join("function.json"),
            &json!({ "bindings": bindings }),
        )?;
    }
    let settings = app_settings(inputs);
    write_json(&app.join("local.settings.json"), &settings)?;

    check::azure::check_app(&app).map_err(|source| PackageError::Check {
        file: format!("{APP_DIR}/"),
        source,
    })?;

    let files = archive::list_files(&app)?;
    // local.settings.json is for `func start` only; zip deploy takes app settings elsewhere.
    let entries = archive::dir_entries(&app, &files, &["local.settings.json"])?;
    let zip = package.dir.join("app.zip");
    archive::write_zip(&zip, &entries)?;
    package.add(zip)?;
    package.add(executable)?;
    package.notes.push(format!(
        "set the app settings FUNCTIONS_WORKER_RUNTIME=Custom{}: they are in {APP_DIR}/local.settings.json for `func start`",
        environment(declaration, Platform::Azure)
            .keys()
            .map(|k| format!(", {k}"))
            .collect::<String>()
    ));
    Ok(())
}

fn write_json(path: &std::path::Path, value: &Value) -> Result<(), PackageError> {
    let text = serde_json::to_string_pretty(value).unwrap_or_default() + "\n";
    write_file(path, text.as_bytes())
}

fn settings<'a>(
    inputs: &'a Inputs<'_>,
    trigger: &Trigger,
) -> std::borrow::Cow<'a, AzureTriggerSettings> {
    match inputs.declaration.azure.triggers.get(&trigger.name) {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(AzureTriggerSettings::default()),
    }
}

/// `local.settings.json`: what `func start` needs, plus the function's environment.
fn app_settings(inputs: &Inputs<'_>) -> Value {
    let mut values = json!({
        "FUNCTIONS_WORKER_RUNTIME": "Custom",
        "AzureWebJobsStorage": "UseDevelopmentStorage=true",
    });
    for (name, value) in environment(inputs.declaration, Platform::Azure) {
        values[name] = json!(value);
    }
    json!({"IsEncrypted": false, "Values": values})
}

/// The `bindings` of the function for one trigger.
fn bindings(inputs: &Inputs<'_>, trigger: &Trigger) -> Value {
    let settings = settings(inputs, trigger);
    let connection = |default: &str| {
        settings
            .connection
            .clone()
            .unwrap_or_else(|| default.to_owned())
    };
    let spec = match &trigger.kind {
        TriggerKind::Http { auth } => TriggerSpec::Http {
            route: Some("{*path}".to_owned()),
            methods: Vec::new(),
            auth_level: match auth {
                HttpAuth::Public => "anonymous",
                HttpAuth::Authenticated => "function",
            }
            .to_owned(),
        },
        TriggerKind::Blob { bucket, prefix, .. } => TriggerSpec::Blob {
            path: format!("{bucket}/{}{{name}}", prefix.as_deref().unwrap_or("")),
            connection: connection("AzureWebJobsStorage"),
        },
        TriggerKind::Queue { queue, .. } if settings.service_bus => {
            TriggerSpec::service_bus_queue(queue.clone())
                .connection(connection("ServiceBusConnection"))
        }
        TriggerKind::Queue { queue, .. } => TriggerSpec::Queue {
            queue_name: queue.clone(),
            connection: connection("AzureWebJobsStorage"),
        },
        TriggerKind::Topic { topic } => {
            let subscription = settings
                .subscription
                .clone()
                .unwrap_or_else(|| inputs.declaration.name.clone());
            TriggerSpec::service_bus_topic(topic.clone(), subscription)
                .connection(connection("ServiceBusConnection"))
        }
        TriggerKind::Stream {
            source: StreamSource::EventHubs,
            stream,
            batch_size,
            ..
        } => TriggerSpec::EventHubs {
            event_hub: stream.clone(),
            consumer_group: settings
                .consumer_group
                .clone()
                .unwrap_or_else(|| "$Default".to_owned()),
            connection: connection("EventHubConnection"),
            batch: batch_size.is_some_and(|n| n > 1),
        },
        TriggerKind::Change { table, start, .. } => TriggerSpec::CosmosDb {
            database: settings.database.clone().unwrap_or_default(),
            container: table.clone(),
            lease_container: settings
                .lease_container
                .clone()
                .unwrap_or_else(|| "leases".to_owned()),
            start_from_beginning: *start == StartPosition::Oldest,
            connection: connection("CosmosDBConnection"),
        },
        TriggerKind::Schedule(schedule) => {
            TriggerSpec::timer(schedule.ncrontab().unwrap_or_default())
        }
        // Kinesis and Kafka: `package` refuses them for Azure (support::check) before this runs.
        TriggerKind::Stream { .. } => return json!([]),
    };
    spec.bindings()
}
