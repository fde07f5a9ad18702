//! A GCP storage CloudEvent (`google.cloud.storage.object.v1.finalized`, binary mode, as
//! Eventarc posts it) for an object in fake-gcs-server, read by echo through the GCS backend.

use std::net::SocketAddr;

use bytes::Bytes;
use conformance_tests::build::echo_binary;
use polyfaas_testkit::client::{json, send};
use polyfaas_testkit::echo::{event_of, sha256_hex};
use polyfaas_testkit::process::{command, Process};
use polyfaas_testkit::Platform;
use serde_json::json;

use crate::servers::{Kind, Server};

/// The bucket the events come from.
const BUCKET: &str = "e2e-orchard";

fn server_addr(server: &Server) -> SocketAddr {
    ([127, 0, 0, 1], server.port).into()
}

/// `%XX` for every byte but the unreserved ones, as a URL query value.
fn query_escape(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Creates a bucket and uploads an object through fake-gcs-server's JSON API.
async fn put_object(server: &Server, bucket: &str, key: &str, content: &[u8]) {
    let create = http::Request::post("/storage/v1/b")
        .header("content-type", "application/json")
        .body(Bytes::from(json!({ "name": bucket }).to_string()))
        .unwrap();
    let created = send(server_addr(server), create).await;
    assert!(
        created.status().is_success() || created.status() == http::StatusCode::CONFLICT,
        "create bucket: {created:?}"
    );
    let upload = http::Request::post(format!(
        "/upload/storage/v1/b/{bucket}/o?uploadType=media&name={}",
        query_escape(key)
    ))
    .header("content-type", "application/octet-stream")
    .body(Bytes::copy_from_slice(content))
    .unwrap();
    let uploaded = send(server_addr(server), upload).await;
    assert!(uploaded.status().is_success(), "upload: {uploaded:?}");
}

/// Starts echo (`--features gcp`) as a CloudEvent function with the GCS emulator's address and
/// `blob_url` as `POLYFAAS_BLOB_URL` (`None`: unset, the platform's default).
fn start_echo(
    server: &Server,
    blob_url: Option<&str>,
    scratch: &std::path::Path,
) -> (Process, SocketAddr) {
    let mut cmd = command(&echo_binary(Platform::Gcp));
    for var in [
        "POLYFAAS_BLOB_URL",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "K_SERVICE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOST", "127.0.0.1")
        .env("FUNCTION_TARGET", "echo")
        .env("FUNCTION_SIGNATURE_TYPE", "cloudevent")
        .env("STORAGE_EMULATOR_HOST", server.endpoint())
        .env("POLYFAAS_TMPDIR", scratch)
        .env("RUST_LOG", "info");
    if let Some(url) = blob_url {
        cmd.env("POLYFAAS_BLOB_URL", url);
    }
    Process::spawn_listening(cmd, "PORT").unwrap()
}

/// The binary-mode CloudEvent Eventarc sends when `key` is written to `bucket`.
fn finalized(bucket: &str, key: &str, size: usize) -> http::Request<Bytes> {
    let data = json!({
        "kind": "storage#object", "bucket": bucket, "name": key,
        "size": size.to_string(), "contentType": "application/octet-stream",
        "generation": "1763776800000001", "metageneration": "1",
        "timeCreated": "2026-11-22T02:00:00.000Z", "updated": "2026-11-22T02:00:00.000Z",
    });
    http::Request::post("/")
        .header("ce-specversion", "1.0")
        .header("ce-id", "e2e-0001")
        .header("ce-type", "google.cloud.storage.object.v1.finalized")
        .header(
            "ce-source",
            format!("//storage.googleapis.com/projects/_/buckets/{bucket}"),
        )
        .header("ce-subject", format!("objects/{key}"))
        .header("ce-time", "2026-11-22T02:00:00.000Z")
        .header("content-type", "application/json")
        .body(Bytes::from(data.to_string()))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_cloudevent_reaches_echo_with_the_objects_bytes() {
    let server = Server::start(Kind::FakeGcs);
    let key = "harvest/apple crate ß+1.bin";
    let content = crate::object_bytes(5 * 1024 * 1024 + 3);
    put_object(&server, BUCKET, key, &content).await;
    put_object(&server, "configured-elsewhere", "unrelated", b"x").await;

    // POLYFAAS_BLOB_URL unset (Cloud Run's default: GCS, the event's bucket), and set to another
    // bucket with a prefix: either way the object is read from the event's bucket.
    for blob_url in [None, Some("gs://configured-elsewhere/some/prefix")] {
        let scratch = tempfile::tempdir().unwrap();
        let (mut process, addr) = start_echo(&server, blob_url, scratch.path());
        let response = send(addr, finalized(BUCKET, key, content.len())).await;
        assert_eq!(
            response.status(),
            200,
            "{blob_url:?}: {response:?}\n{}",
            process.output()
        );
        let document = json(&response);
        crate::assert_read_object(
            &document,
            "gcp",
            BUCKET,
            key,
            &content,
            &format!("{blob_url:?}"),
        );

        // An object that is not there: a server error, and the next event is served.
        let missing = send(addr, finalized(BUCKET, "harvest/absent.bin", 3)).await;
        assert!(missing.status().is_server_error(), "{missing:?}");
        let again = send(addr, finalized(BUCKET, key, content.len())).await;
        assert_eq!(
            event_of(&json(&again), "gcp")["local_sha256"],
            sha256_hex(&content)
        );
        assert!(process.is_running(), "{}", process.output());
    }
}
