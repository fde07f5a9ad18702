#!/usr/bin/env bash
# Measures the polyfaas gcp echo against the Python Functions Framework in one run on this
# machine: requests/s and p99 latency (wrk) for a plain HTTP POST and a binary-mode CloudEvent,
# and the time from process start to the first response served.
#
#   providers/gcp/bench/bench.sh [bench.py options, e.g. --duration 10 --json /tmp/gcp-bench.json]
#
# Installs what it needs: wrk (Debian package) and functions-framework 3.10.2 (PyPI) in a venv
# under /tmp (FF_VENV overrides). Builds echo --release --features gcp into target/gcp-tools.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
venv="${FF_VENV:-/tmp/ff-venv}"
target="$root/target/gcp-tools"

if ! command -v wrk >/dev/null; then
    apt-get update -qq && apt-get install -y -qq wrk
fi
if [ ! -x "$venv/bin/functions-framework" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'functions-framework==3.10.2'
fi
cd "$root"
cargo build --quiet --release --target-dir "$target" -p echo --no-default-features --features gcp
python3 "$root/providers/gcp/bench/bench.py" --echo "$target/release/echo" \
    --ff "$venv/bin/functions-framework" "$@"
