//! OTLP export of spans through `tracing-opentelemetry` (feature `opentelemetry`), turned on by
//! the standard OpenTelemetry variables: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as it is),
//! else `OTEL_EXPORTER_OTLP_ENDPOINT` (`/v1/traces` appended). Without either, nothing is built:
//! no exporter, no thread, no connection.
//!
//! Spans go over HTTP/protobuf through a batch processor on its own thread (its schedule from
//! `OTEL_BSP_*`). The service name is `OTEL_SERVICE_NAME` (or `service.name` in
//! `OTEL_RESOURCE_ATTRIBUTES`), else the platform's name for the function, else the binary's.

use std::sync::OnceLock;

use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState, TracerProvider as _,
};
use opentelemetry_otlp::{Protocol, WithExportConfig as _};
use opentelemetry_sdk::trace::{SdkTracerProvider, Tracer};
use opentelemetry_sdk::Resource;
use tracing::Subscriber;
use tracing_opentelemetry::{OpenTelemetryLayer, OpenTelemetrySpanExt as _};
use tracing_subscriber::registry::LookupSpan;

use crate::shim::Traceparent;

/// The variables that turn export on, in the order they are read.
pub(crate) const ENDPOINT_VARS: [&str; 2] = [
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
];

/// The platforms' own names for the function, read (in this order) for the service name when
/// neither `OTEL_SERVICE_NAME` nor `OTEL_RESOURCE_ATTRIBUTES` names it: Lambda's, Cloud Run's,
/// Azure's app.
const FUNCTION_NAME_VARS: [&str; 3] =
    ["AWS_LAMBDA_FUNCTION_NAME", "K_SERVICE", "WEBSITE_SITE_NAME"];

/// The tracer provider, once export is on: flushed per invocation where the platform freezes
/// the process, and at shutdown.
static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// Why spans are not exported although an endpoint variable is set (a start-up warning; the
/// function still serves).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The endpoint variable is not an `http://` or `https://` URL.
    #[error(
        "{var}={value:?} is not an http:// or https:// URL ({reason}); spans are not exported"
    )]
    BadEndpoint {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The OTLP exporter could not be built.
    #[error("the OTLP exporter for {var} cannot be built; spans are not exported")]
    Exporter {
        /// The variable that asked for export.
        var: &'static str,
        /// The exporter's error.
        #[source]
        source: opentelemetry_otlp::ExporterBuildError,
    },
}

/// The tracer spans are exported with, when an endpoint variable is set and valid; else
/// `None`, with the problem when one was set but cannot be used.
pub(super) fn from_env() -> (Option<Tracer>, Option<ExportError>) {
    let Some((var, value)) = ENDPOINT_VARS.iter().find_map(|var| {
        Some((
            *var,
            std::env::var(var).ok().filter(|v| !v.trim().is_empty())?,
        ))
    }) else {
        return (None, None);
    };
    match tracer(var, &value) {
        Ok(tracer) => (Some(tracer), None),
        Err(error) => (None, Some(error)),
    }
}

/// The export layer over a registry `S`, for `tracer`.
pub(super) fn layer<S>(tracer: Tracer) -> OpenTelemetryLayer<S, Tracer>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    tracing_opentelemetry::layer().with_tracer(tracer)
}

/// The tracer of a new provider exporting to the endpoint `var` names, kept for flushing.
fn tracer(var: &'static str, value: &str) -> Result<Tracer, ExportError> {
    check_endpoint(var, value)?;
    // An https:// endpoint needs rustls's process-wide provider (ring: no C build).
    crate::blob::tls::install_ring_provider();
    // The builder reads the endpoint, headers, timeout and compression from the OTEL_* variables.
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .build()
        .map_err(|source| ExportError::Exporter { var, source })?;
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource())
        .build();
    let tracer = provider.tracer("polyfaas");
    opentelemetry::global::set_tracer_provider(provider.clone());
    // A second subscriber set-up in the process (which `try_init` refuses anyway) keeps the first.
    let _ = PROVIDER.set(provider);
    Ok(tracer)
}

/// `value` is an absolute `http://` or `https://` URL with a host.
fn check_endpoint(var: &'static str, value: &str) -> Result<(), ExportError> {
    let bad = |reason: String| ExportError::BadEndpoint {
        var,
        value: value.to_owned(),
        reason,
    };
    let uri: http::Uri = value.trim().parse().map_err(|e| bad(format!("{e}")))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => return Err(bad(format!("the scheme is {other:?}"))),
        None => return Err(bad("there is no scheme".to_owned())),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(bad("there is no host".to_owned()));
    }
    Ok(())
}

/// The SDK's resource (which reads `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`), with the
/// function's name as the service name when neither names one.
fn resource() -> Resource {
    let builder = Resource::builder();
    let named = std::env::var("OTEL_SERVICE_NAME").is_ok_and(|n| !n.is_empty())
        || std::env::var("OTEL_RESOURCE_ATTRIBUTES").is_ok_and(|a| a.contains("service.name="));
    if named {
        return builder.build();
    }
    builder.with_service_name(default_service_name()).build()
}

/// The platform's name for the function, else the binary's name.
fn default_service_name() -> String {
    FUNCTION_NAME_VARS
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|n| !n.is_empty()))
        .or_else(|| {
            let exe = std::env::current_exe().ok()?;
            Some(exe.file_stem()?.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "polyfaas".to_owned())
}

/// Makes `span` (an invocation's) a child of the caller's span in `parent`, so it is exported
/// with the caller's trace id, and gives it the FaaS attributes. Nothing when export is off.
pub(crate) fn join(
    span: &tracing::Span,
    parent: Option<&Traceparent>,
    request_id: &str,
    provider: &str,
    function: Option<&str>,
) {
    if PROVIDER.get().is_none() {
        return;
    }
    if let Some(parent) = parent.and_then(remote_context) {
        let cx = opentelemetry::Context::new().with_remote_span_context(parent);
        // Fails only when the span is disabled (filtered out): then it is not exported anyway.
        let _ = span.set_parent(cx);
    }
    span.set_attribute("faas.invocation_id", request_id.to_owned());
    span.set_attribute("cloud.provider", provider.to_owned());
    if let Some(function) = function {
        span.set_attribute("faas.name", function.to_owned());
    }
}

/// The caller's span as OpenTelemetry's remote span context.
fn remote_context(tp: &Traceparent) -> Option<SpanContext> {
    Some(SpanContext::new(
        TraceId::from_hex(tp.trace_id()).ok()?,
        SpanId::from_hex(tp.parent_id()).ok()?,
        TraceFlags::new(tp.flags() & 1),
        true,
        TraceState::default(),
    ))
}

/// Exports the spans ended so far and waits for the export (on a blocking thread).
pub(crate) async fn flush() {
    with_provider(
        SdkTracerProvider::force_flush,
        "spans could not be exported",
    )
    .await;
}

/// Exports what is left and stops the exporter (the process is stopping).
pub(crate) async fn shutdown() {
    let failed = "spans could not be exported before stopping";
    with_provider(SdkTracerProvider::shutdown, failed).await;
}

/// Runs `step` (which blocks until the exporter has answered) on the provider, off the async
/// threads; logs `failed` with the error. Nothing when export is off.
async fn with_provider(
    step: fn(&SdkTracerProvider) -> opentelemetry_sdk::error::OTelSdkResult,
    failed: &'static str,
) {
    let Some(provider) = PROVIDER.get() else {
        return;
    };
    if let Ok(Err(error)) = tokio::task::spawn_blocking(move || step(provider)).await {
        tracing::warn!(%error, "{failed}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_must_be_http_urls_with_a_host() {
        let var = "OTEL_EXPORTER_OTLP_ENDPOINT";
        assert!(check_endpoint(var, "http://127.0.0.1:4318").is_ok());
        assert!(check_endpoint(var, "https://collector.example/otlp").is_ok());
        for (bad, says) in [
            ("not a url", "invalid"),
            ("localhost:4318", "scheme"),
            ("ftp://collector:21", "\"ftp\""),
            ("/v1/traces", "no scheme"),
        ] {
            let error = check_endpoint(var, bad).unwrap_err().to_string();
            assert!(
                error.contains(var) && error.contains(says),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn a_traceparent_becomes_the_remote_parent() {
        let tp =
            Traceparent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
        let cx = remote_context(&tp).unwrap();
        assert_eq!(
            cx.trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert_eq!(cx.span_id().to_string(), "00f067aa0ba902b7");
        assert!(cx.is_sampled() && cx.is_remote());
    }
}
