//! The shared server loop: an answer given before the request body is read reaches a caller
//! that is still sending (the body is drained, bounded), and bodies over the limit get 413.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use polyfaas_core::server::{self, failure_response, full, RequestBody, ResponseBody};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const LIMIT: usize = 64 * 1024;

/// `/early` answers 400 without touching the body; anything else reads it under `LIMIT`.
async fn service(
    request: http::Request<RequestBody>,
    _peer: SocketAddr,
) -> Result<http::Response<ResponseBody>, Infallible> {
    if request.uri().path() == "/early" {
        let mut response = http::Response::new(full(Bytes::from_static(b"refused early")));
        *response.status_mut() = http::StatusCode::BAD_REQUEST;
        return Ok(response);
    }
    Ok(match server::read_body(request, LIMIT).await {
        Ok(request) => http::Response::new(full(Bytes::from(format!(
            "read {} bytes",
            request.body().len()
        )))),
        Err(e) => failure_response(&e.to_failure()),
    })
}

async fn start() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(server::serve(
        listener,
        service,
        std::future::pending(),
        Duration::from_secs(1),
    ));
    addr
}

/// Sends a request whose body (`size` bytes) is written in 16 KiB pieces with pauses, the way a
/// host streams a large payload, while reading the answer; returns the answer's head and body.
async fn send_slowly(addr: SocketAddr, path: &str, size: usize, chunked: bool) -> String {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let framing = if chunked {
        "transfer-encoding: chunked".to_owned()
    } else {
        format!("content-length: {size}")
    };
    let head =
        format!("POST {path} HTTP/1.1\r\nhost: test\r\n{framing}\r\nconnection: close\r\n\r\n");
    let writer = tokio::spawn(async move {
        write.write_all(head.as_bytes()).await?;
        let piece = vec![b'x'; 16 * 1024];
        let mut left = size;
        while left > 0 {
            let n = left.min(piece.len());
            if chunked {
                write.write_all(format!("{n:x}\r\n").as_bytes()).await?;
            }
            write.write_all(&piece[..n]).await?;
            if chunked {
                write.write_all(b"\r\n").await?;
            }
            left -= n;
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        if chunked {
            write.write_all(b"0\r\n\r\n").await?;
        }
        write.flush().await?;
        Ok::<_, std::io::Error>(write)
    });
    let mut answer = Vec::new();
    let read_result = read.read_to_end(&mut answer).await;
    // The writer may see the connection close once the answer is out; that is fine.
    // An HTTP client (the Functions host's, hyper's) fails the whole request when writing its
    // body fails, whatever it read: the caller must be able to send all of it.
    let written = writer.await.expect("the writer task");
    if let Err(e) = read_result {
        panic!(
            "reading the answer failed ({e}) after {} bytes: {:?}",
            answer.len(),
            String::from_utf8_lossy(&answer)
        );
    }
    if let Err(e) = written {
        panic!("sending the request failed ({e}) although the server answered");
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_early_answer_reaches_a_caller_still_sending() {
    let addr = start().await;
    for round in 0..20 {
        let chunked = round % 2 == 1;
        let answer = send_slowly(addr, "/early", 2 * 1024 * 1024, chunked).await;
        assert!(
            answer.starts_with("HTTP/1.1 400") && answer.ends_with("refused early"),
            "round {round}: {answer:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_get_413_while_still_arriving() {
    let addr = start().await;
    for round in 0..20 {
        // Declared too large (refused before reading), or chunked (refused once past the limit).
        let chunked = round % 2 == 1;
        let answer = send_slowly(addr, "/read", 4 * LIMIT, chunked).await;
        assert!(
            answer.starts_with("HTTP/1.1 413"),
            "round {round}: {answer:?}"
        );
        assert!(answer.contains("POLYFAAS_BODY_LIMIT"), "{answer}");
    }
    let answer = send_slowly(addr, "/read", LIMIT, false).await;
    assert!(answer.ends_with(&format!("read {LIMIT} bytes")), "{answer}");
}
