//! Writes an Azure Functions app's `host.json` and `function.json` files for a polyfaas
//! custom handler. See `providers/azure/README.md`.
//!
//! ```text
//! polyfaas-azure-scaffold --app-root DIR --executable NAME [--forwarding] [--function-timeout hh:mm:ss]
//!     [--http NAME[=ROUTE]]... [--blob NAME=CONTAINER/PATTERN]... [--queue NAME=QUEUE]... [--timer NAME=SCHEDULE]...
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use polyfaas_azure::scaffold::{AppScaffold, TriggerSpec};

const USAGE: &str =
    "usage: polyfaas-azure-scaffold --app-root DIR --executable NAME [--forwarding] \
[--function-timeout hh:mm:ss] [--http NAME[=ROUTE]]... [--blob NAME=CONTAINER/PATTERN]... \
[--queue NAME=QUEUE]... [--timer NAME=SCHEDULE]...

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
            flag @ ("--blob" | "--queue" | "--timer") => {
                let (name, rest) = split(flag, value(flag)?)?;
                let rest = rest.ok_or_else(|| format!("{flag} needs NAME=VALUE"))?;
                let trigger = match flag {
                    "--blob" => TriggerSpec::blob(rest),
                    "--queue" => TriggerSpec::queue(rest),
                    _ => TriggerSpec::timer(rest),
                };
                functions.push((name, trigger));
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let root = root.ok_or("--app-root is required")?;
    let executable = executable.ok_or("--executable is required")?;
    if functions.is_empty() {
        return Err("name at least one function (--http, --blob, --queue or --timer)".to_owned());
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
        assert_eq!(app.write(dir.path()).unwrap().len(), 7);
        let items = std::fs::read_to_string(dir.path().join("items/function.json")).unwrap();
        assert!(items.contains("\"route\": \"items/{id}\""), "{items}");
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
            "name at least one function (--http, --blob, --queue or --timer)"
        );
        assert_eq!(
            err(&["--app-root", "a", "--executable", "e", "--blob", "b"]),
            "--blob needs NAME=VALUE"
        );
        assert_eq!(err(&["--app-root"]), "--app-root needs a value");
        assert_eq!(err(&["--bogus"]), "unknown argument \"--bogus\"");
    }
}
