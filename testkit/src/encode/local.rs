//! The local dev provider: HTTP requests as they are; every other event as its canonical JSON at
//! `POST /_polyfaas/events`. Also the plain HTTP request the Functions Framework gets.

use bytes::Bytes;

use super::{text, EncodeError, Form, Input};
use crate::logical::{HttpEvent, Kind, LogicalEvent};
use crate::native::NativeEvent;

pub(super) const FORMS: &[Form] = &[
    Form {
        name: "http",
        kind: Kind::Http,
        description: "an HTTP request to the function's port",
    },
    Form {
        name: "blob",
        kind: Kind::Blob,
        description: "the event's canonical JSON at POST /_polyfaas/events",
    },
    Form {
        name: "message",
        kind: Kind::Message,
        description: "the event's canonical JSON at POST /_polyfaas/events",
    },
    Form {
        name: "schedule",
        kind: Kind::Schedule,
        description: "the event's canonical JSON at POST /_polyfaas/events",
    },
    Form {
        name: "invoke",
        kind: Kind::Invoke,
        description: "the event's canonical JSON at POST /_polyfaas/events",
    },
];

pub(super) fn default_form(event: &LogicalEvent) -> Option<&'static str> {
    match event.kind() {
        Kind::Http => Some("http"),
        Kind::Blob => Some("blob"),
        Kind::Message => Some("message"),
        Kind::Schedule => Some("schedule"),
        Kind::Invoke => Some("invoke"),
        Kind::Change | Kind::Authorize => None,
    }
}

pub(super) fn encode(form: &str, mut input: Input<'_>) -> Result<NativeEvent, EncodeError> {
    let request = match (form, input.event) {
        ("http", LogicalEvent::Http(http)) => request(http, &mut input, "the local provider")?,
        (_, event) => {
            let mut request = http::Request::new(Bytes::from(event.to_json().to_string()));
            *request.method_mut() = http::Method::POST;
            *request.uri_mut() = http::Uri::from_static(crate::local::EVENTS_PATH);
            request.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            request
        }
    };
    Ok(NativeEvent::Local(request))
}

/// The request itself, as a client sends it over a TCP connection to `server`: the connection
/// adds `host` (and `content-length` for a body) when the event lacks them, and the function
/// sees the connection's peer, 127.0.0.1, as the client.
pub(super) fn request(
    http: &HttpEvent,
    input: &mut Input<'_>,
    server: &str,
) -> Result<http::Request<Bytes>, EncodeError> {
    let mut request = http::Request::new(Bytes::from(http.body.clone()));
    *request.method_mut() = http::Method::from_bytes(http.method.as_bytes())
        .map_err(|e| EncodeError::invalid("method", e))?;
    *request.uri_mut() = text::target(&http.path, &http.query)
        .parse()
        .map_err(|e| EncodeError::invalid("query", format!("not a valid request target: {e}")))?;
    for (name, values) in &http.headers {
        let header = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| EncodeError::invalid(format!("headers.{name}"), e))?;
        for (i, value) in values.iter().enumerate() {
            let value = http::HeaderValue::from_str(value)
                .map_err(|e| EncodeError::invalid(format!("headers.{name}[{i}]"), e))?;
            request.headers_mut().append(header.clone(), value);
        }
    }
    match http.header("content-length") {
        [] if !http.body.is_empty() => input.lose(
            "headers.content-length",
            format!("{server} gets the content-length the connection sends"),
        ),
        [] => {}
        [length] if length.parse::<usize>() == Ok(http.body.len()) => {}
        _ => {
            return Err(EncodeError::invalid(
                "headers.content-length",
                format!(
                    "must be one value equal to the body's {} bytes",
                    http.body.len()
                ),
            ))
        }
    }
    if http.header("host").is_empty() {
        input.lose(
            "headers.host",
            format!("{server} gets the host the connection sends"),
        );
    }
    if http.source_ip.as_deref() != Some("127.0.0.1") {
        input.lose(
            "source_ip",
            format!("{server} sees the connection's peer, 127.0.0.1"),
        );
    }
    Ok(request)
}
