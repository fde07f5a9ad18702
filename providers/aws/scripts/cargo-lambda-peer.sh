#!/usr/bin/env bash
# Runs the echo binary (built with --features aws) under cargo-lambda's emulator, an outside
# implementation of the Lambda Runtime API, and checks what comes back. Not part of
# `cargo test`: it needs the PyPI package `cargo-lambda` (a prebuilt binary in the wheel).
#
#   providers/aws/scripts/cargo-lambda-peer.sh            # builds echo, installs cargo-lambda in a venv under /tmp
#   ECHO_BIN=path/to/echo CARGO_LAMBDA=path/to/cargo-lambda providers/aws/scripts/cargo-lambda-peer.sh
#
# cargo-lambda (1.9.2) quirks the shim has to survive, all exercised here: the deadline header is
# the constant 600000 (not an epoch time), AWS_LAMBDA_RUNTIME_API has a scheme and a /.rt prefix,
# its Function URL events carry a stray "httpMethod": "GET", keep only the first of repeated
# headers and send the cookie header next to cookies[]. Prints one line per check and
# "N passed, M failed"; exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
PORT=${PORT:-9311}
WORK=$(mktemp -d /tmp/cargo-lambda-peer.XXXXXX)

if [[ -z "${CARGO_LAMBDA:-}" ]]; then
  VENV=${VENV:-/tmp/cargo-lambda-venv}
  [[ -x $VENV/bin/cargo-lambda ]] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q cargo-lambda; }
  CARGO_LAMBDA=$VENV/bin/cargo-lambda
fi
if [[ -z "${ECHO_BIN:-}" ]]; then
  cargo build -q -p echo --no-default-features --features aws
  ECHO_BIN=$ROOT/target/debug/echo
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

# cargo-lambda wants a Cargo project in the directory it watches; with --only-lambda-apis it
# only serves the Runtime API and the invoke endpoints, and we start the function ourselves.
mkdir -p "$WORK/project/src" "$WORK/blobs/photos"
printf '[package]\nname = "peer"\nversion = "0.1.0"\nedition = "2021"\n\n[workspace]\n' > "$WORK/project/Cargo.toml"
echo 'fn main() {}' > "$WORK/project/src/main.rs"
(cd "$WORK/project" && exec "$CARGO_LAMBDA" lambda watch --only-lambda-apis -A 127.0.0.1 -P "$PORT" > "$WORK/watch.log" 2>&1) &
pids+=($!)
for _ in $(seq 50); do grep -q 'starting Runtime server' "$WORK/watch.log" 2>/dev/null && break; sleep 0.2; done

printf '26 bytes of flower content' > "$WORK/blobs/photos/red flower+stem.txt"
AWS_LAMBDA_RUNTIME_API=http://127.0.0.1:$PORT/.rt AWS_LAMBDA_FUNCTION_NAME=_ AWS_LAMBDA_FUNCTION_VERSION=1 \
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE=4096 POLYFAAS_BLOB_URL=file://$WORK/blobs RUST_LOG=warn \
  "$ECHO_BIN" > "$WORK/echo.log" 2>&1 &
pids+=($!)

FIXTURES=$ROOT/conformance-tests/fixtures/aws PORT=$PORT python3 - <<'PY'
import json, os, urllib.request, urllib.error

port, fixtures = os.environ["PORT"], os.environ["FIXTURES"]
base = f"http://127.0.0.1:{port}"
passed = failed = 0

def call(method, path, body=None, headers=()):
    req = urllib.request.Request(base + path, data=body, method=method)
    for k, v in headers:
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()

def invoke(payload):
    if isinstance(payload, str) and payload.endswith(".json"):
        payload = open(os.path.join(fixtures, payload), "rb").read()
    elif not isinstance(payload, bytes):
        payload = json.dumps(payload).encode()
    status, body = call("POST", "/2015-03-31/functions/_/invocations", payload)
    return status, json.loads(body)

def check(name, ok, detail=""):
    global passed, failed
    passed, failed = passed + bool(ok), failed + (not ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))

def http_event(fixture):
    status, response = invoke(fixture)
    return status, response, json.loads(response.get("body") or "{}")

for fixture, path, query, source in [
    ("apigw-v1-rest.json", "/orders/17/lines", "zone=north&tag=red&tag=blue&note=a%26b%20c", "198.51.100.23"),
    ("apigw-v2-named-stage.json", "/reports/2024", "b=2&a=1&b=3&q=x%20y", "203.0.113.77"),
    ("function-url.json", "/hooks/github", "delivery=42&delivery=43", "192.0.2.44"),
    ("alb-multi-value.json", "/forms/submit", "z=26&a=1&a=%2F&m=x%20y", None),
]:
    status, response, doc = http_event(fixture)
    e = doc.get("event", {})
    check(f"{fixture}: path, query, source ip", status == 200 and response.get("statusCode") == 200
          and (e.get("path"), e.get("query"), e.get("source_ip")) == (path, query, source), json.dumps(response)[:400])
    check(f"{fixture}: deadline header 600000 treated as unknown", doc.get("context", {}).get("deadline_ms", 0) is None, doc.get("context"))

status, body = call("DELETE", "/lambda-url/_/items/caf%C3%A9?x=1&x=2", headers=[("Cookie", "a=1; b=2"), ("X-Tag", "t")])
e = json.loads(body).get("event", {}) if status == 200 else {}
check("Function URL emulation: method (not the stray httpMethod)", e.get("method") == "DELETE", body[:300])
check("Function URL emulation: decoded path and raw query", (e.get("path"), e.get("query")) == ("/items/café", "x=1&x=2"), e)
check("Function URL emulation: cookie header once", e.get("headers", {}).get("cookie") == ["a=1; b=2"], e.get("headers"))

status, doc = invoke("s3-put.json")
e = doc.get("event", {})
check("S3 put: key decoded, object read through the store",
      status == 200 and e.get("key") == "photos/red flower+stem.txt" and isinstance(e.get("local_sha256"), str), doc)
status, doc = invoke("sqs-batch.json")
ids = [f.get("itemIdentifier", "")[-1:] for f in doc.get("batchItemFailures", [])]
check("SQS: batchItemFailures names records 2 and 3", status == 200 and ids == ["2", "3"], doc)
status, doc = invoke("sns.json")
check("SNS: one message", status == 200 and doc.get("event", {}).get("kind") == "message", doc)
status, doc = invoke("eventbridge-schedule.json")
check("EventBridge schedule", status == 200 and doc.get("event", {}).get("name") == "nightly-cleanup", doc)
status, doc = invoke("direct-invoke.json")
check("direct invoke: payload untouched", status == 200 and doc.get("event", {}).get("payload", {}).get("zeta") == 1, doc)
status, doc = invoke({"echo_fail": "panic"})
check("panic: /error with errorType Panic (cargo-lambda answers the caller 500)", status == 500 and doc.get("errorType") == "Panic", doc)
status, doc = invoke("eventbridge-schedule.json")
check("served again after the panic", status == 200, doc)
status, doc = invoke("malformed/v2-bad-base64.json")
check("bad base64: InvalidEvent naming body", status == 500 and doc.get("errorType") == "InvalidEvent"
      and doc.get("errorMessage", "").startswith("body:"), doc)
status, doc = invoke("malformed/sqs-body-number.json")
check("wrong field type: InvalidEvent naming Records[1].body", doc.get("errorMessage", "").startswith("Records[1].body:"), doc)
status, doc = invoke({"after": "malformed"})
check("served again after malformed events", status == 200 and doc.get("event", {}).get("payload") == {"after": "malformed"}, doc)

print(f"{passed} passed, {failed} failed")
raise SystemExit(1 if failed else 0)
PY
