//! Streamed response bodies collected where Lambda's answer must be whole: every answer but a
//! Function URL's in streaming mode. Lambda refuses a buffered answer over 6 MB, so a larger
//! stream fails the invocation here, naming the limit, instead of at the Runtime API.

use http::StatusCode;
use polyfaas_core::{Failure, FailureKind, Response};

/// Lambda's limit on a buffered (synchronous) response, in bytes.
pub(crate) const RESPONSE_LIMIT: usize = 6 * 1024 * 1024;

/// `response` with its stream read to the end (a whole one as it is).
pub(crate) async fn whole(response: Response) -> Result<Response, Failure> {
    if !response.is_streaming() {
        return Ok(response);
    }
    // Boxed: only a streamed body pays for the collecting future's size.
    Box::pin(response.collect(RESPONSE_LIMIT)).await.map_err(|error| {
        if error.is::<http_body_util::LengthLimitError>() {
            Failure::new(
                FailureKind::TooLarge,
                StatusCode::BAD_GATEWAY,
                "ResponseTooLarge",
                format!(
                    "the streamed response is larger than Lambda's limit of {RESPONSE_LIMIT} bytes for a buffered answer (set POLYFAAS_RESPONSE_STREAMING=1 for a Function URL in RESPONSE_STREAM mode)"
                ),
            )
        } else {
            Failure::new(
                FailureKind::Handler,
                StatusCode::INTERNAL_SERVER_ERROR,
                "HandlerError",
                error.to_string(),
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    #[tokio::test]
    async fn streams_are_collected_within_the_limit() {
        let chunks =
            futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from("a")), Ok("b".into())]);
        let response = whole(Response::from_stream(chunks)).await.unwrap();
        assert_eq!(response.body().as_ref(), b"ab");

        let big = vec![0u8; RESPONSE_LIMIT + 1];
        let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from(big))]);
        let failure = whole(Response::from_stream(chunks)).await.unwrap_err();
        assert_eq!(failure.error_type(), "ResponseTooLarge");

        let broken = futures_util::stream::iter([Err::<Bytes, _>(std::io::Error::other("disk"))]);
        let failure = whole(Response::from_stream(broken)).await.unwrap_err();
        assert_eq!(failure.error_type(), "HandlerError");
        assert!(failure.message().contains("disk"), "{}", failure.message());
    }
}
