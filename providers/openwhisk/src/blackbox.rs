//! Blackbox mode (the `openwhisk/dockerskeleton` proxy, `wsk action create --native`): one
//! process per activation; the JSON argument as argv\[1\] (or on stdin when it is too long for
//! the command line); the result as the last stdout line.

use std::io::Write;

use polyfaas_core::shim::parse_at;
use polyfaas_core::{BadInput, Error, Failure, Invoker, StartupError};
use serde_json::Value;
use tokio::io::AsyncReadExt;

use crate::activation::Activation;
use crate::invocation::activate;
use crate::result::error_result;

/// Runs the one activation and prints its result as the last stdout line.
pub(crate) async fn run_once(invoker: &Invoker, argument: Option<String>) -> Result<(), Error> {
    let result = match read_argument(argument).await {
        Ok(text) => match activation(&text) {
            Ok(activation) => activate(invoker, activation).await,
            Err(error) => error_result(invoker.refuse(&error, None).message()),
        },
        Err(failure) => {
            tracing::error!(%failure, "no activation to run");
            error_result(failure.message())
        }
    };
    let _ = std::io::stderr().flush();
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&result)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush())
        .map_err(|e| StartupError::new("could not print the result on stdout").with_source(e))?;
    Ok(())
}

/// The argument: argv\[1\], else all of stdin. Stdin that cannot be read is the shim's failure,
/// not the caller's.
async fn read_argument(argument: Option<String>) -> Result<Vec<u8>, Failure> {
    match argument {
        Some(text) => Ok(text.into_bytes()),
        None => {
            let mut text = Vec::new();
            tokio::io::stdin()
                .read_to_end(&mut text)
                .await
                .map_err(|e| {
                    Failure::internal(
                        "StdinError",
                        format!("could not read the action's argument from stdin: {e}"),
                    )
                })?;
            Ok(text)
        }
    }
}

/// The activation of a blackbox run: the argument's JSON (none at all is `{}`) and the `__OW_*`
/// variables.
fn activation(text: &[u8]) -> Result<Activation, BadInput> {
    let value: Value = if text.iter().all(u8::is_ascii_whitespace) {
        Value::Object(serde_json::Map::new())
    } else {
        parse_at(text, "").map_err(|e| {
            BadInput::new(format!(
                "the action's argument is not JSON: {}",
                e.message()
            ))
            .with_source(e)
        })?
    };
    Activation::from_env(value, |name| std::env::var(name).ok())
}
