//! The platforms a function can be run under.

use std::fmt;
use std::str::FromStr;

/// A platform whose protocol the test kit speaks to a built function.
///
/// Its [`name`](Platform::name) is also the cargo feature that builds a polyfaas function for it
/// (`--no-default-features --features aws`) and the `provider` echo reports.
///
/// ```
/// use polyfaas_testkit::Platform;
///
/// let platform: Platform = "openwhisk".parse()?;
/// assert_eq!(platform, Platform::OpenWhisk);
/// assert_eq!(platform.to_string(), "openwhisk");
/// assert!("lambda".parse::<Platform>().unwrap_err().to_string().contains("aws, gcp"));
/// # Ok::<(), polyfaas_testkit::platform::UnknownPlatform>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Platform {
    /// The local dev provider: HTTP, and `POST /_polyfaas/events` for every other event.
    Local,
    /// AWS Lambda, through a Lambda Runtime API server.
    Aws,
    /// Google Cloud Functions / Cloud Run, called as the Functions Framework is.
    Gcp,
    /// Azure Functions, through a stand-in for the Functions host (custom handler).
    Azure,
    /// Apache OpenWhisk, through an ActionLoop proxy stand-in.
    OpenWhisk,
}

impl Platform {
    /// The four cloud platforms, in the order tables list them.
    pub const CLOUDS: [Platform; 4] = [
        Platform::Aws,
        Platform::Gcp,
        Platform::Azure,
        Platform::OpenWhisk,
    ];

    /// Every platform: the local dev provider, then the clouds.
    pub const ALL: [Platform; 5] = [
        Platform::Local,
        Platform::Aws,
        Platform::Gcp,
        Platform::Azure,
        Platform::OpenWhisk,
    ];

    /// `local`, `aws`, `gcp`, `azure` or `openwhisk`: the cargo feature and echo's `provider`.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Local => "local",
            Platform::Aws => "aws",
            Platform::Gcp => "gcp",
            Platform::Azure => "azure",
            Platform::OpenWhisk => "openwhisk",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A platform name that is not one of [`Platform::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not a platform: use local, aws, gcp, azure or openwhisk")]
pub struct UnknownPlatform(pub String);

impl FromStr for Platform {
    type Err = UnknownPlatform;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Platform::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| UnknownPlatform(name.to_owned()))
    }
}
