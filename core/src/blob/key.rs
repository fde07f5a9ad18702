//! Validated object keys: the only way a key reaches a blob backend.

use std::fmt;

use super::BlobError;

/// The longest key accepted, in bytes (S3's and Azure's limit).
pub const MAX_KEY_LEN: usize = 1024;

/// An object key that is safe to hand to any backend, including a local directory.
///
/// A key is non-empty UTF-8 of at most 1024 bytes, made of `/`-separated segments, none of
/// which is empty, `.` or `..`; it has no leading or trailing `/`, no backslash and no control
/// character (NUL included). So it can never name a file outside a store's root.
///
/// ```
/// use polyfaas_core::blob::BlobKey;
///
/// assert_eq!(BlobKey::parse("photos/2024/café 1.jpg").unwrap().as_str(), "photos/2024/café 1.jpg");
/// assert!(BlobKey::parse("../etc/passwd").is_err());
/// assert!(BlobKey::parse("/etc/passwd").is_err());
/// assert!(BlobKey::parse("a\0b").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlobKey(String);

impl BlobKey {
    /// Checks `key` and wraps it.
    pub fn parse(key: &str) -> Result<Self, BlobError> {
        validate(key, false)?;
        Ok(BlobKey(key.to_owned()))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key's `/`-separated segments.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }
}

/// Checks a listing prefix: empty, or a key that may end with `/`.
pub(crate) fn validate_prefix(prefix: &str) -> Result<(), BlobError> {
    if prefix.is_empty() {
        return Ok(());
    }
    validate(prefix, true)
}

fn validate(key: &str, trailing_slash_ok: bool) -> Result<(), BlobError> {
    let invalid = |reason: &'static str| BlobError::InvalidKey {
        key: key.to_owned(),
        reason,
    };
    if key.is_empty() {
        return Err(invalid("it is empty"));
    }
    if key.len() > MAX_KEY_LEN {
        return Err(invalid("it is longer than 1024 bytes"));
    }
    if key.starts_with('/') {
        return Err(invalid("it is an absolute path (starts with `/`)"));
    }
    if key.chars().any(char::is_control) {
        return Err(invalid(
            "it contains a control character (NUL, newline, ...)",
        ));
    }
    if key.contains('\\') {
        return Err(invalid("it contains a backslash"));
    }
    let body = match key.strip_suffix('/') {
        Some(body) if trailing_slash_ok => body,
        Some(_) => return Err(invalid("it ends with `/`")),
        None => key,
    };
    for segment in body.split('/') {
        match segment {
            "" => return Err(invalid("it has an empty segment (`//`)")),
            "." | ".." => return Err(invalid("it has a `.` or `..` segment")),
            _ => {}
        }
    }
    Ok(())
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl AsRef<str> for BlobKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for BlobKey {
    type Error = BlobError;
    fn try_from(key: &str) -> Result<Self, BlobError> {
        BlobKey::parse(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_keys() {
        for key in [
            "a",
            "a/b/c.txt",
            "space in name",
            "ünïcødé/日本.png",
            "a..b",
            ".hidden/x",
            "x#1?y=2",
        ] {
            assert_eq!(BlobKey::parse(key).unwrap().as_str(), key);
        }
    }

    #[test]
    fn rejects_hostile_keys_with_a_reason() {
        let cases = [
            ("", "empty"),
            ("..", "`..`"),
            ("../x", "`..`"),
            ("a/../../x", "`..`"),
            ("a/./b", "`.`"),
            ("/etc/passwd", "absolute"),
            ("a\0b", "control"),
            ("a\nb", "control"),
            ("a\\..\\b", "backslash"),
            ("a//b", "empty segment"),
            ("a/", "ends with"),
        ];
        for (key, reason) in cases {
            let err = BlobKey::parse(key).unwrap_err().to_string();
            assert!(err.contains(reason), "{key:?}: {err}");
            assert!(
                err.contains(&format!("{key:?}")),
                "error names the key: {err}"
            );
        }
        assert!(BlobKey::parse(&"k".repeat(MAX_KEY_LEN + 1)).is_err());
        assert!(BlobKey::parse(&"k".repeat(MAX_KEY_LEN)).is_ok());
    }

    #[test]
    fn prefixes_may_end_with_a_slash() {
        assert!(validate_prefix("").is_ok());
        assert!(validate_prefix("a/").is_ok());
        assert!(validate_prefix("a/b").is_ok());
        assert!(validate_prefix("../").is_err());
        assert!(validate_prefix("/a").is_err());
    }
}
