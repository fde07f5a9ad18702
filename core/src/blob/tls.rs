//! TLS for the cloud clients: rustls with the `ring` provider (no C toolchain step, unlike
//! aws-lc-rs), installed once as the process default before the first client is built.

/// Installs ring as rustls's process-wide provider, unless one is installed already.
pub(crate) fn install_ring_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another installer is fine: some provider is then in place.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
