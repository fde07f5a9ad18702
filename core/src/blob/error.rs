//! What can go wrong in a blob store operation.

/// A blob store operation failed. Each message names the key and what was wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BlobError {
    /// The key was refused before it reached the backend.
    #[error("invalid blob key {key:?}: {reason}")]
    InvalidKey {
        /// The key as given.
        key: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// No object has this key.
    #[error("no blob with key {key:?} in {store}")]
    NotFound {
        /// The key looked up.
        key: String,
        /// The store, for example `local directory ".polyfaas/blobs"`.
        store: String,
    },
    /// The path to the key leaves the store (a symbolic link inside the root).
    #[error(
        "blob key {key:?} resolves through a symbolic link at {link:?}; links are not followed"
    )]
    Symlink {
        /// The key.
        key: String,
        /// The link found on the way.
        link: std::path::PathBuf,
    },
    /// [`put_if_absent`](super::BlobStore::put_if_absent) found an object with the key.
    #[error("a blob with key {key:?} already exists in {store}")]
    AlreadyExists {
        /// The key.
        key: String,
        /// The store.
        store: String,
    },
    /// The backend cannot do this operation (see [`Capabilities`](super::Capabilities)).
    #[error("{store} does not support {op}")]
    Unsupported {
        /// The operation, such as `put_if_absent`.
        op: &'static str,
        /// The store.
        store: String,
    },
    /// The store could not be configured: the message names the variable to set.
    #[error("{0}")]
    Config(String),
    /// A local file operation failed.
    #[error("{op} of blob {key:?} failed: {source}")]
    Io {
        /// What was being done: `read`, `write`, `delete`, ...
        op: &'static str,
        /// The key.
        key: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The backend failed (network, credentials, server error).
    #[error("{store}: {op} of blob {key:?} failed: {source}")]
    Backend {
        /// The store.
        store: String,
        /// What was being done.
        op: &'static str,
        /// The key.
        key: String,
        /// The backend's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

impl BlobError {
    /// Whether the error means "no such object".
    pub fn is_not_found(&self) -> bool {
        matches!(self, BlobError::NotFound { .. })
    }

    /// Whether the error means "an object with this key already exists".
    pub fn is_already_exists(&self) -> bool {
        matches!(self, BlobError::AlreadyExists { .. })
    }

    /// Whether the error means "this backend cannot do that".
    pub fn is_unsupported(&self) -> bool {
        matches!(self, BlobError::Unsupported { .. })
    }
}
