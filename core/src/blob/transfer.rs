//! Chunked transfers the cloud backends share: part sizes, reading a local file a chunk at a
//! time, and writing a byte stream to a writer.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::stream::io_error;
use super::{BlobError, BlobKey, BlobWriter};

/// The part size for uploads of local files: files up to this size go in one request; larger
/// ones in parts of this size (S3 needs at least 5 MiB per part).
pub(crate) const PART_SIZE: usize = 8 * 1024 * 1024;

/// Writes every chunk of `stream` to `writer`, then flushes it; returns the bytes written.
pub(crate) async fn copy_stream<S, E>(
    mut stream: S,
    writer: &mut BlobWriter<'_>,
    key: &BlobKey,
    backend_error: impl Fn(E) -> BlobError,
) -> Result<u64, BlobError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let mut written = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(&backend_error)?;
        writer
            .write_all(&chunk)
            .await
            .map_err(io_error("download", key))?;
        written += chunk.len() as u64;
    }
    writer.flush().await.map_err(io_error("download", key))?;
    Ok(written)
}

/// Reads the next `chunk` bytes of a local file (fewer at its end, none past it), so memory
/// stays at about one chunk however large the file.
pub(crate) async fn read_chunk(
    file: &mut tokio::fs::File,
    chunk: usize,
    key: &BlobKey,
) -> Result<Bytes, BlobError> {
    let mut buf = Vec::with_capacity(chunk);
    while buf.len() < chunk {
        let n = (&mut *file)
            .take((chunk - buf.len()) as u64)
            .read_to_end(&mut buf)
            .await
            .map_err(io_error("upload", key))?;
        if n == 0 {
            break;
        }
    }
    Ok(Bytes::from(buf))
}
