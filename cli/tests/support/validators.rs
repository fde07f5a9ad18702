//! The external validators (installed by scripts/install-validators.sh) and the CLI's own checks,
//! run on a package folder. Every failure shows the validator's whole output.

use std::path::{Path, PathBuf};
use std::process::Command;

use polyfaas_cli::check;

use super::workspace_root;

fn prefix() -> PathBuf {
    match std::env::var_os("POLYFAAS_VALIDATORS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/polyfaas")
        }
    }
}

fn tool(relative: &str) -> PathBuf {
    let path = prefix().join(relative);
    assert!(
        path.exists(),
        "{} is missing: run `bash scripts/install-validators.sh` (cfn-lint, aws-sam-translator, @kubernetes-models/knative)",
        path.display()
    );
    path
}

/// Runs a validator; returns its output, or panics with it when the validator fails.
fn run(command: Command, what: &str) -> String {
    super::run(command, what).all
}

/// `cfn-lint template.yaml`: no error (cfn-lint exits 0 only without errors and warnings;
/// informational findings exit 8 and are accepted).
pub fn cfn_lint(template: &Path) -> String {
    let output = Command::new(tool("cli-venv/bin/cfn-lint"))
        .arg(template)
        .output()
        .expect("run cfn-lint");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let code = output.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 8,
        "cfn-lint {} found errors or warnings (exit {code}):\n{text}",
        template.display()
    );
    format!(
        "cfn-lint: exit {code}{}{text}",
        if text.is_empty() {
            ", no findings"
        } else {
            "\n"
        }
    )
}

/// aws-sam-translator's offline translation to CloudFormation.
pub fn sam_translate(template: &Path) -> String {
    let mut command = Command::new(tool("cli-venv/bin/python"));
    command
        .arg(workspace_root().join("scripts/sam-translate.py"))
        .arg(template);
    format!("aws-sam-translator:\n{}", run(command, "sam-translate.py"))
}

/// The Knative Serving schema (@kubernetes-models/knative) and the CLI's Cloud Run check.
pub fn knative(service: &Path) -> String {
    let mut command = Command::new("node");
    command
        .env("NODE_PATH", tool("cli-node/node_modules"))
        .arg(workspace_root().join("scripts/validate-knative.cjs"))
        .arg(service);
    let schema = run(command, "validate-knative.cjs");
    let text = std::fs::read_to_string(service).expect("read service.yaml");
    check::knative::check_service(&text)
        .unwrap_or_else(|e| panic!("{}: {e}\n{text}", service.display()));
    format!("knative schema: {schema}cloud run check: ok")
}

/// The deploy script parses as POSIX sh.
pub fn shell_syntax(script: &Path) -> String {
    let mut command = Command::new("sh");
    command.arg("-n").arg(script);
    run(command, "sh -n deploy.sh");
    "sh -n: ok".to_owned()
}

/// The CLI's Azure binding check on an app folder.
pub fn azure_app(app: &Path) -> String {
    check::azure::check_app(app).unwrap_or_else(|e| panic!("{}: {e}", app.display()));
    "azure bindings: ok".to_owned()
}

/// The CLI's wskdeploy manifest check.
pub fn openwhisk_manifest(manifest: &Path) -> String {
    let text = std::fs::read_to_string(manifest).expect("read manifest.yaml");
    check::openwhisk::check_manifest(&text)
        .unwrap_or_else(|e| panic!("{}: {e}\n{text}", manifest.display()));
    "wskdeploy manifest: ok".to_owned()
}

/// Every validator that applies to `platform`'s package in `dir`; returns their output.
pub fn validate(platform: &str, dir: &Path) -> String {
    match platform {
        "aws" => {
            let template = dir.join("template.yaml");
            format!("{}\n{}", cfn_lint(&template), sam_translate(&template))
        }
        "gcp" => format!(
            "{}\n{}",
            knative(&dir.join("service.yaml")),
            shell_syntax(&dir.join("deploy.sh"))
        ),
        "azure" => azure_app(&dir.join("app")),
        "openwhisk" => openwhisk_manifest(&dir.join("manifest.yaml")),
        other => panic!("no platform {other}"),
    }
}
