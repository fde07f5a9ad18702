//! For the fuzz targets (`fuzz/`), hidden from the docs: the shim's decoders reached without a
//! server, exactly as `invocation.rs` calls them.

use std::path::Path;

use axum::body::{Body, Bytes};
use polyfaas_core::{BadInput, Context, Event, Provider};

use crate::blob_file;
use crate::function_json::FunctionDef;
use crate::payload::Envelope;

/// The events an envelope becomes under `function`'s trigger (every record of a batch), or the
/// bad input the shim answers with: the server's own decoder (`decode.rs`). A blob trigger's
/// envelope is taken as it is after its content was split out ([`receive_blob`]).
pub fn decode(function: &FunctionDef, envelope: &Envelope) -> Result<Vec<Event>, BadInput> {
    envelope.check_method_name(&function.name)?;
    Ok(crate::decode::decode(function, envelope.clone())?.into_events())
}

/// A blob trigger's request body, sent in `chunk`-byte pieces, through the streaming reader that
/// writes `Data.<binding>` to a scratch file under `scratch` while the body arrives: the rest of
/// the envelope and the decoded file's bytes, or why the request was refused.
pub async fn receive_blob(
    body: &[u8],
    chunk: usize,
    binding: &str,
    scratch: &Path,
) -> Result<(Envelope, Option<Vec<u8>>), String> {
    let pieces: Vec<Result<Bytes, std::convert::Infallible>> = body
        .chunks(chunk.max(1))
        .map(|piece| Ok(Bytes::copy_from_slice(piece)))
        .collect();
    let body = Body::from_stream(futures_util::stream::iter(pieces));
    let ctx = Context::builder(Provider::AZURE, "fuzz")
        .scratch_base(scratch)
        .build();
    let received = blob_file::receive(body, binding, &ctx, usize::MAX)
        .await
        .map_err(|rejection| format!("{rejection:?}"))?;
    let content = match &received.file {
        Some(file) => Some(std::fs::read(&file.path).map_err(|e| e.to_string())?),
        None => None,
    };
    Ok((received.envelope, content))
}
