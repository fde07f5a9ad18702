//! Azure Storage connection strings (`AZURE_STORAGE_CONNECTION_STRING`, `AzureWebJobsStorage`).

/// What a connection string says about the blob service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Connection {
    /// `UseDevelopmentStorage=true`: the local emulator (Azurite) with its well-known account.
    Emulator,
    /// An account, its blob endpoint, and a key or SAS token.
    Account {
        name: String,
        blob_endpoint: String,
        key: Option<String>,
        sas: Option<String>,
    },
}

/// Parses `Key=Value;Key=Value` (values may contain `=`). The error names what is missing.
pub(crate) fn parse(conn: &str) -> Result<Connection, String> {
    let mut fields = std::collections::HashMap::new();
    for part in conn.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("the part {part:?} is not Key=Value"))?;
        fields.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
    }
    let get = |k: &str| fields.get(k).filter(|v| !v.is_empty()).cloned();
    if get("usedevelopmentstorage").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return Ok(Connection::Emulator);
    }
    let name = get("accountname").ok_or("it has no AccountName")?;
    let blob_endpoint = match get("blobendpoint") {
        Some(endpoint) => endpoint.trim_end_matches('/').to_owned(),
        None => format!(
            "{}://{name}.blob.{}",
            get("defaultendpointsprotocol").unwrap_or_else(|| "https".to_owned()),
            get("endpointsuffix").unwrap_or_else(|| "core.windows.net".to_owned())
        ),
    };
    let key = get("accountkey");
    let sas = get("sharedaccesssignature");
    if key.is_none() && sas.is_none() {
        return Err("it has neither AccountKey nor SharedAccessSignature".to_owned());
    }
    Ok(Connection::Account {
        name,
        blob_endpoint,
        key,
        sas,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_strings_give_an_endpoint_and_a_key() {
        let c = parse("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5==;EndpointSuffix=core.windows.net").unwrap();
        assert_eq!(
            c,
            Connection::Account {
                name: "acct".into(),
                blob_endpoint: "https://acct.blob.core.windows.net".into(),
                key: Some("a2V5==".into()),
                sas: None
            }
        );
        let c = parse("AccountName=devstoreaccount1;AccountKey=k;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1/").unwrap();
        let Connection::Account { blob_endpoint, .. } = c else {
            panic!("{c:?}")
        };
        assert_eq!(blob_endpoint, "http://127.0.0.1:10000/devstoreaccount1");
        assert_eq!(
            parse("UseDevelopmentStorage=true").unwrap(),
            Connection::Emulator
        );
    }

    #[test]
    fn incomplete_strings_say_what_is_missing() {
        assert!(parse("AccountKey=k").unwrap_err().contains("AccountName"));
        assert!(parse("AccountName=a").unwrap_err().contains("AccountKey"));
        assert!(parse("garbage").unwrap_err().contains("Key=Value"));
    }
}
