//! A Lambda S3 notification for an object in s3s-fs, read by echo through the S3 backend.

use std::time::Duration;

use conformance_tests::build::echo_binary;
use polyfaas_testkit::echo::{event_of, sha256_hex};
use polyfaas_testkit::process::{command, Process};
use serde_json::{json, Value};

use crate::servers::{Kind, Server, ACCESS_KEY, SECRET_KEY};
use polyfaas_testkit::aws::{Invocation, Outcome, RuntimeApi};
use polyfaas_testkit::Platform;

/// The bucket the notifications come from.
const BUCKET: &str = "e2e-uploads";

/// An S3 `ObjectCreated:Put` notification; `encoded_key` as S3 sends it (form-encoded).
fn s3_created(bucket: &str, encoded_key: &str, size: usize) -> Value {
    json!({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2026-11-22T02:00:00.000Z", "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:AIDAE2E0000000000001"},
        "requestParameters": {"sourceIPAddress": "192.0.2.10"},
        "responseElements": {"x-amz-request-id": "E2E0000000000001", "x-amz-id-2": "e2e/id/2"},
        "s3": {
            "s3SchemaVersion": "1.0", "configurationId": "blob-e2e",
            "bucket": {"name": bucket, "ownerIdentity": {"principalId": "AE2E"},
                       "arn": format!("arn:aws:s3:::{bucket}")},
            "object": {"key": encoded_key, "size": size, "sequencer": "00E2E0000000000001"}
        }
    }]})
}

/// Starts echo (`--features aws`) against `api` with Lambda's variables, S3 credentials
/// (`secret`) and endpoint for `server`, and `blob_url` as `POLYFAAS_BLOB_URL` (`None`: unset,
/// the platform's default).
fn start_echo(
    api: &RuntimeApi,
    server: &Server,
    secret: &str,
    blob_url: Option<&str>,
    scratch: &std::path::Path,
) -> Process {
    let mut cmd = command(&echo_binary(Platform::Aws));
    for var in [
        "POLYFAAS_BLOB_URL",
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_LAMBDA_RUNTIME_API", api.host_port())
        .env("AWS_LAMBDA_FUNCTION_NAME", "echo-blob-e2e")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_ENDPOINT_URL_S3", server.endpoint())
        .env("POLYFAAS_TMPDIR", scratch)
        .env("RUST_LOG", "info");
    if let Some(url) = blob_url {
        cmd.env("POLYFAAS_BLOB_URL", url);
    }
    Process::spawn(cmd).unwrap()
}

async fn invoke(api: &RuntimeApi, process: &Process, payload: &Value) -> Outcome {
    let invocation = Invocation::new(serde_json::to_vec(payload).unwrap());
    match api.invoke(invocation, Duration::from_secs(60)).await {
        Some(outcome) => outcome,
        None => panic!("no answer within 60 s\n{}", process.output()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_s3_notification_reaches_echo_with_the_objects_bytes() {
    let server = Server::start(Kind::S3sFs);
    // s3s-fs keeps a bucket as a directory and an object as a file under it.
    let bucket_dir = server.data.path().join("data").join(BUCKET);
    let key = "incoming/photo 1 ü+.jpg";
    let content = crate::object_bytes(6 * 1024 * 1024 + 17);
    std::fs::create_dir_all(bucket_dir.join("incoming")).unwrap();
    std::fs::write(bucket_dir.join(key), &content).unwrap();
    std::fs::create_dir_all(server.data.path().join("data").join("configured-elsewhere")).unwrap();
    let encoded = "incoming/photo+1+%C3%BC%2B.jpg";
    let event = s3_created(BUCKET, encoded, content.len());

    // POLYFAAS_BLOB_URL unset (Lambda's default: S3, the event's bucket), and set to another
    // bucket with a prefix: either way the object is read from the event's bucket.
    for blob_url in [None, Some("s3://configured-elsewhere/some/prefix")] {
        let scratch = tempfile::tempdir().unwrap();
        let api = RuntimeApi::start().await.unwrap();
        let mut process = start_echo(&api, &server, SECRET_KEY, blob_url, scratch.path());
        let outcome = invoke(&api, &process, &event).await;
        let Outcome::Response(_) = &outcome else {
            panic!(
                "{blob_url:?}: expected a response, got {outcome:?}\n{}",
                process.output()
            );
        };
        let document = outcome.response_json();
        crate::assert_read_object(
            &document,
            "aws",
            BUCKET,
            key,
            &content,
            &format!("{blob_url:?}"),
        );
        assert!(process.is_running(), "{}", process.output());
    }

    // An object that is not there: the invocation fails with a blob error, echo stays up.
    let scratch = tempfile::tempdir().unwrap();
    let api = RuntimeApi::start().await.unwrap();
    let process = start_echo(&api, &server, SECRET_KEY, None, scratch.path());
    let missing = s3_created(BUCKET, "incoming/absent.bin", 3);
    let (error_type, message) = invoke(&api, &process, &missing).await.error();
    assert_eq!(error_type, "BlobError", "{message}");
    assert!(message.contains("absent.bin"), "{message}");
    let again = invoke(&api, &process, &event).await.response_json();
    assert_eq!(
        event_of(&again, "aws")["local_sha256"],
        sha256_hex(&content)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_s3_secret_is_refused_by_the_server_and_reported() {
    let server = Server::start(Kind::S3sFs);
    let bucket_dir = server.data.path().join("data").join(BUCKET);
    std::fs::create_dir_all(&bucket_dir).unwrap();
    std::fs::write(bucket_dir.join("k.txt"), b"secret bytes").unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let api = RuntimeApi::start().await.unwrap();
    let mut process = start_echo(&api, &server, "not-the-secret", None, scratch.path());
    let (error_type, message) = invoke(&api, &process, &s3_created(BUCKET, "k.txt", 12))
        .await
        .error();
    assert_eq!(error_type, "BlobError", "{message}");
    assert!(message.contains("k.txt"), "{message}");
    assert!(process.is_running(), "{}", process.output());
}
