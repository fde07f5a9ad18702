//! The order of the custom handler's start-up. The host's readiness check is an answer to
//! `GET /`, polled every 25 ms (../shared/protocols/azure.md, "Readiness"), so the shim binds
//! its port before it reads the app: a poll that connects while the app loads waits in the
//! listen queue instead of being refused and tried again 25 ms later.

use polyfaas_azure::AzureConfig;
use polyfaas_core::{handler_fn, Context, Error, Event, Response};

async fn echo(_event: Event, _ctx: Context) -> Result<Response, Error> {
    Ok(Response::text("unused"))
}

/// An app whose one `function.json` is not JSON.
fn broken_app() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("orders")).unwrap();
    std::fs::write(root.path().join("orders").join("function.json"), "{").unwrap();
    root
}

async fn start_error(port: u16, root: &tempfile::TempDir) -> String {
    let config = AzureConfig::new(port, root.path());
    polyfaas_azure::serve(handler_fn(echo), config, std::future::pending())
        .await
        .expect_err("the start-up should fail")
        .to_string()
}

#[tokio::test]
async fn the_port_is_bound_before_the_app_is_read() {
    let root = broken_app();
    // The port is taken and the app is broken: the first thing start-up does, binding, fails.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let error = start_error(port, &root).await;
    assert!(
        error.contains("FUNCTIONS_CUSTOMHANDLER_PORT"),
        "the app was read before the port was bound: {error}"
    );
    // With the port free, the same app fails on its function.json, named.
    drop(taken);
    let error = start_error(port, &root).await;
    assert!(error.contains("function.json"), "{error}");
}
