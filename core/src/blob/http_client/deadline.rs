//! The client's timeouts: `timeout` bounds a whole request, from sending it to the end of its
//! response body; `read_timeout` bounds each wait for the response (its head, then every body
//! frame). Either one passing ends the request with a [`TimedOut`] error naming the option.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use object_store::client::{HttpError, HttpErrorKind};
use tokio::time::{Instant, Sleep};

use super::error::{http_error, TimedOut};

/// The deadlines of one request, started when it is sent.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadlines {
    whole: Option<(Instant, Duration)>,
    read: Option<Duration>,
}

impl Deadlines {
    /// Starts the clock for a request under `timeout` and `read_timeout`.
    pub(crate) fn start(timeout: Option<Duration>, read_timeout: Option<Duration>) -> Self {
        Self {
            whole: timeout.map(|t| (Instant::now() + t, t)),
            read: read_timeout,
        }
    }

    /// Waits for `head` (the response's status and headers) within the deadlines.
    pub(crate) async fn head<F, T>(&self, head: F) -> Result<T, TimedOut>
    where
        F: std::future::Future<Output = T>,
    {
        let Some(at) = self.next_read_deadline() else {
            return Ok(head.await);
        };
        tokio::time::timeout_at(at, head)
            .await
            .map_err(|_| self.expired(at, "the response's head"))
    }

    /// `body`, failing with a timeout error when a deadline passes before its end.
    pub(crate) fn body<B>(self, body: B) -> TimedBody<B> {
        let timer = self
            .next_read_deadline()
            .map(|at| Box::pin(tokio::time::sleep_until(at)));
        TimedBody {
            inner: body,
            deadlines: self,
            timer,
        }
    }

    /// The instant a read starting now must end by: the earlier of the request's deadline and
    /// `read_timeout` from now.
    fn next_read_deadline(&self) -> Option<Instant> {
        let read_at = self.read.map(|r| Instant::now() + r);
        match (self.whole.map(|(at, _)| at), read_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The error for a deadline `at` that passed while waiting for `what`.
    fn expired(&self, at: Instant, what: &str) -> TimedOut {
        match self.whole {
            Some((whole_at, t)) if whole_at <= at => TimedOut(format!(
                "{what} did not arrive within the request's timeout ({})",
                humantime::format_duration(t)
            )),
            _ => TimedOut(format!(
                "{what} did not arrive within read_timeout ({})",
                humantime::format_duration(self.read.unwrap_or_default())
            )),
        }
    }
}

/// A response body under the request's deadlines.
pub(crate) struct TimedBody<B> {
    inner: B,
    deadlines: Deadlines,
    timer: Option<Pin<Box<Sleep>>>,
}

impl<B> Body for TimedBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            if let (Some(timer), Some(at)) = (&mut this.timer, this.deadlines.next_read_deadline())
            {
                timer.as_mut().reset(at);
            }
            return Poll::Ready(frame.map(|r| r.map_err(|e| http_error(e, HttpErrorKind::Decode))));
        }
        if let Some(timer) = &mut this.timer {
            if timer.as_mut().poll(cx).is_ready() {
                let at = timer.deadline();
                this.timer = None;
                let e = this.deadlines.expired(at, "the response body");
                return Poll::Ready(Some(Err(http_error(e, HttpErrorKind::Timeout))));
            }
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, StreamBody};

    /// A body whose second frame never comes.
    fn stalled() -> impl Body<Data = Bytes, Error = std::io::Error> + Unpin {
        let frames = futures_util::stream::iter([Ok::<_, std::io::Error>(Frame::data(
            Bytes::from_static(b"first"),
        ))])
        .chain(futures_util::stream::pending());
        StreamBody::new(Box::pin(frames))
    }

    use futures_util::StreamExt as _;

    #[tokio::test(start_paused = true)]
    async fn a_stalled_body_ends_with_a_timeout_naming_the_option() {
        for (timeout, read, expected) in [
            (
                Some(Duration::from_secs(30)),
                None,
                "the request's timeout (30s)",
            ),
            (None, Some(Duration::from_secs(2)), "read_timeout (2s)"),
        ] {
            let mut body = Deadlines::start(timeout, read).body(stalled());
            let first = body.frame().await.unwrap().unwrap();
            assert_eq!(first.into_data().unwrap(), "first");
            let err = body.frame().await.unwrap().unwrap_err();
            assert_eq!(err.kind(), HttpErrorKind::Timeout);
            assert!(err.to_string().contains(expected), "{err}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_head_that_never_comes_times_out() {
        let deadlines = Deadlines::start(None, Some(Duration::from_secs(1)));
        let err = deadlines
            .head(std::future::pending::<()>())
            .await
            .unwrap_err();
        assert!(err.0.contains("the response's head"), "{}", err.0);
        let quick = Deadlines::start(Some(Duration::from_secs(1)), None);
        assert_eq!(quick.head(async { 7 }).await.unwrap(), 7);
    }

    #[tokio::test(start_paused = true)]
    async fn each_frame_restarts_the_read_timeout() {
        let frames = futures_util::stream::iter(0..5).then(|i| async move {
            tokio::time::sleep(Duration::from_millis(800)).await;
            Ok::<_, std::io::Error>(Frame::data(Bytes::from(vec![i])))
        });
        let body = StreamBody::new(Box::pin(frames));
        let timed = Deadlines::start(None, Some(Duration::from_secs(1))).body(body);
        let all = timed.collect().await.unwrap().to_bytes();
        assert_eq!(&all[..], &[0, 1, 2, 3, 4]);
    }
}
