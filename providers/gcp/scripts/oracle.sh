#!/usr/bin/env bash
# The outside oracle: runs the echo function built with --features gcp over the public Functions
# Framework conformance corpus (read in place, never copied) and prints the pass counts.
#
#   providers/gcp/scripts/oracle.sh [FIXTURES_DIR]     (default: ../shared/fixtures/gcp)
#
# Builds into target/gcp-tools so it never races the conformance harness's debug builds.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
fixtures="${1:-$root/../shared/fixtures/gcp}"
target="$root/target/gcp-tools"
cd "$root"
cargo build --quiet --release --target-dir "$target" -p echo --no-default-features --features gcp
cargo run --quiet --release --target-dir "$target" -p polyfaas-gcp --example oracle -- \
    --echo "$target/release/echo" --fixtures "$fixtures"
