//! Which provider `run` uses.

use polyfaas_core::{Error, Provider};

/// The providers compiled in, in the order their environments are checked.
pub(crate) const COMPILED: &[Provider] = &[
    #[cfg(feature = "aws")]
    Provider::Aws,
    #[cfg(feature = "azure")]
    Provider::Azure,
    #[cfg(feature = "gcp")]
    Provider::Gcp,
    #[cfg(feature = "openwhisk")]
    Provider::OpenWhisk,
    #[cfg(feature = "local")]
    Provider::Local,
];

/// Whether the process was started in `provider`'s environment.
pub(crate) fn detected(provider: Provider) -> bool {
    match provider {
        #[cfg(feature = "aws")]
        Provider::Aws => polyfaas_aws::detected(),
        #[cfg(feature = "azure")]
        Provider::Azure => polyfaas_azure::detected(),
        #[cfg(feature = "gcp")]
        Provider::Gcp => polyfaas_gcp::detected(),
        #[cfg(feature = "openwhisk")]
        Provider::OpenWhisk => polyfaas_openwhisk::detected(),
        _ => false,
    }
}

/// Picks the provider: `POLYFAAS_PROVIDER` if set; else the first compiled-in provider whose
/// environment is present; else the local dev provider if compiled in; else the only one
/// compiled in (so a single-platform binary also starts where detection cannot tell, such as an
/// OpenWhisk blackbox container).
pub(crate) fn select(
    compiled: &[Provider],
    requested: Option<&str>,
    detected: impl Fn(Provider) -> bool,
) -> Result<Provider, Error> {
    let names = || {
        compiled
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(name) = requested.filter(|n| !n.is_empty()) {
        return compiled
            .iter()
            .copied()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| {
                Error::Provider(format!(
                    "POLYFAAS_PROVIDER={name:?} is not valid: this binary was built with {}",
                    names()
                ))
            });
    }
    if let Some(found) = compiled.iter().copied().find(|p| detected(*p)) {
        return Ok(found);
    }
    if compiled.contains(&Provider::Local) {
        return Ok(Provider::Local);
    }
    match compiled {
        [only] => Ok(*only),
        _ => Err(Error::Provider(format!(
            "cannot tell which platform started this process (built with {}); set POLYFAAS_PROVIDER",
            names()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[Provider] = &[Provider::Aws, Provider::Gcp, Provider::Local];

    #[test]
    fn an_explicit_choice_wins() {
        assert_eq!(select(ALL, Some("gcp"), |_| true).unwrap(), Provider::Gcp);
        let err = select(ALL, Some("mars"), |_| false)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "POLYFAAS_PROVIDER=\"mars\" is not valid: this binary was built with aws, gcp, local"
        );
    }

    #[test]
    fn the_environment_decides_then_local() {
        assert_eq!(
            select(ALL, None, |p| p == Provider::Gcp).unwrap(),
            Provider::Gcp
        );
        assert_eq!(select(ALL, None, |_| false).unwrap(), Provider::Local);
        assert_eq!(select(ALL, Some(""), |_| false).unwrap(), Provider::Local);
    }

    #[test]
    fn a_single_platform_binary_starts_even_undetected() {
        assert_eq!(
            select(&[Provider::OpenWhisk], None, |_| false).unwrap(),
            Provider::OpenWhisk
        );
        let err = select(&[Provider::Aws, Provider::Gcp], None, |_| false).unwrap_err();
        assert!(err.to_string().contains("set POLYFAAS_PROVIDER"));
    }
}
