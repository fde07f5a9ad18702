//! Redirects, followed as reqwest (object_store's own client) follows them, since object_store
//! expects its client to: up to [`MAX_HOPS`]; a 303, or a 301/302 answering a POST, becomes a
//! GET without a body; a 307/308 is sent again as it was; the credentials (`Authorization`,
//! `Cookie`, `Proxy-Authorization`) are not sent on to another scheme, host or port. A redirect
//! without `Location`, or one that cannot be followed, is the response object_store reads
//! (for S3, a redirect without `Location` is how a wrong region is answered).

use http::header::{
    AUTHORIZATION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, LOCATION,
    PROXY_AUTHORIZATION, TRANSFER_ENCODING,
};
use http::{Method, StatusCode, Uri};
use object_store::client::{HttpRequest, HttpRequestBody};

/// How many redirects one request follows (reqwest's default).
pub(crate) const MAX_HOPS: usize = 10;

/// What is kept of a request to send it again elsewhere.
pub(crate) struct Replay {
    method: Method,
    uri: Uri,
    headers: http::HeaderMap,
    body: HttpRequestBody,
}

impl Replay {
    /// A copy of `request` (its body is shared, not copied).
    pub(crate) fn of(request: &HttpRequest) -> Self {
        Self {
            method: request.method().clone(),
            uri: request.uri().clone(),
            headers: request.headers().clone(),
            body: request.body().clone(),
        }
    }

    /// The request to send for a `status` response with `location`, or `None` when the
    /// response is the answer.
    pub(crate) fn follow(self, status: StatusCode, location: Option<&str>) -> Option<HttpRequest> {
        let keeps_method = match status {
            StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT => true,
            StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND => self.method != Method::POST,
            StatusCode::SEE_OTHER => self.method == Method::HEAD,
            _ => return None,
        };
        let target = resolve(&self.uri, location?)?;
        let mut headers = self.headers;
        if !same_origin(&self.uri, &target) {
            for name in [AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION] {
                headers.remove(name);
            }
        }
        let (method, body) = if keeps_method {
            (self.method, self.body)
        } else {
            for name in [
                CONTENT_TYPE,
                CONTENT_LENGTH,
                CONTENT_ENCODING,
                TRANSFER_ENCODING,
            ] {
                headers.remove(name);
            }
            (Method::GET, HttpRequestBody::empty())
        };
        let mut request = http::Request::new(body);
        *request.method_mut() = method;
        *request.uri_mut() = target;
        *request.headers_mut() = headers;
        Some(request)
    }
}

/// `location` (absolute, or relative to `base`) as a URI; `None` when it is not one.
fn resolve(base: &Uri, location: &str) -> Option<Uri> {
    let base = url::Url::parse(&base.to_string()).ok()?;
    let target = base.join(location).ok()?;
    if !matches!(target.scheme(), "http" | "https") {
        return None;
    }
    target.as_str().parse().ok()
}

fn same_origin(a: &Uri, b: &Uri) -> bool {
    a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_u16().or_else(|| default_port(a)) == b.port_u16().or_else(|| default_port(b))
}

fn default_port(uri: &Uri) -> Option<u16> {
    match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    }
}

/// The `Location` of a redirect, as text.
pub(crate) fn location(headers: &http::HeaderMap) -> Option<&str> {
    headers.get(LOCATION).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, uri: &str, body: &'static [u8]) -> HttpRequest {
        let mut request =
            http::Request::new(HttpRequestBody::from(bytes::Bytes::from_static(body)));
        *request.method_mut() = method;
        *request.uri_mut() = uri.parse().unwrap();
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, "AWS4-HMAC-SHA256 ...".parse().unwrap());
        headers.insert(CONTENT_TYPE, "text/plain".parse().unwrap());
        headers.insert("x-amz-date", "20261130T000000Z".parse().unwrap());
        request
    }

    fn follow(req: &HttpRequest, status: u16, location: &str) -> Option<HttpRequest> {
        Replay::of(req).follow(StatusCode::from_u16(status).unwrap(), Some(location))
    }

    #[test]
    fn a_307_sends_the_same_request_again_at_the_new_place() {
        let put = request(Method::PUT, "https://b.s3.amazonaws.com/k?x=1", b"data");
        let next = follow(&put, 307, "https://b.s3.eu-west-1.amazonaws.com/k?x=1").unwrap();
        assert_eq!(next.method(), Method::PUT);
        assert_eq!(next.uri(), "https://b.s3.eu-west-1.amazonaws.com/k?x=1");
        assert_eq!(next.body().as_bytes().unwrap(), &b"data"[..]);
        // Another host: the credentials stay behind, the rest goes on.
        assert!(next.headers().get(AUTHORIZATION).is_none());
        assert!(next.headers().get("x-amz-date").is_some());
    }

    #[test]
    fn a_relative_location_on_the_same_origin_keeps_the_credentials() {
        let get = request(Method::GET, "http://127.0.0.1:9000/bucket/a/b", b"");
        let next = follow(&get, 302, "../c?v=2").unwrap();
        assert_eq!(next.uri(), "http://127.0.0.1:9000/bucket/c?v=2");
        assert!(next.headers().get(AUTHORIZATION).is_some());
        let next = follow(&get, 308, "http://127.0.0.1:9001/bucket/c").unwrap();
        assert!(next.headers().get(AUTHORIZATION).is_none(), "another port");
    }

    #[test]
    fn a_303_or_a_moved_post_becomes_a_get_without_a_body() {
        for (method, status) in [(Method::PUT, 303), (Method::POST, 301), (Method::POST, 302)] {
            let req = request(method.clone(), "https://h/p", b"data");
            let next = follow(&req, status, "/q").unwrap();
            assert_eq!(next.method(), Method::GET, "{method} {status}");
            assert_eq!(next.body().content_length(), 0);
            assert!(next.headers().get(CONTENT_TYPE).is_none());
        }
        let head = request(Method::HEAD, "https://h/p", b"");
        assert_eq!(follow(&head, 303, "/q").unwrap().method(), Method::HEAD);
        let delete = request(Method::DELETE, "https://h/p", b"");
        assert_eq!(follow(&delete, 301, "/q").unwrap().method(), Method::DELETE);
    }

    #[test]
    fn what_cannot_be_followed_is_the_answer() {
        let get = request(Method::GET, "https://h/p", b"");
        assert!(Replay::of(&get)
            .follow(StatusCode::MOVED_PERMANENTLY, None)
            .is_none());
        assert!(follow(&get, 304, "/q").is_none());
        assert!(follow(&get, 300, "/q").is_none());
        assert!(follow(&get, 302, "ftp://h/q").is_none());
        assert!(follow(&get, 302, "http://[::1").is_none());
    }
}
