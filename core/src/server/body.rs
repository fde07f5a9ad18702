//! Request bodies on the shared server: read whole under a limit, and drained when the service
//! answers without reading them.
//!
//! When a server answers before it has read the whole request (a 413 by `content-length`, a
//! 400 for bad base64 early in a large payload, an unknown function) and then closes the
//! connection with bytes unread, the kernel resets the connection and the caller, still
//! sending, may see the reset instead of the answer. [`RequestBody`] prevents that: dropped
//! unread, it keeps reading (and discarding) the rest in a task of its own, up to
//! [`DRAIN_LIMIT`] bytes and [`DRAIN_TIME`] unless the server says otherwise
//! ([`Drain::unread_bodies`](super::Drain::unread_bodies)), while the answer is sent.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;

use crate::{BoxError, Failure};

/// The most an unread request body is drained before the connection is closed anyway.
pub const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;

/// The longest an unread request body is drained before the connection is closed anyway.
pub const DRAIN_TIME: Duration = Duration::from_secs(10);

/// A request body on the shared server: hyper's body, drained in the background (bounded) when
/// it is dropped before its end.
#[derive(Debug)]
pub struct RequestBody {
    inner: Option<Incoming>,
    drain_limit: u64,
    drain_time: Duration,
}

impl RequestBody {
    pub(crate) fn new(inner: Incoming, drain_limit: u64, drain_time: Duration) -> Self {
        RequestBody {
            inner: Some(inner),
            drain_limit,
            drain_time,
        }
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        match self.inner.as_mut() {
            Some(inner) => Pin::new(inner).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Body::size_hint)
    }
}

impl Drop for RequestBody {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        if inner.is_end_stream() {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(drain(inner, self.drain_limit, self.drain_time));
        }
    }
}

async fn drain(mut body: Incoming, limit: u64, time: Duration) {
    let mut left = limit;
    let read = async {
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else { return };
            let len = frame.data_ref().map_or(0, |d| d.len() as u64);
            if len > left {
                tracing::debug!(
                    "an unread request body is larger than {limit} bytes: closing the connection"
                );
                return;
            }
            left -= len;
        }
    };
    if tokio::time::timeout(time, read).await.is_err() {
        tracing::debug!(
            "an unread request body took longer than {time:?} to arrive: closing the connection"
        );
    }
}

/// Why a request body could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// The body is larger than the limit (by its `content-length`, or as it arrived).
    #[error("the request body is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The connection failed while the body was read.
    #[error("could not read the request body: {0}")]
    Read(#[source] BoxError),
}

impl BodyError {
    /// The failure to answer with: 413 naming `POLYFAAS_BODY_LIMIT`, or 500 for a broken read.
    pub fn to_failure(&self) -> Failure {
        match self {
            BodyError::TooLarge { limit } => {
                Failure::too_large(*limit, crate::shim::BODY_LIMIT_VAR)
            }
            BodyError::Read(_) => Failure::internal("BodyError", self.to_string()),
        }
    }
}

/// Reads a whole request body, refusing more than `limit` bytes (checked against
/// `content-length` first, then as the body arrives). What is left unread of a refused body is
/// drained by [`RequestBody`].
pub async fn read_body<B>(
    request: http::Request<B>,
    limit: usize,
) -> Result<http::Request<Bytes>, BodyError>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    let (parts, body) = request.into_parts();
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(http::Request::from_parts(parts, collected.to_bytes())),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(BodyError::TooLarge { limit })
        }
        Err(e) => Err(BodyError::Read(e)),
    }
}
