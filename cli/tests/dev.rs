//! `cargo polyfaas dev` on a temporary copy of `examples/hello`: it serves, picks up a source
//! change (rebuilt and restarted on the same port), keeps the old build serving through a build
//! error, and with `--record` writes every event it received, which `polyfaas_testkit::replay`
//! then runs in process.

mod support;

use std::io::Read as _;
use std::net::SocketAddr;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use polyfaas_core::{canonical, handler_fn, Context, Error, Event, Response};
use polyfaas_testkit::client::try_send;
use polyfaas_testkit::process::free_port;
use polyfaas_testkit::record::read_dir;
use support::function_crate::FunctionCrate;

/// `cargo-polyfaas dev`, stopped with SIGTERM (as Ctrl-C would) when dropped.
struct Dev {
    child: Child,
    log: std::path::PathBuf,
}

impl Dev {
    fn log(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = std::fs::File::open(&self.log) {
            let _ = file.read_to_string(&mut text);
        }
        text
    }

    /// Panics with dev's output if it has exited (it runs until it is stopped).
    fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("dev exited ({status}):\n{}", self.log());
        }
    }

    fn stop(&mut self) -> std::process::ExitStatus {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid");
        // SAFETY: kill(2) with plain integers, on our own child.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        self.child.wait().expect("wait for dev")
    }
}

impl Drop for Dev {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.stop();
        }
    }
}

async fn body_of(addr: SocketAddr, path: &str) -> Option<String> {
    let request = http::Request::get(path).body(bytes::Bytes::new()).ok()?;
    let response = try_send(addr, request).await.ok()?;
    Some(String::from_utf8_lossy(response.body()).into_owned())
}

/// The first build may compile the dependencies; a rebuild compiles only the crate. (Generous
/// for a loaded machine; a watcher that waits for the sources to settle while every request is
/// recorded inside the package, as it once did, takes far longer.)
const FIRST_BUILD: Duration = Duration::from_secs(600);
const REBUILD: Duration = Duration::from_secs(180);

/// Polls `path` every 200 ms (each request is recorded inside the package) until its body
/// satisfies `want`; panics with dev's output after `limit`.
async fn wait_for(
    dev: &mut Dev,
    addr: SocketAddr,
    path: &str,
    limit: Duration,
    want: impl Fn(&str) -> bool,
) -> String {
    let started = Instant::now();
    loop {
        if let Some(body) = body_of(addr, path).await {
            if want(&body) {
                return body;
            }
        }
        dev.assert_running();
        assert!(
            started.elapsed() < limit,
            "no expected answer on {path} within {limit:?}; dev printed:\n{}",
            dev.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until dev's output has `needle` `count` times.
async fn wait_for_log(dev: &mut Dev, needle: &str, count: usize) {
    let limit = REBUILD;
    let started = Instant::now();
    while dev.log().matches(needle).count() < count {
        dev.assert_running();
        assert!(
            started.elapsed() < limit,
            "dev did not print {needle:?} within {limit:?}:\n{}",
            dev.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_rebuilds_on_change_keeps_serving_through_a_build_error_and_records() {
    let hello = FunctionCrate::copy_of("hello");
    let port = free_port().unwrap();
    // `--host`: another loopback address than the default 127.0.0.1, which is then not served.
    let addr: SocketAddr = ([127, 0, 0, 2], port).into();
    // Recorded events go inside the package (dev does not take them for source changes); the
    // log and the blob store outside it (written to all the time, they would be).
    let record = hello.path.join("recorded");
    let outside = hello.path.parent().unwrap().to_owned();
    let log = outside.join("dev.log");
    let output = std::fs::File::create(&log).unwrap();
    let child = hello
        .cli(&[
            "dev",
            "--host",
            "127.0.0.2",
            "--port",
            &port.to_string(),
            "--record",
            record.to_str().unwrap(),
        ])
        .env("POLYFAAS_BLOB_DIR", outside.join("blobs"))
        .stdout(output.try_clone().unwrap())
        .stderr(output)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let mut dev = Dev { child, log };

    let first = wait_for(&mut dev, addr, "/?name=Ada", FIRST_BUILD, |b| {
        b.starts_with("Hello, Ada!")
    })
    .await;
    assert_eq!(first, "Hello, Ada! (visit 1)\n");
    let default_host: SocketAddr = ([127, 0, 0, 1], port).into();
    assert!(
        std::net::TcpStream::connect(default_host).is_err(),
        "--host 127.0.0.2 also listens on 127.0.0.1"
    );

    // A source change: rebuilt and restarted on the same port.
    let original = hello.main_rs();
    let howdy = original.replace("\"Hello, {name}!", "\"Howdy, {name}!");
    assert_ne!(howdy, original, "the greeting is in hello's main.rs");
    let changed = Instant::now();
    hello.write_main(&howdy);
    wait_for(&mut dev, addr, "/?name=Ada", REBUILD, |b| {
        b.starts_with("Howdy, Ada!")
    })
    .await;
    // Reported, not asserted: the rebuild's time is the machine's.
    println!(
        "the change was served {:?} after it was saved",
        changed.elapsed()
    );

    // A build error: shown, and the build before keeps serving.
    hello.write_main(&format!("{howdy}\nfn broken( {{\n"));
    wait_for_log(&mut dev, "build failed", 1).await;
    let still = body_of(addr, "/?name=Ada").await;
    assert!(
        still
            .as_deref()
            .is_some_and(|b| b.starts_with("Howdy, Ada!")),
        "{still:?}\n{}",
        dev.log()
    );
    assert_eq!(dev.log().matches("restarting").count(), 1, "{}", dev.log());

    // Fixed: rebuilt and restarted again.
    hello.write_main(&original.replace("\"Hello, {name}!", "\"Hi, {name}!"));
    wait_for(&mut dev, addr, "/?name=Recorded", REBUILD, |b| {
        b.starts_with("Hi, Recorded!")
    })
    .await;
    let fired = http::Request::post(polyfaas_testkit::local::EVENTS_PATH)
        .body(bytes::Bytes::from_static(
            br#"{"kind":"schedule","name":"nightly","time":"2026-03-01T02:00:00Z"}"#,
        ))
        .unwrap();
    assert_eq!(try_send(addr, fired).await.unwrap().status(), 400);

    let status = dev.stop();
    assert!(status.success(), "{status}\n{}", dev.log());
    assert!(dev.log().contains("stopping"), "{}", dev.log());
    // The function stopped with dev: the port is free again.
    assert!(std::net::TcpStream::connect(addr).is_err());

    // Every event received was recorded, the polls included, in the order received.
    let recorded = read_dir(&record).unwrap();
    let last_two: Vec<&serde_json::Value> =
        recorded.iter().rev().take(2).map(|r| &r.event).collect();
    assert_eq!(
        *last_two[0],
        serde_json::json!({"kind": "schedule", "name": "nightly", "time": "2026-03-01T02:00:00Z"})
    );
    assert!(
        recorded
            .iter()
            .any(|r| r.event["kind"] == "http" && r.event["query"] == "name=Recorded"),
        "{recorded:?}"
    );
    // Replayed in process: each recorded event reaches the handler as it was received.
    let replayed = polyfaas_testkit::replay(&record, handler_fn(canonical_answer))
        .await
        .unwrap();
    assert_eq!(replayed.len(), recorded.len());
    for (replayed, file) in replayed.iter().zip(&recorded) {
        let response = replayed.result.as_ref().unwrap();
        let seen: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(seen, file.event, "{}", replayed.name());
    }
}

/// `HOST` and `PORT` stand in for `--host` and `--port`; a wrong one is refused by name before
/// anything is built.
#[test]
fn dev_refuses_a_host_or_port_that_does_not_parse() {
    let hello = FunctionCrate::copy_of("hello");
    for (var, value, expected) in [
        (
            "HOST",
            "localhost:80",
            "HOST=\"localhost:80\" is not an IP address; pass --host",
        ),
        (
            "PORT",
            "http",
            "PORT=\"http\" is not a port number; pass --port",
        ),
    ] {
        let output = hello
            .cli(&["dev"])
            .env(var, value)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{var}={value}: {stderr}");
        assert!(stderr.contains(expected), "{var}={value}: {stderr}");
    }
}

/// Answers with the event's canonical JSON.
async fn canonical_answer(event: Event, _ctx: Context) -> Result<Response, Error> {
    Response::json(&canonical::to_json(&event))
}
