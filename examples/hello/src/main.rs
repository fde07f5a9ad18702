//! A small HTTP function: greets `?name=`, and counts how often each name was greeted in the
//! blob store (so the blob API is shown).
//!
//! ```text
//! cargo run -p hello
//! curl 'localhost:8080/?name=Ada'          # Hello, Ada! (visit 1)
//! curl 'localhost:8080/?name=Ada'          # Hello, Ada! (visit 2)
//! curl  localhost:8080/visits              # {"Ada":2}
//! ```
//!
//! On the local dev provider the counts are files under `.polyfaas/blobs/visits/`.
//!
//! Two layers of middleware wrap the handler, written once for every platform: every HTTP
//! answer gets a `server-timing` header, and when `HELLO_API_KEY` is set, HTTP requests without
//! that key in `x-api-key` are refused with 401.

use std::time::Instant;

use http::header::{HeaderName, HeaderValue};
use http::{Method, StatusCode};
use polyfaas::layer::{from_fn, Next, ServiceBuilder};
use polyfaas::{Context, Error, Event, RequestExt, Response};

async fn hello(event: Event, ctx: Context) -> Result<Response, Error> {
    let Event::Http(request) = event else {
        return Ok(Response::text(format!(
            "hello only answers HTTP; got a {} event",
            event.kind()
        ))
        .with_status(StatusCode::BAD_REQUEST));
    };
    match (request.method(), request.decoded_path().as_ref()) {
        (&Method::GET, "/") => {
            let name = request
                .query_param("name")
                .unwrap_or_else(|| "world".to_owned());
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 64 || name.contains('/') {
                return Ok(
                    Response::text("name must be 1 to 64 characters, without `/`\n")
                        .with_status(StatusCode::BAD_REQUEST),
                );
            }
            let visits = count_visit(&ctx, name).await?;
            Ok(Response::text(format!("Hello, {name}! (visit {visits})\n")))
        }
        (&Method::GET, "/visits") => {
            let mut counts = serde_json::Map::new();
            for meta in ctx.blobs().list("visits/").await? {
                let count = ctx.blobs().get(meta.key.as_str()).await?;
                let name = meta.key.as_str().trim_start_matches("visits/").to_owned();
                let count: u64 = String::from_utf8_lossy(&count).trim().parse().unwrap_or(0);
                counts.insert(name, count.into());
            }
            Response::json(&counts)
        }
        _ => Ok(Response::text("not found; try /?name=you or /visits\n")
            .with_status(StatusCode::NOT_FOUND)),
    }
}

/// Reads, increments and writes back the name's counter. (Not atomic across concurrent
/// requests: good enough for a greeting.)
async fn count_visit(ctx: &Context, name: &str) -> Result<u64, Error> {
    let key = format!("visits/{name}");
    let previous = match ctx.blobs().get(&key).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().parse().unwrap_or(0),
        Err(e) if e.is_not_found() => 0,
        Err(e) => return Err(e.into()),
    };
    let visits: u64 = previous + 1;
    ctx.blobs().put(&key, visits.to_string()).await?;
    Ok(visits)
}

/// Adds `server-timing: handler;dur=<ms>` to HTTP answers.
async fn timing(event: Event, ctx: Context, next: Next) -> Result<Response, Error> {
    let http = matches!(event, Event::Http(_));
    let started = Instant::now();
    let mut response = next.run(event, ctx).await?;
    if http {
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if let Ok(value) = HeaderValue::from_str(&format!("handler;dur={ms:.1}")) {
            response
                .headers_mut()
                .insert(HeaderName::from_static("server-timing"), value);
        }
    }
    Ok(response)
}

/// Refuses HTTP requests whose `x-api-key` is not `HELLO_API_KEY`, when that is set.
async fn require_api_key(event: Event, ctx: Context, next: Next) -> Result<Response, Error> {
    if let (Event::Http(request), Ok(key)) = (&event, std::env::var("HELLO_API_KEY")) {
        let given = request
            .headers()
            .get("x-api-key")
            .map(HeaderValue::as_bytes);
        if !key.is_empty() && given != Some(key.as_bytes()) {
            return Ok(Response::json(
                &serde_json::json!({"error": "missing or wrong x-api-key"}),
            )?
            .with_status(StatusCode::UNAUTHORIZED));
        }
    }
    next.run(event, ctx).await
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let handler = ServiceBuilder::new()
        .layer(from_fn(timing))
        .layer(from_fn(require_api_key))
        .service(polyfaas::handler_fn(hello));
    polyfaas::run(handler).await
}
