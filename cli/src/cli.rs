//! The command line: arguments, and running each command.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::build::{self, BuildOptions, Profile};
use crate::commands::{self, DevArgs, InvokeArgs, TestArgs};
use crate::declaration::{Declaration, DeclarationError};
use crate::new::{self, Source};
use crate::package::{self, Inputs};
use crate::platform::{Arch, Platform};
use crate::project::Project;
use crate::support;

/// cargo polyfaas: build and package a function for AWS Lambda, Google Cloud Run, Azure
/// Functions and Apache OpenWhisk from its polyfaas.toml.
#[derive(Debug, Parser)]
#[command(name = "cargo polyfaas", bin_name = "cargo polyfaas", version)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// One command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a function crate (handler, polyfaas.toml, a test) that builds and passes at once.
    New {
        /// The function's name (also the folder and the package).
        name: String,
        /// Where to create it (default: ./NAME).
        #[arg(long)]
        path: Option<PathBuf>,
        /// The polyfaas crate to depend on (default: the checkout this CLI was built from).
        #[arg(long, conflicts_with = "git")]
        polyfaas_path: Option<PathBuf>,
        /// Depend on polyfaas from this git repository instead.
        #[arg(long)]
        git: Option<String>,
        /// The git branch.
        #[arg(long, requires = "git")]
        branch: Option<String>,
    },
    /// Build the function's binary for a platform; prints its path and size.
    Build(Target),
    /// Write the function's whole deployment for a platform.
    Package {
        /// What to build.
        #[command(flatten)]
        target: Target,
        /// The folder to write (default: polyfaas/PLATFORM/ in the target dir).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check polyfaas.toml and say which platforms can deploy it.
    Check {
        /// The function's Cargo.toml.
        #[arg(long, value_name = "PATH")]
        manifest_path: Option<PathBuf>,
    },
    /// Send one event to the function running under a platform's emulator (built for it first);
    /// print the platform's answer and the function's logs.
    Invoke(InvokeArgs),
    /// Send every event of a folder (default tests/events) to the function under every platform;
    /// print a table of the answers, marking where a platform answers differently.
    Test(TestArgs),
    /// Serve the function on the local provider, rebuilt and restarted when a source file
    /// changes; `--record DIR` writes every event received to DIR.
    Dev(DevArgs),
}

/// The function and the platform to build for.
#[derive(Debug, Args)]
pub struct Target {
    /// The platform.
    #[arg(long, value_enum)]
    pub platform: Platform,
    /// The CPU architecture.
    #[arg(long, value_enum, default_value_t = Arch::X86_64)]
    pub arch: Arch,
    /// `release` (size-optimised, stripped) or `dev` (quick builds for trying things).
    #[arg(long, value_enum, default_value_t = Profile::Release)]
    pub profile: Profile,
    /// The function's Cargo.toml (default: ./Cargo.toml).
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
}

/// Runs the command line `args` (as `cargo-polyfaas polyfaas ...` or `cargo-polyfaas ...`).
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let mut args: Vec<OsString> = args.into_iter().collect();
    // `cargo polyfaas x` runs `cargo-polyfaas polyfaas x`.
    if args.get(1).is_some_and(|a| a == "polyfaas") {
        args.remove(1);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::New {
            name,
            path,
            polyfaas_path,
            git,
            branch,
        } => {
            let dir = path.unwrap_or_else(|| PathBuf::from(&name));
            let source = match git {
                Some(url) => Source::Git { url, branch },
                None => Source::Path(polyfaas_path.unwrap_or_else(new::default_polyfaas_path)),
            };
            let files = new::create(&name, &dir, &source).map_err(|e| e.to_string())?;
            for file in files {
                println!("created {}", file.display());
            }
            println!(
                "next: cd {} && cargo test && cargo polyfaas package --platform aws",
                dir.display()
            );
            Ok(())
        }
        Command::Build(target) => {
            let (project, declaration) = load(target.manifest_path.as_deref())?;
            support::check(&declaration, target.platform).map_err(|e| e.to_string())?;
            let built = build_for(&project, &declaration, &target)?;
            println!("{} {}", built.path.display(), human_size(built.size));
            Ok(())
        }
        Command::Package { target, out } => {
            let (project, declaration) = load(target.manifest_path.as_deref())?;
            support::check(&declaration, target.platform).map_err(|e| e.to_string())?;
            let built = build_for(&project, &declaration, &target)?;
            let out = out.unwrap_or_else(|| {
                project
                    .target_dir
                    .join("polyfaas")
                    .join(target.platform.as_str())
            });
            let inputs = Inputs {
                declaration: &declaration,
                built: &built,
                bin: &project.bin,
                arch: target.arch,
            };
            let written =
                package::package(target.platform, &inputs, &out).map_err(|e| e.to_string())?;
            println!(
                "{} for {} in {}:",
                declaration.name,
                target.platform,
                written.dir.display()
            );
            for artifact in &written.artifacts {
                println!(
                    "  {:<60} {}",
                    artifact.path.display(),
                    human_size(artifact.size)
                );
            }
            for note in &written.notes {
                println!("note: {note}");
            }
            Ok(())
        }
        Command::Check { manifest_path } => {
            let (_, declaration) = load(manifest_path.as_deref())?;
            let mut refused = 0;
            for platform in Platform::ALL {
                match support::check(&declaration, platform) {
                    Ok(()) => println!("{platform}: ok"),
                    Err(refusal) => {
                        refused += 1;
                        println!("{platform}: refused: {}: {}", refusal.key, refusal.reason);
                    }
                }
            }
            if refused == Platform::ALL.len() {
                Err("no platform can deploy this declaration".to_owned())
            } else {
                Ok(())
            }
        }
        Command::Invoke(args) => return commands::invoke(args),
        Command::Test(args) => return commands::test(args),
        Command::Dev(args) => return commands::dev(args),
    }
    .map(|()| ExitCode::SUCCESS)
}

fn load(manifest: Option<&Path>) -> Result<(Project, Declaration), String> {
    let project = Project::locate(manifest).map_err(|e| e.to_string())?;
    let path = project.declaration_path();
    let declaration = Declaration::load(&path, &project.package).map_err(|e| match e {
        DeclarationError::Read { .. } => format!(
            "{e}\n  every function has a polyfaas.toml beside its Cargo.toml; `cargo polyfaas new` writes one"
        ),
        other => format!("{}: {other}", path.display()),
    })?;
    Ok((project, declaration))
}

fn build_for(
    project: &Project,
    declaration: &Declaration,
    target: &Target,
) -> Result<build::Built, String> {
    let built = build::build(
        project,
        declaration,
        BuildOptions {
            platform: target.platform,
            arch: target.arch,
            profile: target.profile,
        },
    )
    .map_err(|e| e.to_string())?;
    if let (Some(needed), Some(ceiling)) = (built.glibc, target.platform.glibc_ceiling()) {
        if needed > ceiling {
            eprintln!(
                "warning: {} needs glibc {}.{}, newer than {}'s {}.{}: build on an older system or with cargo-zigbuild",
                built.path.display(),
                needed.0,
                needed.1,
                target.platform,
                ceiling.0,
                ceiling.1
            );
        }
    }
    eprintln!(
        "Built {} ({})",
        built.path.display(),
        human_size(built.size)
    );
    Ok(built)
}

/// `9.1 MiB (9522120 bytes)`.
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!(
            "{:.1} MiB ({bytes} bytes)",
            bytes as f64 / (1024.0 * 1024.0)
        )
    } else {
        format!("{:.1} KiB ({bytes} bytes)", bytes as f64 / 1024.0)
    }
}
