//! Amazon S3 (and S3-compatible servers) through `object_store`, configured from `AWS_*`.

use std::sync::Arc;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};

use super::object_store_backend::ObjectStoreBlobs;
use super::{BlobError, BlobStore, Capabilities, EnvVars, StoreLocation};

/// Variables any one of which supplies AWS credentials.
const CREDENTIAL_VARS: [&str; 4] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
];

/// Opens `bucket` (under `prefix`) with the settings in `env`: every `AWS_*` variable
/// `object_store` knows (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
/// `AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_S3`, ...). An `http://` endpoint is allowed
/// (S3-compatible servers); `AWS_DEFAULT_REGION` stands in for `AWS_REGION`.
pub(crate) fn open(
    bucket: &str,
    prefix: &str,
    env: &EnvVars,
) -> Result<Arc<dyn BlobStore>, BlobError> {
    check(env)?;
    let mut builder =
        AmazonS3Builder::new().with_http_connector(super::http_client::HyperConnector);
    for (name, value) in env.with_prefix("AWS_") {
        if let Ok(key) = name.to_ascii_lowercase().parse::<AmazonS3ConfigKey>() {
            builder = builder.with_config(key, value);
        }
    }
    let region = env
        .get("AWS_REGION")
        .or_else(|| env.get("AWS_DEFAULT_REGION"))
        .unwrap_or("us-east-1");
    builder = builder.with_region(region).with_bucket_name(bucket);
    let endpoint = env
        .get("AWS_ENDPOINT_URL_S3")
        .or_else(|| env.get("AWS_ENDPOINT_URL"));
    if let Some(endpoint) = endpoint {
        builder = builder
            .with_endpoint(endpoint)
            .with_allow_http(endpoint.starts_with("http://"));
    }
    let client = builder.build().map_err(|e| {
        BlobError::Config(format!(
            "S3 bucket {bucket:?} could not be configured from the AWS_* variables: {e}"
        ))
    })?;
    let reopen_env = env.clone();
    Ok(Arc::new(ObjectStoreBlobs::new(
        Arc::new(client),
        "s3",
        StoreLocation::new(bucket, prefix),
        Arc::new(move |b| open(b, "", &reopen_env)),
        Capabilities {
            put_if_absent: true,
            multipart_upload: true,
            etag: true,
            last_modified: true,
        },
    )))
}

/// The settings' check done at start-up, without building a client: the client options among
/// the `AWS_*` variables are valid, and credentials are present; else an error naming the
/// variable to set or mend.
pub(crate) fn check(env: &EnvVars) -> Result<(), BlobError> {
    super::http_client::check_variables(env, "AWS_").map_err(BlobError::Config)?;
    if env.has("AWS_ACCESS_KEY_ID") && !env.has("AWS_SECRET_ACCESS_KEY") {
        return Err(BlobError::Config(
            "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set AWS_SECRET_ACCESS_KEY"
                .to_owned(),
        ));
    }
    if CREDENTIAL_VARS.iter().any(|v| env.has(v)) || env.is_true("AWS_SKIP_SIGNATURE") {
        return Ok(());
    }
    Err(BlobError::Config(
        "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or \
         AWS_WEB_IDENTITY_TOKEN_FILE, or AWS_CONTAINER_CREDENTIALS_FULL_URI; \
         AWS_SKIP_SIGNATURE=true for a public bucket)"
            .to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_credentials_name_the_variable() {
        let err = open("b-1", "", &EnvVars::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("AWS_ACCESS_KEY_ID"), "{err}");
        let env = EnvVars::from_pairs([("AWS_ACCESS_KEY_ID", "AK")]);
        let err = open("b-1", "", &env).unwrap_err().to_string();
        assert!(err.contains("set AWS_SECRET_ACCESS_KEY"), "{err}");
    }

    #[test]
    fn a_client_option_that_does_not_parse_is_a_start_up_error_naming_the_variable() {
        let keys = [("AWS_ACCESS_KEY_ID", "AK"), ("AWS_SECRET_ACCESS_KEY", "SK")];
        for (var, value, expected) in [
            (
                "AWS_TIMEOUT",
                "soon",
                "AWS_TIMEOUT: timeout \"soon\" is not a duration",
            ),
            (
                "AWS_HTTP2_ONLY",
                "true",
                "AWS_HTTP2_ONLY: http2_only is not supported",
            ),
            (
                "AWS_PROXY_CA_CERTIFICATE",
                "x",
                "AWS_PROXY_CA_CERTIFICATE: proxy_ca_certificate",
            ),
        ] {
            let env = EnvVars::from_pairs(keys.into_iter().chain([(var, value)]));
            let err = check(&env).unwrap_err().to_string();
            assert!(err.contains(expected), "{var}: {err}");
        }
        let fine = EnvVars::from_pairs(keys.into_iter().chain([("AWS_TIMEOUT", "5s")]));
        check(&fine).unwrap();
    }

    #[test]
    fn an_endpoint_and_keys_open_a_bucket_without_network() {
        let env = EnvVars::from_pairs([
            ("AWS_ACCESS_KEY_ID", "AK"),
            ("AWS_SECRET_ACCESS_KEY", "SK"),
            ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9"),
        ]);
        let store = open("b-1", "in", &env).unwrap();
        assert_eq!(store.describe(), "s3://b-1/in");
        assert_eq!(store.location(), Some(StoreLocation::new("b-1", "in")));
    }
}
