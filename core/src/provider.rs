//! The name of the platform an invocation came through.

use std::fmt;

/// The platform an invocation came through: `local`, `aws`, `gcp`, `azure` or `openwhisk`, as
/// in the canonical JSON.
///
/// An open set: a new platform's crate names itself with [`Provider::new`] without changing this
/// crate.
///
/// ```
/// use polyfaas_core::Provider;
///
/// assert_eq!(Provider::AWS.as_str(), "aws");
/// const KNATIVE: Provider = Provider::new("knative");
/// assert_eq!(KNATIVE.to_string(), "knative");
/// match Provider::GCP {
///     Provider::AWS => unreachable!(),
///     other => assert_eq!(other, Provider::GCP),
/// }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Provider(&'static str);

impl Provider {
    /// The local dev provider.
    pub const LOCAL: Provider = Provider("local");
    /// AWS Lambda.
    pub const AWS: Provider = Provider("aws");
    /// Google Cloud Functions / Cloud Run functions.
    pub const GCP: Provider = Provider("gcp");
    /// Azure Functions (custom handler).
    pub const AZURE: Provider = Provider("azure");
    /// Apache OpenWhisk.
    pub const OPENWHISK: Provider = Provider("openwhisk");

    /// A provider with this name (lower-case, as it appears in the canonical JSON and in
    /// `POLYFAAS_PROVIDER`).
    pub const fn new(name: &'static str) -> Self {
        Provider(name)
    }

    /// The provider's name: `local`, `aws`, `gcp`, `azure`, `openwhisk`, ...
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Provider({:?})", self.0)
    }
}
