//! Apache OpenWhisk: `action.zip` with `exec` (0755) at its root, and `manifest.yaml` for
//! wskdeploy: the action (a raw web action when http is declared), and per schedule a trigger
//! on the alarms feed, carrying the schedule mark, with the rule that binds it to the action.
//!
//! OpenWhisk has no environment variables for actions. When the function has some, `exec` is a
//! small `sh` script that exports them and runs the binary beside it; otherwise `exec` is the
//! binary itself, written by the shim's own packager (`polyfaas_openwhisk::package`).

use serde_json::{json, Map, Value};

use polyfaas_openwhisk::package::{write_action_zip, PackageOptions, EXEC};

use super::{archive, environment, generated_by, yaml, Inputs, Package, PackageError};
use crate::check;
use crate::declaration::{HttpAuth, TriggerKind};
use crate::marks;
use crate::platform::Platform;
use crate::support;

/// The blackbox image a native action runs in.
pub const IMAGE: &str = "openwhisk/dockerskeleton";

pub(super) fn write(inputs: &Inputs<'_>, package: &mut Package) -> Result<(), PackageError> {
    let declaration = inputs.declaration;
    let zip = package.dir.join("action.zip");
    let env = environment(declaration, Platform::Openwhisk);
    if env.is_empty() {
        write_action_zip(&inputs.built.path, &zip, &PackageOptions::default())?;
    } else {
        let mut script = format!("#!/bin/sh\n# {}\n", generated_by(declaration));
        for (name, value) in &env {
            script.push_str(&format!("export {name}={}\n", shell_quote(value)));
        }
        script.push_str(&format!(
            "exec \"$(dirname \"$0\")/{}\" \"$@\"\n",
            inputs.bin
        ));
        archive::write_zip(
            &zip,
            &[
                archive::Entry {
                    name: EXEC.to_owned(),
                    source: archive::Source::Bytes(script.into_bytes()),
                    mode: 0o755,
                },
                archive::Entry {
                    name: inputs.bin.to_owned(),
                    source: archive::Source::File(&inputs.built.path),
                    mode: 0o755,
                },
            ],
        )?;
    }
    package.add(zip)?;
    if declaration.needs_blob_backend() && declaration.openwhisk.blob_url.is_none() {
        package.notes.push(
            "OpenWhisk has no blob store of its own: ctx.blobs() is a directory under $TMPDIR in the action's container; set `[openwhisk] blob_url` (s3://, gs:// or az://) for a shared store".to_owned(),
        );
    }
    let manifest = manifest(inputs);
    let text = yaml(&generated_by(declaration), &manifest);
    check::openwhisk::check_manifest(&text).map_err(|source| PackageError::Check {
        file: "manifest.yaml".to_owned(),
        source,
    })?;
    package.write_text("manifest.yaml", &text)?;
    Ok(())
}

/// `'value'` with embedded quotes escaped, for `sh`.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// The wskdeploy manifest.
pub(crate) fn manifest(inputs: &Inputs<'_>) -> Value {
    let declaration = inputs.declaration;
    let name = &declaration.name;
    let mut action = json!({
        "function": "action.zip",
        "docker": IMAGE,
        "limits": {
            "memorySize": support::memory(declaration, Platform::Openwhisk),
            "timeout": u64::from(support::timeout(declaration, Platform::Openwhisk)) * 1000,
        },
    });
    for trigger in &declaration.triggers {
        if let TriggerKind::Http { auth } = trigger.kind {
            action["web"] = json!("raw");
            if auth == HttpAuth::Authenticated {
                action["annotations"] = json!({"require-whisk-auth": true});
            }
        }
    }
    let mut triggers = Map::new();
    let mut rules = Map::new();
    for trigger in &declaration.triggers {
        let TriggerKind::Schedule(schedule) = &trigger.kind else {
            continue;
        };
        let payload = marks::openwhisk_payload(&trigger.name);
        let feed = match (schedule.unix_cron(), schedule.interval_minutes()) {
            (Ok(cron), _) => json!({
                "feed": "/whisk.system/alarms/alarm",
                "inputs": {"cron": cron, "trigger_payload": payload},
            }),
            (Err(_), Some(minutes)) => json!({
                "feed": "/whisk.system/alarms/interval",
                "inputs": {"minutes": minutes, "trigger_payload": payload},
            }),
            (Err(_), None) => continue,
        };
        let trigger_name = format!("{name}-{}", trigger.name);
        rules.insert(
            format!("{trigger_name}-rule"),
            json!({"trigger": trigger_name, "action": name}),
        );
        triggers.insert(trigger_name, feed);
    }
    let mut package = json!({ "actions": { name.as_str(): action } });
    if !triggers.is_empty() {
        package["triggers"] = Value::Object(triggers);
        package["rules"] = Value::Object(rules);
    }
    let package_name = declaration
        .openwhisk
        .package
        .clone()
        .unwrap_or_else(|| name.clone());
    json!({ "packages": { package_name: package } })
}
