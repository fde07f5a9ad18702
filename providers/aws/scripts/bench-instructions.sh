#!/usr/bin/env bash
# Instructions per round trip of the HTTP bench (benches/http_round_trip.rs), polyfaas-aws and
# lambda_http, for each event: deterministic, unlike times on a machine shared with other work.
#
# Each side runs N round trips under `valgrind --tool=cachegrind --cache-sim=no`; a run with 0
# round trips (start-up, fixture loading, the one warm-up trip) is subtracted.
#
#   bash providers/aws/scripts/bench-instructions.sh [N]     # default N = 2000
set -euo pipefail

n="${1:-2000}"
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }

bench="$(cargo bench -p polyfaas-aws --bench http_round_trip --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "http_round_trip" and m.get("executable"):
        print(m["executable"])')"
[ -x "$bench" ] || { echo "the bench binary was not built" >&2; exit 1; }

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

instructions() { # event side count
  POLYFAAS_BENCH_COUNT="$1:$2:$3" valgrind --tool=cachegrind --cache-sim=no \
    --cachegrind-out-file="$scratch/out" "$bench" >/dev/null 2>"$scratch/log"
  sed -n 's/^==[0-9]*== I *refs: *//p' "$scratch/log" | tr -d ','
}

printf '%-5s %14s %14s %7s\n' event polyfaas-aws lambda_http ratio
for event in v1 v2 alb; do
  declare -A per=()
  for side in polyfaas lambda_http; do
    base="$(instructions "$event" "$side" 0)"
    total="$(instructions "$event" "$side" "$n")"
    per[$side]=$(( (total - base) / n ))
  done
  ratio="$(python3 -c "print(f'{${per[polyfaas]} / ${per[lambda_http]}:.2f}')")"
  printf '%-5s %14s %14s %7s\n' "$event" "${per[polyfaas]}" "${per[lambda_http]}" "$ratio"
done
