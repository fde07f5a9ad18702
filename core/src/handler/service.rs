//! A [`Handler`] from any `tower::Service` over `http::Request`: an axum `Router` unchanged.

use async_trait::async_trait;
use bytes::{Buf, Bytes};
use http::header::{HeaderValue, CONTENT_TYPE};
use http_body_util::{BodyExt, Full};
use tower::util::ServiceExt;
use tower::Service;

use super::Handler;
use crate::error::BoxError;
use crate::{canonical, Context, Error, Event, Response};

/// The path non-HTTP events are POSTed to when they reach a `tower::Service`, with their
/// canonical JSON as the body. The local dev provider fires events through the same path.
pub const EVENTS_PATH: &str = "/_polyfaas/events";

/// Makes a [`Handler`] from a `tower::Service<http::Request<Full<Bytes>>>`, such as an axum
/// `Router`.
///
/// - HTTP events reach the service as they are; the [`Context`] is in the request's extensions
///   (axum: `Extension<Context>`, or [`RequestExt::polyfaas_context`](crate::RequestExt)).
/// - A response body of known size is read whole; any other (`Body::from_stream`, server-sent
///   events) streams through to the caller where the platform can stream.
/// - Other events arrive as `POST /_polyfaas/events` with their canonical JSON as an
///   `application/json` body; a blob event's [`BlobEvent`](crate::BlobEvent) is in the
///   extensions too, so the handler can call `local_path`. A router without that route answers
///   404, which counts as a failure for non-HTTP events.
///
/// ```
/// use axum::{routing::get, Router};
///
/// let app: Router = Router::new().route("/", get(|| async { "hello" }));
/// let handler = polyfaas_core::from_service(app);
/// # let _ = handler;
/// ```
pub fn from_service<S>(service: S) -> ServiceHandler<S> {
    ServiceHandler { service }
}

/// The [`Handler`] made by [`from_service`].
#[derive(Clone, Debug)]
pub struct ServiceHandler<S> {
    service: S,
}

#[async_trait]
impl<S, ResBody> Handler for ServiceHandler<S>
where
    S: Service<http::Request<Full<Bytes>>, Response = http::Response<ResBody>>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    ResBody: http_body::Body + Send + 'static,
    ResBody::Data: Send,
    ResBody::Error: Into<BoxError>,
{
    async fn call(&self, event: Event, ctx: Context) -> Result<Response, Error> {
        let mut request = match event {
            Event::Http(request) => request,
            Event::Blob(blob) => {
                let mut request = events_request(&Event::Blob(blob.clone()))?;
                request.extensions_mut().insert(blob);
                request
            }
            other => events_request(&other)?,
        };
        request.extensions_mut().insert(ctx);
        let response = self
            .service
            .clone()
            .oneshot(request.map(Full::new))
            .await
            .map_err(|e| Error::Handler(e.into()))?;
        let (parts, body) = response.into_parts();
        // A body of known size (what `Json`, `String` and `Bytes` answers are) is read now; any
        // other streams through, to the caller where the platform can stream.
        if body.size_hint().exact().is_some() {
            let body = body
                .collect()
                .await
                .map_err(|e| Error::Handler(e.into()))?
                .to_bytes();
            return Ok(http::Response::from_parts(parts, body).into());
        }
        let body =
            body.map_frame(|frame| frame.map_data(|mut data| data.copy_to_bytes(data.remaining())));
        let mut streamed = Response::stream(body);
        *streamed.status_mut() = parts.status;
        *streamed.headers_mut() = parts.headers;
        Ok(streamed)
    }
}

fn events_request(event: &Event) -> Result<http::Request<Bytes>, Error> {
    let body = serde_json::to_vec(&canonical::to_json(event))?;
    Ok(http::Request::post(EVENTS_PATH)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .body(Bytes::from(body))?)
}
