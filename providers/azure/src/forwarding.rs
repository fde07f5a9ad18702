//! `enableForwardingHttpRequest`: for functions with exactly an `httpTrigger` in and an `http`
//! out, the host forwards the client's request as it is (`/<routePrefix>/<route>?<query>`,
//! method, headers, body) and passes our response back unchanged, binary bodies and repeated
//! headers included. The function is found by matching the path against each such function's
//! route.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use percent_encoding::percent_decode_str;
use polyfaas_core::server::{failure_response, into_http, read_body};
use polyfaas_core::{Event, SourceIp};

use crate::app::{App, HOST_VERSION, INVOCATION_ID};
use crate::function_json::FunctionDef;
use crate::http_trigger::forwarded_ip;
use crate::outputs;

/// Headers the host adds to a forwarded request; their values are in the context.
const HOST_HEADERS: [&str; 2] = [INVOCATION_ID, HOST_VERSION];

/// Handles one forwarded request: its body read up to the body limit (413 past it), then the
/// handler's response or failure as it is.
pub(crate) async fn handle(app: Arc<App>, request: Request) -> http::Response<Body> {
    let function = function_for(&app, request.uri().path()).cloned();
    let invocation = app
        .call(
            request.headers(),
            function.as_deref().map(|f| f.name.as_str()),
        )
        .invocation();
    let request = match read_body(request, app.config.body_limit).await {
        Ok(request) => request,
        Err(e) => {
            let failure = e.to_failure();
            tracing::warn!(
                request_id = invocation.request_id_given(),
                error_type = failure.error_type(),
                "{}",
                failure.message()
            );
            return failure_response(&failure).map(Body::new);
        }
    };
    let (mut parts, body) = request.into_parts();
    for name in HOST_HEADERS {
        parts.headers.remove(name);
    }
    parts.extensions = http::Extensions::new();
    let source_ip = parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| forwarded_ip(v.to_str().ok()?));
    let mut request = http::Request::from_parts(parts, body);
    if let Some(ip) = source_ip {
        request.extensions_mut().insert(SourceIp(ip));
    }
    let request_id = invocation.request_id_given().map(str::to_owned);
    let result = app.invoker.invoke(Event::Http(request), invocation).await;
    let result = match (result, &function) {
        // A forwarded function has no bindings but its http input and output: an output it
        // sets is refused as in envelope mode (naming it), never dropped silently.
        (Ok(mut response), Some(function)) if !response.outputs().is_empty() => {
            outputs::encode(function, vec![response.take_outputs()]).map(|_| response)
        }
        (result, _) => result,
    };
    match result {
        Ok(response) => into_http(response).map(Body::new),
        Err(failure) => {
            if failure.error_type() == outputs::ERROR_TYPE {
                tracing::error!(
                    request_id,
                    error_type = failure.error_type(),
                    "{}",
                    failure.message()
                );
            }
            failure_response(&failure).map(Body::new)
        }
    }
}

/// The HTTP-in/HTTP-out function whose route matches a forwarded request's path.
pub(crate) fn function_for<'a>(app: &'a App, path: &str) -> Option<&'a Arc<FunctionDef>> {
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    let mut segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    let prefix: Vec<&str> = app
        .config
        .route_prefix
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    if segments.len() < prefix.len()
        || !segments
            .iter()
            .zip(&prefix)
            .all(|(s, p)| s.eq_ignore_ascii_case(p))
    {
        return None;
    }
    segments.drain(..prefix.len());
    app.functions
        .iter()
        .filter(|f| f.is_http_in_and_out())
        .find(|f| route_matches(f.http_route(), &segments))
}

/// Whether an Azure route template (`items/{id}`, `{id:int?}`, `files/{*rest}`) matches the
/// path's segments. Constraints are not checked; literal segments compare case-insensitively.
fn route_matches(template: &str, segments: &[&str]) -> bool {
    let parts: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let mut i = 0;
    for (n, part) in parts.iter().enumerate() {
        let param = part.starts_with('{') && part.ends_with('}');
        if param && part[1..].starts_with('*') {
            return true;
        }
        match segments.get(i) {
            Some(segment) if param || part.contains('{') || segment.eq_ignore_ascii_case(part) => {
                i += 1
            }
            Some(_) => return false,
            // Only optional parameters may be missing, and only at the end.
            None => {
                return parts[n..]
                    .iter()
                    .all(|p| p.starts_with('{') && (p.ends_with("?}") || p[1..].starts_with('*')))
            }
        }
    }
    i == segments.len()
}

#[cfg(test)]
mod tests {
    use super::route_matches;

    #[test]
    fn route_templates() {
        let yes = [
            ("items/{id}", "items/7"),
            ("Items/{id:int}", "items/7"),
            ("items/{id?}", "items"),
            ("files/{*rest}", "files/a/b/c"),
            ("files/{*rest}", "files"),
            ("echo", "echo"),
            ("img/{name}.{ext}", "img/cat.png"),
            ("", ""),
        ];
        for (template, path) in yes {
            let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            assert!(route_matches(template, &segments), "{template} / {path}");
        }
        let no = [
            ("items/{id}", "items"),
            ("items/{id}", "items/7/x"),
            ("echo", "other"),
            ("", "x"),
        ];
        for (template, path) in no {
            let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            assert!(!route_matches(template, &segments), "{template} / {path}");
        }
    }
}
