//! `test`: every logical event of a directory (canonical JSON, the record format) sent to the
//! function under every platform, each in that platform's native form; the answers side by side
//! in an event × platform table, the platforms that answer differently marked.
//!
//! What the table compares is `polyfaas_testkit::matrix::Compare`'s rule: the status, whether the
//! invocation failed, the body (JSON as JSON, without the `--ignore` pointers) and, for HTTP
//! events, the response headers the function set — not the transport's (`content-length`,
//! `date`, ...), and only the presence of those whose values vary by nature (`server-timing`,
//! trace ids) or that `--vary-header` names; `--ignore-header` leaves one out.
//!
//! ```no_run
//! use polyfaas_cli::project::Project;
//! use polyfaas_cli::test::{self, Options};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let project = Project::locate(Some("examples/hello/Cargo.toml".as_ref()))?;
//! let table = test::run(&project, &Options::default()).await?;
//! println!("{}", table.render());
//! assert!(table.passed());
//! # Ok(()) }
//! ```

use std::path::PathBuf;

use polyfaas_testkit::matrix::{self, Compare, Table};
use polyfaas_testkit::record::{self, RecordError};
use polyfaas_testkit::Platform;

use crate::emulator::{self, EmulatorError};
use crate::project::Project;

/// The default folder of events, under the package.
pub const DEFAULT_DIR: &str = "tests/events";

/// What to run.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Options {
    /// The folder of events (default: [`DEFAULT_DIR`] under the package).
    pub dir: Option<PathBuf>,
    /// The platforms, in the table's order (default: every one).
    pub platforms: Vec<Platform>,
    /// How answers are compared.
    pub compare: Compare,
    /// Release builds instead of dev builds.
    pub release: bool,
    /// Variables added to the function's environment on every platform.
    pub env: Vec<(String, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dir: None,
            platforms: Platform::ALL.to_vec(),
            compare: Compare::default(),
            release: false,
            env: Vec::new(),
        }
    }
}

/// Why the table could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestError {
    /// The folder could not be read, or a file is not an event.
    #[error(transparent)]
    Events(#[from] RecordError),
    /// The folder has no event.
    #[error("{} has no event files (*.json, canonical JSON, one event each): write some, or record them with `cargo polyfaas dev --record {}`", .0.display(), .0.display())]
    NoEvents(PathBuf),
    /// Building or starting the function failed.
    #[error(transparent)]
    Emulator(#[from] EmulatorError),
}

/// Builds the function for every platform, starts it under each emulator, sends every event to
/// each and returns the table.
pub async fn run(project: &Project, options: &Options) -> Result<Table, TestError> {
    let dir = options
        .dir
        .clone()
        .unwrap_or_else(|| project.dir.join(DEFAULT_DIR));
    let events = record::read_dir(&dir)?;
    if events.is_empty() {
        return Err(TestError::NoEvents(dir));
    }
    let mut binaries = Vec::with_capacity(options.platforms.len());
    for platform in &options.platforms {
        binaries.push(emulator::build(project, *platform, options.release)?);
    }
    let mut functions = Vec::with_capacity(binaries.len());
    for (platform, binary) in options.platforms.iter().zip(&binaries) {
        functions.push(emulator::start(*platform, binary, &options.env).await?);
    }
    eprintln!(
        "Sending {} event(s) from {} to {}",
        events.len(),
        dir.display(),
        options
            .platforms
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(matrix::run(&events, &mut functions, &options.compare).await)
}
