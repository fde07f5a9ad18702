//! The Runtime API's transport: HTTP/1.1 over one kept-alive TCP connection (hyper's client
//! connection), opened on first use and again whenever the API has closed it.
//!
//! The Runtime API is one local endpoint and the runtime loop makes one call at a time, so there
//! is nothing for a connection pool to pool. hyper_util's pooled client (which
//! `lambda_runtime_api_client` wraps) checks a connection out of its pool and back in on every
//! call; its code was an eighth of the function's own code that a start runs on the way to the
//! first response (callgrind, in 64-byte lines), and without it (its 44 log call sites
//! included) the relocated data the loader writes at every start shrank from 52.1 to 42.8 KB.
//!
//! Here [`Connection::call`] takes the idle connection, or opens one when there is none (the
//! first call, a call made while another is in flight, a connection the API closed), reads the
//! whole answer and keeps the connection for the next call.

use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{HOST, USER_AGENT};
use http::response::Parts;
use http::{HeaderValue, Method, Request, Response, Uri};
use http_body::{Frame, SizeHint};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;

/// Any error a call can end with.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request body: whole bytes, or a stream (a streamed response).
pub(crate) enum Body {
    /// Sent with its `Content-Length`.
    Whole(Full<Bytes>),
    /// Sent chunked.
    Streamed(UnsyncBoxBody<Bytes, BoxError>),
}

/// A whole request body.
pub(crate) fn whole(bytes: impl Into<Bytes>) -> Body {
    Body::Whole(Full::new(bytes.into()))
}

/// A streamed request body.
pub(crate) fn streamed<B>(body: B) -> Body
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    Body::Streamed(body.map_err(Into::into).boxed_unsync())
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            Body::Whole(body) => Pin::new(body)
                .poll_frame(cx)
                .map_err(|never| match never {}),
            Body::Streamed(body) => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Whole(body) => body.is_end_stream(),
            Body::Streamed(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Whole(body) => body.size_hint(),
            Body::Streamed(body) => body.size_hint(),
        }
    }
}

/// The largest read buffer a connection keeps (headers and body chunks), as
/// `lambda_runtime_api_client` sets it: an invocation's event is up to 6 MB.
const MAX_BUF: usize = 1024 * 1024;

const AGENT: &str = concat!("polyfaas-aws/", env!("CARGO_PKG_VERSION"));

/// The connection to one Runtime API endpoint, with the request head every call shares.
#[derive(Debug)]
pub(crate) struct Connection {
    /// `host:port`, to connect to.
    authority: String,
    /// The same, as the `Host` header.
    host: HeaderValue,
    /// An emulator's path prefix, without its trailing `/` (empty on Lambda).
    base_path: String,
    /// The connection no call is using, if it is still open.
    idle: Mutex<Option<SendRequest<Body>>>,
}

/// An answer whose body is still to be read, and the connection it came on: HTTP/1.1 sends the
/// next request on it only after that.
struct Answer {
    response: Response<Incoming>,
    sender: SendRequest<Body>,
}

impl Connection {
    /// The connection to the API at `endpoint` (`http://host:port[/prefix]`); nothing is opened
    /// before the first call.
    pub(crate) fn new(endpoint: &Uri) -> Result<Self, BoxError> {
        let authority = endpoint
            .authority()
            .ok_or("the Runtime API's address has no host")?;
        Ok(Connection {
            authority: authority.as_str().to_owned(),
            host: HeaderValue::from_str(authority.as_str())?,
            base_path: endpoint.path().trim_end_matches('/').to_owned(),
            idle: Mutex::new(None),
        })
    }

    /// A connection to the same endpoint that shares no socket with this one.
    pub(crate) fn separate(&self) -> Self {
        Connection {
            authority: self.authority.clone(),
            host: self.host.clone(),
            base_path: self.base_path.clone(),
            idle: Mutex::new(None),
        }
    }

    /// A request to the API's `path`, with the `Host` and `User-Agent` headers.
    pub(crate) fn request(&self, method: Method, path: &str) -> http::request::Builder {
        let builder = Request::builder().method(method);
        let builder = if self.base_path.is_empty() {
            builder.uri(path)
        } else {
            builder.uri(format!("{}{path}", self.base_path))
        };
        builder
            .header(HOST, self.host.clone())
            .header(USER_AGENT, HeaderValue::from_static(AGENT))
    }

    /// Sends `request` and reads the whole answer (any status), then keeps the connection for
    /// the next call.
    pub(crate) async fn call(&self, request: Request<Body>) -> Result<(Parts, Bytes), BoxError> {
        let Answer { response, sender } = self.send(request).await?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        self.release(sender);
        Ok((parts, body))
    }

    /// Sends `request` on the idle connection, or on a new one when there is none or the API
    /// closed it before the request went out.
    async fn send(&self, request: Request<Body>) -> Result<Answer, BoxError> {
        let mut request = request;
        if let Some(mut sender) = self.take_idle() {
            if sender.ready().await.is_ok() {
                match sender.try_send_request(request).await {
                    Ok(response) => return Ok(Answer { response, sender }),
                    Err(mut error) => match error.take_message() {
                        // Never written: the connection closed under it. A new one takes it.
                        Some(unsent) => request = unsent,
                        None => return Err(error.into_error().into()),
                    },
                }
            }
        }
        let mut sender = self.connect().await?;
        let response = sender.send_request(request).await?;
        Ok(Answer { response, sender })
    }

    /// Keeps `sender` for the next call, unless it is closed or another call's connection is
    /// already kept.
    fn release(&self, sender: SendRequest<Body>) {
        if sender.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.is_none() {
            *idle = Some(sender);
        }
    }

    fn take_idle(&self) -> Option<SendRequest<Body>> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        idle.take().filter(|sender| !sender.is_closed())
    }

    /// A new connection, its I/O driven by a task of its own; an error on it reaches the call
    /// in flight through that call's answer.
    async fn connect(&self) -> Result<SendRequest<Body>, BoxError> {
        let stream = tokio::net::TcpStream::connect(self.authority.as_str()).await?;
        // A streamed response goes out in many small writes: none waits for an ACK.
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::Builder::new()
            .max_buf_size(MAX_BUF)
            .handshake(TokioIo::new(stream))
            .await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(sender)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;

    /// A server that answers each GET with its path; with `close_after`, it closes each
    /// connection after that many answers. Counts the connections it accepted.
    async fn server(close_after: Option<usize>) -> (Uri, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&accepted);
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                counted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(answer(stream, close_after));
            }
        });
        (
            format!("http://{address}/prefix/").parse().unwrap(),
            accepted,
        )
    }

    async fn answer(mut stream: TcpStream, close_after: Option<usize>) {
        let mut answered = 0;
        let mut buffer = Vec::new();
        loop {
            let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
                let mut chunk = [0; 1024];
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                }
                continue;
            };
            let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
            buffer.drain(..end + 4);
            let path = head.split(' ').nth(1).unwrap_or("").to_owned();
            let host = head
                .lines()
                .find_map(|l| l.strip_prefix("host: "))
                .unwrap_or("");
            let body = format!("{path} {host}");
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            if stream.write_all(reply.as_bytes()).await.is_err() {
                return;
            }
            answered += 1;
            if close_after == Some(answered) {
                return;
            }
        }
    }

    async fn get(connection: &Connection, path: &str) -> String {
        let request = connection
            .request(Method::GET, path)
            .body(whole(Bytes::new()))
            .unwrap();
        let (parts, body) = connection.call(request).await.unwrap();
        assert_eq!(parts.status, 200);
        String::from_utf8(body.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn calls_one_after_another_share_one_connection_with_the_prefix_and_host() {
        let (endpoint, accepted) = server(None).await;
        let connection = Connection::new(&endpoint).unwrap();
        let host = endpoint.authority().unwrap().as_str().to_owned();
        for _ in 0..3 {
            assert_eq!(
                get(&connection, "/2018-06-01/runtime/invocation/next").await,
                format!("/prefix/2018-06-01/runtime/invocation/next {host}")
            );
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_connection_the_api_closed_is_replaced() {
        let (endpoint, accepted) = server(Some(1)).await;
        let connection = Connection::new(&endpoint).unwrap();
        for n in 0..3 {
            assert!(get(&connection, &format!("/call/{n}"))
                .await
                .starts_with(&format!("/prefix/call/{n} ")));
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_call_made_while_another_is_in_flight_opens_its_own_connection() {
        let (endpoint, accepted) = server(None).await;
        let connection = Connection::new(&endpoint).unwrap();
        let first = connection
            .send(
                connection
                    .request(Method::GET, "/a")
                    .body(whole(Bytes::new()))
                    .unwrap(),
            )
            .await
            .unwrap();
        // The first answer's body is not read yet: its connection cannot take a request.
        assert!(get(&connection, "/b").await.starts_with("/prefix/b "));
        let body = first
            .response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes();
        assert!(body.starts_with(b"/prefix/a "));
        connection.release(first.sender);
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
        // Both are open; one is kept, and the next call uses it.
        assert!(get(&connection, "/c").await.starts_with("/prefix/c "));
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_separate_connection_shares_no_socket() {
        let (endpoint, accepted) = server(None).await;
        let connection = Connection::new(&endpoint).unwrap();
        get(&connection, "/a").await;
        let separate = connection.separate();
        get(&separate, "/b").await;
        get(&connection, "/c").await;
        get(&separate, "/d").await;
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn an_api_that_is_not_listening_is_an_error() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let connection = Connection::new(&format!("http://{address}").parse().unwrap()).unwrap();
        let request = connection
            .request(Method::GET, "/next")
            .body(whole(Bytes::new()))
            .unwrap();
        assert!(connection.send(request).await.is_err());
    }
}
