//! The transport against real sockets: a plain HTTP server, a TLS server with a self-signed
//! certificate (testdata/, made for these tests), a `CONNECT` proxy and a server that never
//! answers. The blob contract (core/tests/blob_contract) runs every store operation over it.

use std::sync::{Arc, Mutex};

use object_store::ClientConfigKey as Key;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::*;

/// One GET of `url` through a client made for `options`.
async fn get(options: ClientOptions, url: &str) -> Result<(u16, String), HttpError> {
    let request = http::Request::get(url)
        .body(HttpRequestBody::empty())
        .unwrap();
    execute(options, request).await
}

/// `request` through a client made for `options`: the status and the body as text.
async fn execute(options: ClientOptions, request: HttpRequest) -> Result<(u16, String), HttpError> {
    let client = HyperConnector.connect(&options).unwrap();
    let response = client.execute(request).await?;
    let status = response.status().as_u16();
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await?
        .to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// Reads one request head from `stream`.
async fn read_head<S: AsyncReadExt + Unpin>(stream: &mut S) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
            break;
        }
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// Answers each request on `stream` with its own `User-Agent` as the body.
async fn answer_with_user_agent<S: AsyncReadExt + AsyncWriteExt + Unpin>(mut stream: S) {
    loop {
        let head = read_head(&mut stream).await;
        if head.is_empty() {
            return;
        }
        let agent = head
            .lines()
            .find_map(|l| l.strip_prefix("user-agent: "))
            .unwrap_or("")
            .to_owned();
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{agent}",
            agent.len()
        );
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// A plain HTTP server answering with the caller's `User-Agent`; its `http://` URL.
async fn http_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/o", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer_with_user_agent(stream));
        }
    });
    url
}

/// The same over TLS, with the self-signed certificate of testdata/; its `https://` URL.
async fn tls_server() -> String {
    let cert = CertificateDer::from_pem_slice(include_bytes!("testdata/server.cert.pem")).unwrap();
    let key = PrivateKeyDer::from_pem_slice(include_bytes!("testdata/server.key.pem")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "https://localhost:{}/o",
        listener.local_addr().unwrap().port()
    );
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(stream).await {
                    answer_with_user_agent(tls).await;
                }
            });
        }
    });
    url
}

/// A `CONNECT` proxy; its URL, and the targets it was asked for.
async fn connect_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let targets = Arc::new(Mutex::new(Vec::new()));
    let seen = targets.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let head = read_head(&mut client).await;
                let Some(target) = head
                    .strip_prefix("CONNECT ")
                    .and_then(|rest| rest.split(' ').next())
                else {
                    let _ = client.write_all(b"HTTP/1.1 405 Only CONNECT\r\n\r\n").await;
                    return;
                };
                seen.lock().unwrap().push(target.to_owned());
                let Ok(mut upstream) = TcpStream::connect(target).await else {
                    return;
                };
                let _ = client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (url, targets)
}

fn options() -> ClientOptions {
    ClientOptions::default()
}

#[tokio::test]
async fn plain_http_is_refused_unless_allowed() {
    let url = http_server().await;
    let err = get(options(), &url).await.unwrap_err();
    assert!(err.to_string().contains("allow_http"), "{err}");
    let (status, _) = get(options().with_allow_http(true), &url).await.unwrap();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_user_agent_is_polyfaas_unless_configured() {
    let url = http_server().await;
    let (_, agent) = get(options().with_allow_http(true), &url).await.unwrap();
    assert_eq!(agent, options::DEFAULT_USER_AGENT);
    let custom = options()
        .with_allow_http(true)
        .with_config(Key::UserAgent, "orders-fn/2");
    assert_eq!(get(custom, &url).await.unwrap().1, "orders-fn/2");
}

#[tokio::test]
async fn an_untrusted_certificate_fails_unless_invalid_certificates_are_allowed() {
    let url = tls_server().await;
    let err = get(options(), &url).await.unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::Connect, "{err}");
    let chain = format!("{:?}", err);
    assert!(chain.to_lowercase().contains("certificate"), "{chain}");
    let allowed = options().with_config(Key::AllowInvalidCertificates, "true");
    let (status, agent) = get(allowed, &url).await.unwrap();
    assert_eq!((status, agent.as_str()), (200, options::DEFAULT_USER_AGENT));
}

#[tokio::test]
async fn a_proxy_tunnels_http_and_https_and_excludes_apply() {
    let (proxy, targets) = connect_proxy().await;
    let plain = http_server().await;
    let tls = tls_server().await;
    let through = options()
        .with_allow_http(true)
        .with_config(Key::AllowInvalidCertificates, "true")
        .with_config(Key::ProxyUrl, proxy.as_str());
    assert_eq!(get(through.clone(), &plain).await.unwrap().0, 200);
    assert_eq!(get(through.clone(), &tls).await.unwrap().0, 200);
    let host_of = |url: &str| url.split('/').nth(2).unwrap().to_owned();
    assert_eq!(
        *targets.lock().unwrap(),
        vec![host_of(&plain), host_of(&tls)]
    );

    let excluded = through.with_config(Key::ProxyExcludes, "localhost");
    assert_eq!(get(excluded, &tls).await.unwrap().0, 200);
    assert_eq!(
        targets.lock().unwrap().len(),
        2,
        "localhost went through the proxy"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_naming_the_option() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/o", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    for (key, expected) in [
        (Key::Timeout, "the request's timeout (300ms)"),
        (Key::ReadTimeout, "read_timeout (300ms)"),
    ] {
        let silent = options().with_allow_http(true).with_config(key, "300ms");
        let err = get(silent, &url).await.unwrap_err();
        assert_eq!(err.kind(), HttpErrorKind::Timeout, "{err}");
        assert!(err.to_string().contains(expected), "{err}");
    }
}

#[test]
fn a_wrong_option_fails_the_client_naming_it() {
    let options = options().with_config(Key::ConnectTimeout, "whenever");
    let err = HyperConnector.connect(&options).unwrap_err().to_string();
    assert!(err.contains("connect_timeout \"whenever\""), "{err}");
}

/// A server that redirects: `/to-final` (307), `/see-other` (303), `/loop` (302 to itself) and
/// `/elsewhere` (307 to `localhost`, another host); `/final` answers with the method, the body's
/// length and whether an `Authorization` came. Its base URL.
async fn redirecting_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                loop {
                    let head = read_head(&mut stream).await;
                    if head.is_empty() {
                        return;
                    }
                    let header = |name: &str| {
                        head.lines()
                            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                            .map(str::to_owned)
                    };
                    let length: usize = header("content-length")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    let mut body = vec![0u8; length];
                    if stream.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let mut words = head.split(' ');
                    let method = words.next().unwrap_or("").to_owned();
                    let path = words.next().unwrap_or("").to_owned();
                    let redirect = |status: &str, to: String| {
                        format!("HTTP/1.1 {status}\r\nlocation: {to}\r\ncontent-length: 0\r\n\r\n")
                    };
                    let response = match path.as_str() {
                        "/to-final" => redirect("307 Temporary Redirect", "/final".into()),
                        "/see-other" => redirect("303 See Other", "/final".into()),
                        "/loop" => redirect("302 Found", "/loop".into()),
                        "/elsewhere" => redirect(
                            "307 Temporary Redirect",
                            format!("http://localhost:{port}/final"),
                        ),
                        _ => {
                            let auth = header("authorization").is_some();
                            let text = format!("{method} {length} auth={auth}");
                            format!(
                                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{text}",
                                text.len()
                            )
                        }
                    };
                    if stream.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// One request with a body and credentials through a client that allows plain HTTP.
async fn send(method: http::Method, url: &str) -> Result<(u16, String), HttpError> {
    let request = http::Request::builder()
        .method(method)
        .uri(url)
        .header("authorization", "AWS4-HMAC-SHA256 Credential=test")
        .header("content-type", "text/plain")
        .body(HttpRequestBody::from(bytes::Bytes::from_static(b"12345")))
        .unwrap();
    execute(options().with_allow_http(true), request).await
}

#[tokio::test]
async fn redirects_are_followed_as_reqwest_follows_them() {
    let base = redirecting_server().await;
    let put = |path: &str| format!("{base}{path}");
    // 307: the same method and body, credentials kept on the same origin.
    assert_eq!(
        send(http::Method::PUT, &put("/to-final")).await.unwrap(),
        (200, "PUT 5 auth=true".to_owned())
    );
    // 303: a GET without the body.
    assert_eq!(
        send(http::Method::PUT, &put("/see-other")).await.unwrap(),
        (200, "GET 0 auth=true".to_owned())
    );
    // Another host: the credentials are not sent there.
    assert_eq!(
        send(http::Method::PUT, &put("/elsewhere")).await.unwrap(),
        (200, "PUT 5 auth=false".to_owned())
    );
    // A loop ends after ten hops, naming the place.
    let err = send(http::Method::GET, &put("/loop")).await.unwrap_err();
    assert!(err.to_string().contains("more than 10 redirects"), "{err}");
}
