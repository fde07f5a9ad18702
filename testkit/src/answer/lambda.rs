//! What a function answered to one invocation: a whole `/response`, a streamed one (with each
//! chunk's arrival time), or an `/error`.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use serde_json::Value;

use crate::client::Chunk;

/// The 8 NUL bytes between an HTTP-integration stream's prelude and its body.
const DELIMITER: [u8; 8] = [0; 8];

/// What the function answered.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// `/response` with this body.
    Response(Bytes),
    /// `/response` in streaming mode (`Lambda-Runtime-Function-Response-Mode: streaming`).
    Streamed(Streamed),
    /// `/error` with the `Lambda-Runtime-Function-Error-Type` header and the JSON body.
    Error {
        /// The header's value, if sent.
        header: Option<String>,
        /// The body, as JSON (`Value::String` of the text if it was not JSON).
        body: Value,
    },
}

/// A streamed `/response` as the server received it.
#[derive(Clone, Debug)]
pub struct Streamed {
    /// The request's `Content-Type` (`application/vnd.awslambda.http-integration-response`
    /// for an HTTP integration).
    pub content_type: Option<String>,
    /// Whether the request was sent with `Transfer-Encoding: chunked`.
    pub chunked: bool,
    /// The trailers the request declared in `Trailer`.
    pub declared_trailers: Vec<String>,
    /// The body's chunks as they arrived, timed from the arrival of the request's head.
    pub chunks: Vec<Chunk>,
    /// The trailers sent after the body (`name`, `value`), names lower case.
    pub trailers: Vec<(String, String)>,
}

impl Streamed {
    /// Every byte of the body.
    pub fn bytes(&self) -> Vec<u8> {
        self.chunks.iter().flat_map(|c| c.data.to_vec()).collect()
    }

    /// An HTTP integration's prelude (the JSON before the 8 NUL bytes), if the body has one.
    pub fn prelude(&self) -> Option<Value> {
        let bytes = self.bytes();
        let at = delimiter_at(&bytes)?;
        serde_json::from_slice(&bytes[..at]).ok()
    }

    /// The body after an HTTP integration's prelude (the whole body when there is none).
    pub fn body(&self) -> Vec<u8> {
        let bytes = self.bytes();
        match delimiter_at(&bytes) {
            Some(at) => bytes[at + DELIMITER.len()..].to_vec(),
            None => bytes,
        }
    }

    /// The chunks of the body after the prelude, with their arrival times (a chunk that held
    /// the end of the prelude counts with what follows the delimiter, if anything).
    pub fn body_chunks(&self) -> Vec<Chunk> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        let mut in_body = false;
        for chunk in &self.chunks {
            if in_body {
                out.push(chunk.clone());
                continue;
            }
            seen.extend_from_slice(&chunk.data);
            if let Some(at) = delimiter_at(&seen) {
                in_body = true;
                let rest = &seen[at + DELIMITER.len()..];
                if !rest.is_empty() {
                    out.push(Chunk {
                        at: chunk.at,
                        data: Bytes::copy_from_slice(rest),
                    });
                }
            }
        }
        out
    }

    /// A trailer's value.
    pub fn trailer(&self, name: &str) -> Option<&str> {
        self.trailers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The mid-stream error the trailers report: `Lambda-Runtime-Function-Error-Type` and the
    /// decoded `Lambda-Runtime-Function-Error-Body` (JSON, or its text).
    pub fn error(&self) -> Option<(String, Value)> {
        let error_type = self
            .trailer("lambda-runtime-function-error-type")?
            .to_owned();
        let body = self
            .trailer("lambda-runtime-function-error-body")
            .and_then(|b| BASE64.decode(b).ok())
            .map_or(Value::Null, |b| json_or_text(&b));
        Some((error_type, body))
    }
}

fn delimiter_at(bytes: &[u8]) -> Option<usize> {
    bytes.windows(DELIMITER.len()).position(|w| w == DELIMITER)
}

pub(crate) fn json_or_text(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

impl Outcome {
    /// The `/response` body, if the function answered with a whole one.
    pub fn response(&self) -> Option<&Bytes> {
        match self {
            Outcome::Response(body) => Some(body),
            Outcome::Streamed(_) | Outcome::Error { .. } => None,
        }
    }

    /// The streamed `/response`, if the function streamed.
    pub fn streamed(&self) -> Option<&Streamed> {
        match self {
            Outcome::Streamed(streamed) => Some(streamed),
            Outcome::Response(_) | Outcome::Error { .. } => None,
        }
    }

    /// `(errorType, errorMessage)` of an `/error` (empty where the body lacks them).
    pub fn error_parts(&self) -> Option<(String, String)> {
        match self {
            Outcome::Error { body, .. } => Some((
                body["errorType"].as_str().unwrap_or_default().to_owned(),
                body["errorMessage"].as_str().unwrap_or_default().to_owned(),
            )),
            Outcome::Response(_) | Outcome::Streamed(_) => None,
        }
    }

    /// For tests: the `/response` body as JSON.
    ///
    /// # Panics
    ///
    /// When the function posted an `/error` or streamed, or a body that is not JSON.
    pub fn response_json(&self) -> Value {
        match self {
            Outcome::Response(body) => serde_json::from_slice(body).unwrap_or_else(|e| {
                panic!(
                    "/response body is not JSON ({e}): {}",
                    String::from_utf8_lossy(body)
                )
            }),
            other => panic!("expected a /response, got {other:?}"),
        }
    }

    /// For tests: `(errorType, errorMessage)` of an `/error`.
    ///
    /// # Panics
    ///
    /// When the function posted a `/response`, or an `/error` without
    /// `Lambda-Runtime-Function-Error-Type`.
    pub fn error(&self) -> (String, String) {
        match self {
            Outcome::Error { body, header } => {
                assert!(
                    header.is_some(),
                    "/error without Lambda-Runtime-Function-Error-Type: {body}"
                );
                (
                    body["errorType"].as_str().unwrap_or_default().to_owned(),
                    body["errorMessage"].as_str().unwrap_or_default().to_owned(),
                )
            }
            other => panic!("expected an /error, got {other:?}"),
        }
    }
}

impl std::fmt::Display for Outcome {
    /// `POST /response` or `POST /error` with the header and the body.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Response(body) => {
                writeln!(f, "POST /runtime/invocation/<id>/response")?;
                writeln!(f)?;
                f.write_str(&String::from_utf8_lossy(body))
            }
            Outcome::Streamed(streamed) => {
                writeln!(f, "POST /runtime/invocation/<id>/response (streaming)")?;
                if let Some(content_type) = &streamed.content_type {
                    writeln!(f, "Content-Type: {content_type}")?;
                }
                writeln!(f)?;
                for chunk in &streamed.chunks {
                    writeln!(
                        f,
                        "[{:>6} ms] {:?}",
                        chunk.at.as_millis(),
                        String::from_utf8_lossy(&chunk.data)
                    )?;
                }
                for (name, value) in &streamed.trailers {
                    writeln!(f, "{name}: {value}")?;
                }
                Ok(())
            }
            Outcome::Error { header, body } => {
                writeln!(f, "POST /runtime/invocation/<id>/error")?;
                if let Some(header) = header {
                    writeln!(f, "Lambda-Runtime-Function-Error-Type: {header}")?;
                }
                writeln!(f)?;
                write!(f, "{body}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn chunk(ms: u64, data: &'static [u8]) -> Chunk {
        Chunk {
            at: Duration::from_millis(ms),
            data: Bytes::from_static(data),
        }
    }

    #[test]
    fn a_stream_splits_into_prelude_and_body_chunks() {
        let streamed = Streamed {
            content_type: None,
            chunked: true,
            declared_trailers: Vec::new(),
            chunks: vec![
                chunk(1, b"{\"statusCode\":200}\0\0\0"),
                chunk(2, b"\0\0\0\0\0ab"),
                chunk(900, b"cd"),
            ],
            trailers: vec![
                ("lambda-runtime-function-error-type".into(), "Boom".into()),
                (
                    "lambda-runtime-function-error-body".into(),
                    BASE64.encode(r#"{"errorType":"Boom"}"#),
                ),
            ],
        };
        assert_eq!(streamed.prelude().unwrap()["statusCode"], 200);
        assert_eq!(streamed.body(), b"abcd");
        let body = streamed.body_chunks();
        assert_eq!(body.len(), 2);
        assert_eq!((body[0].at.as_millis(), &body[0].data[..]), (2, &b"ab"[..]));
        assert_eq!(
            (body[1].at.as_millis(), &body[1].data[..]),
            (900, &b"cd"[..])
        );
        let (error_type, error) = streamed.error().unwrap();
        assert_eq!(error_type, "Boom");
        assert_eq!(error["errorType"], "Boom");
    }
}
