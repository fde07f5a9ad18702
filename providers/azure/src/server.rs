//! The HTTP server the host talks to, on core's server loop (which drains request bodies a
//! route answers without reading, so the host always receives the answer): readiness on
//! `GET /`, envelopes on `POST /<function>`, and forwarded HTTP requests
//! (`enableForwardingHttpRequest`) on every other path.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::routing::any;
use axum::Router;
use http::{Method, StatusCode};
use polyfaas_core::blob::{self, Blobs, EnvVars, Scheme};
use polyfaas_core::server::{Drain, RequestBody};
use polyfaas_core::{Error, Handler, Invoker, Provider, StartupError};
use tower::ServiceExt as _;

use crate::app::{App, INVOCATION_ID};
use crate::config::AzureConfig;
use crate::function_json::{FunctionDef, Functions};
use crate::{forwarding, invocation, response};

/// How long requests in flight may take to finish after the shutdown signal.
const DRAIN: Duration = Duration::from_secs(10);

/// The most of a refused request body read and dropped so the host receives the answer, and
/// the longest that may take.
const UNREAD_BODY_LIMIT: u64 = 1 << 30;
const UNREAD_BODY_TIME: Duration = Duration::from_secs(60);

/// Serves `handler` on `config.addr()` until `shutdown` completes, then finishes the requests
/// in flight (up to 10 s). Binds the port, then reads every `function.json` under
/// `config.app_root` and opens the blob store; any of them failing is an error naming the port,
/// file or variable.
///
/// The port is bound first because the host's readiness check is an answer to `GET /`, polled
/// every 25 ms, not an open port: a probe that connects while the app is still loading waits in
/// the listen queue and is answered as soon as the server runs, where a refused one would be
/// tried again only 25 ms later.
pub async fn serve<H: Handler>(
    handler: H,
    config: AzureConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let addr = config.addr();
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        StartupError::new(format!(
            "cannot listen on {addr} (FUNCTIONS_CUSTOMHANDLER_PORT)"
        ))
        .with_source(e)
    })?;
    let functions = Functions::load(&config.app_root)?;
    let blobs = open_blobs()?;
    tracing::info!(
        %addr,
        app_root = %config.app_root.display(),
        functions = functions.len(),
        body_limit = config.body_limit,
        "Azure Functions custom handler ready"
    );
    let invoker = Invoker::builder(Provider::AZURE, handler)
        .blobs(blobs)
        .timeout(config.function_timeout)
        .output_bindings(true)
        .build();
    let router = router(Arc::new(App {
        invoker,
        functions,
        config,
    }));
    let service = move |request: http::Request<RequestBody>, _peer| {
        let answer = router.clone().oneshot(request.map(Body::new));
        async move {
            answer
                .await
                .map(|response| response.map(polyfaas_core::server::boxed))
        }
    };
    // A refused blob envelope can be far larger than core's default drain (a 100 MB blob is
    // 133 MB of base64): the host, cut off while still sending, would get a reset instead of
    // the answer.
    let drain = Drain::new(DRAIN).unread_bodies(UNREAD_BODY_LIMIT, UNREAD_BODY_TIME);
    polyfaas_core::server::serve(listener, service, shutdown, drain).await;
    Ok(())
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
            invocation::unknown_function(&app, &name, request.headers())
        }
        _ => forwarding::handle(app, request).await,
    }
}

async fn forward(State(app): State<Arc<App>>, request: Request) -> http::Response<Body> {
    forwarding::handle(app, request).await
}
