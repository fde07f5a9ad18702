//! What is wrong with a `polyfaas.toml`: always the key at fault.

use std::path::PathBuf;

/// A `polyfaas.toml` that cannot be used, with the key at fault.
///
/// ```
/// use polyfaas_cli::declaration::Declaration;
///
/// let err = Declaration::parse("[function]\nmemory = \"lots\"\n").unwrap_err();
/// assert_eq!(err.key(), Some("function.memory"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeclarationError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The text is not TOML, or a value has the wrong type or an unknown key.
    #[error("{key}: {message}")]
    Syntax {
        /// The dotted key path (`trigger[1].batch_size`), or `(document)` when the TOML itself
        /// is broken.
        key: String,
        /// What the TOML parser said.
        message: String,
    },
    /// A value is well-typed but not acceptable.
    #[error("{key}: {message}")]
    Invalid {
        /// The dotted key path.
        key: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

impl DeclarationError {
    /// The key at fault (`None` for a file that could not be read).
    pub fn key(&self) -> Option<&str> {
        match self {
            DeclarationError::Read { .. } => None,
            DeclarationError::Syntax { key, .. } | DeclarationError::Invalid { key, .. } => {
                Some(key)
            }
        }
    }

    /// A value error at `key`.
    pub(crate) fn invalid(key: impl Into<String>, message: impl Into<String>) -> Self {
        DeclarationError::Invalid {
            key: key.into(),
            message: message.into(),
        }
    }
}
