//! A small HTTP/1.1 client that sends exactly the request it is given (repeated headers,
//! percent-encoded paths, binary bodies) over a fresh connection.
//!
//! [`try_send`] returns transport errors; [`send`], [`get`], [`post_json`] and [`json`] are for
//! tests and panic with the address and the cause instead.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

/// Sending a request failed before a whole response came back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// No connection to the address.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// Where.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The HTTP exchange failed (the server closed the connection, sent garbage, ...).
    #[error("HTTP request to {addr} failed: {source}")]
    Http {
        /// Where.
        addr: SocketAddr,
        /// Why.
        source: hyper::Error,
    },
    /// No whole response within the limit.
    #[error("no response from {addr} within {limit:?}")]
    Timeout {
        /// Where.
        addr: SocketAddr,
        /// The limit.
        limit: Duration,
    },
}

/// Sends `request` to `addr` and returns the whole response, or the transport error. A `Host`
/// header naming `addr` is added when the request has none.
///
/// ```no_run
/// # async fn demo() -> Result<(), polyfaas_testkit::client::ClientError> {
/// let addr = "127.0.0.1:8080".parse().unwrap();
/// let request = http::Request::get("/items/7?a=1").body(bytes::Bytes::new()).unwrap();
/// let response = polyfaas_testkit::client::try_send(addr, request).await?;
/// println!("{} {:?}", response.status(), response.body());
/// # Ok(()) }
/// ```
pub async fn try_send(
    addr: SocketAddr,
    request: http::Request<Bytes>,
) -> Result<http::Response<Bytes>, ClientError> {
    KeptAlive::open(addr).await?.send(request).await
}

/// [`try_send`] with a limit on the whole exchange.
pub async fn send_within(
    addr: SocketAddr,
    request: http::Request<Bytes>,
    limit: Duration,
) -> Result<http::Response<Bytes>, ClientError> {
    tokio::time::timeout(limit, try_send(addr, request))
        .await
        .unwrap_or(Err(ClientError::Timeout { addr, limit }))
}

/// For tests: sends `request` to `addr` and returns the whole response.
///
/// # Panics
///
/// On a transport error, or when there is no response within 60 s.
pub async fn send(addr: SocketAddr, request: http::Request<Bytes>) -> http::Response<Bytes> {
    send_within(addr, request, Duration::from_secs(60))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// One piece of a response body, as it arrived.
#[derive(Clone, Debug)]
pub struct Chunk {
    /// When it arrived, counted from when the request was sent.
    pub at: Duration,
    /// Its bytes.
    pub data: Bytes,
}

/// Sends `request` and returns the response head and its body as the chunks that arrived, each
/// with its arrival time: how a test sees whether a body streamed.
///
/// ```no_run
/// # async fn demo() -> Result<(), polyfaas_testkit::client::ClientError> {
/// let addr = "127.0.0.1:8080".parse().unwrap();
/// let request = http::Request::get("/").header("x-echo-stream-ms", "500").body(bytes::Bytes::new()).unwrap();
/// let (head, chunks) = polyfaas_testkit::client::send_chunks(addr, request).await?;
/// assert!(chunks.len() >= 2 && chunks[0].at < chunks[chunks.len() - 1].at);
/// # let _ = head; Ok(()) }
/// ```
pub async fn send_chunks(
    addr: SocketAddr,
    mut request: http::Request<Bytes>,
) -> Result<(http::response::Parts, Vec<Chunk>), ClientError> {
    let http = |source| ClientError::Http { addr, source };
    let mut connection = KeptAlive::open(addr).await?;
    if !request.headers().contains_key(http::header::HOST) {
        if let Ok(host) = http::HeaderValue::from_str(&addr.to_string()) {
            request.headers_mut().insert(http::header::HOST, host);
        }
    }
    connection.sender.ready().await.map_err(http)?;
    let sent = tokio::time::Instant::now();
    let response = connection
        .sender
        .send_request(request.map(Full::new))
        .await
        .map_err(http)?;
    let (parts, mut body) = response.into_parts();
    let mut chunks = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.map_err(http)?.into_data() {
            chunks.push(Chunk {
                at: sent.elapsed(),
                data,
            });
        }
    }
    Ok((parts, chunks))
}

/// For tests: `GET path` with no body (panics as [`send`] does).
pub async fn get(addr: SocketAddr, path: &str) -> http::Response<Bytes> {
    let mut request = http::Request::new(Bytes::new());
    *request.uri_mut() = path
        .parse()
        .unwrap_or_else(|e| panic!("{path:?} is not a request target: {e}"));
    send(addr, request).await
}

/// For tests: `POST path` with a JSON body (panics as [`send`] does).
pub async fn post_json(
    addr: SocketAddr,
    path: &str,
    json: &serde_json::Value,
) -> http::Response<Bytes> {
    let mut request = http::Request::new(Bytes::from(json.to_string()));
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = path
        .parse()
        .unwrap_or_else(|e| panic!("{path:?} is not a request target: {e}"));
    request.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    send(addr, request).await
}

/// For tests: the response body as JSON.
///
/// # Panics
///
/// When the body is not JSON, with the status and the body.
pub fn json(response: &http::Response<Bytes>) -> serde_json::Value {
    serde_json::from_slice(response.body()).unwrap_or_else(|e| {
        panic!(
            "response body is not JSON ({e}): {} {}",
            response.status(),
            String::from_utf8_lossy(response.body())
        )
    })
}

/// One kept-alive HTTP/1.1 connection: a first answered request proves the server has accepted
/// it, so a later request on it is surely in flight (what a shutdown test needs).
pub struct KeptAlive {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    addr: SocketAddr,
}

impl KeptAlive {
    /// Opens the connection.
    pub async fn open(addr: SocketAddr) -> Result<KeptAlive, ClientError> {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|source| ClientError::Connect { addr, source })?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|source| ClientError::Http { addr, source })?;
        tokio::spawn(connection);
        Ok(KeptAlive { sender, addr })
    }

    /// Sends one request on the connection and reads the whole answer. A `Host` header naming
    /// the address is added when the request has none.
    pub async fn send(
        &mut self,
        mut request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, ClientError> {
        let addr = self.addr;
        let http = |source| ClientError::Http { addr, source };
        if !request.headers().contains_key(http::header::HOST) {
            if let Ok(host) = http::HeaderValue::from_str(&addr.to_string()) {
                request.headers_mut().insert(http::header::HOST, host);
            }
        }
        self.sender.ready().await.map_err(http)?;
        let response = self
            .sender
            .send_request(request.map(Full::new))
            .await
            .map_err(http)?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(http)?.to_bytes();
        Ok(http::Response::from_parts(parts, body))
    }
}
