//! Apache OpenWhisk shim for polyfaas: ActionLoop over stdin and fd 3, blackbox mode, web
//! actions.
//!
//! Applications don't call this crate directly: build with the `openwhisk` feature of
//! `polyfaas` and `polyfaas::run` comes here.
//!
//! ```no_run
//! use polyfaas_core::{handler_fn, Context, Error, Event, Response};
//! use polyfaas_openwhisk::ActivationInfo;
//!
//! async fn handle(event: Event, ctx: Context) -> Result<Response, Error> {
//!     let action = ctx.extra::<ActivationInfo>().and_then(|a| a.action_name.clone());
//!     match event {
//!         Event::Http(req) => Ok(Response::text(format!("{} from {action:?}", req.uri()))),
//!         Event::Invoke(params) => Response::json(&serde_json::json!({ "got": params })),
//!         _ => Ok(Response::ok()),
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     polyfaas_openwhisk::run(handler_fn(handle)).await
//! }
//! ```
//!
//! How the process was started decides the mode:
//! - **ActionLoop** (`--docker openwhisk/actionloop-base` and the other ActionLoop images): the
//!   proxy sets `__OW_PROXY_VERSION` and passes a pipe as fd 3. If `__OW_WAIT_FOR_ACK` is set
//!   the shim first writes `{"ok":true}` there; then it reads one activation per stdin line and
//!   writes one result line to fd 3, after flushing stdout and stderr, until stdin closes.
//! - **Blackbox** (`--native`, the `openwhisk/dockerskeleton` image): a new process per
//!   activation, the parameters as argv\[1\] or on stdin, the other fields in `__OW_*`
//!   variables; the result is the last stdout line.
//!
//! Each activation becomes an [`Event`](polyfaas_core::Event): a web action (its parameters
//! have `__ow_method`) becomes `Event::Http` and its response the `{statusCode, headers, body}`
//! result (`__ow_method` by core's method rule, `post` → `POST`; one leading `?` of `__ow_query`
//! dropped); an alarm — an activation whose parameters carry [`SCHEDULE_PARAMETER`]
//! (`polyfaas_schedule`, the schedule's name, which `cargo polyfaas package` puts in every alarm
//! trigger's payload) — becomes `Event::Schedule`, and nothing else ever does; anything else is
//! `Event::Invoke` with the parameters, and the handler's JSON body is the activation result. The context has the activation id as request id (an activation that
//! came without one gets a generated id, `openwhisk-<start time>-<n>`, and a warning in the log;
//! never an empty one), the
//! action name as function name, the activation's deadline, the transaction id as trace id, and
//! an [`ActivationInfo`] extra (`openwhisk.activation`; its API key is never logged and never
//! serialised).
//!
//! Failures are results too, and the loop goes on: `{"error": "<message>"}` for a handler
//! error, panic, timeout or malformed activation line (a panic's message names the request id,
//! see [`PANIC_MESSAGE`](polyfaas_core::PANIC_MESSAGE); its text goes to stderr only); web actions
//! get `{"error": {"statusCode": 500, "headers": ..., "body": ...}}` with the failure's status
//! (400 for a malformed web request, 504 past the deadline), which the controller turns into that
//! HTTP response.
//!
//! Packaging: the `package` feature adds the `polyfaas-openwhisk-package` command, which writes
//! the zip for `wsk action create NAME --native action.zip` (see the `package` module and the README).

#![deny(missing_docs)]
#![deny(unsafe_code)]

mod action_loop;
mod activation;
mod blackbox;
mod invocation;
#[cfg(feature = "package")]
pub mod package;
mod result;
#[allow(unsafe_code)]
mod result_pipe;
mod schedule;
mod web;

pub use activation::{ActivationInfo, ApiKey};
pub use schedule::SCHEDULE_PARAMETER;

use polyfaas_core::{Error, Handler, Invoker, Provider};

/// Whether this process was started by OpenWhisk: the ActionLoop proxy's variables, or the
/// `__OW_*` variables every OpenWhisk container has.
pub fn detected() -> bool {
    [
        "__OW_PROXY_VERSION",
        "__OW_WAIT_FOR_ACK",
        "__OW_API_HOST",
        "__OW_ACTION_NAME",
    ]
    .iter()
    .any(|v| std::env::var_os(v).is_some())
}

/// How the process was started.
#[derive(Debug, PartialEq)]
enum Mode {
    /// Under the ActionLoop proxy; `ack`: write `{"ok":true}` to fd 3 first.
    ActionLoop { ack: bool },
    /// Under the blackbox proxy: the argument from argv\[1\], or stdin if `None`.
    Blackbox { argument: Option<String> },
}

impl Mode {
    fn detect(var: impl Fn(&str) -> Option<String>, argument: Option<String>) -> Mode {
        let ack = var("__OW_WAIT_FOR_ACK").is_some_and(|v| !v.is_empty());
        if ack || var("__OW_PROXY_VERSION").is_some() {
            Mode::ActionLoop { ack }
        } else {
            Mode::Blackbox { argument }
        }
    }
}

/// Runs `handler` as an OpenWhisk action: the ActionLoop until the proxy closes stdin, or one
/// blackbox activation.
///
/// Sets up logging on stderr (`RUST_LOG`, default `info`) and the blob store
/// (`POLYFAAS_BLOB_URL`). Fails at start-up when fd 3 is not usable in ActionLoop mode or the blob
/// store URL is invalid, and later only when fd 3 or stdin fail.
pub async fn run<H: Handler>(handler: H) -> Result<(), Error> {
    polyfaas_core::shim::init_logging();
    let blobs = polyfaas_core::blob::from_env(&polyfaas_core::blob::EnvVars::process(), |_| {
        Ok(polyfaas_core::blob::local_fallback())
    })
    .map_err(polyfaas_core::StartupError::from)?;
    let invoker = Invoker::builder(Provider::OPENWHISK, handler)
        .blobs(blobs)
        .build();
    let argument = std::env::args().nth(1);
    match Mode::detect(|name| std::env::var(name).ok(), argument) {
        Mode::ActionLoop { ack } => action_loop::serve(&invoker, ack).await,
        Mode::Blackbox { argument } => blackbox::run_once(&invoker, argument).await,
    }
}

/// For fuzzing: one ActionLoop input line through the whole activation path (the line's
/// decoder, web actions and alarms, the handler, the result encoder), returning the result line.
#[doc(hidden)]
pub async fn fuzz_activation_line(invoker: &polyfaas_core::Invoker, line: &[u8]) -> Vec<u8> {
    action_loop::answer(invoker, line).await
}

/// Apache OpenWhisk as a [`Platform`](polyfaas_core::Platform), for `polyfaas::run`.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenWhisk;

impl polyfaas_core::Platform for OpenWhisk {
    fn provider(&self) -> Provider {
        Provider::OPENWHISK
    }

    fn detected(&self) -> bool {
        detected()
    }

    fn run(
        &self,
        handler: std::sync::Arc<dyn Handler>,
        shutdown: polyfaas_core::Shutdown,
    ) -> polyfaas_core::platform::RunFuture {
        Box::pin(async move {
            // `run` returns once the platform has told the process to stop.
            let served = run(handler).await;
            shutdown.run().await;
            served
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_variables_choose_the_action_loop() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let arg = || Some("{}".to_owned());
        assert_eq!(
            Mode::detect(env(&[("__OW_PROXY_VERSION", "1.17.1")]), None),
            Mode::ActionLoop { ack: false }
        );
        assert_eq!(
            Mode::detect(env(&[("__OW_WAIT_FOR_ACK", "1")]), None),
            Mode::ActionLoop { ack: true }
        );
        assert_eq!(
            Mode::detect(
                env(&[("__OW_WAIT_FOR_ACK", ""), ("__OW_PROXY_VERSION", "1")]),
                None
            ),
            Mode::ActionLoop { ack: false }
        );
        assert_eq!(
            Mode::detect(env(&[("__OW_API_HOST", "h")]), arg()),
            Mode::Blackbox { argument: arg() }
        );
        assert_eq!(
            Mode::detect(env(&[]), None),
            Mode::Blackbox { argument: None }
        );
    }
}
