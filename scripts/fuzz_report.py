#!/usr/bin/env python3
"""Summarises libFuzzer logs (scripts/fuzz.sh run TARGET ... 2> LOG) into fuzz.json for
BENCHMARKS.md: executions, executions/s, seconds, crashes and hangs per target.

    scripts/fuzz_report.py --out target/bench/fuzz.json target/fuzz/*.long.log \
        [--roundtrip LOG...]     # runs made with POLYFAAS_FUZZ_ROUNDTRIP=1, labelled so
        [--remark TEXT...]       # said under the table: how a run differed from the usual one
"""

import argparse
import json
import os
import re


def summarise(path):
    text = open(path, errors="replace").read()
    stat = lambda name: re.search(rf"^stat::{name}:\s+(\d+)", text, re.M)  # noqa: E731
    runs = stat("number_of_executed_units")
    done = re.search(r"^Done (\d+) runs in (\d+) second", text, re.M)
    crashes = len(re.findall(r"^==\d+== ERROR: libFuzzer: deadly signal|panicked at", text, re.M))
    hangs = len(re.findall(r"ERROR: libFuzzer: timeout", text))
    cov = re.findall(r"cov: (\d+) ft: (\d+) corp: (\d+)", text)
    return {
        "target": os.path.basename(path).split(".")[0],
        "executions": int(runs.group(1)) if runs else None,
        "exec_per_s": int(stat("average_exec_per_sec").group(1)) if stat("average_exec_per_sec") else None,
        "seconds": int(done.group(2)) if done else None,
        "finished": bool(done),
        "slowest_s": int(stat("slowest_unit_time_sec").group(1)) if stat("slowest_unit_time_sec") else None,
        "peak_rss_mb": int(stat("peak_rss_mb").group(1)) if stat("peak_rss_mb") else None,
        "crashes": crashes,
        "hangs": hangs,
        "coverage_edges": int(cov[-1][0]) if cov else None,
        "corpus": int(cov[-1][2]) if cov else None,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("logs", nargs="+")
    parser.add_argument("--roundtrip", nargs="*", default=[], help="logs of runs with POLYFAAS_FUZZ_ROUNDTRIP=1")
    parser.add_argument("--remark", nargs="*", default=[],
                        help="sentences added after the intro (a run paused, a target re-run on newer code)")
    args = parser.parse_args()
    targets = [summarise(p) for p in args.logs]
    for path in args.roundtrip:
        run = summarise(path)
        run["target"] += " (+ canonical round trip)"
        targets.append(run)
    rows = ["| target | executions | exec/s | seconds | crashes | hangs (> 10 s) | slowest input | peak RSS | edges covered | corpus |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for t in targets:
        rows.append(f"| {t['target']} | {t['executions']:,} | {t['exec_per_s']:,} | {t['seconds']} | {t['crashes']} | "
                    f"{t['hangs']} | {'< 1' if t['slowest_s'] == 0 else t['slowest_s']} s | {t['peak_rss_mb']} MB | {t['coverage_edges']} | {t['corpus']} |")
    intro = ("`scripts/fuzz.sh run TARGET -runs=10000000` (libFuzzer through `libfuzzer-sys` on stable rustc, niced, one "
             "target at a time on a machine shared with other builds, so exec/s are low bounds), seeded from "
             "`conformance-tests/fixtures` and `../shared/fixtures` (`scripts/fuzz-seeds.py`). A crash is any panic "
             "(libFuzzer's panic hook aborts); a hang is one input running over 10 s. Rows marked “+ canonical round trip” "
             "ran afterwards on the same corpus with `POLYFAAS_FUZZ_ROUNDTRIP=1`: every decoded event's canonical JSON was "
             "also read back by the canonical reader and compared.")
    if args.remark:
        intro += " " + " ".join(args.remark)
    with open(args.out, "w") as f:
        json.dump({"intro": intro, "rows": rows, "data": targets}, f, indent=1)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
