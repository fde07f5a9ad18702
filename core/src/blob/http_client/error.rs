//! How a transport failure becomes an object_store [`HttpError`], whose kind decides whether
//! object_store retries: connection and unsent-request failures are retried, timeouts and
//! interruptions only for idempotent requests, the rest not at all.

use std::error::Error;

use object_store::client::{HttpError, HttpErrorKind};

/// A deadline of the client passed; the message names the option that set it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct TimedOut(pub String);

/// A request the settings refuse before anything is sent.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Refused(pub String);

/// `e` as an [`HttpError`]; `fallback` is the kind when nothing in its sources says more.
pub(crate) fn http_error<E>(e: E, fallback: HttpErrorKind) -> HttpError
where
    E: Error + Send + Sync + 'static,
{
    let kind = kind_of(&e, fallback);
    HttpError::new(kind, e)
}

/// The kind the first telling error in `e`'s source chain gives.
fn kind_of(e: &(dyn Error + 'static), fallback: HttpErrorKind) -> HttpErrorKind {
    let mut source = Some(e);
    while let Some(e) = source {
        if e.is::<TimedOut>() {
            return HttpErrorKind::Timeout;
        }
        if let Some(e) = e.downcast_ref::<hyper_util::client::legacy::Error>() {
            if e.is_connect() {
                return HttpErrorKind::Connect;
            }
        }
        if let Some(e) = e.downcast_ref::<hyper::Error>() {
            if e.is_closed() || e.is_incomplete_message() || e.is_body_write_aborted() {
                return HttpErrorKind::Request;
            }
            if e.is_timeout() {
                return HttpErrorKind::Timeout;
            }
        }
        if let Some(e) = e.downcast_ref::<std::io::Error>() {
            match e.kind() {
                std::io::ErrorKind::TimedOut => return HttpErrorKind::Timeout,
                std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof => return HttpErrorKind::Interrupted,
                _ => {}
            }
        }
        source = e.source();
    }
    fallback
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_source_chain_decides_the_kind() {
        let reset = Outer(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        assert_eq!(
            http_error(reset, HttpErrorKind::Unknown).kind(),
            HttpErrorKind::Interrupted
        );
        let timed_out = TimedOut("timeout".to_owned());
        assert_eq!(
            http_error(timed_out, HttpErrorKind::Unknown).kind(),
            HttpErrorKind::Timeout
        );
        let other = Outer(std::io::Error::other("x"));
        assert_eq!(
            http_error(other, HttpErrorKind::Decode).kind(),
            HttpErrorKind::Decode
        );
    }
}
