//! The transport on the skeleton: the body limit for every signature, answers given before the
//! request is read reaching a client that is still sending slowly, and the one panic policy.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use polyfaas_testkit::client::{json, send};
use polyfaas_testkit::gcp::structured_event;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::start;

/// How often each early-answer case runs: the defect it guards against (a reset instead of the
/// answer) showed in 2 runs of 8.
const ROUNDS: usize = 20;

/// Sends `head` (the request line and headers, without the blank line) and then `body` in
/// `pieces` chunks with a pause between them, as a slow client or a host streaming a large
/// payload does; then reads the answer. Returns the status and the answer's body.
async fn send_slowly(addr: SocketAddr, head: &str, body: &[u8], pieces: usize) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(format!("{head}\r\nhost: {addr}\r\n\r\n").as_bytes())
        .await
        .expect("write the head");
    for piece in body.chunks(body.len().div_ceil(pieces).max(1)) {
        tokio::time::sleep(Duration::from_millis(3)).await;
        stream
            .write_all(piece)
            .await
            .expect("the server must keep reading (or draining) while the client sends");
    }
    let mut answer = Vec::new();
    let mut buffer = [0u8; 8192];
    let read_answer = async {
        loop {
            let n = stream
                .read(&mut buffer)
                .await
                .expect("the answer, not a reset");
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buffer[..n]);
            if complete(&answer) {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read_answer)
        .await
        .expect("the answer within 20 s");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {text:?}"));
    (status, body.to_owned())
}

/// Whether `answer` holds a whole response with a `content-length`.
fn complete(answer: &[u8]) -> bool {
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    head.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .is_some_and(|len| body.len() >= len)
}

/// `size` bytes sent as HTTP/1.1 chunks of `chunk` bytes, with the last chunk.
fn chunked(size: usize, chunk: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk);
        out.extend_from_slice(format!("{n:x}\r\n").as_bytes());
        out.extend(std::iter::repeat_n(b'x', n));
        out.extend_from_slice(b"\r\n");
        left -= n;
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

#[tokio::test]
async fn early_answers_reach_a_client_that_is_still_sending() {
    let http_fn = start("http", &[("POLYFAAS_BODY_LIMIT", "1KiB")]);
    let event_fn = start("cloudevent", &[("POLYFAAS_BODY_LIMIT", "1KiB")]);
    let big = vec![b'x'; 256 * 1024];
    for round in 0..ROUNDS {
        // Refused by its content-length before a byte of the body is read.
        let head = format!("POST /upload HTTP/1.1\r\ncontent-length: {}", big.len());
        let (status, body) = send_slowly(http_fn.addr, &head, &big, 16).await;
        assert_eq!(status, 413, "round {round}: {body}");
        assert!(body.contains("POLYFAAS_BODY_LIMIT"), "{body}");

        // Chunked, no length: refused once the limit is passed, with most of it still coming.
        let head = "POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\ncontent-type: application/cloudevents+json";
        let (status, body) = send_slowly(event_fn.addr, head, &chunked(64 * 1024, 4096), 16).await;
        assert_eq!(status, 413, "round {round}: {body}");

        // An event function refuses GET without reading what comes with it.
        let head = format!("GET / HTTP/1.1\r\ncontent-length: {}", big.len());
        let (status, body) = send_slowly(event_fn.addr, &head, &big, 16).await;
        assert_eq!(status, 405, "round {round}: {body}");

        // Paths that never reach the function.
        let head = format!(
            "POST /favicon.ico HTTP/1.1\r\ncontent-length: {}",
            big.len()
        );
        let (status, _) = send_slowly(http_fn.addr, &head, &big, 16).await;
        assert_eq!(status, 404, "round {round}");
    }
    // And the servers go on.
    let ok = send(
        event_fn.addr,
        structured_event(
            "/",
            &json!({"specversion": "1.0", "id": "after", "source": "//o/x", "type": "example.t"}),
        ),
    )
    .await;
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn event_functions_honour_the_body_limit() {
    for signature in ["cloudevent", "event"] {
        let echo = start(signature, &[("POLYFAAS_BODY_LIMIT", "1KiB")]);
        let event = |padding: usize| {
            json!({"specversion": "1.0", "id": "big", "source": "//pubsub.googleapis.com/projects/p/topics/t",
                   "type": "google.cloud.pubsub.topic.v1.messagePublished",
                   "data": {"message": {"data": "", "messageId": "m", "attributes": {"pad": "p".repeat(padding)}}}})
        };
        let response = send(echo.addr, structured_event("/", &event(2048))).await;
        assert_eq!(response.status(), 413, "{signature}");
        let error = &json(&response)["error"];
        assert_eq!(error["type"], "PayloadTooLarge");
        assert!(
            error["message"].as_str().unwrap().contains("1024 bytes"),
            "{error}"
        );
        // The limit is on the body: an event just under it is served.
        let mut small = event(0);
        let room = 1024 - small.to_string().len();
        small = event(room);
        assert_eq!(small.to_string().len(), 1024);
        let response = send(echo.addr, structured_event("/", &small)).await;
        assert_eq!(response.status(), 200, "{signature}");
    }
}

#[tokio::test]
async fn a_panic_names_the_request_id_and_its_text_is_only_in_the_log() {
    let echo = start("http", &[]);
    let request = http::Request::get("/boom")
        .header("x-echo-fail", "panic")
        .header("function-execution-id", "exec-panic-1")
        .body(Bytes::new())
        .unwrap();
    let response = send(echo.addr, request).await;
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers()["x-google-status"], "crash");
    assert_eq!(
        json(&response)["error"]["message"],
        "the handler panicked; its message is in the function's log (request id exec-panic-1)"
    );
    let log = echo.process.output();
    assert!(
        log.contains("echo panicked on purpose") && log.contains("exec-panic-1"),
        "the panic's text and the request id are in the log:\n{log}"
    );
}
