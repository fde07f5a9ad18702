//! Where a request's connection comes from: straight to the host, its addresses tried in a
//! random order (`randomize_addresses`, on by default, spreads clients over S3's many IPs), or
//! through an HTTP proxy's `CONNECT` tunnel. The proxy is `proxy_url` (minus `proxy_excludes`)
//! when set, else the standard variables (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`).
//! Every proxied request is tunnelled, `http://` endpoints included, so the proxy never sees a
//! request, only bytes.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Uri;
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower::Service;

use super::options::Settings;

/// A connection before TLS to the host: a TCP stream, or a tunnel through the proxy (itself
/// over TLS when the proxy's URL is `https://`).
pub(crate) type Stream = MaybeHttpsStream<TokioIo<TcpStream>>;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The client's connector (wrapped in TLS for `https://` hosts by hyper-rustls).
#[derive(Clone)]
pub(crate) struct Connector {
    direct: HttpConnector<Resolver>,
    proxies: Arc<Matcher>,
    to_proxy: HttpsConnector<HttpConnector<Resolver>>,
}

impl Connector {
    /// The connector for `settings`; `tls` is also used to reach an `https://` proxy.
    pub(crate) fn new(settings: &Settings, tls: rustls::ClientConfig) -> Self {
        let mut direct = HttpConnector::new_with_resolver(Resolver {
            shuffle: settings.randomize_addresses,
        });
        direct.set_connect_timeout(settings.connect_timeout);
        direct.enforce_http(false);
        let to_proxy = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(direct.clone());
        let proxies = match &settings.proxy_url {
            Some(url) => Matcher::builder()
                .all(url.clone())
                .no(settings.proxy_excludes.clone().unwrap_or_default())
                .build(),
            None => Matcher::from_env(),
        };
        Self {
            direct,
            proxies: Arc::new(proxies),
            to_proxy,
        }
    }
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector").finish_non_exhaustive()
    }
}

impl Service<Uri> for Connector {
    type Response = Stream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Stream, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        match self.proxies.intercept(&dst) {
            Some(proxy) => {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), self.to_proxy.clone());
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                Box::pin(async move { Ok(tunnel.call(dst).await?) })
            }
            None => {
                let mut direct = self.direct.clone();
                Box::pin(async move { Ok(MaybeHttpsStream::Http(direct.call(dst).await?)) })
            }
        }
    }
}

/// The system resolver (`getaddrinfo` on tokio's blocking pool), its answers optionally shuffled.
#[derive(Clone, Debug)]
pub(crate) struct Resolver {
    shuffle: bool,
}

impl Service<Name> for Resolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = std::io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let shuffle = self.shuffle;
        Box::pin(async move {
            let mut addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            if shuffle {
                shuffle_in_place(&mut addrs, random_seed());
            }
            Ok(addrs.into_iter())
        })
    }
}

/// A seed from the standard library's per-process random keys (no RNG crate needed for this).
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// Fisher–Yates over a xorshift sequence started from `seed` (mixed first, so that nearby
/// seeds give unrelated orders; xorshift needs a non-zero state).
fn shuffle_in_place<T>(items: &mut [T], seed: u64) {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = (state % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffling_keeps_every_address_and_varies_the_order() {
        let original: Vec<u32> = (0..8).collect();
        let mut orders = std::collections::HashSet::new();
        for seed in 0..32 {
            let mut items = original.clone();
            shuffle_in_place(&mut items, seed);
            let mut sorted = items.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, original);
            orders.insert(items);
        }
        assert!(orders.len() > 16, "only {} distinct orders", orders.len());
    }

    #[tokio::test]
    async fn the_resolver_answers_with_the_hosts_addresses() {
        for shuffle in [false, true] {
            let mut resolver = Resolver { shuffle };
            let name: Name = "localhost".parse().unwrap();
            let addrs: Vec<SocketAddr> = resolver.call(name).await.unwrap().collect();
            assert!(!addrs.is_empty());
            assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
        }
    }
}
