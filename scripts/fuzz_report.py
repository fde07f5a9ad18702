#!/usr/bin/env python3
"""Summarises libFuzzer logs (scripts/fuzz.sh run TARGET ... 2> LOG) into fuzz.json for
BENCHMARKS.md: executions, executions/s, seconds, crashes and hangs per target.

    scripts/fuzz_report.py --out target/bench/fuzz.json target/fuzz/*.long.log
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
        "crashes": crashes,
        "hangs": hangs,
        "coverage_edges": int(cov[-1][0]) if cov else None,
        "corpus": int(cov[-1][2]) if cov else None,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("logs", nargs="+")
    args = parser.parse_args()
    targets = [summarise(p) for p in args.logs]
    rows = ["| target | executions | exec/s | seconds | crashes | hangs (> 10 s) | edges covered | corpus |",
            "|---|---|---|---|---|---|---|---|"]
    for t in targets:
        rows.append(f"| {t['target']} | {t['executions']:,} | {t['exec_per_s']:,} | {t['seconds']} | {t['crashes']} | "
                    f"{t['hangs']} | {t['coverage_edges']} | {t['corpus']} |")
    intro = ("`scripts/fuzz.sh run TARGET -runs=10000000` (libFuzzer through `libfuzzer-sys` on stable rustc, niced, one "
             "target at a time on a machine shared with other builds, so exec/s are low bounds), seeded from "
             "`conformance-tests/fixtures` and `../shared/fixtures` (`scripts/fuzz-seeds.py`). A crash is any panic "
             "(libFuzzer's panic hook aborts); a hang is one input running over 10 s.")
    with open(args.out, "w") as f:
        json.dump({"intro": intro, "rows": rows, "data": targets}, f, indent=1)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
