//! The settings every shim reads the same way, each read in this one place.

use std::path::PathBuf;
use std::sync::OnceLock;

use super::uri::parse_byte_size;
use crate::StartupError;

/// The variable that limits request bodies on the HTTP-serving shims.
pub const BODY_LIMIT_VAR: &str = "POLYFAAS_BODY_LIMIT";

/// The variable that says where per-invocation scratch directories go.
pub const TMPDIR_VAR: &str = "POLYFAAS_TMPDIR";

/// `POLYFAAS_BODY_LIMIT` (bytes, or with a `KiB`/`MiB` suffix), else `default`; an invalid value
/// is a start-up error naming the variable.
///
/// ```
/// use polyfaas_core::shim::body_limit_from_env;
/// assert_eq!(body_limit_from_env(|_| None, 6 << 20).unwrap(), 6 << 20);
/// assert_eq!(body_limit_from_env(|_| Some("64KiB".into()), 6 << 20).unwrap(), 65536);
/// let err = body_limit_from_env(|_| Some("6 GiB".into()), 6 << 20).unwrap_err();
/// assert!(err.to_string().starts_with("POLYFAAS_BODY_LIMIT=\"6 GiB\" is not valid"));
/// ```
pub fn body_limit_from_env(
    var: impl Fn(&str) -> Option<String>,
    default: usize,
) -> Result<usize, StartupError> {
    match var(BODY_LIMIT_VAR).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(limit) => parse_byte_size(&limit).ok_or_else(|| {
            StartupError::variable(
                BODY_LIMIT_VAR,
                &limit,
                "a size in bytes, optionally with KiB or MiB, such as 6MiB",
            )
        }),
    }
}

/// Where scratch directories go: `POLYFAAS_TMPDIR`, else the system's temporary directory
/// (`TMPDIR`; Lambda's `/tmp`). Read once per process: the environment does not change between
/// invocations.
pub fn scratch_base_from_env() -> PathBuf {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    BASE.get_or_init(|| {
        std::env::var_os(TMPDIR_VAR)
            .filter(|v| !v.is_empty())
            .map_or_else(std::env::temp_dir, PathBuf::from)
    })
    .clone()
}
