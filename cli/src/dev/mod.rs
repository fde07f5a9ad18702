//! `dev`: the function on the local provider, rebuilt and restarted when one of its source files
//! changes, on the same port.
//!
//! - The sources are the package's folder and those of the local packages it depends on
//!   ([`watch`]); a change is acted on once they have been quiet for [`watch::SETTLE`].
//! - The build is the test kit's dev build for `local` (`--release` for a release build). When it
//!   fails, cargo's errors are shown and the function built before keeps serving; the function
//!   is restarted only after a successful build (SIGTERM, so requests in flight finish, then
//!   the new build on the same port).
//! - With `--record DIR`, the function gets `POLYFAAS_RECORD_DIR=DIR`: the local provider writes
//!   every event it receives there, in the record format, for `polyfaas_testkit::replay` and
//!   `cargo polyfaas test`.
//!
//! ```no_run
//! use polyfaas_cli::dev::{self, Options};
//! use polyfaas_cli::project::Project;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let project = Project::locate(None)?;
//! let options = Options::new(([127, 0, 0, 1], 8080).into()).record("tests/events");
//! dev::run(&project, &options, async { let _ = tokio::signal::ctrl_c().await; }).await?;
//! # Ok(()) }
//! ```

pub mod served;
pub mod watch;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;

use polyfaas_testkit::Platform;

use crate::emulator::{self, EmulatorError};
use crate::project::Project;
use served::{Launch, Served};
use watch::{Watch, WatchError};

/// What `dev` runs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Options {
    /// Where the function listens.
    pub addr: SocketAddr,
    /// Where every event received is recorded.
    pub record: Option<PathBuf>,
    /// Release builds instead of dev builds.
    pub release: bool,
}

impl Options {
    /// Serving on `addr`, dev builds, nothing recorded.
    pub fn new(addr: SocketAddr) -> Options {
        Options {
            addr,
            record: None,
            release: false,
        }
    }

    /// Records every event received in `dir`.
    #[must_use]
    pub fn record(mut self, dir: impl Into<PathBuf>) -> Options {
        self.record = Some(dir.into());
        self
    }

    /// Release builds.
    #[must_use]
    pub fn release(mut self, release: bool) -> Options {
        self.release = release;
        self
    }
}

/// Why `dev` stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevError {
    /// The package cannot be built for the local provider.
    #[error(transparent)]
    Emulator(#[from] EmulatorError),
    /// The sources cannot be watched.
    #[error(transparent)]
    Watch(#[from] WatchError),
    /// The record folder cannot be made.
    #[error("--record {}: {source}", path.display())]
    Record {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Prints one line of `dev`'s own.
fn say(message: impl std::fmt::Display) {
    eprintln!("[polyfaas dev] {message}");
}

/// Builds, serves, and rebuilds and restarts on every source change until `shutdown`
/// completes; then stops the function and returns.
pub async fn run(
    project: &Project,
    options: &Options,
    shutdown: impl Future<Output = ()>,
) -> Result<(), DevError> {
    emulator::check_feature(project, Platform::Local)?;
    let record = match &options.record {
        Some(dir) => {
            let failed = |source| DevError::Record {
                path: dir.clone(),
                source,
            };
            std::fs::create_dir_all(dir).map_err(failed)?;
            Some(std::path::absolute(dir).map_err(failed)?)
        }
        None => None,
    };
    let mut ignored = vec![project.target_dir.clone()];
    ignored.extend(record.clone());
    let mut watch = Watch::start(project, ignored)?;
    for root in watch.roots() {
        say(format_args!("watching {}", root.display()));
    }
    if let Some(dir) = &record {
        say(format_args!("recording every event in {}", dir.display()));
    }
    let launch = Launch {
        addr: options.addr,
        record,
    };
    let build = emulator::build_for(project, Platform::Local, options.release);
    let mut served: Option<Served> = None;
    let mut build_now = true;
    tokio::pin!(shutdown);
    loop {
        if build_now {
            build_now = false;
            served = rebuild(&build, served, &launch).await;
        }
        tokio::select! {
            () = &mut shutdown => {
                if let Some(function) = served.take() {
                    say("stopping");
                    function.stop().await;
                }
                return Ok(());
            }
            changed = watch.changed() => {
                match changed {
                    Ok(paths) => {
                        let names: Vec<String> =
                            paths.iter().map(|p| p.display().to_string()).collect();
                        say(format_args!("changed: {}", names.join(", ")));
                    }
                    Err(problem) => say(format_args!("{problem}; rebuilding to be safe")),
                }
                build_now = true;
            }
            status = exited(&mut served) => {
                say(format_args!("the function exited ({}); waiting for a change", describe(status)));
                served = None;
            }
        }
    }
}

/// Builds; on success stops the running function (if any) and starts the new build. On a build
/// failure the running function is kept.
async fn rebuild(
    build: &polyfaas_testkit::build::Build,
    served: Option<Served>,
    launch: &Launch,
) -> Option<Served> {
    say("building");
    let job = build.clone();
    let built = tokio::task::spawn_blocking(move || job.rebuild()).await;
    let binary = match built {
        Ok(Ok(binary)) => binary,
        Ok(Err(e)) => {
            say(format_args!(
                "build failed: {e}; {}",
                if served.is_some() {
                    "the previous build keeps serving"
                } else {
                    "waiting for a change"
                }
            ));
            return served;
        }
        Err(e) => {
            say(format_args!("the build did not finish: {e}"));
            return served;
        }
    };
    if let Some(old) = served {
        say("restarting");
        old.stop().await;
    }
    match Served::start(&binary, launch).await {
        Ok(function) => {
            say(format_args!(
                "serving {} on http://{} (pid {})",
                binary.display(),
                launch.addr,
                function
                    .id()
                    .map_or_else(|| "?".to_owned(), |p| p.to_string())
            ));
            Some(function)
        }
        Err(e) => {
            say(format_args!("{e}; waiting for a change"));
            None
        }
    }
}

/// Completes when the served function exits by itself; never when none is served.
async fn exited(served: &mut Option<Served>) -> std::io::Result<std::process::ExitStatus> {
    match served {
        Some(function) => function.exited().await,
        None => std::future::pending().await,
    }
}

fn describe(status: std::io::Result<std::process::ExitStatus>) -> String {
    match status {
        Ok(status) => status.to_string(),
        Err(e) => e.to_string(),
    }
}
