//! A Knative Serving `Service` as Cloud Run takes it (`gcloud run services replace`): the fields
//! Cloud Run requires and the limits it enforces.

use serde_json::Value;

use super::{join, object, parse_yaml, string, CheckError};

/// Variables Cloud Run sets itself and refuses in a service.
const RESERVED_ENV: [&str; 4] = ["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"];

/// Checks `service.yaml`'s text.
pub fn check_service(text: &str) -> Result<(), CheckError> {
    let doc = parse_yaml(text)?;
    let api = string(&doc, "", "apiVersion")?;
    if api != "serving.knative.dev/v1" {
        return Err(CheckError::new(
            "apiVersion",
            format!("{api:?}: Cloud Run takes serving.knative.dev/v1"),
        ));
    }
    let kind = string(&doc, "", "kind")?;
    if kind != "Service" {
        return Err(CheckError::new(
            "kind",
            format!("{kind:?}: must be Service"),
        ));
    }
    let metadata = doc.get("metadata").cloned().unwrap_or(Value::Null);
    let name = string(&metadata, "metadata", "name")?;
    check_name(name).map_err(|m| CheckError::new("metadata.name", m))?;
    let spec = object(&doc, "", "spec")?;
    let template = object(&Value::Object(spec.clone()), "spec", "template")?.clone();
    let template = Value::Object(template);
    let pod = object(&template, "spec.template", "spec")?.clone();
    let pod = Value::Object(pod);
    let path = "spec.template.spec";
    if let Some(concurrency) = pod.get("containerConcurrency") {
        match concurrency.as_u64() {
            Some(n) if n <= 1000 => {}
            _ => {
                return Err(CheckError::new(
                    join(path, "containerConcurrency"),
                    format!("{concurrency}: an integer from 0 to 1000"),
                ))
            }
        }
    }
    if let Some(timeout) = pod.get("timeoutSeconds") {
        match timeout.as_u64() {
            Some(n) if (1..=3600).contains(&n) => {}
            _ => {
                return Err(CheckError::new(
                    join(path, "timeoutSeconds"),
                    format!("{timeout}: an integer from 1 to 3600"),
                ))
            }
        }
    }
    let containers = match pod.get("containers") {
        Some(Value::Array(list)) if !list.is_empty() => list,
        _ => {
            return Err(CheckError::new(
                join(path, "containers"),
                "missing: one container is required",
            ))
        }
    };
    for (i, container) in containers.iter().enumerate() {
        let at = format!("{path}.containers[{i}]");
        string(container, &at, "image")?;
        check_ports(container, &at, containers.len())?;
        check_env(container, &at)?;
        check_resources(container, &at)?;
    }
    Ok(())
}

/// Cloud Run service names: lower-case letters, digits and `-`, starting with a letter, not
/// ending with `-`, at most 49 characters.
fn check_name(name: &str) -> Result<(), String> {
    let ok = (1..=49).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{name:?}: lower-case letters, digits and `-`, starting with a letter, at most 49"
        ))
    }
}

fn check_ports(container: &Value, at: &str, containers: usize) -> Result<(), CheckError> {
    match container.get("ports") {
        None if containers == 1 => Ok(()),
        None => Ok(()),
        Some(Value::Array(ports)) if ports.len() == 1 => {
            let port = ports[0].get("containerPort").and_then(Value::as_u64);
            match port {
                Some(1..=65535) => {}
                _ => {
                    return Err(CheckError::new(
                        format!("{at}.ports[0].containerPort"),
                        "an integer port is required",
                    ))
                }
            }
            match ports[0].get("name").and_then(Value::as_str) {
                None | Some("http1") | Some("h2c") => Ok(()),
                Some(other) => Err(CheckError::new(
                    format!("{at}.ports[0].name"),
                    format!("{other:?}: Cloud Run takes http1 or h2c"),
                )),
            }
        }
        Some(_) => Err(CheckError::new(
            format!("{at}.ports"),
            "Cloud Run takes exactly one port",
        )),
    }
}

fn check_env(container: &Value, at: &str) -> Result<(), CheckError> {
    let Some(env) = container.get("env") else {
        return Ok(());
    };
    let Some(env) = env.as_array() else {
        return Err(CheckError::new(format!("{at}.env"), "must be a list"));
    };
    let mut seen = std::collections::BTreeSet::new();
    for (i, var) in env.iter().enumerate() {
        let here = format!("{at}.env[{i}]");
        let name = string(var, &here, "name")?;
        if RESERVED_ENV.contains(&name) {
            return Err(CheckError::new(
                format!("{here}.name"),
                format!("{name}: Cloud Run sets this variable and refuses it"),
            ));
        }
        if !seen.insert(name.to_owned()) {
            return Err(CheckError::new(
                format!("{here}.name"),
                format!("{name} is set twice"),
            ));
        }
        match var.get("value") {
            Some(Value::String(_)) | None => {}
            Some(other) => {
                return Err(CheckError::new(
                    format!("{here}.value"),
                    format!("{other}: values are strings"),
                ))
            }
        }
    }
    Ok(())
}

fn check_resources(container: &Value, at: &str) -> Result<(), CheckError> {
    let Some(limits) = container.get("resources").and_then(|r| r.get("limits")) else {
        return Ok(());
    };
    if let Some(memory) = limits.get("memory") {
        let text = memory.as_str().unwrap_or_default();
        let mib = text
            .strip_suffix("Mi")
            .and_then(|n| n.parse::<u64>().ok())
            .or_else(|| {
                text.strip_suffix("Gi")
                    .and_then(|n| n.parse::<u64>().ok())
                    .map(|g| g * 1024)
            });
        match mib {
            Some(128..=32_768) => {}
            _ => {
                return Err(CheckError::new(
                    format!("{at}.resources.limits.memory"),
                    format!("{memory}: from 128Mi to 32Gi, as a string with Mi or Gi"),
                ))
            }
        }
    }
    if let Some(cpu) = limits.get("cpu") {
        match cpu.as_str() {
            Some("1" | "2" | "4" | "6" | "8") => {}
            Some(m)
                if m.strip_suffix('m')
                    .and_then(|n| n.parse::<u32>().ok())
                    .is_some_and(|n| (80..1000).contains(&n)) => {}
            _ => {
                return Err(CheckError::new(
                    format!("{at}.resources.limits.cpu"),
                    format!("{cpu}: \"1\", \"2\", \"4\", \"6\", \"8\" or below 1 in millicores"),
                ))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: echo\nspec:\n  template:\n    spec:\n      containerConcurrency: 80\n      timeoutSeconds: 30\n      containers:\n      - image: us-docker.pkg.dev/p/r/echo\n        ports: [{name: http1, containerPort: 8080}]\n        env: [{name: A, value: b}]\n        resources: {limits: {memory: 256Mi, cpu: '1'}}\n";

    #[test]
    fn a_good_service_passes_and_each_fault_is_named() {
        check_service(GOOD).unwrap();
        let bad = [
            (GOOD.replace("serving.knative.dev/v1", "v1"), "apiVersion"),
            (GOOD.replace("name: echo", "name: Echo"), "metadata.name"),
            (
                GOOD.replace("timeoutSeconds: 30", "timeoutSeconds: 4000"),
                "spec.template.spec.timeoutSeconds",
            ),
            (
                GOOD.replace("- image: us-docker.pkg.dev/p/r/echo", "- image: ''"),
                "spec.template.spec.containers[0].image",
            ),
            (
                GOOD.replace("name: A", "name: PORT"),
                "spec.template.spec.containers[0].env[0].name",
            ),
            (
                GOOD.replace("memory: 256Mi", "memory: 64Mi"),
                "spec.template.spec.containers[0].resources.limits.memory",
            ),
            (
                GOOD.replace("containerConcurrency: 80", "containerConcurrency: 5000"),
                "spec.template.spec.containerConcurrency",
            ),
        ];
        for (text, path) in bad {
            assert_eq!(check_service(&text).unwrap_err().path, path, "{text}");
        }
    }
}
