//! End-to-end HTTP/2 (Cloud Run's `h2c` port): with the facade's `http2` feature the server also
//! speaks HTTP/2 with prior knowledge; without it (the default, Cloud Run's `http1` port) it
//! speaks HTTP/1.1 only, refuses an HTTP/2 connection, and goes on serving.

use std::net::SocketAddr;
use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use conformance_tests::build::{echo_binary, workspace_root};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use polyfaas_testkit::build::Build;
use polyfaas_testkit::client::send;
use polyfaas_testkit::echo::event_of;
use polyfaas_testkit::gcp::FunctionsFramework;
use polyfaas_testkit::native::Signature;
use polyfaas_testkit::Platform;
use serde_json::Value;

/// echo for Google Cloud with the `http2` feature.
fn echo_with_http2() -> PathBuf {
    Build::plain("echo-gcp-http2")
        .current_dir(workspace_root())
        .package("echo")
        .bin("echo")
        .feature("gcp")
        .feature("polyfaas/http2")
        .run()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// One POST over a new HTTP/2 connection with prior knowledge (no upgrade): the status and the
/// body, or the error that ended the connection.
async fn post_h2(addr: SocketAddr, body: &'static str) -> Result<(u16, Value), hyper::Error> {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let request = http::Request::post(format!("http://{addr}/h2/path?q=1"))
        .header("content-type", "text/plain")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("request");
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await?.to_bytes();
    Ok((
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}

/// An HTTP/1.1 POST, answered as usual.
async fn post_h1(addr: SocketAddr) -> u16 {
    let request = http::Request::post("/h1")
        .body(Bytes::from_static(b"one"))
        .expect("request");
    send(addr, request).await.status().as_u16()
}

#[tokio::test]
async fn http2_with_prior_knowledge_is_served_with_the_http2_feature() {
    let function = FunctionsFramework::start(&echo_with_http2(), Signature::Http, &[])
        .unwrap_or_else(|e| panic!("start echo: {e}"));
    let (status, answer) = post_h2(function.addr, "over h2")
        .await
        .expect("an HTTP/2 answer");
    assert_eq!(status, 200, "{answer}");
    // The Google Cloud shim answered (the binary also has the local provider).
    let event = event_of(&answer, "gcp");
    assert_eq!(event["kind"], "http", "{answer}");
    assert_eq!(event["method"], "POST", "{answer}");
    assert_eq!(event["path"], "/h2/path", "{answer}");
    assert_eq!(event["query"], "q=1", "{answer}");
    assert_eq!(event["body_base64"], STANDARD.encode("over h2"), "{answer}");
    // HTTP/1.1 still works on the same port.
    assert_eq!(post_h1(function.addr).await, 200);
}

#[tokio::test]
async fn without_the_feature_http2_is_refused_and_http1_goes_on() {
    let function = FunctionsFramework::start(&echo_binary(Platform::Gcp), Signature::Http, &[])
        .unwrap_or_else(|e| panic!("start echo: {e}"));
    let refused = post_h2(function.addr, "over h2").await;
    assert!(
        refused.is_err(),
        "an HTTP/1.1-only server answered HTTP/2: {refused:?}"
    );
    assert_eq!(post_h1(function.addr).await, 200);
}
