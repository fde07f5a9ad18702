//! Start to first answered invocation of HTTP-serving binaries.
//!
//! The spec (JSON) lists the targets; each run spawns one with a free port in `port_var`, then
//! either polls the readiness `probe` until it gets any HTTP answer (the Azure host's `GET /`)
//! and sends `request` once, or (no probe) sends `request` until it is answered 2xx (what a
//! client of Cloud Run or of the local server sees). The time is from spawning to the end of
//! that answer.
//!
//! ```json
//! [{"name": "gcp", "argv": ["target/release/echo"], "env": {"FUNCTION_TARGET": "echo"},
//!   "cwd": null, "port_var": "PORT", "probe": null,
//!   "request": {"method": "POST", "path": "/x", "headers": {"content-type": "text/plain"}, "body": "hi"}}]
//! ```

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;
use polyfaas_testkit::client::try_send;
use polyfaas_testkit::process::free_port;
use serde::Deserialize;
use serde_json::json;

use crate::spawn::{kill, spawn};

/// One binary to start.
#[derive(Deserialize)]
struct Target {
    name: String,
    /// The program and its arguments.
    argv: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    cwd: Option<PathBuf>,
    /// The variable that tells it its port.
    port_var: String,
    /// The host's readiness probe, if the platform has one.
    #[serde(default)]
    probe: Option<RequestSpec>,
    /// The first invocation.
    request: RequestSpec,
}

#[derive(Deserialize)]
struct RequestSpec {
    method: String,
    path: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: String,
}

impl RequestSpec {
    fn build(&self) -> Result<http::Request<Bytes>, http::Error> {
        let mut request = http::Request::builder()
            .method(self.method.as_str())
            .uri(self.path.as_str());
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        request.body(Bytes::from(self.body.clone()))
    }
}

/// How long a target may take to answer before the run is abandoned.
const LIMIT: Duration = Duration::from_secs(60);

/// Sends `spec` until it is answered (2xx when `need_success`); returns the status.
async fn until_answered(
    addr: SocketAddr,
    spec: &RequestSpec,
    need_success: bool,
    started: Instant,
) -> Result<http::StatusCode, Box<dyn std::error::Error>> {
    loop {
        if let Ok(response) = try_send(addr, spec.build()?).await {
            if !need_success || response.status().is_success() {
                return Ok(response.status());
            }
        }
        if started.elapsed() > LIMIT {
            return Err(format!("no answer from {addr} within {LIMIT:?}").into());
        }
        retry_pause();
    }
}

/// The pause between two attempts. Not `tokio::time::sleep`: tokio's timer ticks in whole
/// milliseconds, so a 250 µs sleep took 1–2 ms and every start-up was measured on a 1 ms grid
/// (a server ready at 1.9 ms was seen at 2.8 ms). A thread sleep keeps the step near
/// `RETRY_EVERY`; nothing else runs on this runtime between two attempts.
fn retry_pause() {
    std::thread::sleep(RETRY_EVERY);
}

/// How often a target that did not answer yet is tried again.
const RETRY_EVERY: Duration = Duration::from_micros(100);

/// Prints `{"name": [ms, ...], ...}` over `runs` rounds in which every target starts once.
pub async fn run(spec: &Path, runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let targets: Vec<Target> = serde_json::from_slice(&std::fs::read(spec)?)?;
    let mut samples: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for run in 0..=runs {
        for target in &targets {
            let port = free_port()?;
            let mut env: Vec<(String, String)> = target.env.clone().into_iter().collect();
            env.push((target.port_var.clone(), port.to_string()));
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let (program, args) = target
                .argv
                .split_first()
                .ok_or_else(|| format!("{}: empty argv", target.name))?;
            let started = Instant::now();
            let child = spawn(Path::new(program), args, &env, target.cwd.as_deref(), false)?;
            let answered = async {
                if let Some(probe) = &target.probe {
                    until_answered(addr, probe, false, started).await?;
                    let response = try_send(addr, target.request.build()?)
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok::<_, Box<dyn std::error::Error>>(response.status())
                } else {
                    until_answered(addr, &target.request, true, started).await
                }
            }
            .await;
            let elapsed = started.elapsed();
            kill(child);
            let status = answered.map_err(|e| format!("{}: {e}", target.name))?;
            if !status.is_success() {
                return Err(format!("{}: the first invocation got {status}", target.name).into());
            }
            // Run 0 warms the page cache; it is not kept.
            if run > 0 {
                samples
                    .entry(target.name.clone())
                    .or_default()
                    .push(elapsed.as_secs_f64() * 1000.0);
            }
        }
    }
    println!("{}", json!(samples));
    Ok(())
}
