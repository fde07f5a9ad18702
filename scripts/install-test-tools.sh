#!/usr/bin/env bash
# Installs everything `cargo test --workspace` needs beyond Rust, from the registries, once
# (each step is skipped when already done):
#
#   scripts/install-emulators.sh    the storage servers of the blob contract suite
#   scripts/install-validators.sh   cfn-lint, aws-sam-translator and the Knative schema, which
#                                   check every package `cargo polyfaas package` writes
#   rustup target ...-musl          the standard library for static OpenWhisk binaries
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-emulators.sh
bash scripts/install-validators.sh
if ! rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl; then
    echo "== install-test-tools: rustup target add x86_64-unknown-linux-musl"
    rustup target add x86_64-unknown-linux-musl
fi
