//! A wskdeploy manifest: packages with actions, triggers on the alarms feeds, and rules that
//! bind existing triggers to existing actions.

use serde_json::Value;

use super::{object, parse_yaml, string, CheckError};

/// The alarm feeds and the input each requires.
const FEEDS: [(&str, &str); 2] = [
    ("/whisk.system/alarms/alarm", "cron"),
    ("/whisk.system/alarms/interval", "minutes"),
];

/// Checks `manifest.yaml`'s text.
pub fn check_manifest(text: &str) -> Result<(), CheckError> {
    let doc = parse_yaml(text)?;
    let packages = object(&doc, "", "packages")?;
    if packages.is_empty() {
        return Err(CheckError::new("packages", "no package"));
    }
    for (name, package) in packages {
        let at = format!("packages.{name}");
        let actions = object(package, &at, "actions")?;
        if actions.is_empty() {
            return Err(CheckError::new(format!("{at}.actions"), "no action"));
        }
        for (action_name, action) in actions {
            check_action(action, &format!("{at}.actions.{action_name}"))?;
        }
        let empty = serde_json::Map::new();
        let triggers = match package.get("triggers") {
            Some(_) => object(package, &at, "triggers")?,
            None => &empty,
        };
        for (trigger_name, trigger) in triggers {
            check_trigger(trigger, &format!("{at}.triggers.{trigger_name}"))?;
        }
        if let Some(rules) = package.get("rules") {
            let rules = rules
                .as_object()
                .ok_or_else(|| CheckError::new(format!("{at}.rules"), "must be a map"))?;
            for (rule_name, rule) in rules {
                let here = format!("{at}.rules.{rule_name}");
                let trigger = string(rule, &here, "trigger")?;
                let action = string(rule, &here, "action")?;
                if !triggers.contains_key(trigger) {
                    return Err(CheckError::new(
                        format!("{here}.trigger"),
                        format!("{trigger:?} is not a trigger of the package"),
                    ));
                }
                if !actions.contains_key(action) {
                    return Err(CheckError::new(
                        format!("{here}.action"),
                        format!("{action:?} is not an action of the package"),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn check_action(action: &Value, at: &str) -> Result<(), CheckError> {
    let function = string(action, at, "function")?;
    if function.ends_with(".zip")
        && action.get("runtime").is_none()
        && action.get("docker").is_none()
        && action.get("native").is_none()
    {
        return Err(CheckError::new(
            format!("{at}.runtime"),
            "a zip action needs `runtime`, `docker` or `native`",
        ));
    }
    if let Some(web) = action.get("web") {
        let ok = matches!(web, Value::Bool(_))
            || matches!(web.as_str(), Some("true" | "false" | "yes" | "no" | "raw"));
        if !ok {
            return Err(CheckError::new(
                format!("{at}.web"),
                format!("{web}: true, false, yes, no or raw"),
            ));
        }
    }
    if let Some(limits) = action.get("limits") {
        if let Some(memory) = limits.get("memorySize") {
            if !memory.as_u64().is_some_and(|m| (128..=2048).contains(&m)) {
                return Err(CheckError::new(
                    format!("{at}.limits.memorySize"),
                    format!("{memory}: 128 to 2048 (MB)"),
                ));
            }
        }
        if let Some(timeout) = limits.get("timeout") {
            if !timeout
                .as_u64()
                .is_some_and(|t| (100..=600_000).contains(&t))
            {
                return Err(CheckError::new(
                    format!("{at}.limits.timeout"),
                    format!("{timeout}: 100 to 600000 (ms)"),
                ));
            }
        }
    }
    Ok(())
}

fn check_trigger(trigger: &Value, at: &str) -> Result<(), CheckError> {
    let Some(feed) = trigger.get("feed") else {
        return Ok(());
    };
    let feed = feed.as_str().unwrap_or_default();
    let Some((_, input)) = FEEDS.iter().find(|(name, _)| *name == feed) else {
        return Err(CheckError::new(
            format!("{at}.feed"),
            format!("{feed:?}: the generated manifests use the alarms feeds only"),
        ));
    };
    let inputs = object(trigger, at, "inputs")?;
    let value = inputs.get(*input).ok_or_else(|| {
        CheckError::new(
            format!("{at}.inputs.{input}"),
            "missing: the feed requires it",
        )
    })?;
    match *input {
        "cron" => {
            let fields = value.as_str().map_or(0, |c| c.split_whitespace().count());
            if !(5..=6).contains(&fields) {
                return Err(CheckError::new(
                    format!("{at}.inputs.cron"),
                    format!("{value}: five fields (six with seconds)"),
                ));
            }
        }
        _ => {
            if value.as_u64().is_none_or(|m| m < 1) {
                return Err(CheckError::new(
                    format!("{at}.inputs.minutes"),
                    format!("{value}: a whole number of minutes"),
                ));
            }
        }
    }
    if let Some(payload) = inputs.get("trigger_payload") {
        if !payload.is_object() {
            return Err(CheckError::new(
                format!("{at}.inputs.trigger_payload"),
                "must be a map",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "packages:\n  p:\n    actions:\n      a:\n        function: action.zip\n        docker: openwhisk/dockerskeleton\n        web: raw\n        limits: {memorySize: 256, timeout: 30000}\n    triggers:\n      t:\n        feed: /whisk.system/alarms/alarm\n        inputs: {cron: '0 2 * * *', trigger_payload: {polyfaas_schedule: t}}\n    rules:\n      r: {trigger: t, action: a}\n";

    #[test]
    fn structure_is_checked() {
        check_manifest(GOOD).unwrap();
        let bad = [
            (
                GOOD.replace("docker: openwhisk/dockerskeleton", "main: x"),
                "packages.p.actions.a.runtime",
            ),
            (
                GOOD.replace("cron: '0 2 * * *'", "cron: '0 2'"),
                "packages.p.triggers.t.inputs.cron",
            ),
            (
                GOOD.replace("r: {trigger: t", "r: {trigger: u"),
                "packages.p.rules.r.trigger",
            ),
            (
                GOOD.replace("/whisk.system/alarms/alarm", "/whisk.system/other"),
                "packages.p.triggers.t.feed",
            ),
            (
                GOOD.replace("memorySize: 256", "memorySize: 4096"),
                "packages.p.actions.a.limits.memorySize",
            ),
        ];
        for (text, path) in bad {
            assert_eq!(check_manifest(&text).unwrap_err().path, path, "{text}");
        }
    }
}
