//! Azure Blob Storage through `object_store`, configured from `AZURE_STORAGE_*`.

use std::sync::Arc;

use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};

use super::azure_conn::{self, Connection};
use super::object_store_backend::ObjectStoreBlobs;
use super::{BlobError, BlobStore, Capabilities, EnvVars, StoreLocation};

/// Variables that, beside an account name, supply a credential.
const CREDENTIAL_VARS: [&str; 7] = [
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_ACCESS_KEY",
    "AZURE_STORAGE_SAS_KEY",
    "AZURE_STORAGE_TOKEN",
    "AZURE_CLIENT_ID",
    "AZURE_FEDERATED_TOKEN_FILE",
    "IDENTITY_ENDPOINT",
];

/// Opens `container` (under `prefix`) with the settings in `env`, in this order:
/// `AZURE_STORAGE_CONNECTION_STRING`; `AZURE_STORAGE_USE_EMULATOR=true` (Azurite at
/// `AZURITE_BLOB_STORAGE_URL`, default `http://127.0.0.1:10000`); or `AZURE_STORAGE_ACCOUNT_NAME`
/// with `AZURE_STORAGE_ACCOUNT_KEY`, a SAS, a service principal or a managed identity (every
/// `AZURE_*` variable `object_store` knows is passed on).
pub(crate) fn open(
    container: &str,
    prefix: &str,
    env: &EnvVars,
) -> Result<Arc<dyn BlobStore>, BlobError> {
    let mut builder =
        MicrosoftAzureBuilder::new().with_http_connector(super::http_client::HyperConnector);
    for (name, value) in env.with_prefix("AZURE_") {
        if let Ok(key) = name.to_ascii_lowercase().parse::<AzureConfigKey>() {
            builder = builder.with_config(key, value);
        }
    }
    if let Some(conn) = env.get("AZURE_STORAGE_CONNECTION_STRING") {
        let conn = azure_conn::parse(conn).map_err(|why| {
            BlobError::Config(format!(
                "AZURE_STORAGE_CONNECTION_STRING is not a valid connection string: {why}"
            ))
        })?;
        builder = match conn {
            Connection::Emulator => builder.with_use_emulator(true),
            Connection::Account {
                name,
                blob_endpoint,
                key,
                sas,
            } => {
                let mut b = builder
                    .with_account(name)
                    .with_allow_http(blob_endpoint.starts_with("http://"))
                    .with_endpoint(blob_endpoint);
                if let Some(key) = key {
                    b = b.with_access_key(key);
                } else if let Some(sas) = sas {
                    b = b.with_config(AzureConfigKey::SasKey, sas);
                }
                b
            }
        };
    } else {
        check(env)?;
    }
    let client = builder
        .with_container_name(container)
        .build()
        .map_err(|e| {
            BlobError::Config(format!(
                "Azure container {container:?} could not be configured from the AZURE_STORAGE_* \
                 variables: {e}"
            ))
        })?;
    let reopen_env = env.clone();
    Ok(Arc::new(ObjectStoreBlobs::new(
        Arc::new(client),
        "az",
        StoreLocation::new(container, prefix),
        Arc::new(move |c| open(c, "", &reopen_env)),
        Capabilities::all(),
    )))
}

/// The settings' check done at start-up, without building a client: a connection string that
/// parses, the emulator, or an account with a credential; else an error naming the variable to
/// set.
pub(crate) fn check(env: &EnvVars) -> Result<(), BlobError> {
    // The client options among the `AZURE_*` variables (`AZURE_TIMEOUT`, ...) first.
    super::http_client::check_variables(env, "AZURE_").map_err(BlobError::Config)?;
    if let Some(conn) = env.get("AZURE_STORAGE_CONNECTION_STRING") {
        return azure_conn::parse(conn).map(|_| ()).map_err(|why| {
            BlobError::Config(format!(
                "AZURE_STORAGE_CONNECTION_STRING is not a valid connection string: {why}"
            ))
        });
    }
    if env.is_true("AZURE_STORAGE_USE_EMULATOR") {
        return Ok(());
    }
    if !env.has("AZURE_STORAGE_ACCOUNT_NAME") {
        return Err(BlobError::Config(
            "no Azure storage account: set AZURE_STORAGE_CONNECTION_STRING, or \
             AZURE_STORAGE_ACCOUNT_NAME and AZURE_STORAGE_ACCOUNT_KEY \
             (AZURE_STORAGE_USE_EMULATOR=true for Azurite)"
                .to_owned(),
        ));
    }
    if CREDENTIAL_VARS.iter().any(|v| env.has(v)) {
        return Ok(());
    }
    Err(BlobError::Config(
        "AZURE_STORAGE_ACCOUNT_NAME is set but no credential: set AZURE_STORAGE_ACCOUNT_KEY (or \
         AZURE_STORAGE_SAS_KEY, or AZURE_CLIENT_ID with a secret or federated token)"
            .to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_settings_name_the_variable() {
        let err = open("c-1", "", &EnvVars::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("AZURE_STORAGE_CONNECTION_STRING"), "{err}");
        let env = EnvVars::from_pairs([("AZURE_STORAGE_ACCOUNT_NAME", "acct")]);
        let err = open("c-1", "", &env).unwrap_err().to_string();
        assert!(err.contains("set AZURE_STORAGE_ACCOUNT_KEY"), "{err}");
        let env = EnvVars::from_pairs([("AZURE_STORAGE_CONNECTION_STRING", "AccountName=a")]);
        let err = open("c-1", "", &env).unwrap_err().to_string();
        assert!(err.contains("AccountKey"), "{err}");
    }

    #[test]
    fn a_connection_string_opens_a_container_without_network() {
        let env = EnvVars::from_pairs([(
            "AZURE_STORAGE_CONNECTION_STRING",
            "AccountName=acct;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:9/acct",
        )]);
        let store = open("c-1", "", &env).unwrap();
        assert_eq!(store.describe(), "az://c-1");
    }
}
