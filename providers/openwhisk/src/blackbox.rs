//! Blackbox mode (the `openwhisk/dockerskeleton` proxy, `wsk action create --native`): one
//! process per activation; the JSON argument as argv\[1\] (or on stdin when it is too long for
//! the command line); the result as the last stdout line.

use std::io::Write;

use polyfaas_core::blob::Blobs;
use polyfaas_core::{Error, Handler};
use serde_json::Value;
use tokio::io::AsyncReadExt;

use crate::activation::Activation;
use crate::error::ActivationError;
use crate::invocation::activate;
use crate::result::error_result;

/// Runs the one activation and prints its result as the last stdout line.
pub(crate) async fn run_once<H: Handler>(
    handler: &H,
    blobs: &Blobs,
    argument: Option<String>,
) -> Result<(), Error> {
    let result = match read_activation(argument).await {
        Ok(activation) => activate(handler, blobs, activation).await,
        Err(error) => {
            tracing::warn!(%error, "bad blackbox argument");
            error_result(&error.to_string())
        }
    };
    let _ = std::io::stderr().flush();
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&result)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush())
        .map_err(|e| Error::startup(format!("could not print the result on stdout: {e}")))
}

async fn read_activation(argument: Option<String>) -> Result<Activation, ActivationError> {
    let text = match argument {
        Some(text) => text.into_bytes(),
        None => {
            let mut text = Vec::new();
            tokio::io::stdin()
                .read_to_end(&mut text)
                .await
                .map_err(ActivationError::Stdin)?;
            text
        }
    };
    let value: Value = if text.iter().all(u8::is_ascii_whitespace) {
        Value::Object(serde_json::Map::new())
    } else {
        serde_json::from_slice(&text).map_err(ActivationError::Argument)?
    };
    Activation::from_env(value, |name| std::env::var(name).ok())
}
