//! The command lines of `invoke`, `test` and `dev` (the commands that run the function under the
//! emulators), and what they print. The work is in [`invoke`](mod@crate::invoke),
//! [`test`](mod@crate::test) and [`dev`](mod@crate::dev).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use polyfaas_testkit::matrix::Compare;
use polyfaas_testkit::Platform;

use crate::emulator::{parse_key_value, parse_platform};
use crate::invoke::{self, Request};
use crate::project::Project;
use crate::{dev, test};

const SET_HELP: &str = "A parameter of the sample event, KEY=VALUE (repeatable). http: method, path, query, header.<name>, body, body_base64, source_ip; blob: change, bucket/container/store, key, size, etag, content_type, content, content_base64; message: id, source/queue/topic/stream, body, body_base64, attribute.<name>; change: id, source/table/collection, op, key, key.<field>, old.<field>, new.<field>; schedule: name, time; invoke: payload, payload.<field>. An empty value sets an optional field to null";

/// The function the command runs and how it is built (every command here has them).
#[derive(Debug, Args)]
pub struct FunctionArgs {
    /// Build with the release profile (default: dev, quicker to build).
    #[arg(long)]
    pub release: bool,
    /// The function's Cargo.toml (default: ./Cargo.toml).
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
}

/// `invoke`'s arguments.
#[derive(Debug, Args)]
pub struct InvokeArgs {
    /// The platform: local, aws, gcp, azure or openwhisk.
    #[arg(long, value_parser = parse_platform, required_unless_present = "list")]
    pub platform: Option<Platform>,
    /// The sample event: http, blob-created, blob-deleted, message, schedule, invoke, or a
    /// platform's own (`--list`).
    #[arg(long, value_name = "NAME", required_unless_present = "list")]
    pub event: Option<String>,
    /// Parameters of the sample event (the full list is in SET_HELP).
    #[arg(long = "set", value_name = "KEY=VALUE", help = SET_HELP)]
    pub set: Vec<String>,
    /// Send this file's native data in the sample's delivery instead (the Lambda payload, the
    /// request body, the Azure envelope, the OpenWhisk parameters); `-` reads standard input.
    #[arg(long, value_name = "FILE", conflicts_with = "set")]
    pub data: Option<PathBuf>,
    /// List the sample events (of --platform, or of every platform).
    #[arg(long)]
    pub list: bool,
    /// Print the native event and stop (nothing is built or run).
    #[arg(long)]
    pub print_event: bool,
    /// A variable for the function's environment, KEY=VALUE (repeatable).
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub env: Vec<(String, String)>,
    /// Which function, and how it is built.
    #[command(flatten)]
    pub function: FunctionArgs,
}

/// `test`'s arguments.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The folder of events, canonical JSON, one per file (default: tests/events beside
    /// Cargo.toml).
    pub dir: Option<PathBuf>,
    /// Only these platforms (repeatable; default: local, aws, gcp, azure, openwhisk).
    #[arg(long, value_parser = parse_platform)]
    pub platform: Vec<Platform>,
    /// A JSON pointer left out of JSON bodies before comparing (repeatable), such as
    /// /generated_at.
    #[arg(long, value_name = "POINTER")]
    pub ignore: Vec<String>,
    /// A response header left out of the comparison (repeatable).
    #[arg(long, value_name = "NAME")]
    pub ignore_header: Vec<String>,
    /// A response header compared by presence only, its value allowed to vary (repeatable;
    /// server-timing and the trace headers are already).
    #[arg(long, value_name = "NAME")]
    pub vary_header: Vec<String>,
    /// A variable for the function's environment on every platform, KEY=VALUE (repeatable).
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub env: Vec<(String, String)>,
    /// Which function, and how it is built.
    #[command(flatten)]
    pub function: FunctionArgs,
}

/// `dev`'s arguments.
#[derive(Debug, Args)]
pub struct DevArgs {
    /// Write every event received to this folder (the record format: replay it with
    /// polyfaas_testkit::replay, compare the platforms with `cargo polyfaas test DIR`).
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// The port (default: $PORT, else 8080).
    #[arg(long)]
    pub port: Option<u16>,
    /// The address to listen on (default: $HOST, else 127.0.0.1).
    #[arg(long)]
    pub host: Option<IpAddr>,
    /// Which function, and how it is built.
    #[command(flatten)]
    pub function: FunctionArgs,
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

fn locate(manifest_path: Option<&std::path::Path>) -> Result<Project, String> {
    Project::locate(manifest_path).map_err(|e| e.to_string())
}

/// Runs `invoke`: the native answer on stdout, notes and the function's logs on stderr; fails
/// when the invocation failed.
pub fn invoke(args: InvokeArgs) -> Result<ExitCode, String> {
    if args.list {
        print!("{}", invoke::list(args.platform));
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(platform), Some(event)) = (args.platform, args.event) else {
        return Err("give --platform and --event (or --list)".to_owned());
    };
    let request = Request {
        platform,
        event,
        set: args.set,
        data: args.data,
    };
    if args.print_event {
        let (_, encoded) = invoke::encode(&request).map_err(|e| e.to_string())?;
        println!("{}", encoded.native);
        return Ok(ExitCode::SUCCESS);
    }
    let project = locate(args.function.manifest_path.as_deref())?;
    let invoked = runtime()?
        .block_on(invoke::invoke(
            &project,
            &request,
            args.function.release,
            &args.env,
        ))
        .map_err(|e| e.to_string())?;
    let sample = &invoked.sample;
    eprintln!(
        "Sent {platform} event {} ({}: {})",
        sample.name, sample.form, sample.description
    );
    for loss in &invoked.encoded.losses {
        eprintln!("note: {platform} cannot carry it exactly: {loss}");
    }
    let answer = &invoked.answer;
    println!("{}", answer.native);
    eprint!("{}", answer.logs);
    match &answer.failure {
        Some(failure) => {
            eprintln!("error: the invocation failed: {failure}");
            Ok(ExitCode::FAILURE)
        }
        None => Ok(ExitCode::SUCCESS),
    }
}

/// Runs `test`: the table on stdout; fails when a platform answered differently or an event
/// could not run.
pub fn test(args: TestArgs) -> Result<ExitCode, String> {
    let project = locate(args.function.manifest_path.as_deref())?;
    let mut compare = Compare::default();
    compare.ignore.extend(args.ignore);
    compare
        .ignore_headers
        .extend(args.ignore_header.iter().map(|h| h.to_ascii_lowercase()));
    compare
        .vary_headers
        .extend(args.vary_header.iter().map(|h| h.to_ascii_lowercase()));
    let mut options = test::Options {
        dir: args.dir,
        compare,
        release: args.function.release,
        env: args.env,
        ..test::Options::default()
    };
    if !args.platform.is_empty() {
        options.platforms = args.platform;
    }
    let table = runtime()?
        .block_on(test::run(&project, &options))
        .map_err(|e| e.to_string())?;
    print!("{}", table.render());
    if table.passed() {
        println!("\nevery platform answered alike");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "error: the platforms do not all answer alike (marked ≠), or an event could not run"
        );
        Ok(ExitCode::FAILURE)
    }
}

/// Runs `dev` until Ctrl-C or SIGTERM.
pub fn dev(args: DevArgs) -> Result<ExitCode, String> {
    let project = locate(args.function.manifest_path.as_deref())?;
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let port = match args.port {
        Some(port) => port,
        None => match env("PORT") {
            Some(port) => port
                .parse()
                .map_err(|_| format!("PORT={port:?} is not a port number; pass --port"))?,
            None => 8080,
        },
    };
    let host = match args.host {
        Some(host) => host,
        None => match env("HOST") {
            Some(host) => host
                .parse()
                .map_err(|_| format!("HOST={host:?} is not an IP address; pass --host"))?,
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
        },
    };
    let mut options = dev::Options::new(SocketAddr::new(host, port)).release(args.function.release);
    if let Some(dir) = args.record {
        options = options.record(dir);
    }
    let runtime = runtime()?;
    runtime
        .block_on(async {
            let shutdown = stop_signal().map_err(|e| format!("cannot catch Ctrl-C: {e}"))?;
            dev::run(&project, &options, shutdown)
                .await
                .map_err(|e| e.to_string())
        })
        .map(|()| ExitCode::SUCCESS)
}

/// Completes on SIGINT or SIGTERM; the handlers are in place when this returns.
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}
