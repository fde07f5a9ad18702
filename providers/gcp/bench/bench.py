#!/usr/bin/env python3
"""Requests/s, p99 latency and time to first response of the polyfaas echo function (built with
--features gcp) against the Python Functions Framework (PyPI functions-framework, default
gunicorn settings: 1 worker, 4 threads per CPU) serving the same echo, measured in one run on
this machine with wrk.

Two requests: a plain HTTP POST to an http function, and a binary-mode CloudEvent (a Firestore
document.written event with JSON data) to a cloudevent function: polyfaas hands echo the change
record, the Python function builds the same record from the event.

Goals (issue 15), printed at the end: polyfaas ≥ 25× Python's requests/s and p99 ≤ 1/10 of
Python's, for both; a CloudEvent costs ≤ 1.3× the server CPU of a plain HTTP request.

    providers/gcp/bench/bench.sh            # builds, installs, then runs this
    bench.py --echo PATH --ff PATH [--duration 10] [--repeats 3] [--connections 32] [--json OUT]

The four servers (polyfaas and Python, HTTP and CloudEvent) are started side by side, warmed
up, then take turns under wrk for `--repeats` rounds; each figure is the median of a server's
runs, so a drift in the machine's speed weighs on all of them alike.

Only 127.0.0.1 is contacted; every load run is bounded in time.
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))

HTTP_REQUEST = {
    "path": "/items/7?a=1&b=two",
    "headers": {"content-type": "application/json", "x-request-tag": "bench"},
    "body": json.dumps({"qty": 3, "note": "caf\u00e9", "lines": [1, 2, 3]}),
}

CLOUDEVENT_REQUEST = {
    "path": "/",
    "headers": {
        "ce-id": "bench-0001",
        "ce-specversion": "1.0",
        "ce-source": "//firestore.googleapis.com/projects/orchard-482/databases/(default)",
        "ce-type": "google.cloud.firestore.document.v1.written",
        "ce-subject": "documents/orchards/north/trees/t-17",
        "ce-time": "2025-06-01T10:00:00.123456Z",
        "content-type": "application/json",
    },
    "body": json.dumps({
        "oldValue": {"fields": {"height": {"doubleValue": 2.5}}},
        "value": {"fields": {"height": {"doubleValue": 2.75}, "pruned": {"booleanValue": True}}},
        "updateMask": {"fieldPaths": ["height", "pruned"]},
    }),
}

SCENARIOS = [
    ("http POST", "http", HTTP_REQUEST),
    ("binary CloudEvent", "cloudevent", CLOUDEVENT_REQUEST),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def send(port, request, timeout=2.0):
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{request['path']}",
        data=request["body"].encode(),
        headers=request["headers"],
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=timeout) as response:
        return response.status, response.read()


def start(kind, signature, port, args):
    """Starts a server; returns (process, seconds from spawn to the first 2xx response)."""
    env = dict(os.environ)
    for var in ("RUST_LOG", "CLOUD_RUN_TIMEOUT_SECONDS", "K_SERVICE", "POLYFAAS_BLOB_URL"):
        env.pop(var, None)
    env.update({"HOST": "127.0.0.1", "PORT": str(port), "FUNCTION_SIGNATURE_TYPE": signature})
    if kind == "polyfaas":
        env.update({"FUNCTION_TARGET": "echo", "POLYFAAS_BLOB_URL": "memory://", "RUST_LOG": "warn"})
        command = [args.echo]
    else:
        target = "echo_http" if signature == "http" else "echo_cloudevent"
        command = [args.ff, "--target", target, "--signature-type", signature,
                   "--source", os.path.join(HERE, "python_echo.py"),
                   "--host", "127.0.0.1", "--port", str(port)]
    request = HTTP_REQUEST if signature == "http" else CLOUDEVENT_REQUEST
    started = time.perf_counter()
    # A process group of its own (the server and its workers, for their CPU time), but the
    # session of this script and wrk: Linux's autogroup scheduling gives each session an equal
    # share of the CPUs, which made a server's tail latency depend on how its threads and wrk's
    # were split into sessions (a polyfaas p99 of 2.8 ms in a session of its own, 1.0-1.6 ms in
    # wrk's) rather than on the server.
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               process_group=0)
    deadline = started + 60
    while True:
        if process.poll() is not None:
            raise SystemExit(f"{kind} exited early: {process.stderr.read().decode()}")
        try:
            status, _ = send(port, request, timeout=1.0)
            if 200 <= status < 300:
                return process, time.perf_counter() - started
        except OSError:
            pass
        if time.perf_counter() > deadline:
            raise SystemExit(f"{kind} did not answer within 60 s")
        time.sleep(0.002)


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wrk_script(request):
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(request['body'])}"]
    for name, value in request["headers"].items():
        lines.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def group_cpu_seconds(pgid):
    """User + system CPU time of every process in process group `pgid` (the server and its workers):
    unlike requests/s, CPU time per request barely moves when other work shares the machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is field 3 (state): the process group is field 5, utime 14, stime 15.
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def run_wrk(port, request, duration, connections, script_path):
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script_path,
         f"http://127.0.0.1:{port}{request['path']}"],
        capture_output=True, text=True, check=True, timeout=duration + 60,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    count = int(re.search(r"(\d+) requests in", output).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {"rps": rps, "requests": count, "p50_ms": p50, "p99_ms": p99,
            "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else None}


def median_of(runs):
    """One figure per metric from several wrk runs on the same server: the median of each
    rate and latency (a single run on a 2-core machine shared with wrk swings its p99 by a
    third), the sum of the counts; the runs themselves are kept."""
    def median(key):
        values = sorted(r[key] for r in runs)
        return values[len(values) // 2]
    return {"rps": median("rps"), "p50_ms": median("p50_ms"), "p99_ms": median("p99_ms"),
            "requests": sum(r["requests"] for r in runs),
            "non_2xx": sum(r["non_2xx"] for r in runs),
            "socket_errors": "; ".join(r["socket_errors"] for r in runs if r["socket_errors"]) or None,
            "runs": runs}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--echo", required=True, help="echo built with --features gcp (release)")
    parser.add_argument("--ff", required=True, help="the functions-framework executable")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up load first")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3,
                        help="wrk runs per server; requests/s and latencies are their medians")
    parser.add_argument("--startups", type=int, default=5, help="cold starts measured per server")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()

    results = {"machine": {"cpus": os.cpu_count(), "loadavg_before": os.getloadavg()},
               "settings": vars(args), "scenarios": {}}
    with tempfile.TemporaryDirectory() as tmp:
        # Every server is started (after its cold starts are timed) and kept up; then they take
        # turns under wrk, round after round, so that the machine's speed, which drifts on a
        # shared host, weighs on all four alike (one side's runs all before the other's once
        # moved a ratio by a third between two runs of this script).
        servers = {}
        try:
            for name, signature, request in SCENARIOS:
                script_path = os.path.join(tmp, f"{signature}.lua")
                with open(script_path, "w") as f:
                    f.write(wrk_script(request))
                for kind in ("polyfaas", "python-ff"):
                    startups = []
                    for _ in range(args.startups):
                        process, startup = start(kind, signature, free_port(), args)
                        startups.append(startup)
                        stop(process)
                    port = free_port()
                    process, _ = start(kind, signature, port, args)
                    servers[(name, kind)] = {"process": process, "port": port, "request": request,
                                             "script": script_path, "startups": startups,
                                             "body": send(port, request)[1], "runs": [], "cpu": 0.0}
            if args.warmup:
                for server in servers.values():
                    run_wrk(server["port"], server["request"], args.warmup, args.connections,
                            server["script"])
            for _ in range(max(1, args.repeats)):
                for server in servers.values():
                    cpu_before = group_cpu_seconds(server["process"].pid)
                    server["runs"].append(run_wrk(server["port"], server["request"], args.duration,
                                                  args.connections, server["script"]))
                    server["cpu"] += group_cpu_seconds(server["process"].pid) - cpu_before
        finally:
            for server in servers.values():
                stop(server["process"])
        for name, _, _ in SCENARIOS:
            scenario = {}
            for kind in ("polyfaas", "python-ff"):
                server = servers[(name, kind)]
                load = median_of(server["runs"])
                load["server_cpu_us_per_request"] = server["cpu"] / load["requests"] * 1e6
                startups = server["startups"]
                load["first_response_ms"] = sorted(startups)[len(startups) // 2] * 1000
                load["first_response_ms_all"] = [round(s * 1000, 1) for s in startups]
                load["sample_response_bytes"] = len(server["body"])
                scenario[kind] = load
                print(f"{name:18} {kind:9} {load['rps']:10.0f} req/s  p50 {load['p50_ms']:7.2f} ms  "
                      f"p99 {load['p99_ms']:7.2f} ms  CPU {load['server_cpu_us_per_request']:7.1f} us/req  "
                      f"first response {load['first_response_ms']:7.1f} ms"
                      f"  (non-2xx {load['non_2xx']}, socket errors {load['socket_errors']})",
                      flush=True)
            p, f = scenario["polyfaas"], scenario["python-ff"]
            scenario["ratios"] = {
                "rps": p["rps"] / f["rps"],
                "p99": f["p99_ms"] / p["p99_ms"],
                "first_response": f["first_response_ms"] / p["first_response_ms"],
                "cpu_per_request": f["server_cpu_us_per_request"] / p["server_cpu_us_per_request"],
            }
            results["scenarios"][name] = scenario
    print()
    load = os.getloadavg()
    print(f"load average during the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    print()
    print("| request | polyfaas req/s | Python FF req/s | × | polyfaas p99 | Python FF p99 | × "
          "| polyfaas CPU/req | Python FF CPU/req | × | polyfaas first response | Python FF first response | × |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, scenario in results["scenarios"].items():
        p, f, r = scenario["polyfaas"], scenario["python-ff"], scenario["ratios"]
        print(f"| {name} | {p['rps']:.0f} | {f['rps']:.0f} | {r['rps']:.1f} | {p['p99_ms']:.2f} ms | "
              f"{f['p99_ms']:.2f} ms | {r['p99']:.1f} | {p['server_cpu_us_per_request']:.0f} µs | "
              f"{f['server_cpu_us_per_request']:.0f} µs | {r['cpu_per_request']:.0f} | {p['first_response_ms']:.1f} ms | "
              f"{f['first_response_ms']:.0f} ms | {r['first_response']:.0f} |")
    http, ce = results["scenarios"]["http POST"], results["scenarios"]["binary CloudEvent"]
    cost = ce["polyfaas"]["server_cpu_us_per_request"] / http["polyfaas"]["server_cpu_us_per_request"]
    results["cloudevent_cost"] = cost
    print()
    print(f"a CloudEvent costs {cost:.2f}× a plain HTTP request in server CPU (goal ≤ 1.3)")
    for name, scenario in results["scenarios"].items():
        r = scenario["ratios"]
        print(f"{name}: {r['rps']:.1f}× the requests/s (goal ≥ 25), p99 1/{r['p99']:.1f} (goal ≤ 1/10)")
    results["machine"]["loadavg_after"] = load
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    sys.exit(main())
