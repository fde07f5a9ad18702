//! The four platforms, the two CPU architectures, and what each pair compiles to.

use std::fmt;

/// A platform a function is built and packaged for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Platform {
    /// AWS Lambda (`provided.al2023`).
    Aws,
    /// Google Cloud Run (Functions Framework contract), also Knative.
    Gcp,
    /// Azure Functions custom handler.
    Azure,
    /// Apache OpenWhisk native action.
    Openwhisk,
}

/// A CPU architecture.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Arch {
    /// x86-64.
    #[default]
    #[value(name = "x86_64")]
    X86_64,
    /// 64-bit ARM (AWS Graviton, Ampere, Cobalt).
    Arm64,
}

impl Platform {
    /// All four, in the order the docs list them.
    pub const ALL: [Platform; 4] = [
        Platform::Aws,
        Platform::Gcp,
        Platform::Azure,
        Platform::Openwhisk,
    ];

    /// The name used on the command line, in features and in folder names.
    pub fn as_str(&self) -> &'static str {
        match self {
            Platform::Aws => "aws",
            Platform::Gcp => "gcp",
            Platform::Azure => "azure",
            Platform::Openwhisk => "openwhisk",
        }
    }

    /// The facade feature of the platform's own blob store.
    pub fn blob_feature(&self) -> Option<&'static str> {
        match self {
            Platform::Aws => Some("s3"),
            Platform::Gcp => Some("gcs"),
            Platform::Azure => Some("azure-blob"),
            Platform::Openwhisk => None,
        }
    }

    /// The blob store URL scheme of the platform's own store.
    pub fn blob_scheme(&self) -> Option<&'static str> {
        match self {
            Platform::Aws => Some("s3"),
            Platform::Gcp => Some("gs"),
            Platform::Azure => Some("az"),
            Platform::Openwhisk => None,
        }
    }

    /// The Rust target the binary is built for. OpenWhisk gets a static musl binary: its
    /// blackbox image (`openwhisk/dockerskeleton`) is Alpine, without glibc.
    pub fn target(&self, arch: Arch) -> &'static str {
        match (self, arch) {
            (Platform::Openwhisk, Arch::X86_64) => "x86_64-unknown-linux-musl",
            (Platform::Openwhisk, Arch::Arm64) => "aarch64-unknown-linux-musl",
            (_, Arch::X86_64) => "x86_64-unknown-linux-gnu",
            (_, Arch::Arm64) => "aarch64-unknown-linux-gnu",
        }
    }

    /// The newest glibc the platform's runtime has, where it is fixed: Lambda's
    /// `provided.al2023` has 2.34; the generated Dockerfile's `distroless/cc-debian12` has 2.36.
    pub fn glibc_ceiling(&self) -> Option<(u32, u32)> {
        match self {
            Platform::Aws => Some((2, 34)),
            Platform::Gcp => Some((2, 36)),
            Platform::Azure | Platform::Openwhisk => None,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Arch {
    /// Lambda's and the docs' name: `x86_64` or `arm64`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "arm64",
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
