//! `polyfaas-openwhisk-package EXECUTABLE [-o action.zip] [--exec-env VERSION]`: writes the zip
//! for `wsk action create NAME --native action.zip` (the executable as `exec`, mode 0755).

use std::path::PathBuf;
use std::process::ExitCode;

use polyfaas_openwhisk::package::{write_action_zip, PackageOptions};

const USAGE: &str = "usage: polyfaas-openwhisk-package EXECUTABLE [-o OUT.zip] [--exec-env VERSION]

Writes OUT.zip (default action.zip) with EXECUTABLE as `exec`, ready for
  wsk action create NAME --native OUT.zip --web raw
--exec-env adds `exec.env` for ActionLoop images that set OW_EXECUTION_ENV.";

fn main() -> ExitCode {
    match parse(std::env::args().skip(1)) {
        Ok(Some((executable, out, options))) => match write_action_zip(&executable, &out, &options)
        {
            Ok(()) => {
                println!("wrote {}", out.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("polyfaas-openwhisk-package: {e}");
                ExitCode::FAILURE
            }
        },
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("polyfaas-openwhisk-package: {message}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

type Parsed = Option<(PathBuf, PathBuf, PackageOptions)>;

fn parse(mut args: impl Iterator<Item = String>) -> Result<Parsed, String> {
    let mut executable = None;
    let mut out = PathBuf::from("action.zip");
    let mut options = PackageOptions::default();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "-o" | "--output" => {
                out = args.next().ok_or("-o needs a file name")?.into();
            }
            "--exec-env" => {
                options.exec_env = Some(args.next().ok_or("--exec-env needs a value")?);
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            path if executable.is_none() => executable = Some(PathBuf::from(path)),
            extra => return Err(format!("unexpected argument {extra}")),
        }
    }
    let executable = executable.ok_or("the executable to package is missing")?;
    Ok(Some((executable, out, options)))
}
