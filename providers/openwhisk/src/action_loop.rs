//! ActionLoop mode: started once by the proxy; one JSON line per activation on stdin, one result
//! line per activation on fd 3.

use polyfaas_core::{Error, Invoker, StartupError};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::activation::Activation;
use crate::invocation::activate;
use crate::result::error_result;
use crate::result_pipe::ResultPipe;

/// The acknowledgement the proxy waits for when `__OW_WAIT_FOR_ACK` is set.
const ACK: &[u8] = br#"{"ok":true}"#;

/// Serves activations until stdin closes (the proxy is gone), then returns `Ok`.
///
/// Handler errors, panics and malformed lines give error results; only losing fd 3 or stdin
/// ends the loop with an error.
pub(crate) async fn serve(invoker: &Invoker, ack: bool) -> Result<(), Error> {
    let mut results = ResultPipe::open()?;
    let send_failed = |e: std::io::Error| {
        StartupError::new("could not write the result line to fd 3").with_source(e)
    };
    if ack {
        results.send(ACK).map_err(send_failed)?;
    }
    tracing::info!(ack, "OpenWhisk ActionLoop ready");
    let mut stdin = BufReader::new(tokio::io::stdin());
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = stdin.read_until(b'\n', &mut line).await.map_err(|e| {
            StartupError::new("could not read the next activation from stdin").with_source(e)
        })?;
        if read == 0 {
            tracing::info!("stdin closed; the ActionLoop ends");
            return Ok(());
        }
        let result = answer(invoker, &line).await;
        results.send(&result).map_err(send_failed)?;
    }
}

/// One ActionLoop input line through the decoder, the handler and the encoder: the result line.
pub(crate) async fn answer(invoker: &Invoker, line: &[u8]) -> Vec<u8> {
    match Activation::from_line(line) {
        Ok(activation) => activate(invoker, activation).await,
        Err(error) => error_result(invoker.refuse(&error, None).message()),
    }
}
