//! Creating buckets and containers on the test servers, with plain HTTP/1.1 requests (the
//! backends under test have no "create bucket" operation, by design).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::SystemTime;

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::servers::{Kind, Server};

/// Azurite's development account and its documented, public well-known key.
pub const AZURITE_ACCOUNT: &str = "devstoreaccount1";
pub const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// The connection string for a container on `server` (Azurite).
pub fn azurite_connection_string(server: &Server) -> String {
    format!(
        "DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};\
         BlobEndpoint={}/{AZURITE_ACCOUNT};",
        server.endpoint()
    )
}

/// Creates `bucket` on `server`.
pub fn create_bucket(server: &Server, bucket: &str) {
    match server.kind {
        Kind::S3sFs => std::fs::create_dir_all(server.data.path().join("data").join(bucket))
            .expect("create the bucket directory"),
        Kind::Moto => expect_2xx(
            server,
            &request(server.port, "PUT", &format!("/{bucket}"), &[], ""),
        ),
        Kind::FakeGcs => {
            let body = format!("{{\"name\":\"{bucket}\"}}");
            let headers = [("Content-Type", "application/json".to_owned())];
            expect_2xx(
                server,
                &request(server.port, "POST", "/storage/v1/b", &headers, &body),
            );
        }
        Kind::Azurite => {
            let path = format!("/{AZURITE_ACCOUNT}/{bucket}");
            let date = httpdate::fmt_http_date(SystemTime::now());
            let version = "2021-08-06";
            let to_sign = format!(
                "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:{date}\nx-ms-version:{version}\n\
                 /{AZURITE_ACCOUNT}{path}\nrestype:container"
            );
            let key = base64::engine::general_purpose::STANDARD
                .decode(AZURITE_KEY)
                .expect("the well-known key is base64");
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
            mac.update(to_sign.as_bytes());
            let signature =
                base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
            let headers = [
                ("x-ms-date", date),
                ("x-ms-version", version.to_owned()),
                (
                    "Authorization",
                    format!("SharedKey {AZURITE_ACCOUNT}:{signature}"),
                ),
            ];
            let target = format!("{path}?restype=container");
            expect_2xx(server, &request(server.port, "PUT", &target, &headers, ""));
        }
    }
}

fn expect_2xx(server: &Server, response: &str) {
    let status = response.split(' ').nth(1).unwrap_or_default();
    assert!(
        status.starts_with('2'),
        "{:?} refused to create a bucket:\n{response}\nserver log:\n{}",
        server.kind,
        server.log_text()
    );
}

/// Sends one HTTP/1.1 request and returns the whole response as text.
fn request(
    port: u16,
    method: &str,
    target: &str,
    headers: &[(&str, String)],
    body: &str,
) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the server");
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send the request");
    stream.write_all(body.as_bytes()).expect("send the body");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}
