//! The environment variables a store's configuration is read from.

use std::collections::BTreeMap;

/// A snapshot of environment variables: the process's ([`EnvVars::process`]) or a given set
/// ([`EnvVars::from_pairs`], for tests and for configuring several stores side by side).
///
/// ```
/// use polyfaas_core::blob::EnvVars;
/// let env = EnvVars::from_pairs([("AWS_REGION", "eu-west-1")]);
/// assert_eq!(env.get("AWS_REGION"), Some("eu-west-1"));
/// assert_eq!(env.get("AWS_PROFILE"), None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvVars {
    vars: BTreeMap<String, String>,
}

impl EnvVars {
    /// The process's environment (variables that are not UTF-8 are left out).
    pub fn process() -> Self {
        EnvVars {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    /// Exactly the given variables.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        EnvVars {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// Sets a variable in this snapshot (not in the process).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.vars.insert(name.into(), value.into());
    }

    /// A variable's value; an empty value counts as unset.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether a variable is set to a non-empty value.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Whether a variable is set to `true`, `1` or `yes` (any case).
    pub fn is_true(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
    }

    /// The variables whose names start with `prefix`, in name order.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.vars
            .range(prefix.to_owned()..)
            .take_while(move |(k, _)| k.starts_with(prefix))
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }
}
