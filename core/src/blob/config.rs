//! Choosing the blob store from the environment: `POLYFAAS_BLOB_URL`, or the platform's default.

use std::path::PathBuf;

use super::url::{BlobUrl, Scheme};
use super::{BlobError, Blobs, EnvVars, LocalDirStore, MemoryStore};
use crate::{Error, Provider};

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
pub fn from_url(url: &str) -> Result<Blobs, Error> {
    from_url_in(url, &EnvVars::process())
}

/// [`from_url`] with credentials and endpoints read from `env` instead of the process
/// environment.
pub fn from_url_in(url: &str, env: &EnvVars) -> Result<Blobs, Error> {
    let bad = |why: &str| Error::Provider(format!("{BLOB_URL_VAR}={url:?} is not valid: {why}"));
    let parsed = BlobUrl::parse(url).map_err(|why| bad(&why))?;
    if !parsed.scheme.is_compiled_in() {
        let feature = parsed.scheme.feature().unwrap_or_default();
        return Err(bad(&format!(
            "this build has no {}:// backend; enable the cargo feature `{feature}` of polyfaas \
             (or polyfaas-core)",
            parsed.scheme
        )));
    }
    let configured = |e: BlobError| Error::Provider(format!("{BLOB_URL_VAR}={url:?}: {e}"));
    match parsed.scheme {
        Scheme::File => Ok(Blobs::new(LocalDirStore::new(parsed.bucket))),
        Scheme::Memory => Ok(Blobs::new(MemoryStore::new())),
        scheme => cloud(scheme, &parsed.bucket, &parsed.prefix, env).map_err(configured),
    }
}

/// Opens one bucket of a cloud backend.
type OpenFn = fn(&str, &str, &EnvVars) -> Result<std::sync::Arc<dyn super::BlobStore>, BlobError>;

/// The compiled-in backend for `scheme`.
fn opener(scheme: Scheme) -> Option<OpenFn> {
    match scheme {
        #[cfg(feature = "s3")]
        Scheme::S3 => Some(super::s3::open),
        #[cfg(feature = "gcs")]
        Scheme::Gcs => Some(super::gcs::open),
        #[cfg(feature = "azure-blob")]
        Scheme::Azure => Some(super::azure::open),
        _ => None,
    }
}

/// A cloud store: bound to `bucket`, or unbound when it is empty.
fn cloud(scheme: Scheme, bucket: &str, prefix: &str, env: &EnvVars) -> Result<Blobs, BlobError> {
    let open = opener(scheme)
        .ok_or_else(|| BlobError::Config(format!("this build has no {scheme}:// backend")))?;
    if !bucket.is_empty() {
        return Ok(Blobs::from_arc(open(bucket, prefix, env)?));
    }
    // Check the credentials now, so that a missing one is a start-up error; buckets open later.
    open("polyfaas-credential-check", "", env)?;
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

/// The store `POLYFAAS_BLOB_URL` names, or `default()` when it is unset or empty.
pub fn from_env_or(default: impl FnOnce() -> Blobs) -> Result<Blobs, Error> {
    match std::env::var(BLOB_URL_VAR) {
        Ok(url) if !url.is_empty() => from_url(&url),
        _ => Ok(default()),
    }
}

/// The store every shim gives its handlers: `POLYFAAS_BLOB_URL` if set, else the platform's
/// default. Shims call this once at start-up; a wrong URL or a missing credential is a start-up
/// error naming the variable.
///
/// Defaults when `POLYFAAS_BLOB_URL` is unset:
/// - local: the directory `POLYFAAS_BLOB_DIR` (default `.polyfaas/blobs`);
/// - AWS Lambda (feature `s3`, and AWS credentials in the environment, as Lambda always sets):
///   S3, in each blob event's own bucket;
/// - Google Cloud (feature `gcs`, and `K_SERVICE`, `FUNCTION_TARGET`,
///   `GOOGLE_APPLICATION_CREDENTIALS` or `STORAGE_EMULATOR_HOST` set): GCS, in each event's bucket;
/// - Azure Functions (feature `azure-blob`, and `AzureWebJobsStorage` or an `AZURE_STORAGE_*`
///   account set): Azure Blob Storage, in each event's container;
/// - otherwise (OpenWhisk, or a cloud shim running without its cloud's settings): the directory
///   `$TMPDIR/polyfaas-blobs`.
pub fn for_provider(provider: Provider) -> Result<Blobs, Error> {
    for_provider_in(provider, &EnvVars::process())
}

/// [`for_provider`] with `env` instead of the process environment.
pub(crate) fn for_provider_in(provider: Provider, env: &EnvVars) -> Result<Blobs, Error> {
    if let Some(url) = env.get(BLOB_URL_VAR) {
        return from_url_in(url, env);
    }
    if let Some(scheme) = platform_default(provider, env) {
        let from_webjobs = provider == Provider::Azure
            && env.has("AzureWebJobsStorage")
            && !env.has("AZURE_STORAGE_CONNECTION_STRING");
        let env = with_platform_settings(provider, env);
        return cloud(scheme, "", "", &env).map_err(|e| {
            let source = if from_webjobs {
                " (AZURE_STORAGE_CONNECTION_STRING taken from AzureWebJobsStorage)"
            } else {
                ""
            };
            Error::Provider(format!(
                "the default blob store on {provider} ({BLOB_URL_VAR} is unset){source}: {e}"
            ))
        });
    }
    let dir = match provider {
        Provider::Local => env
            .get("POLYFAAS_BLOB_DIR")
            .map_or_else(|| PathBuf::from(".polyfaas/blobs"), PathBuf::from),
        _ => std::env::temp_dir().join("polyfaas-blobs"),
    };
    if provider != Provider::Local {
        tracing::info!(
            dir = %dir.display(),
            "{BLOB_URL_VAR} is unset and no cloud storage settings were found: blobs are kept in a local directory"
        );
    }
    Ok(Blobs::new(LocalDirStore::new(dir)))
}

/// The cloud backend a platform uses by default, if it is compiled in and the platform's
/// settings are present.
fn platform_default(provider: Provider, env: &EnvVars) -> Option<Scheme> {
    let scheme = match provider {
        Provider::Aws => Scheme::S3,
        Provider::Gcp => Scheme::Gcs,
        Provider::Azure => Scheme::Azure,
        Provider::Local | Provider::OpenWhisk => return None,
    };
    let present = |vars: &[&str]| vars.iter().any(|v| env.has(v));
    let settings = match scheme {
        Scheme::S3 => present(&[
            "AWS_ACCESS_KEY_ID",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        ]),
        Scheme::Gcs => present(&[
            "K_SERVICE",
            "FUNCTION_TARGET",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "STORAGE_EMULATOR_HOST",
        ]),
        _ => present(&[
            "AzureWebJobsStorage",
            "AZURE_STORAGE_CONNECTION_STRING",
            "AZURE_STORAGE_ACCOUNT_NAME",
            "AZURE_STORAGE_USE_EMULATOR",
        ]),
    };
    (settings && scheme.is_compiled_in()).then_some(scheme)
}

/// Azure Functions keep the storage account's connection string in `AzureWebJobsStorage`: use it
/// when no `AZURE_STORAGE_CONNECTION_STRING` is given.
fn with_platform_settings(provider: Provider, env: &EnvVars) -> EnvVars {
    match (provider, env.get("AzureWebJobsStorage")) {
        (Provider::Azure, Some(conn)) if !env.has("AZURE_STORAGE_CONNECTION_STRING") => {
            let mut env = env.clone();
            env.set("AZURE_STORAGE_CONNECTION_STRING", conn);
            env
        }
        _ => env.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_provider_defaults_to_a_directory() {
        let env = EnvVars::from_pairs([("POLYFAAS_BLOB_DIR", "/tmp/x")]);
        let blobs = for_provider_in(Provider::Local, &env).unwrap();
        assert_eq!(blobs.store().describe(), r#"local directory "/tmp/x""#);
    }

    #[test]
    fn clouds_without_their_settings_fall_back_to_a_directory() {
        for provider in [
            Provider::Aws,
            Provider::Gcp,
            Provider::Azure,
            Provider::OpenWhisk,
        ] {
            let blobs = for_provider_in(provider, &EnvVars::default()).unwrap();
            assert!(
                blobs.store().describe().contains("polyfaas-blobs"),
                "{provider}"
            );
        }
    }

    #[test]
    fn the_url_wins_and_a_bad_one_is_a_startup_error() {
        let env = EnvVars::from_pairs([(BLOB_URL_VAR, "memory://")]);
        let blobs = for_provider_in(Provider::Aws, &env).unwrap();
        assert_eq!(blobs.store().describe(), "memory store");
        let env = EnvVars::from_pairs([(BLOB_URL_VAR, "s3:/bucket")]);
        let err = for_provider_in(Provider::Aws, &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("POLYFAAS_BLOB_URL=\"s3:/bucket\""), "{err}");
    }

    #[test]
    #[cfg(all(feature = "s3", feature = "gcs", feature = "azure-blob"))]
    fn clouds_with_their_settings_default_to_their_storage_in_the_events_bucket() {
        let cases = [
            (
                Provider::Aws,
                vec![("AWS_ACCESS_KEY_ID", "AK"), ("AWS_SECRET_ACCESS_KEY", "SK")],
                "s3://",
            ),
            (Provider::Gcp, vec![("K_SERVICE", "fn")], "gs://"),
            (
                Provider::Azure,
                vec![("AzureWebJobsStorage", "UseDevelopmentStorage=true")],
                "az://",
            ),
        ];
        for (provider, vars, scheme) in cases {
            let blobs = for_provider_in(provider, &EnvVars::from_pairs(vars)).unwrap();
            let described = blobs.store().describe();
            assert!(described.starts_with(scheme), "{provider}: {described}");
            assert!(blobs.store().location().is_none(), "bound to no bucket yet");
            let events = blobs.in_bucket("event-bucket").unwrap();
            assert_eq!(
                events.store().location().map(|l| l.bucket),
                Some("event-bucket".to_owned())
            );
            assert!(blobs.in_bucket("Not A Bucket").is_err(), "{provider}");
        }
        // Broken settings are a start-up error naming the variable.
        let env = EnvVars::from_pairs([("AWS_ACCESS_KEY_ID", "AK")]);
        let err = for_provider_in(Provider::Aws, &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("AWS_SECRET_ACCESS_KEY"), "{err}");
        let env = EnvVars::from_pairs([("AzureWebJobsStorage", "AccountName=x")]);
        let err = for_provider_in(Provider::Azure, &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("taken from AzureWebJobsStorage"), "{err}");
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
