//! Azure Functions (custom handler): a stand-in for the Functions host ([`Host`]) and a function
//! app the test kit writes itself ([`FunctionApp`]), so a function runs with no .NET host.
//!
//! The handler reads its `function.json` files once, at start-up, so [`FunctionApp`] writes the
//! app with every function the events sent so far need, and restarts the handler (same blob
//! store and scratch directory) when an event needs a function it does not have yet.

mod answer;
mod app;
mod host;

use std::path::{Path, PathBuf};

pub use crate::answer::azure::Reply;
pub use app::{write_app, AppSettings};
pub use host::{probe, Host, HOST_VERSION};

use crate::answer::Answer;
use crate::native::{AzureEvent, AzureFunction};
use crate::process::ProcessError;
use crate::sandbox::Sandbox;

/// Starting or calling the handler failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AzureError {
    /// The sandbox or the app's files could not be written.
    #[error("cannot write the function app: {0}")]
    Setup(#[source] std::io::Error),
    /// The handler did not start or did not get ready.
    #[error(transparent)]
    Process(#[from] ProcessError),
    /// A function name that cannot be a URL path segment.
    #[error("{0:?} is not a valid function name")]
    FunctionName(String),
    /// The invocation request failed.
    #[error("the invocation request failed: {reason}\n{output}")]
    Request {
        /// Why.
        reason: String,
        /// What the handler printed.
        output: String,
    },
}

/// A function app the test kit writes ([`write_app`]) and a handler started in it: functions
/// are added as events need them (restarting the handler).
pub struct FunctionApp {
    binary: PathBuf,
    settings: AppSettings,
    env: Vec<(String, String)>,
    functions: Vec<AzureFunction>,
    host: Option<Host>,
}

impl FunctionApp {
    /// Starts `binary` in an app with no function yet.
    pub fn start(
        binary: &Path,
        settings: AppSettings,
        env: &[(&str, &str)],
    ) -> Result<FunctionApp, AzureError> {
        let mut app = FunctionApp {
            binary: binary.to_owned(),
            settings,
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            functions: Vec::new(),
            host: None,
        };
        app.restart(Sandbox::new().map_err(AzureError::Setup)?)?;
        Ok(app)
    }

    /// The running handler.
    pub fn host(&self) -> Option<&Host> {
        self.host.as_ref()
    }

    /// The handler's sandbox (blob store, scratch directory, app).
    pub fn sandbox(&self) -> Option<&Sandbox> {
        self.host.as_ref().map(Host::sandbox)
    }

    fn restart(&mut self, sandbox: Sandbox) -> Result<(), AzureError> {
        let root = sandbox.root().join("app");
        let executable = self.binary.file_name().map_or_else(
            || "handler".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        write_app(&root, &executable, &self.settings, &self.functions)
            .map_err(AzureError::Setup)?;
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.host = Some(Host::start_in(&self.binary, sandbox, &env)?);
        Ok(())
    }

    /// Makes sure the app has `function` (restarting the handler if it had to be added or
    /// changed).
    fn ensure(&mut self, function: &AzureFunction) -> Result<(), AzureError> {
        if self.functions.contains(function) {
            return Ok(());
        }
        self.functions
            .retain(|f| !f.name.eq_ignore_ascii_case(&function.name));
        self.functions.push(function.clone());
        let sandbox = match self.host.take() {
            Some(host) => host.stop(),
            None => Sandbox::new().map_err(AzureError::Setup)?,
        };
        self.restart(sandbox)
    }

    /// Sends one invocation (adding its function first if needed) and decodes the answer.
    pub async fn send(&mut self, event: &AzureEvent) -> Result<Answer, AzureError> {
        self.ensure(&event.function)?;
        let Some(host) = self.host.as_ref() else {
            return Err(AzureError::Setup(std::io::Error::other(
                "the handler is not running",
            )));
        };
        let mark = host.process.mark();
        let reply = host.invoke(&event.function.name, &event.envelope).await?;
        let logs = host.process.logs_since(mark);
        Ok(answer::decode(event, reply, logs))
    }
}
