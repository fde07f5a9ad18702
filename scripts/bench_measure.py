#!/usr/bin/env python3
"""The measurements behind BENCHMARKS.md, in one run (scripts/bench.sh builds what it needs and
calls this, then scripts/bench_report.py). Writes one JSON file per measurement into --out:

- sizes.json: stripped size of every binary in --bin;
- strace.json: what each binary opens before it asks for work (`strace -f -e trace=openat`):
  up to its first Runtime API `/next` (AWS) or its `listen` (HTTP servers);
- startup_aws.json: start to first response under the Runtime API server (pfbench aws-startup),
  polyfaas against the lambda_runtime and lambda_http echoes, runs interleaved, the binaries just
  written; startup_aws_reread.json: the same, read back from disk (see `startup_aws`); and
  startup_aws[_reread]_faults.json: the minor page faults each of those runs had taken by its
  response;
- startup_http.json: spawn to the first answered invocation (pfbench http-startup) of the gcp,
  azure (after the host's readiness probe) and local servers, a bare axum echo and Python
  functions-framework;
- gcp_throughput.json: providers/gcp/bench/bench.py (wrk), polyfaas gcp against Python
  functions-framework, HTTP POST and binary CloudEvent;
- aws_round_trip.json: `cargo bench -p polyfaas-aws` (criterion; paired ratios against
  lambda_http for API Gateway v1, v2 and ALB);
- machine.json: CPU, load, toolchain, commit.
"""

import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import AZURE_STORAGE, LAMBDA_ENV, ROOT, fixture  # noqa: E402

PFBENCH = os.path.join(ROOT, "target", "release", "pfbench")
AWS_EVENT = fixture("aws", "apigw-v2-named-stage.json")
AZURE_HTTP = fixture("azure", "http-text-request.json")
HTTP_BODY = json.dumps({"qty": 3, "note": "caf\u00e9", "lines": [1, 2, 3]})


def write(out, name, value):
    with open(os.path.join(out, name), "w") as f:
        json.dump(value, f, indent=1)
    print(f"  wrote {name}", flush=True)


def pfbench(*args):
    result = subprocess.run([PFBENCH, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"pfbench {' '.join(args)} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def sizes(bin_dir):
    """Stripped (--strip-all) size in bytes of every binary."""
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(glob.glob(os.path.join(bin_dir, "*"))):
            copy = os.path.join(tmp, os.path.basename(path))
            shutil.copy(path, copy)
            subprocess.run(["strip", "--strip-all", copy], check=True)
            result[os.path.basename(path)] = {"stripped": os.path.getsize(copy),
                                              "as_built": os.path.getsize(path)}
    return result


def summarise_trace(path, marker):
    """The files opened before `marker` (a regex over strace lines), grouped by directory."""
    opened, before = [], True
    with open(path, errors="replace") as f:
        for line in f:
            if before and re.search(marker, line):
                before = False
                break
            m = re.search(r'openat\([^,]+, "([^"]*)", [^)]*\)\s*=\s*(-?\d+)', line)
            if m:
                opened.append({"path": m.group(1), "ok": int(m.group(2)) >= 0})
    groups = {}
    for entry in opened:
        path = re.sub(r"^/tmp/polyfaas-[a-z]+-[^/]+", "<workdir>", entry["path"])
        if path.startswith("/etc/ssl/certs/") and not path.endswith("ca-certificates.crt"):
            path = "/etc/ssl/certs/*"
        groups[path] = groups.get(path, 0) + 1
    return {"marker_seen": not before, "openat_calls": len(opened), "by_path": groups,
            "certificate_files": sum(1 for e in opened if e["path"].startswith(("/etc/ssl", "/usr/lib/ssl", "/usr/share/ca-certificates")))}


def kill_traced(trace):
    """Killing strace leaves its tracee running: kill the traced process (the trace's first pid)."""
    with open(trace) as f:
        m = re.match(r"(\d+)\s", f.readline())
    if m:
        try:
            os.kill(int(m.group(1)), signal.SIGKILL)
        except ProcessLookupError:
            pass


def strace_all(bin_dir, out):
    """One traced start of each binary, cut where it first asks for work."""
    traces = {}
    tmp = tempfile.mkdtemp(prefix="polyfaas-strace-")
    syscalls = "-e trace=openat,sendto,write,writev,listen"
    for name in ("echo-aws", "echo-aws+blob", "lambda-runtime-echo", "lambda-http-echo"):
        wrapper = os.path.join(tmp, name)
        trace = os.path.join(out, f"strace-{name}.txt")
        with open(wrapper, "w") as f:
            f.write(f'#!/bin/sh\nexec strace -f -qq {syscalls} -s 120 -o {trace} {os.path.join(bin_dir, name)} "$@"\n')
        os.chmod(wrapper, 0o755)
        env_args = [a for k, v in LAMBDA_ENV.items() for a in ("--env", f"{k}={v}")]
        subprocess.run([PFBENCH, "aws-invoke", "--bin", wrapper, *env_args, AWS_EVENT],
                       capture_output=True, check=True)
        kill_traced(trace)
        traces[name] = summarise_trace(trace, r"invocation/next")
    for platform, name in (("gcp", "echo-gcp"), ("gcp", "echo-gcp+blob"), ("azure", "echo-azure"),
                           ("azure", "echo-azure+blob"), ("local", "echo-local")):
        trace = os.path.join(out, f"strace-{name}.txt")
        binary = os.path.join(bin_dir, name)
        wrapper = os.path.join(tmp, name)
        with open(wrapper, "w") as f:
            f.write(f'#!/bin/sh\nexec strace -f -qq {syscalls} -s 120 -o {trace} {binary} "$@"\n')
        os.chmod(wrapper, 0o755)
        server = benchlib.Server(wrapper, platform)
        server.close()
        kill_traced(trace)
        traces[name] = summarise_trace(trace, r"^\d+\s+listen\(")
    shutil.rmtree(tmp, ignore_errors=True)
    return traces


def evict_and_read(path):
    """Drops the file's pages from the page cache, then reads it once from the start."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        while os.read(fd, 1 << 20):
            pass
    finally:
        os.close(fd)


def startup_aws(bin_dir, runs, out):
    """Start to first response, in two page-cache states of the same copies, every binary treated
    alike. How many pages the kernel maps at one fault in a binary's code depends on how those
    pages came into the page cache: a file just written can be held in large folios, several
    pages mapped at a fault; a file read back from disk here is mapped 64 KB around each fault, so
    a start pays about one fault per 64 KB window of code it touches. Binaries built at different
    times would otherwise be measured in whichever state each happened to be in.

    - "just written": fresh copies, as a deployment package is unpacked;
    - "read back": the same copies evicted from the page cache, then read once in full.

    Writes startup_aws[_reread].json and startup_aws[_reread]_faults.json."""
    env_args = [a for k, v in LAMBDA_ENV.items() for a in ("--env", f"{k}={v}")]
    names = ["echo-aws", "echo-aws+blob", "lambda-runtime-echo", "lambda-http-echo"]
    for name in ("echo-aws-min-ct", "echo-aws-min"):
        if os.path.exists(os.path.join(bin_dir, name)):
            names.insert(0, name)
    with tempfile.TemporaryDirectory(prefix="polyfaas-aws-startup-") as tmp:
        for name in names:
            shutil.copyfile(os.path.join(bin_dir, name), os.path.join(tmp, name))
            os.chmod(os.path.join(tmp, name), 0o755)
        for suffix in ("", "_reread"):
            if suffix:
                for name in names:
                    evict_and_read(os.path.join(tmp, name))
            faults = os.path.join(out, f"startup_aws{suffix}_faults.json")
            write(out, f"startup_aws{suffix}.json",
                  pfbench("aws-startup", "--event", AWS_EVENT, "--runs", str(runs), "--faults", faults,
                          *env_args, *[f"{n}={os.path.join(tmp, n)}" for n in names]))


def startup_http(bin_dir, runs, ff):
    workdir = tempfile.mkdtemp(prefix="polyfaas-startup-")
    app = benchlib.azure_app(os.path.join(workdir, "app"), benchlib.AZURE_FUNCTIONS)
    with open(AZURE_HTTP) as f:
        azure_body = f.read()
    post = {"method": "POST", "path": "/items/7?a=1", "headers": {"content-type": "application/json"},
            "body": HTTP_BODY}
    gcp = lambda name: {  # noqa: E731
        "name": name, "argv": [os.path.join(bin_dir, name)], "port_var": "PORT",
        "env": {"K_SERVICE": "echo", "K_REVISION": "echo-00001", "FUNCTION_TARGET": "echo",
                "FUNCTION_SIGNATURE_TYPE": "http", "HOST": "127.0.0.1"},
        "request": post}
    azure = lambda name: {  # noqa: E731
        "name": name, "argv": [os.path.join(bin_dir, name)], "cwd": app,
        "port_var": "FUNCTIONS_CUSTOMHANDLER_PORT",
        "env": {"FUNCTIONS_APP_ROOT_PATH": app, "FUNCTIONS_CUSTOMHANDLER_WORKER_ID": "bench",
                "AzureWebJobsStorage": AZURE_STORAGE},
        "probe": {"method": "GET", "path": "/"},
        "request": {"method": "POST", "path": "/orders", "body": azure_body,
                    "headers": {"content-type": "application/json",
                                "x-azure-functions-invocationid": "startup-1"}}}
    targets = [
        gcp("echo-gcp"), gcp("echo-gcp+blob"), azure("echo-azure"), azure("echo-azure+blob"),
        {"name": "echo-local", "argv": [os.path.join(bin_dir, "echo-local")], "port_var": "PORT",
         "env": {"HOST": "127.0.0.1", "POLYFAAS_BLOB_DIR": os.path.join(workdir, "blobs")},
         "request": post},
        {"name": "axum-echo", "argv": [os.path.join(bin_dir, "axum-echo")], "port_var": "PORT",
         "request": post},
        {"name": "python-ff", "port_var": "PORT",
         "argv": [ff, "--target", "echo_http", "--signature-type", "http", "--host", "127.0.0.1",
                  "--source", os.path.join(ROOT, "providers", "gcp", "bench", "python_echo.py")],
         "request": post},
    ]
    # functions-framework takes its port from --port or PORT.
    spec = os.path.join(workdir, "spec.json")
    with open(spec, "w") as f:
        json.dump(targets, f)
    try:
        return pfbench("http-startup", "--spec", spec, "--runs", str(runs))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def gcp_throughput(bin_dir, ff, seconds, out):
    path = os.path.join(out, "gcp_throughput.raw.json")
    subprocess.run([sys.executable, os.path.join(ROOT, "providers", "gcp", "bench", "bench.py"),
                    "--echo", os.path.join(bin_dir, "echo-gcp"), "--ff", ff,
                    "--duration", str(seconds), "--startups", "1", "--json", path],
                   check=True, stdout=sys.stderr)
    with open(path) as f:
        return json.load(f)


def aws_round_trip():
    """criterion's figures and the bench's paired ratios."""
    output = subprocess.run(
        ["cargo", "bench", "--quiet", "-p", "polyfaas-aws", "--bench", "http_round_trip", "--",
         "--warm-up-time", "1", "--measurement-time", "3"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout
    result = {"paired": {}, "criterion": {}}
    for m in re.finditer(r"paired ratio (\S+) \(polyfaas-aws / lambda_http\): median ([\d.]+), min ([\d.]+), max ([\d.]+)", output):
        result["paired"][m.group(1)] = {"median": float(m.group(2)), "min": float(m.group(3)), "max": float(m.group(4))}
    for m in re.finditer(r"^(\S+/\S+)\s*\n?\s*time:\s+\[(\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\]", output, re.M):
        value, unit = float(m.group(4)), m.group(5)
        result["criterion"][m.group(1)] = value * {"ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3}[unit]
    result["raw"] = output
    # Instructions per round trip under cachegrind: deterministic, where the times above move
    # by a few hundredths from one run to the next on a shared machine.
    if shutil.which("valgrind"):
        counted = subprocess.run(["bash", os.path.join(ROOT, "providers", "aws", "scripts", "bench-instructions.sh")],
                                 cwd=ROOT, capture_output=True, text=True, check=True).stdout
        result["instructions"] = {
            m.group(1): {"polyfaas": int(m.group(2)), "lambda_http": int(m.group(3))}
            for m in re.finditer(r"^(v1|v2|alb)\s+(\d+)\s+(\d+)", counted, re.M)}
    return result


def machine():
    def run(*cmd):
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    with open("/proc/cpuinfo") as f:
        model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    return {"cpu": model, "cpus": os.cpu_count(), "loadavg": os.getloadavg(),
            "rustc": run("rustc", "--version"), "commit": run("git", "rev-parse", "--short", "HEAD"),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="the built binaries (scripts/bench.sh)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", type=int, default=30)
    # A start on Lambda takes about 1.5 ms here and the binaries differ by a few per cent: 30 runs
    # move the ratio by ±4 %, 200 interleaved runs by about ±1.5 %, 500 by about ±1 %, in well
    # under a minute per page-cache state.
    parser.add_argument("--aws-startup-runs", type=int, default=500)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--ff", required=True, help="the functions-framework executable")
    parser.add_argument("--only", help="comma-separated subset: sizes,strace,startup_aws,startup_http,gcp,aws_round_trip")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    want = lambda name: only is None or name in only  # noqa: E731
    before = machine()
    if want("sizes"):
        write(args.out, "sizes.json", sizes(args.bin))
    if want("strace"):
        write(args.out, "strace.json", strace_all(args.bin, args.out))
    if want("startup_aws"):
        startup_aws(args.bin, args.aws_startup_runs, args.out)
    if want("startup_http"):
        write(args.out, "startup_http.json", startup_http(args.bin, args.runs, args.ff))
    if want("gcp"):
        write(args.out, "gcp_throughput.json", gcp_throughput(args.bin, args.ff, args.wrk_seconds, args.out))
    if want("aws_round_trip"):
        write(args.out, "aws_round_trip.json", aws_round_trip())
    after = machine()
    before["loadavg_after"] = after["loadavg"]
    write(args.out, "machine.json", before)


if __name__ == "__main__":
    main()
