//! `invoke`: one event sent to the function running under one platform's emulator, as the
//! platform would deliver it; the native answer and the function's logs come back.
//!
//! The event is one of the platform's sample events (`polyfaas_testkit::sample`), made from
//! parameters (`--set key=value`), or a sample's delivery with its native data read from a file
//! (`--data FILE`: the Lambda payload, the request body, the Azure envelope, the OpenWhisk
//! parameters; see `NativeEvent::with_data`).
//!
//! ```
//! use polyfaas_cli::invoke::{self, Request};
//! use polyfaas_testkit::Platform;
//!
//! let request = Request::sample(Platform::Aws, "schedule").set("name=hourly");
//! let (sample, encoded) = invoke::encode(&request)?;
//! assert_eq!(sample.form, "eventbridge-schedule");
//! assert!(encoded.native.to_string().contains("rule/hourly"));
//! assert!(invoke::list(Some(Platform::Gcp)).contains("pubsub-push"));
//! # Ok::<(), polyfaas_cli::invoke::InvokeError>(())
//! ```

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::PathBuf;

use polyfaas_testkit::encode::Encoded;
use polyfaas_testkit::native::DataError;
use polyfaas_testkit::sample::{self, Sample, SampleError};
use polyfaas_testkit::{Answer, FunctionError, Params, Platform};

use crate::emulator::{self, EmulatorError};
use crate::project::Project;

/// What to send.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct Request {
    /// The platform.
    pub platform: Platform,
    /// The sample's name (`http`, `schedule`, `apigw-v1`, ...).
    pub event: String,
    /// `key=value` parameters of the sample.
    pub set: Vec<String>,
    /// A file of native data replacing the sample's (`-`: standard input).
    pub data: Option<PathBuf>,
}

impl Request {
    /// The sample `event` of `platform`, with its own values.
    pub fn sample(platform: Platform, event: impl Into<String>) -> Request {
        Request {
            platform,
            event: event.into(),
            set: Vec::new(),
            data: None,
        }
    }

    /// Adds a `key=value` parameter.
    pub fn set(mut self, pair: impl Into<String>) -> Request {
        self.set.push(pair.into());
        self
    }

    /// Sends the native data of `file` in the sample's delivery.
    pub fn data(mut self, file: impl Into<PathBuf>) -> Request {
        self.data = Some(file.into());
        self
    }
}

/// Why an event could not be sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InvokeError {
    /// No such sample, or a wrong parameter.
    #[error(transparent)]
    Sample(#[from] SampleError),
    /// The data file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    ReadData {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The data does not fit the platform.
    #[error("{}: {source}", path.display())]
    Data {
        /// The file.
        path: PathBuf,
        /// Why.
        source: DataError,
    },
    /// Building or starting the function failed.
    #[error(transparent)]
    Emulator(#[from] EmulatorError),
    /// The function did not answer.
    #[error("sending {event} to the function under {platform}: {source}")]
    Send {
        /// The platform.
        platform: Platform,
        /// The sample.
        event: String,
        /// Why.
        source: FunctionError,
    },
}

/// The event sent and what came back.
#[derive(Debug)]
#[non_exhaustive]
pub struct Invoked {
    /// The sample.
    pub sample: Sample,
    /// The native event sent, with what its form could not carry.
    pub encoded: Encoded,
    /// The answer: native, decoded, and the function's logs.
    pub answer: Answer,
}

/// The native event `request` describes (nothing is built or run).
pub fn encode(request: &Request) -> Result<(Sample, Encoded), InvokeError> {
    let sample = sample::find(request.platform, &request.event)?;
    let params = Params::parse(&request.set).map_err(SampleError::from)?;
    let mut encoded = sample.encode(&params)?;
    if let Some(path) = &request.data {
        let data = read_data(path)?;
        encoded.native =
            encoded
                .native
                .with_data(data.into())
                .map_err(|source| InvokeError::Data {
                    path: path.clone(),
                    source,
                })?;
        // The data is the user's own: what the sample's form would lose does not apply.
        encoded.losses.clear();
    }
    Ok((sample, encoded))
}

fn read_data(path: &PathBuf) -> Result<Vec<u8>, InvokeError> {
    let read = |source| InvokeError::ReadData {
        path: path.clone(),
        source,
    };
    if path.as_os_str() == "-" {
        let mut data = Vec::new();
        std::io::stdin().read_to_end(&mut data).map_err(read)?;
        Ok(data)
    } else {
        std::fs::read(path).map_err(read)
    }
}

/// Builds `project` for the platform (dev profile unless `release`), starts it under the
/// platform's emulator with `env` added, sends the event and returns the answer.
pub async fn invoke(
    project: &Project,
    request: &Request,
    release: bool,
    env: &[(String, String)],
) -> Result<Invoked, InvokeError> {
    let (sample, encoded) = encode(request)?;
    let binary = emulator::build(project, request.platform, release)?;
    let mut function = emulator::start(request.platform, &binary, env).await?;
    let answer = function
        .send_encoded(&encoded)
        .await
        .map_err(|source| InvokeError::Send {
            platform: request.platform,
            event: request.event.clone(),
            source,
        })?;
    Ok(Invoked {
        sample,
        encoded,
        answer,
    })
}

/// The samples of `platform` (or of every platform), one line each.
pub fn list(platform: Option<Platform>) -> String {
    let platforms = match platform {
        Some(platform) => vec![platform],
        None => Platform::ALL.to_vec(),
    };
    let samples: Vec<Sample> = platforms.into_iter().flat_map(sample::list).collect();
    let width = samples.iter().map(|s| s.name.len()).max().unwrap_or(4) + 1;
    let form_width = samples.iter().map(|s| s.form.len()).max().unwrap_or(4);
    let mut out = format!(
        "{:<9}  {:<width$}  {:<form_width$}  {:<8}  what\n",
        "platform", "event", "form", "kind"
    );
    for s in &samples {
        let name = if s.stable {
            format!("{}*", s.name)
        } else {
            s.name.to_owned()
        };
        let _ = writeln!(
            out,
            "{:<9}  {name:<width$}  {:<form_width$}  {:<8}  {}",
            s.platform.name(),
            s.form,
            s.kind.name(),
            s.description
        );
    }
    out.push_str(
        "\n* a stable name: the same on every platform that has the trigger.\nChange an event with --set key=value (see `cargo polyfaas invoke --help`), or send your own native data with --data FILE.\n",
    );
    out
}
