//! The outside oracle: the public Functions Framework conformance corpus
//! (`functions-framework-conformance/events/generate/data`, 17 events) against polyfaas.
//!
//! ```text
//! providers/gcp/scripts/oracle.sh                      # builds echo --features gcp, runs this
//! cargo run -p polyfaas-gcp --example oracle -- --echo <echo built with gcp> --fixtures <dir>
//! ```
//!
//! Part A, end to end through the real `echo` binary, as the conformance client drives a
//! framework (68 checks: legacy input → `event` function, legacy input → `cloudevent`
//! function, binary CloudEvent → `cloudevent` function, binary CloudEvent → `event`
//! function), plus the structured-mode variants the client never sends (34 checks). Echo
//! reports the neutral event, so the expected output is projected the same way: Cloud Storage
//! `finalized`/`deleted` → blob (bucket, key, size, etag, content type, and the SHA-256 of the
//! object put into the blob store), Pub/Sub → message (id, topic, data, attributes), Firestore
//! → change (id, collection, document path, op, old and new fields as plain JSON), anything
//! else → the whole event, compared as the conformance client compares it (CloudEvents: `id`,
//! `source`, `subject`, `type`, `time`, `datacontenttype`, `data`; legacy events: all of it).
//!
//! Part B, in process, the full conversions (68 checks): legacy input → `{data, context}`,
//! legacy input → CloudEvent, CloudEvent → legacy event, CloudEvent JSON round trip, each
//! compared with the corpus's expected output whole (also for storage and Pub/Sub, whose
//! neutral projection in part A drops fields).
//!
//! Prints one line per failure and `A: n/102 passed`, `B: n/68 passed`, then
//! `N passed, M failed`; exits non-zero when anything failed.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use polyfaas_gcp::cloudevent::structured;
use polyfaas_gcp::{firestore, mapping, LegacyEvent};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const EVENTS: [&str; 17] = [
    "firebase-auth",
    "firebase-db1",
    "firebase-db2",
    "firebase-db3",
    "firebase-db4",
    "firebase-db5",
    "firebase-db6",
    "firebase-db7",
    "firebase-db8",
    "firebase-dbdelete1",
    "firebase-dbdelete2",
    "firestore_complex",
    "firestore_simple",
    "legacy_pubsub",
    "pubsub_binary",
    "pubsub_text",
    "storage",
];

/// What the oracle writes into the blob store for every storage object the corpus names.
const OBJECT_CONTENT: &[u8] = b"polyfaas oracle object\n";

fn main() {
    let mut args = std::env::args().skip(1);
    let mut fixtures = PathBuf::from("../shared/fixtures/gcp");
    let mut echo = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--fixtures" => fixtures = PathBuf::from(args.next().expect("--fixtures DIR")),
            "--echo" => echo = Some(PathBuf::from(args.next().expect("--echo PATH"))),
            other => panic!("unknown argument {other:?} (use --fixtures DIR --echo PATH)"),
        }
    }
    let echo = echo.expect("--echo: the echo binary built with --features gcp");
    let corpus = Corpus::load(&fixtures);
    let mut report = Report::default();

    let blob_dir = std::env::temp_dir().join(format!("polyfaas-oracle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&blob_dir);
    for event in EVENTS {
        let legacy = corpus.legacy_output(event);
        let is_storage = legacy["context"]["eventType"]
            .as_str()
            .is_some_and(|t| t.starts_with("google.storage."));
        if let Some(key) = legacy["data"]["name"].as_str().filter(|_| is_storage) {
            let path = blob_dir.join(key);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, OBJECT_CONTENT).unwrap();
        }
    }
    let cloudevent_fn = EchoProcess::start(&echo, "cloudevent", &blob_dir);
    let event_fn = EchoProcess::start(&echo, "event", &blob_dir);

    for event in EVENTS {
        let legacy_input = corpus.get(&format!("{event}-legacy-input"));
        let ce_input = corpus.get(&format!("{event}-cloudevent-input"));
        let ce_output = corpus.get(&format!("{event}-cloudevent-output"));
        let legacy_output = corpus.get(&format!("{event}-legacy-output"));
        let legacy_converted = corpus.legacy_output(event);

        // Part A: the conformance client's four checks, then the structured-mode pair.
        let legacy_body = legacy_input.to_string();
        let binary = binary_headers(&ce_input);
        let binary_body = ce_input
            .get("data")
            .map_or_else(String::new, Value::to_string);
        let structured_headers = vec![(
            "content-type".to_owned(),
            "application/cloudevents+json".to_owned(),
        )];
        let structured_body = ce_input.to_string();
        let json_headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        for (name, process, headers, body, expected) in [
            (
                "legacy → event",
                &event_fn,
                &json_headers,
                &legacy_body,
                &legacy_output,
            ),
            (
                "legacy → cloudevent",
                &cloudevent_fn,
                &json_headers,
                &legacy_body,
                &ce_output,
            ),
            (
                "binary CE → cloudevent",
                &cloudevent_fn,
                &binary,
                &binary_body,
                &ce_input,
            ),
            (
                "binary CE → event",
                &event_fn,
                &binary,
                &binary_body,
                &legacy_converted,
            ),
            (
                "structured CE → cloudevent",
                &cloudevent_fn,
                &structured_headers,
                &structured_body,
                &ce_input,
            ),
            (
                "structured CE → event",
                &event_fn,
                &structured_headers,
                &structured_body,
                &legacy_converted,
            ),
        ] {
            let outcome = process
                .post(headers, body.as_bytes())
                .and_then(|document| compare_neutral(&document["event"], expected));
            report.record('A', &format!("{event}: {name}"), outcome);
        }

        // Part B: the conversions themselves, whole.
        let outcome = LegacyEvent::from_json(legacy_input.clone(), "/")
            .map_err(|e| e.to_string())
            .and_then(|l| same(&l.to_json(), &legacy_output));
        report.record(
            'B',
            &format!("{event}: legacy input as an event function sees it"),
            outcome,
        );
        let outcome = LegacyEvent::from_json(legacy_input.clone(), "/")
            .and_then(|l| mapping::to_cloudevent(&l))
            .map_err(|e| e.to_string())
            .and_then(|ce| same_cloudevent(&ce.to_json(), &ce_output));
        report.record('B', &format!("{event}: legacy → CloudEvent"), outcome);
        let outcome = structured::from_json(ce_input.clone())
            .and_then(|ce| mapping::to_legacy(&ce))
            .map_err(|e| e.to_string())
            .and_then(|l| same(&l.to_json(), &legacy_converted));
        report.record('B', &format!("{event}: CloudEvent → legacy"), outcome);
        let outcome = structured::from_json(ce_input.clone())
            .map_err(|e| e.to_string())
            .and_then(|ce| same(&ce.to_json(), &ce_input));
        report.record(
            'B',
            &format!("{event}: CloudEvent JSON round trip"),
            outcome,
        );
    }
    drop(cloudevent_fn);
    drop(event_fn);
    let _ = std::fs::remove_dir_all(&blob_dir);
    report.finish();
}

/// The public corpus, read from its folder (never copied).
struct Corpus {
    dir: PathBuf,
}

impl Corpus {
    fn load(dir: &Path) -> Self {
        assert!(
            dir.join("storage-legacy-input.json").is_file(),
            "{} does not hold the Functions Framework conformance fixtures",
            dir.display()
        );
        Corpus {
            dir: dir.to_owned(),
        }
    }

    fn get(&self, name: &str) -> Value {
        let path = self.dir.join(format!("{name}.json"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// What an `event` function must receive from the CloudEvent input: the `-converted`
    /// output where the corpus has one.
    fn legacy_output(&self, event: &str) -> Value {
        let converted = self
            .dir
            .join(format!("{event}-legacy-output-converted.json"));
        if converted.is_file() {
            self.get(&format!("{event}-legacy-output-converted"))
        } else {
            self.get(&format!("{event}-legacy-output"))
        }
    }
}

/// Binary-mode headers for a structured CloudEvent, as the conformance client (sdk-go) sends
/// them: every attribute but `data` as `ce-*`, `datacontenttype` as `Content-Type`.
fn binary_headers(event: &Value) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    for (name, value) in event.as_object().expect("a CloudEvent object") {
        let value = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match name.as_str() {
            "data" | "data_base64" => {}
            "datacontenttype" => headers.push(("content-type".to_owned(), value)),
            _ => headers.push((format!("ce-{name}"), percent_encode(&value))),
        }
    }
    headers
}

/// Percent-encodes what the CloudEvents HTTP binding says a sender must: space, `"`, `%`,
/// and everything outside printable ASCII.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte == b' ' || byte == b'"' || byte == b'%' || !(0x21..0x7f).contains(&byte) {
            out.push_str(&format!("%{byte:02X}"));
        } else {
            out.push(byte as char);
        }
    }
    out
}

/// Compares what echo reported with the neutral projection of the corpus's expected output.
fn compare_neutral(actual: &Value, expected: &Value) -> Result<(), String> {
    let is_cloudevent = expected.get("specversion").is_some();
    let ty = if is_cloudevent {
        expected["type"].as_str().unwrap_or_default().to_owned()
    } else {
        mapping::cloudevent_type(
            expected["context"]["eventType"]
                .as_str()
                .unwrap_or_default(),
        )
        .unwrap_or_default()
        .to_owned()
    };
    let data = &expected["data"];
    match ty.as_str() {
        mapping::OBJECT_FINALIZED | mapping::OBJECT_DELETED => {
            let created = ty == mapping::OBJECT_FINALIZED;
            let size = data["size"].as_str().and_then(|s| s.parse::<u64>().ok());
            let projected = json!({
                "kind": "blob",
                "change": if created { "created" } else { "deleted" },
                "store": data["bucket"],
                "key": data["name"],
                "size": size,
                "etag": data["etag"],
                "content_type": data["contentType"],
                "local_sha256": if created { Value::String(sha256_hex(OBJECT_CONTENT)) } else { Value::Null },
            });
            same(actual, &projected)
        }
        mapping::MESSAGE_PUBLISHED => {
            let (id, source, message) = if is_cloudevent {
                let source = expected["source"]
                    .as_str()
                    .unwrap_or_default()
                    .trim_start_matches("//pubsub.googleapis.com/");
                (
                    &data["message"]["messageId"],
                    json!(source),
                    &data["message"],
                )
            } else {
                let resource = &expected["context"]["resource"];
                let topic = resource.get("name").unwrap_or(resource).clone();
                (&expected["context"]["eventId"], topic, data)
            };
            let attributes = match &message["attributes"] {
                Value::Null => json!({}),
                other => other.clone(),
            };
            let projected = json!({
                "kind": "message", "id": id, "source": source,
                "body_base64": message["data"], "attributes": attributes,
            });
            same(actual, &projected)
        }
        ty if firestore::op_of(ty).is_some() => {
            let (id, path) = if is_cloudevent {
                let subject = expected["subject"].as_str().unwrap_or_default();
                (&expected["id"], subject.trim_start_matches("documents/"))
            } else {
                let resource = expected["context"]["resource"].as_str().unwrap_or_default();
                let path = resource.split_once("/documents/").map_or("", |(_, p)| p);
                (&expected["context"]["eventId"], path)
            };
            let document = |member: &str| match &data[member]["fields"] {
                Value::Object(fields) => {
                    Value::Object(fields.iter().map(|(k, v)| (k.clone(), plain(v))).collect())
                }
                _ if data[member].get("name").is_some() => json!({}),
                _ => Value::Null,
            };
            let op = firestore::op_of(ty).map(|op| op.as_str());
            let projected = json!({
                "kind": "change", "id": id, "source": path.rsplit_once('/').map_or("", |(c, _)| c),
                "op": op, "key": path, "old": document("oldValue"), "new": document("value"),
            });
            same(actual, &projected)
        }
        _ => {
            if actual["kind"] != "invoke" {
                return Err(format!("an invoke event was expected, not {actual}"));
            }
            if is_cloudevent {
                same_cloudevent(&actual["payload"], expected)
            } else {
                same(&actual["payload"], expected)
            }
        }
    }
}

/// A Firestore typed value as plain JSON, written here from Firestore's documented JSON (not
/// with the shim's converter, which this checks): integers as numbers, maps and arrays
/// unwrapped, every other value as it is.
fn plain(typed: &Value) -> Value {
    let Some((ty, inner)) = typed.as_object().and_then(|m| m.iter().next()) else {
        return Value::Null;
    };
    match ty.as_str() {
        "integerValue" => inner
            .as_str()
            .and_then(|s| s.parse::<i64>().ok())
            .map_or_else(|| inner.clone(), Value::from),
        "mapValue" => Value::Object(
            inner["fields"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), plain(v)))
                .collect(),
        ),
        "arrayValue" => Value::Array(
            inner["values"]
                .as_array()
                .into_iter()
                .flatten()
                .map(plain)
                .collect(),
        ),
        _ => inner.clone(),
    }
}

/// The conformance client's CloudEvent comparison: these attributes and the data.
fn same_cloudevent(actual: &Value, expected: &Value) -> Result<(), String> {
    for name in [
        "id",
        "source",
        "subject",
        "type",
        "time",
        "datacontenttype",
        "data",
    ] {
        let (a, e) = (actual.get(name), expected.get(name));
        // A missing datacontenttype means application/json.
        let a = a.or((name == "datacontenttype").then_some(&Value::Null));
        if a.filter(|v| !v.is_null()) != e.filter(|v| !v.is_null()) {
            return Err(format!(
                "{name}: expected {}, got {}",
                e.unwrap_or(&Value::Null),
                a.unwrap_or(&Value::Null)
            ));
        }
    }
    Ok(())
}

fn same(actual: &Value, expected: &Value) -> Result<(), String> {
    if actual == expected {
        Ok(())
    } else {
        Err(format!("\n    expected {expected}\n    got      {actual}"))
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Default)]
struct Report {
    passed: [usize; 2],
    total: [usize; 2],
}

impl Report {
    fn record(&mut self, part: char, name: &str, outcome: Result<(), String>) {
        let i = usize::from(part == 'B');
        self.total[i] += 1;
        match outcome {
            Ok(()) => self.passed[i] += 1,
            Err(why) => println!("FAIL {part} {name}: {why}"),
        }
    }

    fn finish(self) {
        println!(
            "A (echo binary, public corpus; 68 conformance-client checks + 34 structured-mode): {}/{} passed",
            self.passed[0], self.total[0]
        );
        println!(
            "B (in-process conversions, compared whole): {}/{} passed",
            self.passed[1], self.total[1]
        );
        let passed = self.passed[0] + self.passed[1];
        let total = self.total[0] + self.total[1];
        println!("{passed} passed, {} failed", total - passed);
        if passed != total {
            std::process::exit(1);
        }
    }
}

/// The echo binary serving one signature type.
struct EchoProcess {
    child: Child,
    addr: SocketAddr,
}

impl EchoProcess {
    fn start(binary: &Path, signature: &str, blob_dir: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(binary)
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("FUNCTION_TARGET", "echo")
            .env("FUNCTION_SIGNATURE_TYPE", signature)
            .env(
                "POLYFAAS_BLOB_URL",
                format!("file://{}", blob_dir.display()),
            )
            .env("RUST_LOG", "warn")
            .env_remove("CLOUD_RUN_TIMEOUT_SECONDS")
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let started = Instant::now();
        while TcpStream::connect(addr).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "echo did not listen"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        EchoProcess { child, addr }
    }

    /// POSTs to `/` and returns echo's JSON document (or the failure).
    fn post(&self, headers: &[(String, String)], body: &[u8]) -> Result<Value, String> {
        let mut stream = TcpStream::connect(self.addr).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(|e| e.to_string())?;
        let mut request = format!(
            "POST / HTTP/1.1\r\nhost: {}\r\nconnection: close\r\ncontent-length: {}\r\n",
            self.addr,
            body.len()
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream
            .write_all(request.as_bytes())
            .and_then(|()| stream.write_all(body))
            .map_err(|e| e.to_string())?;
        let mut response = Vec::new();
        stream
            .read_to_end(&mut response)
            .map_err(|e| e.to_string())?;
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or("no HTTP response")?;
        let head = String::from_utf8_lossy(&response[..split]).into_owned();
        let body = &response[split + 4..];
        let status = head.split(' ').nth(1).unwrap_or_default();
        if status != "200" {
            return Err(format!(
                "status {status}: {}",
                String::from_utf8_lossy(body)
            ));
        }
        serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))
    }
}

impl Drop for EchoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
