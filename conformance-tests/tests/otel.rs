//! The `opentelemetry` feature, end to end: the real `echo` binary built with it, on the local
//! provider, exports its invocation span over OTLP/HTTP (protobuf) to a receiver this test
//! runs, in the caller's W3C trace; without the OTEL variables it sets up no exporter at all.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use conformance_tests::build::workspace_root;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{any_value, KeyValue};
use opentelemetry_proto::tonic::trace::v1::Span;
use polyfaas_testkit::build::Build;
use polyfaas_testkit::client::{json, send};
use polyfaas_testkit::local::LocalServer;
use polyfaas_testkit::process::Signal;
use polyfaas_testkit::{sample, Function, Params, Platform};
use prost::Message as _;

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";

/// echo with its default platform (local) and the `opentelemetry` feature.
fn echo_with_otel() -> PathBuf {
    Build::plain("echo-opentelemetry")
        .current_dir(workspace_root())
        .package("echo")
        .bin("echo")
        .feature("opentelemetry")
        .run()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// echo with the Lambda shim as well (the Runtime API's variables select it) and the feature.
fn echo_on_lambda_with_otel() -> PathBuf {
    Build::plain("echo-aws-opentelemetry")
        .current_dir(workspace_root())
        .package("echo")
        .bin("echo")
        .feature("aws")
        .feature("opentelemetry")
        .run()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// What an OTLP/HTTP receiver got: each request's path, and the decoded trace exports.
#[derive(Clone, Default)]
struct Received {
    paths: Arc<Mutex<Vec<String>>>,
    exports: Arc<Mutex<Vec<ExportTraceServiceRequest>>>,
}

impl Received {
    fn spans(&self) -> Vec<(Vec<KeyValue>, Span)> {
        let exports = self.exports.lock().unwrap();
        let mut spans = Vec::new();
        for export in exports.iter() {
            for resource_spans in &export.resource_spans {
                let resource = resource_spans
                    .resource
                    .as_ref()
                    .map(|r| r.attributes.clone())
                    .unwrap_or_default();
                for scope in &resource_spans.scope_spans {
                    for span in &scope.spans {
                        spans.push((resource.clone(), span.clone()));
                    }
                }
            }
        }
        spans
    }
}

/// A real OTLP/HTTP receiver on 127.0.0.1: `POST /v1/traces` with a protobuf
/// `ExportTraceServiceRequest` is decoded and kept; anything else is a 404 (and kept as a path).
async fn receiver() -> (SocketAddr, Received) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let received = Received::default();
    let shared = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let received = shared.clone();
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let received = received.clone();
                async move { Ok::<_, hyper::Error>(receive(request, &received).await) }
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service),
            );
        }
    });
    (addr, received)
}

async fn receive(request: Request<Incoming>, received: &Received) -> Response<Full<Bytes>> {
    let path = request.uri().path().to_owned();
    received.paths.lock().unwrap().push(path.clone());
    let protobuf = request
        .headers()
        .get("content-type")
        .is_some_and(|v| v == "application/x-protobuf");
    let body = request.into_body().collect().await.unwrap().to_bytes();
    let status = match (path.as_str(), protobuf) {
        ("/v1/traces", true) => match ExportTraceServiceRequest::decode(body) {
            Ok(export) => {
                received.exports.lock().unwrap().push(export);
                200
            }
            Err(_) => 400,
        },
        _ => 404,
    };
    let answer = ExportTraceServiceResponse::default().encode_to_vec();
    Response::builder()
        .status(status)
        .header("content-type", "application/x-protobuf")
        .body(Full::new(Bytes::from(answer)))
        .unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The string value of `key` among `attributes`.
fn text<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
    attributes.iter().find(|kv| kv.key == key).and_then(|kv| {
        match kv.value.as_ref()?.value.as_ref()? {
            any_value::Value::StringValue(s) => Some(s.as_str()),
            _ => None,
        }
    })
}

/// The names of the process's threads (Linux), cut to 15 bytes as the kernel keeps them.
fn thread_names(pid: u32) -> Vec<String> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).unwrap();
    tasks
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim().to_owned())
        .collect()
}

/// echo (with the feature) on the local provider, with `env`.
fn start(env: &[(&str, &str)]) -> LocalServer {
    LocalServer::start(&echo_with_otel(), env).unwrap_or_else(|e| panic!("start echo: {e}"))
}

/// SIGTERM, then the exit (the shutdown path flushes the spans), off the runtime's threads so
/// the receiver keeps serving.
async fn stop(mut echo: LocalServer) -> LocalServer {
    tokio::task::spawn_blocking(move || {
        echo.process.signal(Signal::Term).unwrap();
        let status = echo.process.wait_timeout(Duration::from_secs(20));
        assert!(
            status.is_some_and(|s| s.success()),
            "echo did not exit cleanly after SIGTERM: {status:?}\n{}",
            echo.process.output()
        );
        echo
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invocation_span_is_exported_in_the_callers_trace_and_flushed_at_shutdown() {
    let (addr, received) = receiver().await;
    let endpoint = format!("http://{addr}");
    let echo = start(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        // Only the shutdown flush can export within the test: the batch's own schedule is
        // ten minutes away.
        ("OTEL_BSP_SCHEDULE_DELAY", "600000"),
    ]);
    let names = thread_names(echo.process.id());
    assert!(
        names.iter().any(|n| n.starts_with("OpenTelemetry")),
        "no span export thread: {names:?}"
    );

    let request = http::Request::get("/traced")
        .header("traceparent", format!("00-{TRACE_ID}-{PARENT_ID}-01"))
        .body(Bytes::new())
        .unwrap();
    let response = send(echo.addr, request).await;
    assert_eq!(response.status(), 200);
    let document = json(&response);
    let request_id = document["context"]["request_id"]
        .as_str()
        .expect("a request id")
        .to_owned();
    assert!(
        received.exports.lock().unwrap().is_empty(),
        "exported before the shutdown flush"
    );

    let echo = stop(echo).await;
    let spans = received.spans();
    let (resource, span) = spans
        .iter()
        .find(|(_, span)| {
            span.name == "invocation" && text(&span.attributes, "request_id") == Some(&request_id)
        })
        .unwrap_or_else(|| {
            panic!(
                "no invocation span for {request_id}; received {:?}, spans {:?}\n{}",
                received.paths.lock().unwrap(),
                spans.iter().map(|(_, s)| &s.name).collect::<Vec<_>>(),
                echo.process.output()
            )
        });
    assert_eq!(hex(&span.trace_id), TRACE_ID);
    assert_eq!(hex(&span.parent_span_id), PARENT_ID);
    assert_eq!(span.span_id.len(), 8);
    assert_ne!(hex(&span.span_id), PARENT_ID);
    assert_eq!(
        text(&span.attributes, "faas.invocation_id"),
        Some(request_id.as_str())
    );
    assert_eq!(text(&span.attributes, "cloud.provider"), Some("local"));
    assert_eq!(text(&span.attributes, "provider"), Some("local"));
    assert_eq!(text(&span.attributes, "faas.name"), Some("echo"));
    assert_eq!(text(&span.attributes, "trace_id"), Some(TRACE_ID));
    // The service is the function (the binary's name) when OTEL_SERVICE_NAME is not set.
    assert_eq!(text(resource, "service.name"), Some("echo"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn otel_service_name_names_the_service() {
    let (addr, received) = receiver().await;
    let endpoint = format!("http://{addr}/v1/traces");
    let echo = start(&[
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", endpoint.as_str()),
        ("OTEL_SERVICE_NAME", "checkout"),
    ]);
    // No traceparent: the span starts a trace of its own.
    assert_eq!(send(echo.addr, get("/plain")).await.status(), 200);
    stop(echo).await;
    let spans = received.spans();
    let (resource, span) = spans
        .iter()
        .find(|(_, span)| span.name == "invocation")
        .expect("an invocation span");
    assert_eq!(text(resource, "service.name"), Some("checkout"));
    assert_eq!(span.trace_id.len(), 16);
    assert!(span.parent_span_id.is_empty(), "{span:?}");
}

fn get(path: &str) -> http::Request<Bytes> {
    http::Request::get(path).body(Bytes::new()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_otel_variables_nothing_is_set_up_and_echo_serves() {
    let echo =
        LocalServer::start(&echo_with_otel(), &[]).unwrap_or_else(|e| panic!("start echo: {e}"));
    let request = http::Request::get("/quiet")
        .header("traceparent", format!("00-{TRACE_ID}-{PARENT_ID}-01"))
        .body(Bytes::new())
        .unwrap();
    let response = send(echo.addr, request).await;
    assert_eq!(response.status(), 200);
    // No exporter thread, no HTTP client runtime.
    let names = thread_names(echo.process.id());
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("OpenTelemetry") || n.starts_with("reqwest")),
        "an exporter was set up: {names:?}"
    );
    stop(echo).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_endpoint_is_a_startup_warning_and_echo_serves() {
    let echo = start(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")]);
    assert_eq!(send(echo.addr, get("/still-up")).await.status(), 200);
    let echo = stop(echo).await;
    let output = echo.process.output();
    assert!(
        output.contains("WARN")
            && output.contains("OTEL_EXPORTER_OTLP_ENDPOINT=\"collector:4318\"")
            && output.contains("spans are not exported"),
        "{output}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_lambda_spans_are_flushed_after_each_invocation_while_the_process_runs() {
    let (addr, received) = receiver().await;
    let mut function = Function::builder(Platform::Aws, &echo_on_lambda_with_otel())
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://{addr}"))
        // Ten minutes: only the flush after the answer can export within the test.
        .env("OTEL_BSP_SCHEDULE_DELAY", "600000")
        .env("AWS_LAMBDA_FUNCTION_NAME", "orders")
        .start()
        .await
        .unwrap_or_else(|e| panic!("start echo under the Runtime API: {e}"));
    let event = sample::find(Platform::Aws, "schedule")
        .and_then(|s| s.encode(&Params::new()))
        .unwrap();
    let answer = function.send_encoded(&event).await.unwrap();
    assert!(answer.failure.is_none(), "{:?}", answer.failure);
    // The process is still running (Lambda would freeze it now): the span must be out already.
    let mut waited = Duration::ZERO;
    let spans = loop {
        let spans = received.spans();
        if spans.iter().any(|(_, s)| s.name == "invocation") || waited > Duration::from_secs(10) {
            break spans;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    };
    let (resource, span) = spans
        .iter()
        .find(|(_, s)| s.name == "invocation")
        .unwrap_or_else(|| {
            panic!(
                "no span exported after the invocation\n{}",
                function.output()
            )
        });
    assert_eq!(text(&span.attributes, "cloud.provider"), Some("aws"));
    assert_eq!(text(&span.attributes, "faas.name"), Some("orders"));
    assert!(text(&span.attributes, "faas.invocation_id").is_some_and(|id| !id.is_empty()));
    // The service is the Lambda function, not the binary (`bootstrap` once deployed).
    assert_eq!(text(resource, "service.name"), Some("orders"));
}

/// echo with the Functions Framework and Azure custom-handler shims (each platform's variables
/// select it) and the feature.
fn echo_on_gcp_and_azure_with_otel() -> PathBuf {
    Build::plain("echo-gcp-azure-opentelemetry")
        .current_dir(workspace_root())
        .package("echo")
        .bin("echo")
        .feature("gcp")
        .feature("azure")
        .feature("opentelemetry")
        .run()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Waits up to 10 s for an invocation span in `trace`.
async fn span_in_trace(received: &Received, trace: &str) -> Option<(Vec<KeyValue>, Span)> {
    for _ in 0..200 {
        let found = received
            .spans()
            .into_iter()
            .find(|(_, s)| s.name == "invocation" && hex(&s.trace_id) == trace);
        if found.is_some() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// On the long-running servers (Cloud Run, Azure's custom handler) spans leave on the batch's
/// schedule while the process serves, in the trace of the request's `traceparent` (GCP: the
/// client's header; Azure: the one the host sends with each invocation).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_gcp_and_azure_spans_join_the_callers_trace_while_the_server_runs() {
    let binary = echo_on_gcp_and_azure_with_otel();
    for platform in [Platform::Gcp, Platform::Azure] {
        let (addr, received) = receiver().await;
        let mut function = Function::builder(platform, &binary)
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://{addr}"))
            .env("OTEL_BSP_SCHEDULE_DELAY", "100")
            .start()
            .await
            .unwrap_or_else(|e| panic!("start echo under {platform:?}: {e}"));
        let answer = match platform {
            Platform::Gcp => {
                let request = http::Request::get("/traced")
                    .header("traceparent", format!("00-{TRACE_ID}-{PARENT_ID}-01"))
                    .body(Bytes::new())
                    .unwrap();
                let event = polyfaas_testkit::native::NativeEvent::Gcp(
                    polyfaas_testkit::native::GcpEvent {
                        signature: polyfaas_testkit::native::Signature::Http,
                        request,
                    },
                );
                function.send(&event).await
            }
            _ => {
                // The host stand-in sends `traceparent: 00-{TRACE_ID}-{PARENT_ID}-01`.
                let event = sample::find(platform, "http")
                    .and_then(|s| s.encode(&Params::new()))
                    .unwrap();
                function.send_encoded(&event).await
            }
        };
        let answer = answer.unwrap_or_else(|e| panic!("{platform:?}: {e}"));
        assert!(
            answer.failure.is_none(),
            "{platform:?}: {:?}",
            answer.failure
        );
        let (_, span) = span_in_trace(&received, TRACE_ID).await.unwrap_or_else(|| {
            panic!(
                "{platform:?}: no invocation span in the caller's trace; received {:?}\n{}",
                received.paths.lock().unwrap(),
                function.output()
            )
        });
        assert_eq!(hex(&span.parent_span_id), PARENT_ID, "{platform:?}");
        let provider = match platform {
            Platform::Gcp => "gcp",
            _ => "azure",
        };
        assert_eq!(
            text(&span.attributes, "cloud.provider"),
            Some(provider),
            "{platform:?}"
        );
        assert!(
            text(&span.attributes, "faas.invocation_id").is_some_and(|id| !id.is_empty()),
            "{platform:?}: {:?}",
            span.attributes
        );
    }
}
