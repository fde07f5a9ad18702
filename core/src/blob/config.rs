//! Choosing the blob store from the environment: `POLYFAAS_BLOB_URL`, or the default a platform
//! hands in. This module knows no platform: each shim says which cloud backend is its natural
//! store and which of its variables mean "this cloud's settings are here" ([`cloud_or_local`]).

use super::url::{BlobUrl, Scheme};
use super::{BlobError, Blobs, EnvVars, LocalDirStore, MemoryStore};

/// The variable that selects the blob store.
pub const BLOB_URL_VAR: &str = "POLYFAAS_BLOB_URL";

/// Opens the store a URL names, with credentials and endpoints from the process environment.
///
/// `file:///absolute/path`, `file://relative/path`, `memory://`, and, when compiled in,
/// `s3://bucket/prefix` (feature `s3`; `AWS_*` variables, including `AWS_ENDPOINT_URL_S3`),
/// `gs://bucket/prefix` (feature `gcs`; `GOOGLE_APPLICATION_CREDENTIALS` or
/// `STORAGE_EMULATOR_HOST`) and `az://container/prefix` (feature `azure-blob`;
/// `AZURE_STORAGE_CONNECTION_STRING` or `AZURE_STORAGE_ACCOUNT_NAME` + a credential). A cloud URL
/// without a bucket (`s3://`) uses each blob event's own bucket.
///
/// A malformed URL, a missing credential or a backend that is not compiled in is an error that
/// names the variable to set or the feature to enable.
///
/// ```
/// use polyfaas_core::blob::from_url;
///
/// assert!(from_url("memory://").is_ok());
/// assert!(from_url("file:///tmp/blobs").is_ok());
/// let err = from_url("ftp://x").unwrap_err().to_string();
/// assert!(err.contains("POLYFAAS_BLOB_URL"), "{err}");
/// ```
pub fn from_url(url: &str) -> Result<Blobs, BlobError> {
    from_url_in(url, &EnvVars::process())
}

/// [`from_url`] with credentials and endpoints read from `env` instead of the process
/// environment.
pub fn from_url_in(url: &str, env: &EnvVars) -> Result<Blobs, BlobError> {
    let bad = |why: &str| BlobError::Config(format!("{BLOB_URL_VAR}={url:?} is not valid: {why}"));
    let parsed = BlobUrl::parse(url).map_err(|why| bad(&why))?;
    if !parsed.scheme.is_compiled_in() {
        let feature = parsed.scheme.feature().unwrap_or_default();
        return Err(bad(&format!(
            "this build has no {}:// backend; enable the cargo feature `{feature}` of polyfaas \
             (or polyfaas-core)",
            parsed.scheme
        )));
    }
    let configured = |e: BlobError| BlobError::Config(format!("{BLOB_URL_VAR}={url:?}: {e}"));
    match parsed.scheme {
        Scheme::File => Ok(Blobs::new(LocalDirStore::new(parsed.bucket))),
        Scheme::Memory => Ok(Blobs::new(MemoryStore::new())),
        scheme => cloud(scheme, &parsed.bucket, &parsed.prefix, env).map_err(configured),
    }
}

/// Opens one bucket of a cloud backend (builds its client).
type OpenFn = fn(&str, &str, &EnvVars) -> Result<std::sync::Arc<dyn super::BlobStore>, BlobError>;

/// Checks a cloud backend's settings (credentials present, a connection string that parses)
/// without building a client.
type CheckFn = fn(&EnvVars) -> Result<(), BlobError>;

/// The compiled-in backend for `scheme`.
fn backend(scheme: Scheme) -> Option<(OpenFn, CheckFn)> {
    match scheme {
        #[cfg(feature = "s3")]
        Scheme::S3 => Some((super::s3::open, super::s3::check)),
        #[cfg(feature = "gcs")]
        Scheme::Gcs => Some((super::gcs::open, super::gcs::check)),
        #[cfg(feature = "azure-blob")]
        Scheme::Azure => Some((super::azure::open, super::azure::check)),
        _ => None,
    }
}

/// A cloud store: bound to `bucket`, or unbound when it is empty. The settings are checked
/// now, so a missing credential is a start-up error; the client (TLS roots, HTTP client) is
/// built on first use.
fn cloud(scheme: Scheme, bucket: &str, prefix: &str, env: &EnvVars) -> Result<Blobs, BlobError> {
    let (open, check) = backend(scheme)
        .ok_or_else(|| BlobError::Config(format!("this build has no {scheme}:// backend")))?;
    check(env)?;
    if !bucket.is_empty() {
        let location = super::StoreLocation::new(bucket, prefix);
        let describe = if location.prefix.is_empty() {
            format!("{scheme}://{}", location.bucket)
        } else {
            format!("{scheme}://{}/{}", location.bucket, location.prefix)
        };
        let (bucket, prefix, env) = (bucket.to_owned(), prefix.to_owned(), env.clone());
        return Ok(Blobs::new(super::lazy::LazyStore::new(
            describe,
            location,
            move || open(&bucket, &prefix, &env),
        )));
    }
    let env = env.clone();
    let scheme_name = match scheme {
        Scheme::S3 => "s3",
        Scheme::Gcs => "gs",
        _ => "az",
    };
    Ok(Blobs::new(super::UnboundStore::new(
        scheme_name,
        move |b| {
            super::url::check_bucket(scheme, b).map_err(BlobError::Config)?;
            open(b, "", &env)
        },
    )))
}

/// The store `POLYFAAS_BLOB_URL` names in `env`, or `default(env)` when it is unset or empty.
///
/// Shims call this once at start-up with their platform's default (usually [`cloud_or_local`]);
/// a wrong URL or a missing credential is an error naming the variable.
///
/// ```
/// use polyfaas_core::blob::{from_env, Blobs, EnvVars, MemoryStore};
///
/// let env = EnvVars::from_pairs([("POLYFAAS_BLOB_URL", "file:///tmp/blobs")]);
/// let blobs = from_env(&env, |_| Ok(Blobs::new(MemoryStore::new())))?;
/// assert_eq!(blobs.store().describe(), r#"local directory "/tmp/blobs""#);
/// let blobs = from_env(&EnvVars::default(), |_| Ok(Blobs::new(MemoryStore::new())))?;
/// assert_eq!(blobs.store().describe(), "memory store");
/// # Ok::<(), polyfaas_core::blob::BlobError>(())
/// ```
pub fn from_env(
    env: &EnvVars,
    default: impl FnOnce(&EnvVars) -> Result<Blobs, BlobError>,
) -> Result<Blobs, BlobError> {
    match env.get(BLOB_URL_VAR) {
        Some(url) => from_url_in(url, env),
        None => default(env),
    }
}

/// A platform's default store: the cloud backend `scheme` in each blob event's own bucket when
/// one of `settings` (the variables that mean this cloud's settings are present, such as
/// `AWS_ACCESS_KEY_ID`) is set; otherwise a local directory, `$TMPDIR/polyfaas-blobs`, and a log
/// line that says so. When the backend is not compiled in, a store whose every use (a blob
/// event's `local_path()` included) is an error naming the cargo feature to enable.
///
/// ```
/// use polyfaas_core::blob::{cloud_or_local, EnvVars, Scheme};
///
/// let blobs = cloud_or_local(Scheme::S3, &["AWS_ACCESS_KEY_ID"], &EnvVars::default())?;
/// assert!(blobs.store().describe().contains("polyfaas-blobs"));
/// # Ok::<(), polyfaas_core::blob::BlobError>(())
/// ```
pub fn cloud_or_local(
    scheme: Scheme,
    settings: &[&str],
    env: &EnvVars,
) -> Result<Blobs, BlobError> {
    if !scheme.is_compiled_in() {
        return Ok(Blobs::new(super::missing::MissingBackend::new(scheme)));
    }
    if settings.iter().any(|v| env.has(v)) {
        return cloud(scheme, "", "", env).map_err(|e| {
            BlobError::Config(format!(
                "the default {scheme}:// blob store ({BLOB_URL_VAR} is unset): {e}"
            ))
        });
    }
    Ok(local_fallback())
}

/// The store of a platform without a cloud store of its own (OpenWhisk), or whose cloud's
/// settings are missing: the local directory `$TMPDIR/polyfaas-blobs`, with a log line that
/// says so.
pub fn local_fallback() -> Blobs {
    let dir = std::env::temp_dir().join("polyfaas-blobs");
    tracing::info!(
        dir = %dir.display(),
        "{BLOB_URL_VAR} is unset and no cloud storage settings were found: blobs are kept in a local directory"
    );
    Blobs::new(LocalDirStore::new(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_settings_a_cloud_default_is_a_local_directory() {
        for scheme in [Scheme::S3, Scheme::Gcs, Scheme::Azure] {
            if !scheme.is_compiled_in() {
                continue;
            }
            let blobs = cloud_or_local(scheme, &["X_SETTING"], &EnvVars::default()).unwrap();
            assert!(
                blobs.store().describe().contains("polyfaas-blobs"),
                "{scheme}"
            );
        }
    }

    #[test]
    fn the_url_wins_and_a_bad_one_names_the_variable() {
        let never = |_: &EnvVars| -> Result<Blobs, BlobError> { panic!("the URL is set") };
        let env = EnvVars::from_pairs([(BLOB_URL_VAR, "memory://")]);
        let blobs = from_env(&env, never).unwrap();
        assert_eq!(blobs.store().describe(), "memory store");
        let env = EnvVars::from_pairs([(BLOB_URL_VAR, "s3:/bucket")]);
        let err = from_env(&env, never).unwrap_err().to_string();
        assert!(err.contains("POLYFAAS_BLOB_URL=\"s3:/bucket\""), "{err}");
    }

    #[test]
    #[cfg(all(feature = "s3", feature = "gcs", feature = "azure-blob"))]
    fn with_settings_a_cloud_default_opens_each_events_bucket() {
        let cases = [
            (
                Scheme::S3,
                vec![("AWS_ACCESS_KEY_ID", "AK"), ("AWS_SECRET_ACCESS_KEY", "SK")],
                "AWS_ACCESS_KEY_ID",
            ),
            (Scheme::Gcs, vec![("K_SERVICE", "fn")], "K_SERVICE"),
            (
                Scheme::Azure,
                vec![(
                    "AZURE_STORAGE_CONNECTION_STRING",
                    "UseDevelopmentStorage=true",
                )],
                "AZURE_STORAGE_CONNECTION_STRING",
            ),
        ];
        for (scheme, vars, setting) in cases {
            let env = EnvVars::from_pairs(vars);
            let blobs = cloud_or_local(scheme, &[setting], &env).unwrap();
            let described = blobs.store().describe();
            assert!(
                described.starts_with(&format!("{scheme}://")),
                "{scheme}: {described}"
            );
            assert!(blobs.store().location().is_none(), "bound to no bucket yet");
            let events = blobs.in_bucket("event-bucket").unwrap();
            assert_eq!(
                events.store().location().map(|l| l.bucket),
                Some("event-bucket".to_owned())
            );
            assert!(blobs.in_bucket("Not A Bucket").is_err(), "{scheme}");
        }
        // Broken settings are an error naming the variable.
        let env = EnvVars::from_pairs([("AWS_ACCESS_KEY_ID", "AK")]);
        let err = cloud_or_local(Scheme::S3, &["AWS_ACCESS_KEY_ID"], &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("AWS_SECRET_ACCESS_KEY"), "{err}");
    }

    #[tokio::test]
    async fn a_default_whose_backend_is_not_compiled_in_names_its_feature_on_use() {
        for scheme in [Scheme::S3, Scheme::Gcs, Scheme::Azure] {
            if scheme.is_compiled_in() {
                continue;
            }
            let env = EnvVars::from_pairs([("X_SETTING", "1")]);
            let blobs = cloud_or_local(scheme, &["X_SETTING"], &env).unwrap();
            let feature = scheme.feature().unwrap();
            let err = blobs.get("a").await.unwrap_err().to_string();
            assert!(err.contains(&format!("`{feature}`")), "{err}");
            let err = blobs.in_bucket("uploads").err().unwrap().to_string();
            assert!(err.contains(&format!("`{feature}`")), "{err}");
        }
    }

    #[test]
    fn a_backend_not_compiled_in_names_its_feature() {
        for (url, scheme) in [
            ("s3://b-1", Scheme::S3),
            ("gs://b-1", Scheme::Gcs),
            ("az://c-1", Scheme::Azure),
        ] {
            if scheme.is_compiled_in() {
                continue;
            }
            let err = from_url_in(url, &EnvVars::default())
                .unwrap_err()
                .to_string();
            let feature = scheme.feature().unwrap();
            assert!(err.contains(&format!("`{feature}`")), "{err}");
        }
    }
}
