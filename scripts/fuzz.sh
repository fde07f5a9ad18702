#!/usr/bin/env bash
# Coverage-guided fuzzing of polyfaas's decoders with libFuzzer (the `libfuzzer-sys` crate) on
# stable Rust: the coverage instrumentation is stable rustc codegen options (-C passes=sancov-module
# and LLVM's sanitizer-coverage flags), so no nightly, no RUSTC_BOOTSTRAP and no cargo-fuzz
# binary are needed; only a C++ compiler for libFuzzer itself. The targets are in fuzz/ (its own
# workspace, so `cargo test --workspace` never builds it).
#
#   scripts/fuzz.sh build                   build every target (fuzz/target)
#   scripts/fuzz.sh list                    the targets
#   scripts/fuzz.sh seed                    write the seed corpora from the fixtures
#   scripts/fuzz.sh run TARGET [ARGS...]    fuzz one target on its corpus (libFuzzer ARGS, e.g.
#                                           -max_total_time=600 or -runs=10000000)
#   scripts/fuzz.sh ci [SECONDS]            build, seed, replay the regressions, then fuzz every
#                                           target for SECONDS in all (default 60), split evenly
#   scripts/fuzz.sh long [RUNS]             every target to RUNS executions (default 10 million),
#                                           one at a time, niced; the figures go to
#                                           target/bench/fuzz.json for BENCHMARKS.md
#
# Corpora, crash artifacts and logs go to $FUZZ_WORK (default target/fuzz). A crash leaves
# crash-<sha1> there; put it under fuzz/regressions/<target>/ (a test replays them all).
# POLYFAAS_FUZZ_ROUNDTRIP=1 also checks that every decoded event's canonical JSON reads back
# as the same event.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${FUZZ_WORK:-$root/target/fuzz}"
triple="$(rustc -vV | sed -n 's/^host: //p')"
bin_dir="$root/fuzz/target/$triple/release"

targets() { sed -n 's/^name = "\([a-z_0-9]*\)"$/\1/p' "$root/fuzz/Cargo.toml" | grep -v '^polyfaas-fuzz$'; }

build() {
    # --target keeps the instrumentation off build scripts and proc macros.
    RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks" \
        cargo build --quiet --release --manifest-path "$root/fuzz/Cargo.toml" --target "$triple" --bins
}

seed() {
    python3 "$root/scripts/fuzz-seeds.py" "$work/seeds" >/dev/null
    for target in $(targets); do mkdir -p "$work/corpus/$target"; done
}

run() {
    local target="$1"; shift
    mkdir -p "$work/corpus/$target" "$work/artifacts/$target"
    # The corpus first (where new inputs go), then the seeds and the regressions (read only).
    local dirs=("$work/corpus/$target" "$work/seeds/$target")
    [ -d "$root/fuzz/regressions/$target" ] && dirs+=("$root/fuzz/regressions/$target")
    "$bin_dir/$target" "${dirs[@]}" -artifact_prefix="$work/artifacts/$target/" \
        -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 "$@"
}

case "${1:-}" in
    build) build ;;
    list) targets ;;
    seed) seed ;;
    run) shift; run "$@" ;;
    ci)
        total="${2:-60}"
        build
        seed
        cargo test --quiet --manifest-path "$root/fuzz/Cargo.toml" --test regressions -- --test-threads 1
        count=$(targets | wc -l)
        each=$(( total / count > 1 ? total / count : 1 ))
        for target in $(targets); do
            echo "== fuzz $target for ${each}s"
            run "$target" -max_total_time="$each" 2>"$work/$target.log" || { tail -n 40 "$work/$target.log"; exit 1; }
            grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$work/$target.log" | tr '\n' ' '; echo
        done
        ;;
    long)
        runs="${2:-10000000}"
        build
        seed
        for target in $(targets); do
            echo "== fuzz $target to $runs executions"
            nice -n 10 "$0" run "$target" -runs="$runs" >"$work/$target.long.log" 2>&1 ||
                { tail -n 40 "$work/$target.long.log"; exit 1; }
        done
        mkdir -p "$root/target/bench"
        python3 "$root/scripts/fuzz_report.py" --out "$root/target/bench/fuzz.json" "$work"/*.long.log
        ;;
    *) sed -n '2,22p' "$0"; exit 2 ;;
esac
