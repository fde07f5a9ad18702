//! **Where an Azure blob becomes a local file.**
//!
//! A blob trigger's request carries the whole blob as base64 in `Data.<binding name>`. The
//! request body is scanned as it arrives ([`Splitter`]): the base64 text is decoded chunk by
//! chunk straight into a file in the invocation's scratch directory
//! ([`Context::scratch_file`]), and only the rest of the envelope (a few KiB) is kept in memory.
//! So a 64 MiB blob costs one request chunk and one decoded chunk of memory, not the ~85 MiB of
//! base64 plus the 64 MiB of bytes that reading the whole body and decoding it would cost.
//!
//! The file is handed to the handler with [`BlobEvent::with_local_file`]; it is removed with the
//! scratch directory when the invocation ends (`Invoker::run`), or when the context is dropped
//! because the request was rejected.
//!
//! The blob's content is not counted against `POLYFAAS_BODY_LIMIT` (it goes to disk, and the
//! host and the storage account bound it); the rest of the envelope, held in memory, is.
//!
//! [`BlobEvent::with_local_file`]: polyfaas_core::BlobEvent::with_local_file

use std::path::{Path, PathBuf};

use axum::body::{Body, BodyDataStream};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use futures_util::StreamExt;
use polyfaas_core::server::BodyError;
use polyfaas_core::shim::BODY_LIMIT_VAR;
use polyfaas_core::{BadInput, Context, Failure};
use tokio::io::AsyncWriteExt;

use crate::payload::Envelope;
use crate::rejection::Rejection;
use crate::stream_split::Splitter;

/// A blob trigger's request, read: the envelope without the content, and the file holding the
/// content when the host sent it (not with deferred binding).
#[derive(Debug)]
pub(crate) struct ReceivedBlob {
    pub(crate) envelope: Envelope,
    pub(crate) file: Option<LocalFile>,
}

/// The decoded blob on disk.
#[derive(Debug)]
pub(crate) struct LocalFile {
    pub(crate) path: PathBuf,
    pub(crate) len: u64,
}

/// Reads a blob trigger's request body, writing `Data.<binding>` to a scratch file as it comes.
/// The rest of the envelope may be at most `limit` bytes. What is left of a refused body is
/// drained by the server (bounds in `server.rs`), so the host can finish sending.
pub(crate) async fn receive(
    body: Body,
    binding: &str,
    ctx: &Context,
    limit: usize,
) -> Result<ReceivedBlob, Rejection> {
    let mut stream = body.into_data_stream();
    read(&mut stream, binding, ctx, limit).await
}

async fn read(
    stream: &mut BodyDataStream,
    binding: &str,
    ctx: &Context,
    limit: usize,
) -> Result<ReceivedBlob, Rejection> {
    let field = format!("Data.{binding}");
    let mut splitter = Splitter::new(binding);
    let mut decoder: Option<Base64File> = None;
    let mut piece = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| BodyError::Read(e.into()).to_failure())?;
        piece.clear();
        splitter
            .feed(&chunk, &mut |content: &[u8]| {
                piece.extend_from_slice(content);
                Ok::<_, std::convert::Infallible>(())
            })
            .unwrap_or_else(|never| match never {});
        if splitter.kept_len() > limit {
            return Err(Failure::too_large(limit, BODY_LIMIT_VAR).into());
        }
        if !piece.is_empty() || (splitter.found() && decoder.is_none()) {
            if decoder.is_none() {
                let path = ctx
                    .scratch_file(binding)
                    .map_err(|e| local_file_failure(binding.as_ref(), &e))?;
                decoder = Some(Base64File::create(path).await?);
            }
            if let Some(decoder) = decoder.as_mut() {
                decoder.write(&piece, &field).await?;
            }
        }
    }
    if splitter.truncated() {
        return Err(BadInput::at(
            field,
            "the request body ended inside this string (the envelope is cut short)",
        )
        .into());
    }
    let file = match decoder {
        Some(decoder) => Some(decoder.finish(&field).await?),
        None => None,
    };
    let envelope = Envelope::parse(&splitter.into_kept())?;
    Ok(ReceivedBlob { envelope, file })
}

/// Gives the file the blob's own name (so its extension is the object's), in the same scratch
/// directory.
pub(crate) async fn rename_for_key(
    file: LocalFile,
    key: &str,
    ctx: &Context,
) -> Result<LocalFile, Failure> {
    let name = key.rsplit('/').next().unwrap_or_default();
    let target = ctx
        .scratch_file(name)
        .map_err(|e| local_file_failure(&file.path, &e))?;
    tokio::fs::rename(&file.path, &target)
        .await
        .map_err(|e| local_file_failure(&target, &e))?;
    Ok(LocalFile {
        path: target,
        len: file.len,
    })
}

/// The blob could not be written to a local file: the shim's failure, not the host's (500).
fn local_file_failure(path: &Path, error: &std::io::Error) -> Failure {
    Failure::internal(
        "IoError",
        format!(
            "could not write the blob to the local file {}: {error}",
            path.display()
        ),
    )
}

/// A base64 decoder that writes to a file as text arrives.
struct Base64File {
    path: PathBuf,
    file: tokio::fs::File,
    /// Base64 characters not decoded yet (fewer than 4 after each write).
    pending: Vec<u8>,
    decoded: Vec<u8>,
    /// A `\` ended the last piece (JSON escape, as in `\/`).
    backslash: bool,
    /// A quantum with `=` padding was decoded: nothing may follow.
    padded: bool,
    len: u64,
}

impl Base64File {
    async fn create(path: PathBuf) -> Result<Base64File, Failure> {
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| local_file_failure(&path, &e))?;
        Ok(Base64File {
            path,
            file,
            pending: Vec::new(),
            decoded: Vec::new(),
            backslash: false,
            padded: false,
            len: 0,
        })
    }

    async fn write(&mut self, text: &[u8], field: &str) -> Result<(), Rejection> {
        self.unescape_into_pending(text, field)?;
        let whole = self.pending.len() / 4 * 4;
        if whole == 0 {
            return Ok(());
        }
        if self.padded {
            return Err(bad(field, "text follows the `=` padding").into());
        }
        self.decoded.resize(whole / 4 * 3, 0);
        let n = BASE64
            .decode_slice(&self.pending[..whole], &mut self.decoded)
            .map_err(|e| bad(field, &e.to_string()).with_source(e))?;
        self.padded = self.pending[whole - 1] == b'=';
        self.pending.drain(..whole);
        self.file
            .write_all(&self.decoded[..n])
            .await
            .map_err(|e| local_file_failure(&self.path, &e))?;
        self.len += n as u64;
        Ok(())
    }

    /// Copies base64 text to `pending`, undoing the one JSON escape a serialiser may use in
    /// base64 (`\/`); any other escape cannot be base64.
    fn unescape_into_pending(&mut self, text: &[u8], field: &str) -> Result<(), BadInput> {
        if !self.backslash && !text.contains(&b'\\') {
            self.pending.extend_from_slice(text);
            return Ok(());
        }
        for &b in text {
            if self.backslash {
                if b != b'/' {
                    return Err(bad(
                        field,
                        &format!("it contains the JSON escape \\{}", char::from(b)),
                    ));
                }
                self.backslash = false;
                self.pending.push(b'/');
            } else if b == b'\\' {
                self.backslash = true;
            } else {
                self.pending.push(b);
            }
        }
        Ok(())
    }

    async fn finish(mut self, field: &str) -> Result<LocalFile, Rejection> {
        if !self.pending.is_empty() {
            return Err(bad(
                field,
                &format!(
                    "its length is not a multiple of 4 ({} characters left over)",
                    self.pending.len()
                ),
            )
            .into());
        }
        self.file
            .flush()
            .await
            .map_err(|e| local_file_failure(&self.path, &e))?;
        Ok(LocalFile {
            path: self.path,
            len: self.len,
        })
    }
}

fn bad(field: &str, reason: &str) -> BadInput {
    BadInput::at(field, format!("not valid base64: {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use polyfaas_core::Provider;

    fn ctx(dir: &std::path::Path) -> Context {
        Context::builder(Provider::AZURE, "t")
            .scratch_base(dir)
            .build()
    }

    async fn receive_chunked(
        body: Vec<u8>,
        chunk: usize,
        ctx: &Context,
    ) -> Result<ReceivedBlob, Rejection> {
        let chunks: Vec<Result<bytes::Bytes, std::io::Error>> = body
            .chunks(chunk)
            .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
            .collect();
        let body = Body::from_stream(futures_util::stream::iter(chunks));
        receive(body, "myBlob", ctx, 1024).await
    }

    fn bad_input(rejection: Rejection) -> BadInput {
        match rejection {
            Rejection::BadInput(error) => error,
            Rejection::Failure(failure) => panic!("not bad input: {failure}"),
        }
    }

    #[tokio::test]
    async fn content_is_decoded_to_a_file_whatever_the_chunking() {
        let content: Vec<u8> = (0..10_000u32).map(|i| (i * 31 % 256) as u8).collect();
        let body = serde_json::json!({
            "Data": {"myBlob": BASE64.encode(&content)},
            "Metadata": {"name": "\"a.bin\""}
        })
        .to_string()
        .replace('/', "\\/");
        for chunk in [1, 3, 5, 4096, usize::MAX / 2] {
            let dir = tempfile::tempdir().unwrap();
            let ctx = ctx(dir.path());
            let got = receive_chunked(body.clone().into_bytes(), chunk, &ctx)
                .await
                .unwrap();
            let file = got.file.unwrap();
            assert_eq!(std::fs::read(&file.path).unwrap(), content, "chunk {chunk}");
            assert_eq!(file.len, content.len() as u64);
            assert_eq!(got.envelope.data["myBlob"], "");
            let renamed = rename_for_key(file, "dir/a.bin", &ctx).await.unwrap();
            assert!(renamed.path.to_string_lossy().ends_with("a.bin"));
            drop(ctx);
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        }
    }

    #[tokio::test]
    async fn bad_base64_is_named() {
        let dir = tempfile::tempdir().unwrap();
        for (text, why) in [
            ("QUJD*", "not a multiple of 4"),
            ("QQ==QUJD", "follows the `=` padding"),
            ("QU*D", "Invalid"),
            ("QUJ\\nD", "escape \\n"),
        ] {
            let body = format!(r#"{{"Data": {{"myBlob": "{text}"}}}}"#).into_bytes();
            let err = bad_input(
                receive_chunked(body, 2, &ctx(dir.path()))
                    .await
                    .unwrap_err(),
            );
            assert_eq!(err.path(), "Data.myBlob");
            let err = err.to_string();
            assert!(err.starts_with("Data.myBlob: not valid base64"), "{err}");
            assert!(err.contains(why), "{text}: {err}");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn the_limit_counts_the_envelope_but_not_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = ctx(dir.path());
        // 10 KiB of content under a 1 KiB limit: the content goes to disk, uncounted.
        let content = BASE64.encode(vec![7u8; 10 * 1024]);
        let body = format!(r#"{{"Data": {{"myBlob": "{content}"}}, "Metadata": {{}}}}"#);
        let got = receive_chunked(body.into_bytes(), 4096, &ctx)
            .await
            .unwrap();
        assert_eq!(got.file.unwrap().len, 10 * 1024);
        // 2 KiB of metadata over it is refused, naming the variable.
        let body = format!(
            r#"{{"Data": {{"myBlob": "QUJD"}}, "Metadata": {{"x": "{}"}}}}"#,
            "m".repeat(2048)
        );
        match receive_chunked(body.into_bytes(), 512, &ctx)
            .await
            .unwrap_err()
        {
            Rejection::Failure(failure) => {
                assert_eq!(failure.status(), 413);
                assert!(
                    failure.message().contains("POLYFAAS_BODY_LIMIT"),
                    "{failure}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn an_empty_blob_is_an_empty_file_and_a_missing_one_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = ctx(dir.path());
        let got = receive_chunked(br#"{"Data": {"myBlob": ""}}"#.to_vec(), 7, &ctx)
            .await
            .unwrap();
        assert_eq!(std::fs::read(got.file.unwrap().path).unwrap(), b"");
        let got = receive_chunked(
            br#"{"Data": {"myBlob": {"Version": "1.0"}}}"#.to_vec(),
            7,
            &ctx,
        )
        .await
        .unwrap();
        assert!(got.file.is_none());
        assert_eq!(got.envelope.data["myBlob"]["Version"], "1.0");
    }
}
