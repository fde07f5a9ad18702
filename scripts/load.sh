#!/usr/bin/env bash
# Load, SIGTERM drain, Azure concurrent blob memory and blob scratch leaks of the release echo
# binaries; writes target/bench/load.json and leaks.json, which scripts/bench_report.py puts
# into BENCHMARKS.md (scripts/bench.sh runs the report; or run it alone, as below).
#
#   scripts/load.sh                      # 60 s per platform, 4 × 64 MiB blobs, 10,000 blob invocations each
#   scripts/load.sh --seconds 10 --leak-count 1000 --only saturation,leaks
#
# Reuses the binaries scripts/bench.sh built (target/bench/bin) and builds the missing ones.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/target/bench"
bin="$out/bin"
venv="${BENCH_VENV:-${FF_VENV:-/tmp/ff-venv}}"
mkdir -p "$bin"
cd "$root"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
for platform in aws gcp azure local; do
    if [ ! -x "$bin/echo-$platform" ]; then
        cargo build --quiet --release -p echo --no-default-features --features "$platform"
        cp target/release/echo "$bin/echo-$platform"
    fi
done
cargo build --quiet --release --manifest-path bench/Cargo.toml --target-dir target
python3 scripts/load.py --bin "$bin" --out "$out" "$@"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
    "$venv/bin/python" scripts/bench_report.py --results "$out" --markdown BENCHMARKS.md --plots bench/plots
fi
