//! `POLYFAAS_BLOB_URL`, parsed: which backend, which bucket, which key prefix.

use std::fmt;

use super::key;

/// The backend a blob URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// `file:///path` or `file://relative/path`: a local directory.
    File,
    /// `memory://`: this process's memory.
    Memory,
    /// `s3://bucket/prefix`: Amazon S3 or an S3-compatible server (feature `s3`).
    S3,
    /// `gs://bucket/prefix`: Google Cloud Storage (feature `gcs`).
    Gcs,
    /// `az://container/prefix` (or `azure://`): Azure Blob Storage (feature `azure-blob`).
    Azure,
}

impl Scheme {
    /// The cargo feature of `polyfaas-core` that compiles this backend in, if it needs one.
    pub fn feature(self) -> Option<&'static str> {
        match self {
            Scheme::File | Scheme::Memory => None,
            Scheme::S3 => Some("s3"),
            Scheme::Gcs => Some("gcs"),
            Scheme::Azure => Some("azure-blob"),
        }
    }

    /// Whether that feature is compiled into this build.
    pub fn is_compiled_in(self) -> bool {
        match self {
            Scheme::File | Scheme::Memory => true,
            Scheme::S3 => cfg!(feature = "s3"),
            Scheme::Gcs => cfg!(feature = "gcs"),
            Scheme::Azure => cfg!(feature = "azure-blob"),
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scheme::File => "file",
            Scheme::Memory => "memory",
            Scheme::S3 => "s3",
            Scheme::Gcs => "gs",
            Scheme::Azure => "az",
        })
    }
}

/// A parsed blob store URL.
///
/// ```
/// use polyfaas_core::blob::{BlobUrl, Scheme};
///
/// let url = BlobUrl::parse("s3://uploads/in/coming").unwrap();
/// assert_eq!((url.scheme, url.bucket.as_str(), url.prefix.as_str()), (Scheme::S3, "uploads", "in/coming"));
/// assert_eq!(BlobUrl::parse("file:///srv/blobs").unwrap().bucket, "/srv/blobs");
/// assert!(BlobUrl::parse("s3://Bad_Bucket").is_err());
/// assert!(BlobUrl::parse("gs://b/../x").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BlobUrl {
    /// The backend.
    pub scheme: Scheme,
    /// The bucket or container; for `file://` the directory; empty for `memory://`, and for a
    /// cloud URL without a bucket (`s3://`): then each blob event's own bucket is used.
    pub bucket: String,
    /// The key prefix inside the bucket, without leading or trailing `/`.
    pub prefix: String,
}

impl BlobUrl {
    /// Parses `url`; the error says what is wrong and what a valid URL looks like.
    pub fn parse(url: &str) -> Result<BlobUrl, String> {
        let (scheme, rest) = url.split_once("://").ok_or_else(|| {
            "it must be a URL such as s3://bucket/prefix, gs://bucket, az://container, \
             file:///path/to/dir or memory://"
                .to_owned()
        })?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "file" => Scheme::File,
            "memory" => Scheme::Memory,
            "s3" => Scheme::S3,
            "gs" | "gcs" => Scheme::Gcs,
            "az" | "azure" => Scheme::Azure,
            other => {
                return Err(format!(
                    "unknown scheme {other:?}; known: s3://, gs://, az://, file://, memory://"
                ))
            }
        };
        match scheme {
            Scheme::File if rest.is_empty() => {
                Err("file:// needs a directory, as in file:///srv/blobs".to_owned())
            }
            Scheme::File => Ok(BlobUrl {
                scheme,
                bucket: rest.to_owned(),
                prefix: String::new(),
            }),
            Scheme::Memory if !rest.is_empty() => {
                Err("memory:// takes nothing after the scheme".to_owned())
            }
            Scheme::Memory => Ok(BlobUrl {
                scheme,
                bucket: String::new(),
                prefix: String::new(),
            }),
            Scheme::S3 | Scheme::Gcs | Scheme::Azure => {
                let rest = rest.split(['?', '#']).next().unwrap_or_default();
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                let prefix = prefix.trim_end_matches('/');
                if !bucket.is_empty() {
                    check_bucket(scheme, bucket)?;
                }
                if !prefix.is_empty() {
                    if bucket.is_empty() {
                        return Err("a key prefix needs a bucket before it".to_owned());
                    }
                    key::validate_prefix(prefix)
                        .map_err(|e| format!("its key prefix is not valid: {e}"))?;
                }
                Ok(BlobUrl {
                    scheme,
                    bucket: bucket.to_owned(),
                    prefix: prefix.to_owned(),
                })
            }
        }
    }
}

/// Checks a bucket or container name against its cloud's naming rules.
pub(crate) fn check_bucket(scheme: Scheme, bucket: &str) -> Result<(), String> {
    let (what, extra): (&str, &[char]) = match scheme {
        Scheme::S3 => ("S3 bucket", &['.', '-']),
        Scheme::Gcs => ("GCS bucket", &['.', '-', '_']),
        Scheme::Azure => ("Azure container", &['-']),
        Scheme::File | Scheme::Memory => return Ok(()),
    };
    let max = if scheme == Scheme::Gcs { 222 } else { 63 };
    let ok_chars = bucket
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(&c));
    let ok_ends = bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
        && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
    if (3..=max).contains(&bucket.len()) && ok_chars && ok_ends {
        Ok(())
    } else {
        Err(format!(
            "{bucket:?} is not a valid {what} name: 3 to {max} characters of a-z, 0-9 and {}, \
             starting and ending with a letter or digit",
            extra
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(" ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_urls_split_into_bucket_and_prefix() {
        let url = BlobUrl::parse("gs://my_bucket/a/b/").unwrap();
        assert_eq!(url.scheme, Scheme::Gcs);
        assert_eq!(url.bucket, "my_bucket");
        assert_eq!(url.prefix, "a/b");
        let url = BlobUrl::parse("az://container").unwrap();
        assert_eq!((url.scheme, url.prefix.as_str()), (Scheme::Azure, ""));
        let url = BlobUrl::parse("s3://").unwrap();
        assert_eq!(url.bucket, "", "no bucket: each event's own");
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        for (url, says) in [
            ("bucket", "must be a URL"),
            ("ftp://x", "unknown scheme"),
            ("file://", "needs a directory"),
            ("memory://x", "nothing after"),
            ("s3://UPPER", "not a valid S3 bucket"),
            ("s3://ab", "3 to 63"),
            ("az://under_score", "Azure container"),
            ("gs://bkt/a//b", "key prefix"),
            ("s3://bucket/../x", "key prefix"),
        ] {
            let err = BlobUrl::parse(url).unwrap_err();
            assert!(err.contains(says), "{url}: {err}");
        }
    }

    #[test]
    fn features_are_named() {
        assert_eq!(Scheme::Azure.feature(), Some("azure-blob"));
        assert!(Scheme::File.is_compiled_in());
    }
}
