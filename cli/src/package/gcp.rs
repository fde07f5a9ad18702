//! Google Cloud Run: a container build context (`Dockerfile` and the binary), `service.yaml`
//! (a Knative Serving `Service` for `gcloud run services replace`), and `deploy.sh`, the
//! `gcloud` commands that build the image, apply the service and create its triggers (Eventarc,
//! Cloud Scheduler with the schedule mark, the public invoker binding).

use std::fmt::Write as _;

use serde_json::{json, Value};

use super::{archive, environment, generated_by, yaml, Inputs, Package, PackageError};
use crate::check;
use crate::declaration::{HttpAuth, ScheduleTarget, Trigger, TriggerKind};
use crate::marks;
use crate::platform::Platform;
use crate::support;

/// The region when `[gcp] region` is not set.
pub const DEFAULT_REGION: &str = "us-central1";
/// Stands for the project in the image name when neither `[gcp] project` nor
/// `GOOGLE_CLOUD_PROJECT` names it.
pub const PROJECT_PLACEHOLDER: &str = "PROJECT_ID";
/// The executable's name inside the image.
const EXECUTABLE: &str = "function";

pub(super) fn write(inputs: &Inputs<'_>, package: &mut Package) -> Result<(), PackageError> {
    let declaration = inputs.declaration;
    let binary = package.dir.join(EXECUTABLE);
    archive::copy_executable(&inputs.built.path, &binary)?;
    package.add(binary)?;
    let dockerfile = format!(
        "# {}\n# The binary is built on the host (cargo polyfaas build --platform gcp); glibc ≤ 2.36.\nFROM gcr.io/distroless/cc-debian12\nCOPY {EXECUTABLE} /{EXECUTABLE}\nENTRYPOINT [\"/{EXECUTABLE}\"]\n",
        generated_by(declaration)
    );
    package.write_text("Dockerfile", &dockerfile)?;

    let project = project(inputs);
    if project.is_none() {
        package.notes.push(format!(
            "service.yaml names the image with {PROJECT_PLACEHOLDER}: set `[gcp] project` in polyfaas.toml (or GOOGLE_CLOUD_PROJECT) and package again before deploying"
        ));
    }
    let service = service(inputs, project.as_deref().unwrap_or(PROJECT_PLACEHOLDER));
    let text = yaml(&generated_by(declaration), &service);
    check::knative::check_service(&text).map_err(|source| PackageError::Check {
        file: "service.yaml".to_owned(),
        source,
    })?;
    package.write_text("service.yaml", &text)?;

    let script = deploy_script(inputs, project.as_deref());
    let path = package.write_text("deploy.sh", &script)?;
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .map_err(|source| PackageError::Io { path, source })?;
    Ok(())
}

fn project(inputs: &Inputs<'_>) -> Option<String> {
    inputs
        .declaration
        .gcp
        .project
        .clone()
        .or_else(|| std::env::var("GOOGLE_CLOUD_PROJECT").ok())
        .filter(|p| !p.is_empty())
}

fn region(inputs: &Inputs<'_>) -> String {
    inputs
        .declaration
        .gcp
        .region
        .clone()
        .unwrap_or_else(|| DEFAULT_REGION.to_owned())
}

/// The image: `[gcp] image`, else Artifact Registry's `polyfaas` repository in the project.
fn image(inputs: &Inputs<'_>, project: &str) -> String {
    inputs.declaration.gcp.image.clone().unwrap_or_else(|| {
        format!(
            "{}-docker.pkg.dev/{project}/polyfaas/{}:latest",
            region(inputs),
            inputs.declaration.name
        )
    })
}

/// Cloud Run's CPU for a memory size: more than 4 GiB needs 2 CPUs, 8 GiB 4, 16 GiB 6, 24 GiB 8.
fn cpu_for(memory: u32) -> &'static str {
    match memory {
        0..=4096 => "1",
        4097..=8192 => "2",
        8193..=16_384 => "4",
        16_385..=24_576 => "6",
        _ => "8",
    }
}

/// The Knative `Service`.
pub(crate) fn service(inputs: &Inputs<'_>, project: &str) -> Value {
    let declaration = inputs.declaration;
    let timeout = support::timeout(declaration, Platform::Gcp);
    let memory = support::memory(declaration, Platform::Gcp);
    let signature = if support::gcp_is_event_function(declaration) {
        "cloudevent"
    } else {
        "http"
    };
    let mut env = vec![
        json!({"name": "FUNCTION_TARGET", "value": declaration.name}),
        json!({"name": "FUNCTION_SIGNATURE_TYPE", "value": signature}),
        json!({"name": "CLOUD_RUN_TIMEOUT_SECONDS", "value": timeout.to_string()}),
    ];
    for (name, value) in environment(declaration, Platform::Gcp) {
        env.push(json!({"name": name, "value": value}));
    }
    let mut template_metadata = json!({});
    if let Some(max) = declaration.gcp.max_instances {
        template_metadata["annotations"] =
            json!({"autoscaling.knative.dev/maxScale": max.to_string()});
    }
    let mut template = json!({
        "spec": {
            "containerConcurrency": declaration.gcp.concurrency.unwrap_or(80),
            "timeoutSeconds": timeout,
            "containers": [{
                "image": image(inputs, project),
                "ports": [{"name": "http1", "containerPort": 8080}],
                "env": env,
                "resources": {"limits": {"memory": format!("{memory}Mi"), "cpu": cpu_for(memory)}},
            }],
        },
    });
    if template_metadata.as_object().is_some_and(|m| !m.is_empty()) {
        template["metadata"] = template_metadata;
    }
    json!({
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {
            "name": declaration.name,
            "labels": {"cloud.googleapis.com/location": region(inputs)},
        },
        "spec": {"template": template},
    })
}

/// The `gcloud` commands, as a POSIX shell script.
fn deploy_script(inputs: &Inputs<'_>, project: Option<&str>) -> String {
    let declaration = inputs.declaration;
    let name = &declaration.name;
    let mut s = String::new();
    let _ = writeln!(s, "#!/bin/sh\n# {}", generated_by(declaration));
    let _ = writeln!(
        s,
        "# Builds the image, applies service.yaml, then creates the triggers. Needs gcloud, logged in.\n# PROJECT and REGION come from the environment when set. TRIGGER_SA: the service account\n# Eventarc and Cloud Scheduler call the service as (default: the compute default account).\nset -eu\ncd \"$(dirname \"$0\")\""
    );
    let _ = writeln!(
        s,
        "PROJECT=\"${{PROJECT:-{}}}\"\nREGION=\"${{REGION:-{}}}\"",
        project.unwrap_or(""),
        region(inputs)
    );
    let _ = writeln!(
        s,
        "IMAGE=\"$(sed -n 's/^ *image: //p' service.yaml)\"\ncase \"$IMAGE\" in *{PROJECT_PLACEHOLDER}*) echo \"service.yaml's image names no project: set [gcp] project in polyfaas.toml and package again\" >&2; exit 1;; esac\n[ -n \"$PROJECT\" ] || {{ echo 'set PROJECT' >&2; exit 1; }}"
    );
    let _ = writeln!(
        s,
        "NUMBER=\"$(gcloud projects describe \"$PROJECT\" --format='value(projectNumber)')\"\nTRIGGER_SA=\"${{TRIGGER_SA:-$NUMBER-compute@developer.gserviceaccount.com}}\"\n"
    );
    let _ = writeln!(
        s,
        "gcloud builds submit --project \"$PROJECT\" --tag \"$IMAGE\" .\ngcloud run services replace service.yaml --project \"$PROJECT\" --region \"$REGION\""
    );
    let _ = writeln!(
        s,
        "URL=\"$(gcloud run services describe {name} --project \"$PROJECT\" --region \"$REGION\" --format='value(status.url)')\""
    );
    let public = declaration.triggers.iter().any(|t| {
        matches!(
            t.kind,
            TriggerKind::Http {
                auth: HttpAuth::Public
            }
        )
    });
    if public {
        let _ = writeln!(
            s,
            "gcloud run services add-iam-policy-binding {name} --project \"$PROJECT\" --region \"$REGION\" --member=allUsers --role=roles/run.invoker"
        );
    } else {
        let _ = writeln!(
            s,
            "gcloud run services add-iam-policy-binding {name} --project \"$PROJECT\" --region \"$REGION\" --member=\"serviceAccount:$TRIGGER_SA\" --role=roles/run.invoker"
        );
    }
    for trigger in &declaration.triggers {
        trigger_commands(inputs, trigger, &mut s);
    }
    let _ = writeln!(s, "echo \"{name}: $URL\"");
    s
}

fn eventarc(name: &str, service: &str, filters: &[String], extra: &str) -> String {
    let mut line = format!(
        "gcloud eventarc triggers create {name} --project \"$PROJECT\" --location \"$REGION\" --destination-run-service={service} --destination-run-region=\"$REGION\" --service-account=\"$TRIGGER_SA\""
    );
    for filter in filters {
        line.push_str(&format!(" --event-filters={filter}"));
    }
    line.push_str(extra);
    line
}

fn trigger_commands(inputs: &Inputs<'_>, trigger: &Trigger, s: &mut String) {
    let declaration = inputs.declaration;
    let service = &declaration.name;
    let name = format!("{service}-{}", trigger.name);
    match &trigger.kind {
        TriggerKind::Http { .. } => {}
        TriggerKind::Blob {
            bucket,
            created,
            deleted,
            ..
        } => {
            for (on, kind, suffix) in [
                (created, "finalized", "created"),
                (deleted, "deleted", "deleted"),
            ] {
                if *on {
                    let filters = [
                        format!("type=google.cloud.storage.object.v1.{kind}"),
                        format!("bucket={bucket}"),
                    ];
                    let _ = writeln!(
                        s,
                        "{}",
                        eventarc(&format!("{name}-{suffix}"), service, &filters, "")
                    );
                }
            }
        }
        TriggerKind::Topic { topic } => {
            let filters = ["type=google.cloud.pubsub.topic.v1.messagePublished".to_owned()];
            let extra = format!(" --transport-topic=\"projects/$PROJECT/topics/{topic}\"");
            let _ = writeln!(s, "{}", eventarc(&name, service, &filters, &extra));
        }
        TriggerKind::Change { table, .. } => {
            let database = declaration
                .gcp
                .databases
                .get(&trigger.name)
                .map_or("(default)", String::as_str);
            let filters = [
                "type=google.cloud.firestore.document.v1.written".to_owned(),
                format!("database='{database}'"),
            ];
            let extra = format!(
                " --event-filters-path-pattern=document='{table}/{{document}}' --event-data-content-type=application/json"
            );
            let _ = writeln!(s, "{}", eventarc(&name, service, &filters, &extra));
        }
        TriggerKind::Schedule(schedule) => {
            let Ok(cron) = schedule.unix_cron() else {
                return;
            };
            let job = format!(
                "gcloud scheduler jobs create {{kind}} {name} --project \"$PROJECT\" --location \"$REGION\" --schedule='{cron}' --time-zone=Etc/UTC"
            );
            match support::gcp_schedule_target(declaration, &trigger.name) {
                ScheduleTarget::Http => {
                    let _ = writeln!(
                        s,
                        "{} --uri=\"$URL/\" --http-method=POST --headers={}={} --oidc-service-account-email=\"$TRIGGER_SA\"",
                        job.replace("{kind}", "http"),
                        marks::HTTP_HEADER,
                        trigger.name
                    );
                }
                ScheduleTarget::PubSub => {
                    let topic = declaration
                        .gcp
                        .schedule_topics
                        .get(&trigger.name)
                        .cloned()
                        .unwrap_or_else(|| name.clone());
                    let _ = writeln!(
                        s,
                        "gcloud pubsub topics describe {topic} --project \"$PROJECT\" >/dev/null 2>&1 || gcloud pubsub topics create {topic} --project \"$PROJECT\""
                    );
                    let _ = writeln!(
                        s,
                        "{} --topic={topic} --message-body='{{}}' --attributes={}={}",
                        job.replace("{kind}", "pubsub"),
                        marks::PUBSUB_ATTRIBUTE,
                        trigger.name
                    );
                    let filters = ["type=google.cloud.pubsub.topic.v1.messagePublished".to_owned()];
                    let extra = format!(" --transport-topic=\"projects/$PROJECT/topics/{topic}\"");
                    let _ = writeln!(s, "{}", eventarc(&name, service, &filters, &extra));
                }
            }
        }
        TriggerKind::Queue { .. } | TriggerKind::Stream { .. } => {}
    }
}
