//! A small HTTP/1.1 client that sends exactly the request it is given (repeated headers,
//! percent-encoded paths, binary bodies) over a fresh connection.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

/// Sends `request` to `addr` and returns the whole response. Panics on a transport error or
/// after 60 s.
pub async fn send(addr: SocketAddr, request: http::Request<Bytes>) -> http::Response<Bytes> {
    tokio::time::timeout(Duration::from_secs(60), try_send(addr, request))
        .await
        .expect("the request took more than 60 s")
        .unwrap_or_else(|e| panic!("request to {addr} failed: {e}"))
}

/// Like [`send`], returning transport errors.
pub async fn try_send(
    addr: SocketAddr,
    mut request: http::Request<Bytes>,
) -> Result<http::Response<Bytes>, Box<dyn std::error::Error + Send + Sync>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    if !request.headers().contains_key(http::header::HOST) {
        request
            .headers_mut()
            .insert(http::header::HOST, addr.to_string().parse()?);
    }
    let response = sender.send_request(request.map(Full::new)).await?;
    let (parts, body) = response.into_parts();
    let body = body.collect().await?.to_bytes();
    Ok(http::Response::from_parts(parts, body))
}

/// `GET path` with no body.
pub async fn get(addr: SocketAddr, path: &str) -> http::Response<Bytes> {
    send(
        addr,
        http::Request::get(path)
            .body(Bytes::new())
            .expect("request"),
    )
    .await
}

/// `POST path` with a JSON body.
pub async fn post_json(
    addr: SocketAddr,
    path: &str,
    json: &serde_json::Value,
) -> http::Response<Bytes> {
    let request = http::Request::post(path)
        .header("content-type", "application/json")
        .body(Bytes::from(json.to_string()))
        .expect("request");
    send(addr, request).await
}

/// The response body as JSON; panics with the body if it is not.
pub fn json(response: &http::Response<Bytes>) -> serde_json::Value {
    serde_json::from_slice(response.body()).unwrap_or_else(|e| {
        panic!(
            "response body is not JSON ({e}): {} {}",
            response.status(),
            String::from_utf8_lossy(response.body())
        )
    })
}
