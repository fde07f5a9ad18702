//! The HTTP server the host talks to: readiness on `GET /`, envelopes on `POST /<function>`,
//! and forwarded HTTP requests (`enableForwardingHttpRequest`) on every other path.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::routing::any;
use axum::Router;
use http::{HeaderMap, Method, StatusCode};
use polyfaas_core::blob::{self, Blobs, EnvVars, Scheme};
use polyfaas_core::{Context, ContextBuilder, Error, Handler, Provider, StartupError};

use crate::config::AzureConfig;
use crate::error::PayloadError;
use crate::function_json::{FunctionDef, Functions};
use crate::{forwarding, invocation, response};

/// The header carrying the host's invocation id.
pub(crate) const INVOCATION_ID: &str = "x-azure-functions-invocationid";

/// What every request handler shares.
pub(crate) struct App {
    pub(crate) handler: Arc<dyn Handler>,
    pub(crate) functions: Functions,
    pub(crate) blobs: Blobs,
    pub(crate) config: AzureConfig,
    fallback_ids: AtomicU64,
}

impl App {
    /// A context for one invocation, with the store, the deadline and a capturing span.
    pub(crate) fn context(
        &self,
        request_id: &str,
        function: Option<&str>,
        span: tracing::Span,
    ) -> ContextBuilder {
        let mut builder = Context::builder(Provider::AZURE, request_id)
            .blobs(self.blobs.clone())
            .span(span);
        if let Some(name) = function {
            builder = builder.function_name(name);
        }
        if let Some(timeout) = self.config.function_timeout {
            builder = builder.timeout(timeout);
        }
        builder
    }

    /// The host's invocation id, or one made up when a caller other than the host left it out.
    pub(crate) fn invocation_id(&self, headers: &HeaderMap) -> String {
        headers
            .get(INVOCATION_ID)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .map_or_else(
                || {
                    let n = self.fallback_ids.fetch_add(1, Ordering::Relaxed);
                    format!("azure-{}-{n}", std::process::id())
                },
                str::to_owned,
            )
    }
}

/// Serves `handler` on `config.addr()` until `shutdown` completes, then finishes the requests
/// in flight. Reads every `function.json` under `config.app_root` and opens the blob store
/// (`polyfaas_core::blob::for_provider`) first; either failing is an error naming the file or
/// variable.
pub async fn serve<H: Handler>(
    handler: H,
    config: AzureConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let functions = Functions::load(&config.app_root)?;
    let blobs = open_blobs()?;
    let addr = config.addr();
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        Error::startup(format!(
            "cannot listen on {addr} (FUNCTIONS_CUSTOMHANDLER_PORT): {e}"
        ))
    })?;
    tracing::info!(
        %addr,
        app_root = %config.app_root.display(),
        functions = functions.len(),
        "Azure Functions custom handler ready"
    );
    let app = Arc::new(App {
        handler: Arc::new(handler),
        functions,
        blobs,
        config,
        fallback_ids: AtomicU64::new(0),
    });
    axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| Error::startup(format!("the server on {addr} failed: {e}")))
}

/// The blob store: `POLYFAAS_BLOB_URL`, else Azure Blob Storage in each blob event's own
/// container when a storage account is configured (`AzureWebJobsStorage`, which the Functions
/// host always sets, stands in for `AZURE_STORAGE_CONNECTION_STRING`), else a local directory.
fn open_blobs() -> Result<Blobs, StartupError> {
    const SETTINGS: [&str; 3] = [
        "AZURE_STORAGE_CONNECTION_STRING",
        "AZURE_STORAGE_ACCOUNT_NAME",
        "AZURE_STORAGE_USE_EMULATOR",
    ];
    let mut env = EnvVars::process();
    let from_webjobs =
        !env.has("AZURE_STORAGE_CONNECTION_STRING") && env.get("AzureWebJobsStorage").is_some();
    if let Some(conn) = env.get("AzureWebJobsStorage").map(str::to_owned) {
        if from_webjobs {
            env.set("AZURE_STORAGE_CONNECTION_STRING", conn);
        }
    }
    let open = |env: &EnvVars| blob::cloud_or_local(Scheme::Azure, &SETTINGS, env);
    blob::from_env(&env, open).map_err(|e| {
        if from_webjobs {
            StartupError::new(
                "cannot open the blob store (AZURE_STORAGE_CONNECTION_STRING taken from AzureWebJobsStorage)",
            )
            .with_source(e)
        } else {
            e.into()
        }
    })
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", any(root))
        .route("/{function}", any(one_segment))
        .fallback(forward)
        .with_state(app)
}

/// The host's readiness probe (and later pings): any answer means ready. A forwarded request
/// for `/` (an empty route prefix and route) carries an invocation id.
async fn root(State(app): State<Arc<App>>, request: Request) -> http::Response<Body> {
    if request.method() == Method::GET && !request.headers().contains_key(INVOCATION_ID) {
        return response::json_response(StatusCode::OK, r#"{"ready":true}"#.to_owned());
    }
    forwarding::handle(app, request).await
}

/// `POST /<function>`: an envelope for that function (400 when there is no such function);
/// any other method, or a path that a forwarded function's route matches: a forwarded request.
async fn one_segment(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    request: Request,
) -> http::Response<Body> {
    let function: Option<Arc<FunctionDef>> = app.functions.get(&name).cloned();
    let is_post = request.method() == Method::POST;
    match function {
        Some(function) if is_post => invocation::handle(app, function, request).await,
        None if is_post && forwarding::function_for(&app, request.uri().path()).is_none() => {
            let error = PayloadError::UnknownFunction {
                name,
                app_root: app.config.app_root.clone(),
            };
            response::payload_error(&error, Vec::new())
        }
        _ => forwarding::handle(app, request).await,
    }
}

async fn forward(State(app): State<Arc<App>>, request: Request) -> http::Response<Body> {
    forwarding::handle(app, request).await
}
