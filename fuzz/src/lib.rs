//! What the fuzz targets share: one tokio runtime, the HTTP-ish input format of the GCP target,
//! and the check every decoded event goes through.
//!
//! Each target only calls public APIs of the polyfaas crates. A panic anywhere (decoder,
//! canonical writer, the check below) aborts the run through libFuzzer's panic hook, which is
//! what makes it a finding: the project's rule is that bad input never panics.

use std::sync::OnceLock;

pub mod targets;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use polyfaas_core::{canonical, Event};

/// A current-thread runtime for the async entry points (`polyfaas_aws::handle_event`), built
/// once per process.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a current-thread tokio runtime")
    })
}

/// Whether the canonical round trip is checked too (`POLYFAAS_FUZZ_ROUNDTRIP=1`): off for the
/// long no-panic runs, on to look for events whose canonical JSON the canonical reader refuses
/// or reads back as another event (DESIGN.md: "every Event has one canonical JSON form").
pub fn roundtrip_checked() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("POLYFAAS_FUZZ_ROUNDTRIP").is_some_and(|v| v == "1"))
}

/// Writes the event's canonical JSON and, when [`roundtrip_checked`], reads it back and
/// compares. Panics (a finding) when the reader refuses what the writer wrote, or reads back
/// another event.
pub fn check_event(event: &Event) {
    let json = canonical::to_json(event);
    if !roundtrip_checked() {
        return;
    }
    match canonical::from_json(json.clone()) {
        Ok(again) => {
            let json_again = canonical::to_json(&again);
            assert_eq!(
                json, json_again,
                "the canonical JSON of a decoded event reads back as another event"
            );
        }
        Err(e) => panic!(
            "the canonical reader refuses the canonical JSON of a decoded event ({e}): {json}"
        ),
    }
}

/// An HTTP request as the GCP target reads its input: the path on the first line, then
/// `name: value` header lines up to an empty line, then the body. Lines that are not valid
/// headers are skipped (the HTTP server would have refused them before the decoder).
pub struct HttpInput {
    /// The request path (with query).
    pub path: String,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl HttpInput {
    /// Splits fuzz input into a request.
    pub fn parse(data: &[u8]) -> HttpInput {
        let (head, body) = match find(data, b"\n\n") {
            Some(at) => (&data[..at], &data[at + 2..]),
            None => (data, &[][..]),
        };
        let mut lines = head.split(|b| *b == b'\n');
        let path = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
        let mut headers = HeaderMap::new();
        for line in lines {
            let Some(colon) = line.iter().position(|b| *b == b':') else {
                continue;
            };
            let value = line[colon + 1..]
                .strip_prefix(b" ")
                .unwrap_or(&line[colon + 1..]);
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(&line[..colon]),
                HeaderValue::from_bytes(value),
            ) {
                headers.append(name, value);
            }
        }
        HttpInput {
            path,
            headers,
            body: Bytes::copy_from_slice(body),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
