//! Which platform `run` uses.

use polyfaas_core::{Error, Platform, Provider, StartupError};

/// Picks the platform: `POLYFAAS_PROVIDER` if set; else the first compiled-in platform whose
/// environment is present; else the local dev provider if compiled in; else the only one
/// compiled in (so a single-platform binary also starts where detection cannot tell, such as an
/// OpenWhisk blackbox container).
pub(crate) fn select<'a>(
    compiled: &[&'a dyn Platform],
    requested: Option<&str>,
) -> Result<&'a dyn Platform, Error> {
    let names = || {
        compiled
            .iter()
            .map(|p| p.provider().as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(name) = requested.filter(|n| !n.is_empty()) {
        return compiled
            .iter()
            .copied()
            .find(|p| p.provider().as_str() == name)
            .ok_or_else(|| {
                StartupError::new(format!(
                    "POLYFAAS_PROVIDER={name:?} is not valid: this binary was built with {}",
                    names()
                ))
                .into()
            });
    }
    if let Some(found) = compiled.iter().copied().find(|p| p.detected()) {
        return Ok(found);
    }
    if let Some(local) = compiled
        .iter()
        .copied()
        .find(|p| p.provider() == Provider::LOCAL)
    {
        return Ok(local);
    }
    match compiled {
        [only] => Ok(*only),
        _ => Err(StartupError::new(format!(
            "cannot tell which platform started this process (built with {}); set POLYFAAS_PROVIDER",
            names()
        ))
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use polyfaas_core::platform::RunFuture;
    use polyfaas_core::{Handler, Shutdown};

    use super::*;

    struct Fake(Provider, bool);
    impl Platform for Fake {
        fn provider(&self) -> Provider {
            self.0
        }
        fn detected(&self) -> bool {
            self.1
        }
        fn run(&self, _handler: Arc<dyn Handler>, _shutdown: Shutdown) -> RunFuture {
            Box::pin(async { Ok(()) })
        }
    }

    const AWS: Fake = Fake(Provider::AWS, false);
    const GCP_HERE: Fake = Fake(Provider::GCP, true);
    const GCP: Fake = Fake(Provider::GCP, false);
    const LOCAL: Fake = Fake(Provider::LOCAL, false);
    const OPENWHISK: Fake = Fake(Provider::OPENWHISK, false);

    fn name(p: Result<&dyn Platform, Error>) -> &'static str {
        p.unwrap().provider().as_str()
    }

    #[test]
    fn an_explicit_choice_wins() {
        assert_eq!(name(select(&[&AWS, &GCP, &LOCAL], Some("gcp"))), "gcp");
        let err = select(&[&AWS, &GCP, &LOCAL], Some("mars"))
            .err()
            .unwrap()
            .to_string();
        assert_eq!(
            err,
            "POLYFAAS_PROVIDER=\"mars\" is not valid: this binary was built with aws, gcp, local"
        );
    }

    #[test]
    fn the_environment_decides_then_local() {
        assert_eq!(name(select(&[&AWS, &GCP_HERE, &LOCAL], None)), "gcp");
        assert_eq!(name(select(&[&AWS, &GCP, &LOCAL], None)), "local");
        assert_eq!(name(select(&[&AWS, &GCP, &LOCAL], Some(""))), "local");
    }

    #[test]
    fn a_single_platform_binary_starts_even_undetected() {
        assert_eq!(name(select(&[&OPENWHISK], None)), "openwhisk");
        let err = select(&[&AWS, &GCP], None).err().unwrap();
        assert!(err.to_string().contains("set POLYFAAS_PROVIDER"));
    }
}
