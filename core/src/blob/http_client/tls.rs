//! The TLS side of the blob stores' client: the platform's verifier (the system's roots, loaded
//! on the first handshake), plus a proxy's own CA when one is configured; or, when
//! `allow_invalid_certificates` is set, a verifier that accepts any certificate but still checks
//! the handshake's signatures.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};

use super::options::Settings;

/// The client's rustls configuration for `settings` (hyper-rustls adds ALPN's `http/1.1`). It
/// names its provider (ring), so no process-wide default has to be installed for it.
pub(crate) fn client_config(settings: &Settings) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = if settings.accept_invalid_certs {
        Arc::new(AcceptAnyCertificate(
            provider.signature_verification_algorithms,
        ))
    } else {
        let extra = match &settings.proxy_ca_certificate {
            Some(pem) => proxy_roots(pem)?,
            None => Vec::new(),
        };
        Arc::new(
            rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone())
                .map_err(|e| format!("the system's certificate verifier: {e}"))?,
        )
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS protocol versions: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(config)
}

/// The certificates of `proxy_ca_certificate` (PEM), at least one.
pub(super) fn proxy_roots(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let roots = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("proxy_ca_certificate is not PEM certificates: {e}"))?;
    if roots.is_empty() {
        return Err("proxy_ca_certificate holds no PEM certificate".to_owned());
    }
    Ok(roots)
}

/// `allow_invalid_certificates`: any chain and name are accepted; the handshake's signatures are
/// still checked, so the peer holds the key of the certificate it sent.
#[derive(Debug)]
struct AcceptAnyCertificate(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_ca_that_is_not_pem_is_refused_by_name() {
        let settings = Settings {
            proxy_ca_certificate: Some("not a certificate".to_owned()),
            ..test_settings()
        };
        let err = client_config(&settings).unwrap_err();
        assert!(err.contains("proxy_ca_certificate"), "{err}");
    }

    #[test]
    fn a_proxy_ca_in_pem_is_accepted() {
        let settings = Settings {
            proxy_ca_certificate: Some(include_str!("testdata/server.cert.pem").to_owned()),
            ..test_settings()
        };
        client_config(&settings).unwrap();
    }

    fn test_settings() -> Settings {
        super::super::options::Settings::from_options(&object_store::ClientOptions::default())
            .unwrap()
    }
}
