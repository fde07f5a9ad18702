//! Streamed response bodies collected where Lambda's answer must be whole: every answer but a
//! Function URL's in streaming mode. Lambda refuses a buffered answer over 6 MB, so a larger
//! stream fails the invocation here, naming the limit, instead of at the Runtime API.

use http::StatusCode;
use polyfaas_core::{Failure, FailureKind, Response};

/// Lambda's limit on a buffered (synchronous) response, in bytes.
pub(crate) const RESPONSE_LIMIT: usize = 6 * 1024 * 1024;

/// Reads `response`'s stream to the end, in place; a whole response is left as it is.
///
/// It borrows the response rather than taking it: a whole body, the common case, is then
/// neither moved into this future nor back out of it.
pub(crate) async fn make_whole(response: &mut Response) -> Result<(), Failure> {
    if !response.is_streaming() {
        return Ok(());
    }
    let streamed = std::mem::take(response);
    // Boxed: only a streamed body pays for the collecting future's size.
    *response = Box::pin(streamed.collect(RESPONSE_LIMIT)).await.map_err(|error| {
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
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    #[tokio::test]
    async fn streams_are_collected_within_the_limit() {
        let chunks =
            futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from("a")), Ok("b".into())]);
        let mut response = Response::from_stream(chunks);
        make_whole(&mut response).await.unwrap();
        assert!(!response.is_streaming());
        assert_eq!(response.body().as_ref(), b"ab");

        let mut plain = Response::text("as it is");
        make_whole(&mut plain).await.unwrap();
        assert_eq!(plain.body().as_ref(), b"as it is");

        let big = vec![0u8; RESPONSE_LIMIT + 1];
        let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from(big))]);
        let failure = make_whole(&mut Response::from_stream(chunks))
            .await
            .unwrap_err();
        assert_eq!(failure.error_type(), "ResponseTooLarge");

        let broken = futures_util::stream::iter([Err::<Bytes, _>(std::io::Error::other("disk"))]);
        let failure = make_whole(&mut Response::from_stream(broken))
            .await
            .unwrap_err();
        assert_eq!(failure.error_type(), "HandlerError");
        assert!(failure.message().contains("disk"), "{}", failure.message());
    }
}
