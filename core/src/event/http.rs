//! HTTP events: `http::Request` with a bytes body, plus a few extension methods.

use std::borrow::Cow;
use std::net::IpAddr;

use bytes::Bytes;
use percent_encoding::percent_decode_str;

use crate::Context;

/// An HTTP request with its whole body, as every shim delivers it.
pub type Request = http::Request<Bytes>;

/// The client's address, where the platform tells it; stored in the request's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceIp(pub IpAddr);

/// Convenience methods on [`Request`] (and on any `http::Request`).
///
/// ```
/// use polyfaas_core::RequestExt;
///
/// let req = http::Request::get("/caf%C3%A9?name=J%C3%BCrgen+K&x=1&name=B").body(()).unwrap();
/// assert_eq!(req.decoded_path(), "/café");
/// assert_eq!(req.query_param("name").as_deref(), Some("Jürgen K"));
/// assert_eq!(req.query_pairs().len(), 3);
/// ```
pub trait RequestExt {
    /// The path, percent-decoded (invalid UTF-8 replaced by U+FFFD).
    fn decoded_path(&self) -> Cow<'_, str>;
    /// The raw query string without `?`; `""` when there is none.
    fn query_string(&self) -> &str;
    /// Every `key=value` pair of the query, decoded (`+` as space), in order.
    fn query_pairs(&self) -> Vec<(String, String)>;
    /// The first value of a query parameter, decoded.
    fn query_param(&self, name: &str) -> Option<String>;
    /// The client's address, where the platform gave one.
    fn source_ip(&self) -> Option<IpAddr>;
    /// The invocation's [`Context`], present when the request reached a `tower::Service` through
    /// [`from_service`](crate::from_service).
    fn polyfaas_context(&self) -> Option<&Context>;
}

impl<B> RequestExt for http::Request<B> {
    fn decoded_path(&self) -> Cow<'_, str> {
        percent_decode_str(self.uri().path()).decode_utf8_lossy()
    }

    fn query_string(&self) -> &str {
        self.uri().query().unwrap_or("")
    }

    fn query_pairs(&self) -> Vec<(String, String)> {
        parse_query(self.query_string())
    }

    fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find_map(|(k, v)| (k == name).then_some(v))
    }

    fn source_ip(&self) -> Option<IpAddr> {
        self.extensions().get::<SourceIp>().map(|ip| ip.0)
    }

    fn polyfaas_context(&self) -> Option<&Context> {
        self.extensions().get::<Context>()
    }
}

/// Splits and decodes an `application/x-www-form-urlencoded` query string.
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        percent_decode_str(&s).decode_utf8_lossy().into_owned()
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(pair), String::new()),
        })
        .collect()
}
