//! `pfbench`: the measuring instrument behind `scripts/bench.sh`, `scripts/load.sh` and
//! `scripts/neutral-rules.py`. It starts real function binaries and talks to them the way their
//! platform does:
//!
//! - `aws-startup`: under a Lambda Runtime API server (conformance-tests' own), the time from
//!   spawning the process to its first `/response`, for several binaries interleaved run by run;
//! - `http-startup`: the time from spawning an HTTP-serving binary (GCP, Azure custom handler,
//!   local, or an anchor) to the answer of its first invocation, after the host's readiness
//!   probe where the platform has one;
//! - `aws-invoke`: hands event files to one binary over the Runtime API and prints what it
//!   answered, one JSON line each (or a summary of many repeats).
//!
//! Every figure is printed as JSON for the report generator (`scripts/bench-report.py`).

mod aws;
mod http_startup;
mod spawn;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Start-up and invocation measurements of built function binaries")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start to first response under a Lambda Runtime API server, NAME=PATH binaries interleaved.
    AwsStartup {
        /// The event handed out on the first `/next`.
        #[arg(long)]
        event: PathBuf,
        /// Runs per binary.
        #[arg(long, default_value_t = 30)]
        runs: usize,
        /// Extra environment for every binary (K=V), on top of Lambda's own variables.
        #[arg(long = "env", value_parser = spawn::parse_pair)]
        env: Vec<(String, String)>,
        /// The binaries, as NAME=PATH.
        #[arg(required = true, value_parser = spawn::parse_pair)]
        binaries: Vec<(String, String)>,
        /// Also write each run's minor page faults by its first response to this file (JSON).
        #[arg(long)]
        faults: Option<PathBuf>,
    },
    /// Hands each event file to BIN over the Runtime API and prints the outcomes as JSON lines.
    AwsInvoke {
        /// The function binary.
        #[arg(long)]
        bin: PathBuf,
        /// Extra environment (K=V).
        #[arg(long = "env", value_parser = spawn::parse_pair)]
        env: Vec<(String, String)>,
        /// `Lambda-Runtime-Deadline-Ms` of the first invocation, as sent ("none": left out);
        /// the others get 60 s from now, as Lambda sends it.
        #[arg(long)]
        deadline: Option<String>,
        /// Hand the events out this many times and print a summary instead of every outcome.
        #[arg(long, default_value_t = 1)]
        repeat: usize,
        /// How long to wait for each answer.
        #[arg(long, default_value_t = 30)]
        timeout_s: u64,
        /// The event files.
        #[arg(required = true)]
        events: Vec<PathBuf>,
    },
    /// Start to first answered invocation of HTTP-serving binaries described by a JSON spec.
    HttpStartup {
        /// The spec (see `http_startup::Spec`).
        #[arg(long)]
        spec: PathBuf,
        /// Runs per target.
        #[arg(long, default_value_t = 30)]
        runs: usize,
    },
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    match Cli::parse().command {
        Command::AwsStartup {
            event,
            runs,
            env,
            binaries,
            faults,
        } => aws::startup(&event, runs, &env, &binaries, faults.as_deref()).await?,
        Command::AwsInvoke {
            bin,
            env,
            deadline,
            repeat,
            timeout_s,
            events,
        } => {
            let limit = std::time::Duration::from_secs(timeout_s);
            aws::invoke(&bin, &env, deadline, repeat, limit, &events).await?
        }
        Command::HttpStartup { spec, runs } => http_startup::run(&spec, runs).await?,
    }
    Ok(())
}
