//! Writes an Azure Functions app's `host.json` and `function.json` files for a polyfaas
//! custom handler. See `providers/azure/README.md`.
//!
//! ```text
//! polyfaas-azure-scaffold --app-root DIR --executable NAME [--forwarding] [--function-timeout hh:mm:ss]
//!     [--http NAME[=ROUTE]]... [--blob NAME=CONTAINER/PATTERN]... [--queue NAME=QUEUE]... [--timer NAME=SCHEDULE]...
//!     [--service-bus NAME=QUEUE|TOPIC/SUBSCRIPTION]... [--event-hubs NAME=HUB]... [--event-hubs-batch NAME=HUB]...
//!     [--cosmos NAME=DATABASE/CONTAINER]...
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use polyfaas_azure::scaffold::{AppScaffold, TriggerSpec};

const USAGE: &str =
    "usage: polyfaas-azure-scaffold --app-root DIR --executable NAME [--forwarding] \
[--function-timeout hh:mm:ss] [--http NAME[=ROUTE]]... [--blob NAME=CONTAINER/PATTERN]... \
[--queue NAME=QUEUE]... [--timer NAME=SCHEDULE]... [--service-bus NAME=QUEUE|TOPIC/SUBSCRIPTION]... \
[--event-hubs NAME=HUB]... [--event-hubs-batch NAME=HUB]... [--cosmos NAME=DATABASE/CONTAINER]...

example: polyfaas-azure-scaffold --app-root app --executable echo --http hello \
--blob thumbnail=uploads/{name} --queue orders=orders --timer nightly='0 0 2 * * *'";

fn main() -> ExitCode {
    match parse(std::env::args().skip(1)) {
        Ok((root, app)) => match app.write(&root) {
            Ok(files) => {
                for file in files {
                    println!("wrote {}", file.display());
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<(PathBuf, AppScaffold), String> {
    let mut root = None;
    let mut executable = None;
    let mut forwarding = false;
    let mut timeout = None;
    let mut functions = Vec::new();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or_else(|| format!("{flag} needs a value"));
        let split = |flag: &str, v: String| -> Result<(String, Option<String>), String> {
            match v.split_once('=') {
                Some((name, rest)) if !name.is_empty() => {
                    Ok((name.to_owned(), Some(rest.to_owned())))
                }
                Some(_) => Err(format!(
                    "{flag} {v:?}: the function name is missing before `=`"
                )),
                None => Ok((v, None)),
            }
        };
        match arg.as_str() {
            "--help" | "-h" => return Err("help".to_owned()),
            "--app-root" => root = Some(PathBuf::from(value(&arg)?)),
            "--executable" => executable = Some(value(&arg)?),
            "--forwarding" => forwarding = true,
            "--function-timeout" => timeout = Some(value(&arg)?),
            "--http" => {
                let (name, route) = split(&arg, value(&arg)?)?;
                let trigger = route.map_or_else(TriggerSpec::http, TriggerSpec::http_route);
                functions.push((name, trigger));
            }
            flag @ ("--blob" | "--queue" | "--timer" | "--service-bus" | "--event-hubs"
            | "--event-hubs-batch" | "--cosmos") => {
                let (name, rest) = split(flag, value(flag)?)?;
                let rest = rest.ok_or_else(|| format!("{flag} needs NAME=VALUE"))?;
                let trigger = match flag {
                    "--blob" => TriggerSpec::blob(rest),
                    "--queue" => TriggerSpec::queue(rest),
                    "--timer" => TriggerSpec::timer(rest),
                    "--service-bus" => match rest.split_once('/') {
                        Some((topic, subscription)) => {
                            TriggerSpec::service_bus_topic(topic, subscription)
                        }
                        None => TriggerSpec::service_bus_queue(rest),
                    },
                    "--event-hubs" => TriggerSpec::event_hubs(rest),
                    "--event-hubs-batch" => TriggerSpec::event_hubs(rest).batch(true),
                    _ => match rest.split_once('/') {
                        Some((database, container)) => TriggerSpec::cosmos_db(database, container),
                        None => return Err(format!("{flag} needs NAME=DATABASE/CONTAINER")),
                    },
                };
                functions.push((name, trigger));
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let root = root.ok_or("--app-root is required")?;
    let executable = executable.ok_or("--executable is required")?;
    if functions.is_empty() {
        return Err("name at least one function (--http, --blob, --queue, --timer, --service-bus, --event-hubs or --cosmos)".to_owned());
    }
    let mut app = AppScaffold::new(executable).forwarding(forwarding);
    if let Some(timeout) = timeout {
        app = app.function_timeout(timeout);
    }
    for (name, trigger) in functions {
        app = app.function(name, trigger);
    }
    Ok((root, app))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn flags_become_functions() {
        let (root, app) = parse(args(&[
            "--app-root",
            "app",
            "--executable",
            "echo",
            "--forwarding",
            "--http",
            "hello",
            "--http",
            "items=items/{id}",
            "--blob",
            "thumbs=uploads/{name}",
            "--queue",
            "orders=orders",
            "--timer",
            "nightly=0 0 2 * * *",
            "--service-bus",
            "alerts=alerts/pager",
            "--event-hubs-batch",
            "clicks=clicks",
            "--cosmos",
            "feed=shop/orders",
        ]))
        .unwrap();
        assert_eq!(root, PathBuf::from("app"));
        let host = app.host_json();
        assert_eq!(
            host["customHandler"]["description"]["defaultExecutablePath"],
            "echo"
        );
        assert_eq!(host["customHandler"]["enableForwardingHttpRequest"], true);
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(app.write(dir.path()).unwrap().len(), 10);
        let items = std::fs::read_to_string(dir.path().join("items/function.json")).unwrap();
        assert!(items.contains("\"route\": \"items/{id}\""), "{items}");
        let alerts = std::fs::read_to_string(dir.path().join("alerts/function.json")).unwrap();
        assert!(
            alerts.contains("\"subscriptionName\": \"pager\""),
            "{alerts}"
        );
        let clicks = std::fs::read_to_string(dir.path().join("clicks/function.json")).unwrap();
        assert!(clicks.contains("\"cardinality\": \"many\""), "{clicks}");
    }

    #[test]
    fn mistakes_are_explained() {
        let err = |list: &[&str]| parse(args(list)).err().unwrap();
        assert_eq!(
            err(&["--executable", "e", "--http", "h"]),
            "--app-root is required"
        );
        assert_eq!(
            err(&["--app-root", "a", "--executable", "e"]),
            "name at least one function (--http, --blob, --queue, --timer, --service-bus, --event-hubs or --cosmos)"
        );
        assert_eq!(
            err(&["--app-root", "a", "--executable", "e", "--blob", "b"]),
            "--blob needs NAME=VALUE"
        );
        assert_eq!(err(&["--app-root"]), "--app-root needs a value");
        assert_eq!(
            err(&[
                "--app-root",
                "a",
                "--executable",
                "e",
                "--cosmos",
                "f=orders"
            ]),
            "--cosmos needs NAME=DATABASE/CONTAINER"
        );
        assert_eq!(err(&["--bogus"]), "unknown argument \"--bogus\"");
    }
}
