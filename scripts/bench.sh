#!/usr/bin/env bash
# Builds polyfaas's release binaries and the single-platform anchors, measures them side by side
# in one run, and writes BENCHMARKS.md (tables) and bench/plots/*.svg (plots).
#
#   scripts/bench.sh            # the whole run (about 15 minutes on 2 cores once built)
#   RUNS=10 WRK_SECONDS=5 scripts/bench.sh     # a quicker, noisier run
#
# Anchors, built from crates.io in a temp dir (their build cached in target/bench-anchors):
# an echo on lambda_runtime 1.5, an echo on lambda_http 1.3.2, an echo on a bare axum 0.8
# server; and Python functions-framework 3.10.2 from PyPI (providers/gcp/bench's echo).
# Tools it installs when missing: wrk, strace and valgrind (Debian), a venv (BENCH_VENV, default the GCP
# bench's /tmp/ff-venv) with functions-framework and matplotlib.
#
# Blob backends: each cloud platform is built twice, `--features polyfaas/P` (no backend) and
# `--features polyfaas/P,polyfaas/<B>` (B: s3, gcs, azure-blob; s3 for OpenWhisk), so the sizes
# with and without a cloud blob backend are both measured. Every binary, ours and the anchors,
# is built in the size-optimised profile `cargo polyfaas build` uses (opt-level s, fat LTO, one
# codegen unit, stripped, panics unwinding).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/target/bench"
bin="$out/bin"
venv="${BENCH_VENV:-${FF_VENV:-/tmp/ff-venv}}"
# Rounds of HTTP start-ups: with 30, a start's tail (p90 three times the median on this shared
# machine) moved the median by ±0.3 ms from one run to the next.
runs="${RUNS:-100}"
wrk_seconds="${WRK_SECONDS:-10}"
mkdir -p "$bin"
cd "$root"

echo "== tools"
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v strace >/dev/null || missing+=(strace)
command -v valgrind >/dev/null || missing+=(valgrind)
command -v strip >/dev/null || missing+=(binutils)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import functions_framework, matplotlib' 2>/dev/null ||
    "$venv/bin/pip" install -q 'functions-framework==3.10.2' 'matplotlib>=3.10,<4'

echo "== polyfaas binaries (examples/echo), in the size-optimised profile cargo polyfaas build uses"
# The same profile for every binary, ours and the anchors: what a user deploys. Passed as
# environment, as the CLI passes it on the command line (cli/src/build.rs).
export CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_LTO=fat \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_STRIP=true \
    CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_PANIC=unwind
blob_feature() { case "$1" in aws) echo s3 ;; gcp) echo gcs ;; azure) echo azure-blob ;; *) echo s3 ;; esac; }
for build in aws:plain aws:blob gcp:plain gcp:blob azure:plain azure:blob openwhisk:plain openwhisk:blob local:plain; do
    platform="${build%%:*}"; variant="${build#*:}"
    # The facade's platform feature alone carries no blob backend; `+blob` adds the cloud one.
    features="polyfaas/$platform"
    [ "$variant" = blob ] && features="$features,polyfaas/$(blob_feature "$platform")"
    CARGO_TARGET_DIR="$root/target/bench-size" \
        cargo build --quiet --release -p echo --no-default-features --features "$features"
    name="echo-$platform"; [ "$variant" = blob ] && name="$name+blob"
    cp target/bench-size/release/echo "$bin/$name"
done

echo "== anchors (crates.io, built in a temp dir)"
anchors="$(mktemp -d /tmp/polyfaas-anchors.XXXXXX)"
trap 'rm -rf "$anchors"' EXIT
anchor() { # name, dependencies (TOML lines), main.rs on stdin
    mkdir -p "$anchors/$1/src"
    cat > "$anchors/$1/src/main.rs"
    printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n%s\n\n[workspace]\n' \
        "$1" "$2" > "$anchors/$1/Cargo.toml"
    CARGO_TARGET_DIR="$root/target/bench-anchors" cargo build --quiet --release --manifest-path "$anchors/$1/Cargo.toml"
    cp "$root/target/bench-anchors/release/$1" "$bin/$1"
}
anchor lambda-runtime-echo 'lambda_runtime = "~1.5"
serde_json = "1"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }' <<'RS'
// The payload back as the result.
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        Ok::<Value, Error>(event.payload)
    }))
    .await
}
RS
anchor lambda-http-echo 'lambda_http = "=1.3.2"
serde_json = "1"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }' <<'RS'
// Method, path, query and body back as JSON.
use lambda_http::{service_fn, Body, Error, Request, Response};

async fn echo(request: Request) -> Result<Response<Body>, Error> {
    let document = serde_json::json!({
        "method": request.method().as_str(),
        "path": request.uri().path(),
        "query": request.uri().query().unwrap_or(""),
        "body": String::from_utf8_lossy(request.body().as_ref()),
    });
    Ok(Response::builder()
        .header("content-type", "application/json")
        .body(Body::from(document.to_string()))?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(echo)).await
}
RS
anchor axum-echo 'axum = "0.8"
serde_json = "1"
tokio = { version = "1", features = ["macros", "rt-multi-thread", "net"] }' <<'RS'
// A bare HTTP server: method, path, query and body back as JSON, on 127.0.0.1:$PORT.
use axum::body::Bytes;
use axum::http::{Method, Uri};

async fn echo(method: Method, uri: Uri, body: Bytes) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "method": method.as_str(),
        "path": uri.path(),
        "query": uri.query().unwrap_or(""),
        "body": String::from_utf8_lossy(&body),
    }))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    axum::serve(listener, axum::Router::new().fallback(echo)).await
}
RS
# The anchors' twin on polyfaas: lambda_http's echo written against polyfaas with only the `aws`
# feature (no blob backend) and lambda_runtime's echo's main, what the size goal and the AWS
# start-up goal are judged on; echo-aws is the conformance function, which does far more
# (canonical JSON of every kind, sha256 of blobs, its switches, a shutdown hook).
min_deps="polyfaas = { path = \"$root/polyfaas\", default-features = false, features = [\"aws\"] }
serde_json = \"1\"
tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }"
min_main="$(cat <<'RS'
// Method, path, query and body back as JSON, as lambda-http-echo answers.
use polyfaas::{Context, Error, Event, Response};
async fn echo(event: Event, _ctx: Context) -> Result<Response, Error> {
    let Event::Http(request) = event else {
        return Response::json(&polyfaas::canonical::to_json(&event));
    };
    Response::json(&serde_json::json!({
        "method": request.method().as_str(),
        "path": request.uri().path(),
        "query": request.uri().query().unwrap_or(""),
        "body": String::from_utf8_lossy(request.body()),
    }))
}
#[tokio::main]
async fn main() -> Result<(), Error> {
    polyfaas::run(polyfaas::handler_fn(echo)).await
}
RS
)"
anchor echo-aws-min "$min_deps" <<<"$min_main"
# The same function on tokio's current-thread runtime, the flavour providers/aws/README.md
# suggests for Lambda (one invocation at a time): no worker threads to start or hand I/O over to.
ct_main="${min_main/'#[tokio::main]'/'#[tokio::main(flavor = "current_thread")]'}"
[[ "$ct_main" == *current_thread* ]] || { echo "bench.sh: echo-aws-min's main has no #[tokio::main] to change" >&2; exit 1; }
anchor echo-aws-min-ct "$min_deps" <<<"$ct_main"

unset CARGO_PROFILE_RELEASE_OPT_LEVEL CARGO_PROFILE_RELEASE_LTO CARGO_PROFILE_RELEASE_CODEGEN_UNITS \
    CARGO_PROFILE_RELEASE_STRIP CARGO_PROFILE_RELEASE_DEBUG CARGO_PROFILE_RELEASE_PANIC
echo "== the harness (bench/harness)"
cargo build --quiet --release --manifest-path bench/Cargo.toml --target-dir target

echo "== measurements"
"$venv/bin/python" scripts/bench_measure.py --bin "$bin" --out "$out" --runs "$runs" \
    --wrk-seconds "$wrk_seconds" --ff "$venv/bin/functions-framework"

echo "== the neutral event's rules, today"
"$venv/bin/python" scripts/neutral_rules.py --bin "$bin" --json "$out/neutral_rules.json"

echo "== BENCHMARKS.md (with target/bench/load.json, leaks.json and fuzz.json when scripts/load.sh and scripts/fuzz.sh long have run)"
"$venv/bin/python" scripts/bench_report.py --results "$out" --markdown BENCHMARKS.md --plots bench/plots
