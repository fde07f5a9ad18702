//! Failures followed by good requests, concurrency, deadlines, SIGTERM, configuration.

use std::time::{Duration, Instant};

use bytes::Bytes;
use conformance_tests::build::echo_binary;
use polyfaas_testkit::client::{self, get, json, send};
use polyfaas_testkit::process::{command, free_port, Process};
use serde_json::json;

use polyfaas_testkit::client::KeptAlive;
use polyfaas_testkit::gcp::{structured_event, text};
use polyfaas_testkit::process::Signal;
use polyfaas_testkit::Platform;

use crate::start;

#[tokio::test]
async fn a_panic_is_a_crash_and_the_next_request_is_served() {
    let mut echo = start("http", &[]);
    for round in 0..3 {
        let request = http::Request::get("/boom")
            .header("x-echo-fail", "panic")
            .body(Bytes::new())
            .unwrap();
        let response = send(echo.addr, request).await;
        assert_eq!(response.status(), 500);
        assert_eq!(response.headers()["x-google-status"], "crash");
        let body = text(&response);
        assert!(
            !body.contains("on purpose"),
            "the panic text leaked: {body}"
        );
        assert_eq!(json(&response)["error"]["type"], "Panic");
        let good = get(echo.addr, "/after").await;
        assert_eq!(good.status(), 200, "served after panic {round}");
    }
    assert!(echo.process.is_running());
    assert!(
        echo.process.output().contains("echo panicked on purpose"),
        "the panic is in the log\n{}",
        echo.process.output()
    );

    let mut echo = start("cloudevent", &[]);
    let failing = |how: &str| {
        structured_event(
            "/",
            &json!({"specversion": "1.0", "id": format!("f-{how}"), "source": "//o/x", "type": "example.t", "echo_fail": how}),
        )
    };
    let response = send(echo.addr, failing("panic")).await;
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers()["x-google-status"], "crash");
    let response = send(echo.addr, failing("error")).await;
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers()["x-google-status"], "error");
    assert!(text(&response).contains("echo failed on purpose"));
    let response = send(
        echo.addr,
        structured_event(
            "/",
            &json!({"specversion": "1.0", "id": "ok", "source": "//o/x", "type": "example.t"}),
        ),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(echo.process.is_running());
}

#[tokio::test]
async fn concurrent_requests_are_served_concurrently() {
    const N: usize = 10;
    const SLEEP_MS: u64 = 500;
    // HTTP functions.
    let echo = start("http", &[]);
    let started = Instant::now();
    let requests: Vec<_> = (0..N)
        .map(|i| {
            let addr = echo.addr;
            tokio::spawn(async move {
                let request = http::Request::get(format!("/c/{i}"))
                    .header("x-echo-sleep-ms", SLEEP_MS.to_string())
                    .body(Bytes::new())
                    .unwrap();
                client::send(addr, request).await
            })
        })
        .collect();
    for request in requests {
        assert_eq!(request.await.unwrap().status(), 200);
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(SLEEP_MS * N as u64 / 2),
        "{N} × {SLEEP_MS} ms took {took:?}"
    );

    // CloudEvent functions (the sleep switch rides in a structured event's extension).
    let echo = start("cloudevent", &[]);
    let started = Instant::now();
    let requests: Vec<_> = (0..N)
        .map(|i| {
            let addr = echo.addr;
            tokio::spawn(async move {
                let event = json!({"specversion": "1.0", "id": format!("c-{i}"), "source": "//o/x",
                                   "type": "example.t", "echo_sleep_ms": SLEEP_MS});
                client::send(addr, structured_event("/", &event)).await
            })
        })
        .collect();
    for request in requests {
        assert_eq!(request.await.unwrap().status(), 200);
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(SLEEP_MS * N as u64 / 2),
        "{N} × {SLEEP_MS} ms took {took:?}"
    );
}

#[tokio::test]
async fn a_handler_past_the_deadline_gets_504_and_the_server_goes_on() {
    let echo = start("http", &[("CLOUD_RUN_TIMEOUT_SECONDS", "0.3")]);
    let request = http::Request::get("/slow")
        .header("x-echo-sleep-ms", "5000")
        .body(Bytes::new())
        .unwrap();
    let started = Instant::now();
    let response = send(echo.addr, request).await;
    assert_eq!(response.status(), 504);
    assert_eq!(response.headers()["x-google-status"], "error");
    assert_eq!(json(&response)["error"]["type"], "Timeout");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "not cancelled: {:?}",
        started.elapsed()
    );
    assert_eq!(get(echo.addr, "/").await.status(), 200);
}

#[tokio::test]
async fn sigterm_finishes_requests_in_flight_then_exits_0() {
    for signature in ["http", "cloudevent"] {
        let mut echo = start(signature, &[]);
        let addr = echo.addr;
        let request = move |sleep_ms: u64| {
            if signature == "http" {
                http::Request::get("/slow")
                    .header("x-echo-sleep-ms", sleep_ms.to_string())
                    .body(Bytes::new())
                    .unwrap()
            } else {
                structured_event(
                    "/",
                    &json!({"specversion": "1.0", "id": "slow", "source": "//o/x", "type": "t", "echo_sleep_ms": sleep_ms}),
                )
            }
        };
        let mut connection = KeptAlive::open(addr).await.unwrap();
        let first = connection.send(request(0)).await.expect("served");
        assert_eq!(first.status(), 200);
        let slow = request(1500);
        let in_flight = tokio::spawn(async move { connection.send(slow).await });
        tokio::time::sleep(Duration::from_millis(400)).await;
        echo.process.signal(Signal::Term).unwrap();
        let response = in_flight.await.unwrap().expect("answered");
        assert_eq!(
            response.status(),
            200,
            "{signature}: the request in flight was finished"
        );
        let status = echo
            .process
            .wait_timeout(Duration::from_secs(10))
            .expect("exited");
        assert!(
            status.success(),
            "{signature}: {status:?}\n{}",
            echo.process.output()
        );
        assert!(
            echo.process.output().contains("shutting down"),
            "{}",
            echo.process.output()
        );
        assert!(
            client::try_send(addr, http::Request::get("/").body(Bytes::new()).unwrap())
                .await
                .is_err(),
            "{signature}: still accepting after SIGTERM"
        );
    }
}

#[tokio::test]
async fn the_drain_after_sigterm_is_bounded() {
    let mut echo = start("http", &[("POLYFAAS_DRAIN_SECONDS", "1")]);
    let mut connection = KeptAlive::open(echo.addr).await.unwrap();
    let first = connection
        .send(http::Request::get("/").body(Bytes::new()).unwrap())
        .await
        .expect("served");
    assert_eq!(first.status(), 200);
    let stuck = tokio::spawn(async move {
        let request = http::Request::get("/stuck")
            .header("x-echo-sleep-ms", "30000")
            .body(Bytes::new())
            .unwrap();
        connection.send(request).await
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    let signalled = Instant::now();
    echo.process.signal(Signal::Term).unwrap();
    let status = echo
        .process
        .wait_timeout(Duration::from_secs(10))
        .expect("exited");
    assert!(status.success(), "{status:?}\n{}", echo.process.output());
    assert!(
        signalled.elapsed() < Duration::from_secs(5),
        "took {:?} to stop",
        signalled.elapsed()
    );
    assert!(
        stuck.await.unwrap().is_err(),
        "the stuck request was cut off"
    );
    assert!(
        echo.process
            .output()
            .contains("requests still running after"),
        "{}",
        echo.process.output()
    );
}

#[tokio::test]
async fn bad_settings_are_startup_errors_naming_the_variable() {
    for (var, value) in [
        ("FUNCTION_SIGNATURE_TYPE", "grpc"),
        ("PORT", "eighty"),
        ("CLOUD_RUN_TIMEOUT_SECONDS", "soon"),
    ] {
        let mut cmd = command(&echo_binary(Platform::Gcp));
        cmd.env("FUNCTION_TARGET", "echo")
            .env("PORT", free_port().unwrap().to_string())
            .env("POLYFAAS_BLOB_URL", "memory://")
            .env(var, value);
        let mut process = Process::spawn(cmd).unwrap();
        let status = process
            .wait_timeout(Duration::from_secs(30))
            .expect("exits");
        assert!(!status.success(), "{var}={value}");
        assert!(
            process
                .output()
                .contains(&format!("{var}={value:?} is not valid")),
            "{}",
            process.output()
        );
    }
}

#[tokio::test]
async fn by_default_it_listens_on_all_interfaces() {
    let port = free_port().unwrap();
    let mut cmd = command(&echo_binary(Platform::Gcp));
    cmd.env("FUNCTION_TARGET", "echo")
        .env("PORT", port.to_string())
        .env("POLYFAAS_BLOB_URL", "memory://")
        .env_remove("HOST")
        .env("RUST_LOG", "info");
    let mut process = Process::spawn(cmd).unwrap();
    let addr = ([127, 0, 0, 1], port).into();
    process
        .wait_for_port(addr, Duration::from_secs(60))
        .unwrap();
    assert_eq!(get(addr, "/").await.status(), 200);
    assert!(
        process.output().contains(&format!("0.0.0.0:{port}")),
        "{}",
        process.output()
    );
}
