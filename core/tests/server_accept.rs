//! The shared server's accept loop is a task of its own on the caller's runtime: connections are
//! accepted and answered while the future returned by `serve` is not being polled, and
//! completing `shutdown` still stops accepting and drains the requests in flight.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use polyfaas_core::server::{self, full, RequestBody, ResponseBody};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How many `/sleep/` requests the service has finished handling (in this test binary).
static SLEEPS_DONE: AtomicUsize = AtomicUsize::new(0);

/// Answers `slept <ms>` after sleeping for the milliseconds in the path (`/sleep/250`), or
/// `hi` at once.
async fn service(
    request: http::Request<RequestBody>,
    _peer: SocketAddr,
) -> Result<http::Response<ResponseBody>, Infallible> {
    let path = request.uri().path();
    if let Some(ms) = path.strip_prefix("/sleep/") {
        let ms: u64 = ms.parse().unwrap_or(0);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        SLEEPS_DONE.fetch_add(1, Ordering::SeqCst);
        return Ok(http::Response::new(full(Bytes::from(format!(
            "slept {ms}"
        )))));
    }
    Ok(http::Response::new(full(Bytes::from_static(b"hi"))))
}

/// One HTTP/1.1 request with `connection: close`; the whole answer as text.
async fn get(addr: SocketAddr, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n").as_bytes(),
        )
        .await?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    Ok(answer)
}

/// Polls `future` once, from inside a task, and returns whether it was still pending.
async fn poll_once<F: Future + Unpin>(future: &mut F) -> bool {
    std::future::poll_fn(|cx| Poll::Ready(std::pin::Pin::new(&mut *future).poll(cx).is_pending()))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_answered_while_the_caller_does_not_poll_serve() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut serving = Box::pin(server::serve(
        listener,
        service,
        std::future::pending(),
        Duration::from_secs(1),
    ));
    // Started, then left alone: this task only waits for the client from here on.
    assert!(poll_once(&mut serving).await);
    let answered = tokio::time::timeout(Duration::from_secs(10), get(addr, "/"))
        .await
        .expect("no answer while serve's future was not polled: the accept loop is not a task")
        .unwrap();
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");
    assert!(answered.ends_with("hi"), "{answered}");
    // Dropping serve's future stops the accept loop, which closes the listener.
    drop(serving);
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        while TcpStream::connect(addr).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "the listener stayed open after serve was dropped"
    );
}

/// A server stopped by sending on the returned channel; serve's task, to await its return.
async fn stoppable(
    drain: Duration,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server::serve(
        listener,
        service,
        async {
            let _ = stopped.await;
        },
        drain,
    ));
    (addr, stop, serving)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_accepting_and_drains_requests_in_flight() {
    let (addr, stop, serving) = stoppable(Duration::from_secs(10)).await;
    let in_flight = tokio::spawn(get(addr, "/sleep/300"));
    // The request is being handled before the shutdown starts.
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("serve did not return after the drain")
        .unwrap();
    // serve returned only once the request in flight was handled (the only sleep of this
    // binary that ends: the other test's takes a minute).
    assert_eq!(
        SLEEPS_DONE.load(Ordering::SeqCst),
        1,
        "serve returned before the drain"
    );
    let answered = in_flight.await.unwrap().unwrap();
    assert!(answered.ends_with("slept 300"), "{answered}");
    // The listener is closed: nothing accepts a new connection.
    let refused = tokio::time::timeout(Duration::from_secs(10), get(addr, "/"))
        .await
        .unwrap();
    assert!(
        refused.is_err(),
        "a connection was served after the shutdown: {refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drain_gives_up_after_its_time() {
    let (addr, stop, serving) = stoppable(Duration::from_millis(200)).await;
    let _in_flight = tokio::spawn(get(addr, "/sleep/60000"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    // serve returns after the 200 ms drain, not after the minute the request would take.
    tokio::time::timeout(Duration::from_secs(20), serving)
        .await
        .expect("serve waited past its drain time")
        .unwrap();
}
