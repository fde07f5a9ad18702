//! The Lambda side: start-up under the Runtime API, and invocations for the scripts.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::spawn::{kill, minor_faults, spawn};
use polyfaas_testkit::aws::{Invocation, Outcome, RuntimeApi};

/// What a function answers its first invocation within.
const LIMIT: Duration = Duration::from_secs(30);

/// Lambda's own variables, as a `provided.al2023` function gets them.
fn lambda_env(api: &RuntimeApi, extra: &[(String, String)]) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("AWS_LAMBDA_RUNTIME_API", api.host_port().as_str()),
        ("AWS_LAMBDA_FUNCTION_NAME", "echo-fn"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    env.extend_from_slice(extra);
    env
}

fn outcome_json(outcome: Option<Outcome>, limit: Duration) -> Value {
    match outcome {
        Some(Outcome::Response(body)) => json!({
            "outcome": "response",
            "body": serde_json::from_slice::<Value>(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned())),
        }),
        Some(Outcome::Streamed(streamed)) => json!({
            "outcome": "streamed",
            "body": String::from_utf8_lossy(&streamed.bytes()).into_owned(),
        }),
        Some(Outcome::Error { header, body }) => {
            json!({"outcome": "error", "error_type_header": header, "body": body})
        }
        None => json!({"outcome": "none", "body": format!("no answer within {limit:?}")}),
    }
}

/// Prints `{"name": [ms, ...], ...}`: start to first `/response` of each binary, `runs` times,
/// the binaries taking turns so that load from elsewhere weighs on all alike. With `faults`,
/// also writes there `{"name": [n, ...], ...}`: the minor page faults each run had taken by its
/// first response (what a larger binary costs at start: each is a trip through the kernel).
pub async fn startup(
    event: &Path,
    runs: usize,
    env: &[(String, String)],
    binaries: &[(String, String)],
    faults: Option<&Path>,
) -> Result<(), Box<dyn std::error::Error>> {
    let payload = std::fs::read(event)?;
    let mut samples = serde_json::Map::new();
    let mut fault_samples = serde_json::Map::new();
    for run in 0..=runs {
        for (name, binary) in binaries {
            let api = RuntimeApi::start().await?;
            let env = lambda_env(&api, env);
            let started = Instant::now();
            let child = spawn(Path::new(binary), &[], &env, None, false)?;
            let outcome = api.invoke(Invocation::new(payload.clone()), LIMIT).await;
            let elapsed = started.elapsed();
            let taken = minor_faults(&child);
            kill(child);
            if !matches!(outcome, Some(Outcome::Response(_))) {
                return Err(format!("{name}: {}", outcome_json(outcome, LIMIT)).into());
            }
            // Run 0 warms the page cache; it is not kept.
            if run > 0 {
                let list = samples.entry(name.clone()).or_insert_with(|| json!([]));
                if let Value::Array(list) = list {
                    list.push(json!(elapsed.as_secs_f64() * 1000.0));
                }
                let list = fault_samples
                    .entry(name.clone())
                    .or_insert_with(|| json!([]));
                if let (Value::Array(list), Some(taken)) = (list, taken) {
                    list.push(json!(taken));
                }
            }
        }
    }
    if let Some(path) = faults {
        std::fs::write(path, Value::Object(fault_samples).to_string())?;
    }
    println!("{}", Value::Object(samples));
    Ok(())
}

/// Hands every event out `repeat` times to one process of `bin`; prints one JSON line per
/// outcome, or (when `repeat` > 1) one summary line with the count of each outcome; then one
/// line saying whether the process is still running (and its exit code if not).
pub async fn invoke(
    bin: &Path,
    env: &[(String, String)],
    deadline: Option<String>,
    repeat: usize,
    limit: Duration,
    events: &[PathBuf],
) -> Result<(), Box<dyn std::error::Error>> {
    let api = RuntimeApi::start().await?;
    let child = spawn(bin, &[], &lambda_env(&api, env), None, true)?;
    let mut counts = serde_json::Map::new();
    let mut deadline = deadline;
    for _ in 0..repeat {
        for event in events {
            let mut invocation = Invocation::new(std::fs::read(event)?);
            if let Some(deadline) = deadline.take() {
                invocation = invocation.deadline((deadline != "none").then_some(deadline));
            }
            let outcome = outcome_json(api.invoke(invocation, limit).await, limit);
            if repeat == 1 {
                println!("{}", json!({"event": event, "answer": outcome}));
            } else {
                let key = outcome["outcome"].as_str().unwrap_or("none").to_owned();
                let count = counts.entry(key).or_insert(json!(0));
                *count = json!(count.as_u64().unwrap_or(0) + 1);
            }
        }
    }
    if repeat > 1 {
        println!("{}", Value::Object(counts));
    }
    let mut child = child;
    let exit = child.try_wait()?.map(|status| status.code());
    println!(
        "{}",
        json!({"process_exited": exit.is_some(), "exit_code": exit.flatten()})
    );
    kill(child);
    Ok(())
}
