#!/usr/bin/env bash
# Measures peak memory and throughput of streaming a 256 MiB object (put_file, download_to)
# through the local-directory, S3 (s3s-fs), Azure (Azurite) and GCS (fake-gcs-server) backends,
# against a plain file copy of the same bytes, in one run on this machine. Needs the servers of
# scripts/install-emulators.sh. POLYFAAS_MEASURE_MIB changes the size.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release -p polyfaas-core --test blob_throughput -- \
    --ignored --exact measure_streaming --nocapture --test-threads 1
