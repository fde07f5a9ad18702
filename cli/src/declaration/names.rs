//! Name rules that hold on every platform at once (the strictest of Lambda, Cloud Run, Azure
//! Functions, Azure Storage and OpenWhisk), so a declaration that passes here is valid everywhere.

/// A function name: it becomes the Lambda function, the Cloud Run service (lower-case, at most
/// 49 characters, starting with a letter), the Azure executable and the OpenWhisk action.
pub(crate) fn check_function_name(name: &str) -> Result<(), String> {
    dns_label(name, 49).map_err(|why| {
        format!("{name:?} {why}: a function name has 1 to 49 lower-case letters, digits and `-`, starts with a letter and does not end with `-` (Cloud Run's rule, the strictest)")
    })
}

/// A trigger name: an Azure function, an EventBridge rule, a Cloud Scheduler job, an Eventarc
/// trigger, an OpenWhisk trigger.
pub(crate) fn check_trigger_name(name: &str) -> Result<(), String> {
    dns_label(name, 40).map_err(|why| {
        format!("{name:?} {why}: a trigger name has 1 to 40 lower-case letters, digits and `-`, starts with a letter and does not end with `-`")
    })
}

/// A bucket or container: S3, Cloud Storage and Azure Blob all accept 3 to 63 lower-case
/// letters, digits and `-`.
pub(crate) fn check_bucket(name: &str) -> Result<(), String> {
    let ok = (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--");
    if ok {
        Ok(())
    } else {
        Err(format!("{name:?} is not a bucket name every platform accepts: 3 to 63 lower-case letters, digits and single `-`, not at either end"))
    }
}

/// A key prefix: relative, no `..`, no leading `/`.
pub(crate) fn check_prefix(prefix: &str) -> Result<(), String> {
    if prefix.starts_with('/') || prefix.split('/').any(|part| part == "..") || prefix.len() > 512 {
        Err(format!(
            "{prefix:?} is not a key prefix: no leading `/`, no `..`, at most 512 bytes"
        ))
    } else {
        Ok(())
    }
}

/// A queue: SQS and Azure Storage queues both accept 3 to 63 lower-case letters, digits and `-`.
pub(crate) fn check_queue(name: &str) -> Result<(), String> {
    check_bucket(name).map_err(|_| {
        format!("{name:?} is not a queue name every platform accepts: 3 to 63 lower-case letters, digits and single `-` (Azure Storage's rule)")
    })
}

/// A topic, stream, event hub or table: letters, digits, `-`, `_` and `.`, at most 128.
pub(crate) fn check_resource(name: &str) -> Result<(), String> {
    let ok = (1..=128).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(format!("{name:?} is not a resource name: 1 to 128 letters, digits, `-`, `_` and `.`, starting with a letter or digit"))
    }
}

/// An environment variable name.
pub(crate) fn check_env_name(name: &str) -> Result<(), String> {
    let ok = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not an environment variable name: letters, digits and `_`, not starting with a digit"
        ))
    }
}

/// A Cargo package name made into a function name: lower-case, `_` as `-`.
pub(crate) fn function_name_from_package(package: &str) -> String {
    package.to_ascii_lowercase().replace('_', "-")
}

/// `orders-queue` → `OrdersQueue`: a CloudFormation logical id.
pub(crate) fn pascal_case(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn dns_label(name: &str, max: usize) -> Result<(), &'static str> {
    if name.is_empty() || name.len() > max {
        return Err("has the wrong length");
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("does not start with a lower-case letter");
    }
    if name.ends_with('-') {
        return Err("ends with `-`");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err("has a character other than a-z, 0-9 and `-`");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_function_name("echo").is_ok());
        assert!(check_function_name("Echo").is_err());
        assert!(check_function_name("echo-").is_err());
        assert!(check_function_name(&"a".repeat(50)).is_err());
        assert!(check_trigger_name("nightly-2").is_ok());
        assert!(check_trigger_name("2nightly").is_err());
        assert!(check_bucket("my-photos").is_ok());
        assert!(check_bucket("My_Photos").is_err());
        assert!(check_bucket("ab").is_err());
        assert!(check_prefix("uploads/").is_ok());
        assert!(check_prefix("../x").is_err());
        assert!(check_env_name("RUST_LOG").is_ok());
        assert!(check_env_name("1X").is_err());
        assert_eq!(pascal_case("orders-queue"), "OrdersQueue");
        assert_eq!(function_name_from_package("My_Fn"), "my-fn");
    }
}
