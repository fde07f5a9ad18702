//! One API over every platform: start a built function under a platform's protocol, send it
//! native events, read the answers and logs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::answer::Answer;
use crate::aws::{Lambda, LambdaError, LambdaOptions};
use crate::azure::{AppSettings, AzureError, FunctionApp};
use crate::encode::Encoded;
use crate::gcp::{FunctionsFramework, GcpError};
use crate::local::{LocalError, LocalServer};
use crate::native::{NativeEvent, Signature};
use crate::openwhisk::{Action, OpenWhiskError};
use crate::sandbox::Sandbox;
use crate::Platform;

/// Starting a function or sending it an event failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FunctionError {
    /// The shared blob store could not be set up or written.
    #[error("blob store: {0}")]
    Blobs(#[source] std::io::Error),
    /// The event is for another platform.
    #[error("a {event} event cannot be sent to a function running under {function}")]
    WrongPlatform {
        /// The event's platform.
        event: Platform,
        /// The function's.
        function: Platform,
    },
    /// Local dev provider.
    #[error(transparent)]
    Local(#[from] LocalError),
    /// AWS Lambda.
    #[error(transparent)]
    Aws(#[from] LambdaError),
    /// Google Cloud.
    #[error(transparent)]
    Gcp(#[from] GcpError),
    /// Azure Functions.
    #[error(transparent)]
    Azure(#[from] AzureError),
    /// Apache OpenWhisk.
    #[error(transparent)]
    OpenWhisk(#[from] OpenWhiskError),
}

/// A built function running under one platform's protocol.
///
/// Every platform runs the function with a local-directory blob store shared by its processes
/// (put objects with [`Function::put_blob`]; [`Function::send_encoded`] puts the object of a
/// created-blob event itself), a scratch directory, and `RUST_LOG=info`; add variables with
/// [`FunctionBuilder::env`].
///
/// - Local: the binary serves HTTP on a free port.
/// - AWS: it runs against a Lambda Runtime API server.
/// - GCP: one process per signature type the events need (`http`, `cloudevent`, `event`),
///   started on first use.
/// - Azure: a function app with the functions the events need, written by the test kit; the
///   handler is restarted when an event needs a function the app lacks.
/// - OpenWhisk: an ActionLoop action (with the ack).
///
/// ```no_run
/// use polyfaas_testkit::{sample, Function, Params, Platform};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let binary = polyfaas_testkit::build::Build::for_platform(Platform::Aws)
///     .manifest_path("examples/echo/Cargo.toml")
///     .run()?;
/// let mut function = Function::start(Platform::Aws, &binary).await?;
/// let event = sample::find(Platform::Aws, "schedule")?.encode(&Params::new())?;
/// let answer = function.send_encoded(&event).await?;
/// println!("{}\n{}", answer.native, answer.logs);
/// # Ok(()) }
/// ```
pub struct Function {
    platform: Platform,
    binary: PathBuf,
    env: Vec<(String, String)>,
    blobs: Sandbox,
    runner: Runner,
}

enum Runner {
    Local(LocalServer),
    Aws(Box<Lambda>),
    Gcp(BTreeMap<Signature, FunctionsFramework>),
    Azure(FunctionApp),
    OpenWhisk(Action),
}

/// Options for [`Function`]; see [`Function::builder`].
#[must_use]
pub struct FunctionBuilder {
    platform: Platform,
    binary: PathBuf,
    env: Vec<(String, String)>,
    azure: AppSettings,
}

impl FunctionBuilder {
    /// Sets a variable in the function's environment (after the platform's own).
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// `host.json` settings of the Azure function app.
    pub fn azure_settings(mut self, settings: AppSettings) -> Self {
        self.azure = settings;
        self
    }

    /// Starts the function.
    pub async fn start(self) -> Result<Function, FunctionError> {
        let blobs = Sandbox::new().map_err(FunctionError::Blobs)?;
        let mut env = vec![("POLYFAAS_BLOB_URL".to_owned(), blobs.blob_url())];
        env.extend(self.env);
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let runner = match self.platform {
            Platform::Local => Runner::Local(LocalServer::start(&self.binary, &pairs)?),
            Platform::Aws => {
                let options = LambdaOptions {
                    env: env.clone(),
                    ..LambdaOptions::default()
                };
                Runner::Aws(Box::new(Lambda::start(&self.binary, options).await?))
            }
            Platform::Gcp => Runner::Gcp(BTreeMap::new()),
            Platform::Azure => Runner::Azure(FunctionApp::start(&self.binary, self.azure, &pairs)?),
            Platform::OpenWhisk => Runner::OpenWhisk(Action::start(&self.binary, &pairs)?),
        };
        Ok(Function {
            platform: self.platform,
            binary: self.binary,
            env,
            blobs,
            runner,
        })
    }
}

impl Function {
    /// Options for running `binary` under `platform`.
    pub fn builder(platform: Platform, binary: &Path) -> FunctionBuilder {
        FunctionBuilder {
            platform,
            binary: binary.to_owned(),
            env: Vec::new(),
            azure: AppSettings::default(),
        }
    }

    /// Starts `binary` under `platform` with the defaults.
    pub async fn start(platform: Platform, binary: &Path) -> Result<Function, FunctionError> {
        Function::builder(platform, binary).start().await
    }

    /// The platform.
    pub fn platform(&self) -> Platform {
        self.platform
    }

    /// Puts an object into the function's blob store.
    pub fn put_blob(&self, key: &str, content: &[u8]) -> Result<(), FunctionError> {
        self.blobs
            .put_blob(key, content)
            .map_err(FunctionError::Blobs)
    }

    /// Sends one event and returns the answer, with what the function logged meanwhile.
    pub async fn send(&mut self, event: &NativeEvent) -> Result<crate::Answer, FunctionError> {
        let wrong = || FunctionError::WrongPlatform {
            event: event.platform(),
            function: self.platform,
        };
        Ok(match (&mut self.runner, event) {
            (Runner::Local(server), NativeEvent::Local(request)) => server.send(request).await?,
            (Runner::Aws(lambda), NativeEvent::Aws(event)) => lambda.send(event).await?,
            (Runner::Gcp(servers), NativeEvent::Gcp(event)) => {
                let server = match servers.entry(event.signature) {
                    std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
                    std::collections::btree_map::Entry::Vacant(entry) => {
                        let env: Vec<(&str, &str)> = self
                            .env
                            .iter()
                            .map(|(k, v)| (k.as_str(), v.as_str()))
                            .collect();
                        entry.insert(FunctionsFramework::start(
                            &self.binary,
                            event.signature,
                            &env,
                        )?)
                    }
                };
                server.send(event).await?
            }
            (Runner::Azure(app), NativeEvent::Azure(event)) => app.send(event).await?,
            (Runner::OpenWhisk(action), NativeEvent::OpenWhisk(event)) => {
                action.send(event).await?
            }
            _ => return Err(wrong()),
        })
    }

    /// Sends an encoded event: puts its object into the blob store first (a created blob), then
    /// sends it.
    pub async fn send_encoded(&mut self, encoded: &Encoded) -> Result<Answer, FunctionError> {
        if let Some(object) = &encoded.object {
            self.put_blob(&object.key, &object.content)?;
        }
        self.send(&encoded.native).await
    }

    /// Everything the function's processes printed so far.
    pub fn output(&self) -> String {
        match &self.runner {
            Runner::Local(server) => server.process.output(),
            Runner::Aws(lambda) => lambda.process.output(),
            Runner::Gcp(servers) => servers
                .iter()
                .map(|(signature, s)| format!("=== {}\n{}", signature.name(), s.process.output()))
                .collect(),
            Runner::Azure(app) => app.host().map(|h| h.process.output()).unwrap_or_default(),
            Runner::OpenWhisk(action) => action.output(),
        }
    }
}
