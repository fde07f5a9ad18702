//! One blob store contract, run against all five backends: memory, a local directory, S3 (on
//! s3s-fs, which verifies SigV4 signatures, and on moto), Azure Blob Storage (on Azurite) and
//! Google Cloud Storage (on fake-gcs-server).
//!
//! The servers are real processes started on free ports of 127.0.0.1 and stopped when each test
//! ends; `scripts/install-emulators.sh` installs them. A missing server fails its test with the
//! install command. What a backend cannot do is printed as a `CAPABILITY MISSING` line.

mod checks;
mod proxy;
mod servers;
mod setup;

use polyfaas_core::blob::{from_url_in, BlobError, Blobs, EnvVars, LocalDirStore, MemoryStore};
use polyfaas_core::{BlobChange, BlobEvent, Context, Provider};

use checks::{say, Gaps};
use servers::{Kind, Server, ACCESS_KEY, SECRET_KEY};

/// The size of the streamed object: several upload parts.
const LARGE: usize = 20 * 1024 * 1024 + 12_345;

fn open(url: &str, env: &EnvVars) -> Blobs {
    from_url_in(url, env).unwrap_or_else(|e| panic!("open {url}: {e}"))
}

#[tokio::test]
async fn memory_meets_the_contract() {
    let blobs = Blobs::new(MemoryStore::new());
    checks::run("memory", &blobs, Gaps::default(), LARGE).await;
    say(
        "memory",
        "not applicable: symlinks (no file system); keys are validated before any backend",
    );
}

#[tokio::test]
async fn local_dir_meets_the_contract() {
    let root = tempfile::tempdir().unwrap();
    let url = format!("file://{}", root.path().join("blobs").display());
    let blobs = open(&url, &EnvVars::default());
    checks::run("local dir", &blobs, Gaps::default(), LARGE).await;
}

#[tokio::test]
async fn local_dir_refuses_a_symlink_that_leaves_the_root() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(outer.path().join("secret.txt"), "secret").unwrap();
    let blobs = Blobs::new(LocalDirStore::new(&root));
    std::os::unix::fs::symlink(outer.path(), root.join("link")).unwrap();
    std::os::unix::fs::symlink(outer.path().join("secret.txt"), root.join("file-link")).unwrap();

    for key in ["link/secret.txt", "file-link"] {
        let err = blobs.get(key).await.unwrap_err();
        assert!(matches!(err, BlobError::Symlink { .. }), "{key}: {err}");
        let mut sink = Vec::new();
        assert!(blobs.get_to(key, &mut sink).await.is_err());
        assert!(blobs.head(key).await.is_err());
        let dest = outer.path().join("dest");
        assert!(blobs.download_to(key, &dest).await.is_err());
    }
    assert!(blobs.put("link/new.txt", "x").await.is_err());
    assert!(!outer.path().join("new.txt").exists());
    let src = outer.path().join("src");
    std::fs::write(&src, "x").unwrap();
    assert!(blobs.put_file("link/new.txt", &src).await.is_err());
    assert!(!outer.path().join("new.txt").exists());
    assert!(
        blobs.list("").await.unwrap().is_empty(),
        "links are never listed"
    );
    assert_eq!(
        std::fs::read_to_string(outer.path().join("secret.txt")).unwrap(),
        "secret"
    );
}

#[tokio::test]
async fn local_dir_on_a_missing_root_is_empty_not_an_error() {
    let root = tempfile::tempdir().unwrap();
    let blobs = Blobs::new(LocalDirStore::new(root.path().join("not-yet")));
    assert!(blobs.list("").await.unwrap().is_empty());
    assert!(blobs.get("x").await.unwrap_err().is_not_found());
    assert!(
        blobs.put(".polyfaas-staging/x", "x").await.is_err(),
        "the staging area is no key"
    );
}

fn s3_env(server: &Server, secret: &str) -> EnvVars {
    EnvVars::from_pairs([
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
        ("AWS_SECRET_ACCESS_KEY", secret.to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ENDPOINT_URL_S3", server.endpoint()),
    ])
}

fn azure_env(server: &Server) -> EnvVars {
    EnvVars::from_pairs([(
        "AZURE_STORAGE_CONNECTION_STRING",
        setup::azurite_connection_string(server),
    )])
}

fn gcs_env(server: &Server) -> EnvVars {
    EnvVars::from_pairs([("STORAGE_EMULATOR_HOST", server.endpoint())])
}

/// The contract on a server's bucket, then the bucket-level behaviour: a key prefix, another
/// bucket through `in_bucket`, and a blob event's `local_path` reading from its own bucket.
async fn cloud_contract(
    backend: &str,
    kind: Kind,
    scheme: &str,
    env: fn(&Server) -> EnvVars,
    gaps: Gaps,
) {
    let server = Server::start(kind);
    for bucket in ["contract", "events"] {
        setup::create_bucket(&server, bucket);
    }
    let env = env(&server);
    let blobs = open(&format!("{scheme}://contract"), &env);
    checks::run(backend, &blobs, gaps, LARGE).await;
    say(
        backend,
        "not applicable: symlinks (no file system); keys are validated before any backend",
    );

    // A prefix puts every key under it, and lists without it.
    let prefixed = open(&format!("{scheme}://contract/tenant/one"), &env);
    prefixed.put("p.txt", "p").await.unwrap();
    assert_eq!(&blobs.get("tenant/one/p.txt").await.unwrap()[..], b"p");
    let listed: Vec<String> = prefixed
        .list("")
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.key.to_string())
        .collect();
    assert_eq!(listed, ["p.txt"]);

    // Another bucket of the same backend, opened from the configured one.
    let events = blobs.in_bucket("events").unwrap();
    events
        .put("in/photo one.jpg", vec![7u8; 300_000])
        .await
        .unwrap();
    assert!(
        blobs
            .get("in/photo one.jpg")
            .await
            .unwrap_err()
            .is_not_found(),
        "buckets are separate"
    );
    assert!(std::sync::Arc::ptr_eq(
        blobs.in_bucket("contract").unwrap().store(),
        blobs.store()
    ));
    assert!(std::sync::Arc::ptr_eq(
        blobs.in_bucket("events").unwrap().store(),
        events.store()
    ));

    // A blob event for the other bucket: local_path downloads from there, whatever the
    // configured bucket and prefix. So does a store configured without a bucket (`s3://`).
    for configured in [prefixed.clone(), open(&format!("{scheme}://"), &env)] {
        let scratch = tempfile::tempdir().unwrap();
        let ctx = Context::builder(Provider::LOCAL, "req-1")
            .blobs(configured)
            .scratch_base(scratch.path())
            .build();
        let event = BlobEvent::new(BlobChange::Created, "events", "in/photo one.jpg");
        let path = event.local_path(&ctx).await.unwrap();
        assert_eq!(std::fs::read(path).unwrap(), vec![7u8; 300_000]);
        assert!(
            path.to_string_lossy().ends_with(".jpg"),
            "{path:?} keeps the extension"
        );
    }
    say(
        backend,
        "prefix, in_bucket and BlobEvent::local_path across buckets passed",
    );
}

#[tokio::test]
async fn s3_on_s3s_fs_meets_the_contract() {
    cloud_contract(
        "s3 (s3s-fs)",
        Kind::S3sFs,
        "s3",
        |s| s3_env(s, SECRET_KEY),
        Gaps::default(),
    )
    .await;
}

#[tokio::test]
async fn s3_on_s3s_fs_refuses_a_wrong_signature() {
    let server = Server::start(Kind::S3sFs);
    setup::create_bucket(&server, "signed");
    let good = open("s3://signed", &s3_env(&server, SECRET_KEY));
    good.put("k", "v").await.unwrap();
    let bad = open("s3://signed", &s3_env(&server, "not-the-secret"));
    let err = bad.get("k").await.unwrap_err();
    assert!(matches!(err, BlobError::Backend { .. }), "{err}");
    assert!(bad.put("k2", "v").await.is_err());
    assert!(good.head("k2").await.unwrap_err().is_not_found());
    say(
        "s3 (s3s-fs)",
        "a request signed with the wrong secret is refused",
    );
}

/// S3 and Azure through a `CONNECT` proxy named by `AWS_PROXY_URL` / `AZURE_PROXY_URL`: the
/// whole contract passes, and every connection was a tunnel to the emulator.
#[tokio::test]
async fn s3_and_azure_meet_the_contract_through_a_proxy() {
    /// A backend, its server, its URL scheme, its settings and the variable naming its proxy.
    type Case = (
        &'static str,
        Kind,
        &'static str,
        fn(&Server) -> EnvVars,
        &'static str,
    );
    let cases: [Case; 2] = [
        (
            "s3 (s3s-fs, proxied)",
            Kind::S3sFs,
            "s3",
            |s| s3_env(s, SECRET_KEY),
            "AWS_PROXY_URL",
        ),
        (
            "azure (azurite, proxied)",
            Kind::Azurite,
            "az",
            azure_env,
            "AZURE_PROXY_URL",
        ),
    ];
    for (backend, kind, scheme, env, proxy_var) in cases {
        let server = Server::start(kind);
        setup::create_bucket(&server, "proxied");
        let proxy = proxy::ConnectProxy::start();
        let mut env = env(&server);
        env.set(proxy_var, proxy.url.clone());
        let blobs = open(&format!("{scheme}://proxied"), &env);
        checks::run(backend, &blobs, Gaps::default(), 3 * 1024 * 1024).await;
        let targets = proxy.targets();
        let emulator = server
            .endpoint()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        assert!(!targets.is_empty(), "{backend}: no tunnel was opened");
        assert!(
            targets.iter().all(|t| emulator.starts_with(t.as_str())),
            "{backend}: tunnels {targets:?}, emulator {emulator}"
        );
        say(
            backend,
            &format!("{} tunnels through the proxy", targets.len()),
        );
    }
}

#[tokio::test]
async fn s3_on_moto_meets_the_contract() {
    cloud_contract(
        "s3 (moto)",
        Kind::Moto,
        "s3",
        |s| s3_env(s, SECRET_KEY),
        Gaps::default(),
    )
    .await;
}

#[tokio::test]
async fn azure_on_azurite_meets_the_contract() {
    cloud_contract(
        "azure (azurite)",
        Kind::Azurite,
        "az",
        azure_env,
        Gaps::default(),
    )
    .await;
}

#[tokio::test]
async fn gcs_on_fake_gcs_server_meets_the_contract() {
    let gaps = Gaps {
        put_if_absent_ignored_by_server: Some(
            "fake-gcs-server honours ifGenerationMatch=0 only on uploadType=multipart, not on the \
             resumable uploads OpenDAL sends for conditional writes (real GCS honours both)",
        ),
    };
    cloud_contract("gcs (fake-gcs-server)", Kind::FakeGcs, "gs", gcs_env, gaps).await;
}

#[test]
fn a_client_option_that_does_not_parse_stops_start_up_naming_the_variable() {
    for (url, env) in [
        (
            "s3://bucket-1",
            [
                ("AWS_ACCESS_KEY_ID", "AK"),
                ("AWS_SECRET_ACCESS_KEY", "SK"),
                ("AWS_READ_TIMEOUT", "never"),
            ],
        ),
        (
            "az://container-1",
            [
                ("AZURE_STORAGE_USE_EMULATOR", "true"),
                ("AZURE_ALLOW_HTTP", "maybe"),
                ("AZURE_TIMEOUT", "1m"),
            ],
        ),
    ] {
        let err = from_url_in(url, &EnvVars::from_pairs(env))
            .unwrap_err()
            .to_string();
        let bad = if url.starts_with("s3") {
            "AWS_READ_TIMEOUT"
        } else {
            "AZURE_ALLOW_HTTP"
        };
        assert!(
            err.contains("POLYFAAS_BLOB_URL") && err.contains(bad),
            "{url}: {err}"
        );
    }
}

#[test]
fn cloud_urls_without_credentials_name_the_variable() {
    for (url, var) in [
        ("s3://bucket-1", "AWS_ACCESS_KEY_ID"),
        ("az://container-1", "AZURE_STORAGE_CONNECTION_STRING"),
        ("gs://bucket-1", "GOOGLE_APPLICATION_CREDENTIALS"),
        ("s3://", "AWS_ACCESS_KEY_ID"),
    ] {
        let err = from_url_in(url, &EnvVars::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("POLYFAAS_BLOB_URL") && err.contains(var),
            "{url}: {err}"
        );
    }
}
