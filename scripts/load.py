#!/usr/bin/env python3
"""Load, drain, Azure blob memory and blob scratch leaks of the release echo binaries
(scripts/load.sh builds them and calls this). Writes load.json and leaks.json into --out for
scripts/bench_report.py, and prints the figures.

- Saturation: wrk for --seconds (default 60) on the gcp, azure and local servers; errors
  (non-2xx answers and socket errors), resident memory before (after a short warm-up) and after.
- Drain: requests that take 1 s in flight (echo's `x-echo-sleep-ms`), then SIGTERM: each must
  be answered 200 and the process must exit 0.
- Azure blobs: peak resident memory for one 64 MiB blob trigger and for --concurrent at once
  (providers/azure/scripts/blob-peak-rss.py); the figure is the concurrent run's growth over the
  idle process ÷ (--concurrent × one blob's growth).
- Leaks: --leak-count blob invocations on each platform with a blob trigger (aws, gcp, azure,
  local; OpenWhisk has none), each read to a scratch file by echo; then the files left under the
  scratch directory (POLYFAAS_TMPDIR) and the process's open descriptors before and after.
"""

import argparse
import base64
import concurrent.futures
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import ROOT, Server, fixture  # noqa: E402

HTTP_BODY = json.dumps({"qty": 3, "note": "caf\u00e9", "lines": [1, 2, 3]})


def azure_http_envelope(headers=None):
    with open(fixture("azure", "http-text-request.json")) as f:
        envelope = json.load(f)
    for name, value in (headers or {}).items():
        envelope["Data"]["req"]["Headers"][name] = [value]
    return json.dumps(envelope)


def load_request(platform):
    """(path, method, body, headers) of the saturating request."""
    if platform == "azure":
        return "/orders", "POST", azure_http_envelope(), {"content-type": "application/json"}
    return "/items/7?a=1", "POST", HTTP_BODY, {"content-type": "application/json"}


def slow_request(server, platform):
    """One request echo answers after 1 s; returns the status."""
    path, method, body, headers = load_request(platform)
    if platform == "azure":
        body = azure_http_envelope({"x-echo-sleep-ms": "1000"})
    else:
        headers = dict(headers, **{"x-echo-sleep-ms": "1000"})
    try:
        status, _, _ = server.request(method, path, body.encode(), headers, timeout=30)
        return status
    except OSError as e:
        return f"{type(e).__name__}: {e}"


def saturate(binary, platform, seconds, connections):
    server = Server(binary, platform)
    try:
        path, method, body, headers = load_request(platform)
        benchlib.wrk(server.port, path, method, body, headers, seconds=2, connections=connections)
        before = server.rss_kib()
        result = benchlib.wrk(server.port, path, method, body, headers, seconds=seconds, connections=connections)
        status = benchlib.proc_status(server.process.pid)
        result.update(rss_before_kib=before, rss_after_kib=status["VmRSS"], peak_kib=status["VmHWM"],
                      errors=result["non_2xx"] + result["socket_errors"])
        # Drain: requests in flight when SIGTERM arrives are finished, then the process exits 0.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            pending = [pool.submit(slow_request, server, platform) for _ in range(8)]
            time.sleep(0.3)
            started = time.time()
            exit_code = server.terminate(limit=20)
            statuses = [p.result() for p in pending]
        result.update(drain_exit_code=exit_code, drain_seconds=round(time.time() - started, 2),
                      drain_statuses=statuses)
        return result
    finally:
        server.close()


def azure_blob_peak(binary, mib, concurrent):
    output = subprocess.run([sys.executable, os.path.join(ROOT, "providers", "azure", "scripts", "blob-peak-rss.py"),
                             binary, str(mib), str(concurrent)], capture_output=True, text=True, check=True).stdout
    m = re.search(r"peak RSS ([\d.]+) MiB \(at start ([\d.]+) MiB\), ([\d.]+) s", output)
    ok = output.count("sha256 ok")
    return {"peak_mib": float(m.group(1)), "start_mib": float(m.group(2)), "seconds": float(m.group(3)),
            "sha256_ok": ok, "concurrent": concurrent}


def count_files(directory):
    return sum(len(files) + len(dirs) for _, dirs, files in os.walk(directory))


def leaks_http(binary, platform, count):
    """`count` blob invocations of an HTTP-serving echo; files left in its scratch directory."""
    work = tempfile.mkdtemp(prefix=f"polyfaas-leaks-{platform}-")
    scratch = os.path.join(work, "scratch")
    store = os.path.join(work, "store")
    os.makedirs(os.path.join(store, "in"))
    os.makedirs(scratch)
    with open(os.path.join(store, "in", "a.txt"), "wb") as f:
        f.write(b"twenty bytes of blob")
    env = {"POLYFAAS_TMPDIR": scratch}
    if platform == "local":
        env["POLYFAAS_BLOB_DIR"] = store
        path, headers = "/_polyfaas/events", {"content-type": "application/json"}
        body = json.dumps({"kind": "blob", "change": "created", "store": "local", "key": "in/a.txt"})
    elif platform == "gcp":
        env.update(POLYFAAS_BLOB_URL=f"file://{store}", FUNCTION_SIGNATURE_TYPE="cloudevent")
        path = "/"
        headers = {"content-type": "application/json", "ce-id": "leak-1", "ce-specversion": "1.0",
                   "ce-source": "//storage.googleapis.com/projects/_/buckets/b",
                   "ce-type": "google.cloud.storage.object.v1.finalized", "ce-subject": "objects/in/a.txt"}
        body = json.dumps({"bucket": "b", "name": "in/a.txt", "size": "20"})
    else:  # azure: the trigger's content comes in the envelope and is written to a scratch file
        env["POLYFAAS_BLOB_URL"] = "memory://"
        path, headers = "/thumbnails", {"content-type": "application/json"}
        with open(fixture("azure", "blob-trigger-request.json")) as f:
            body = f.read()
    server = Server(binary, platform, env)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        status, reply = None, b""
        fds_before = benchlib.open_fds(server.process.pid)
        statuses = {}
        for i in range(count):
            conn.request("POST", path, body=body.encode(), headers=dict(headers, **{"x-azure-functions-invocationid": f"leak-{i}"}))
            response = conn.getresponse()
            reply = response.read()
            statuses[response.status] = statuses.get(response.status, 0) + 1
            if i == 0:
                status = response.status
                sha = json.loads(reply)
                sha = (sha.get("ReturnValue") or sha).get("event", {}).get("local_sha256")
                if not sha:
                    raise SystemExit(f"{platform}: the first blob invocation did not read the object: {reply[:400]}")
        conn.close()
        time.sleep(0.5)  # the server closes its side of the connection
        fds_after = benchlib.open_fds(server.process.pid)
        return {"invocations": count, "statuses": statuses, "first_status": status,
                "files_left": count_files(scratch), "fds_before": fds_before, "fds_after": fds_after}
    finally:
        server.close()
        shutil.rmtree(work, ignore_errors=True)


def leaks_aws(binary, count):
    work = tempfile.mkdtemp(prefix="polyfaas-leaks-aws-")
    scratch = os.path.join(work, "scratch")
    store = os.path.join(work, "store")
    os.makedirs(os.path.join(store, "photos"))
    os.makedirs(scratch)
    with open(fixture("aws", "s3-put.json")) as f:
        key = json.load(f)["Records"][0]["s3"]["object"]["key"]
    from urllib.parse import unquote_plus
    with open(os.path.join(store, unquote_plus(key)), "wb") as f:
        f.write(b"26 bytes of flower content")
    try:
        output = subprocess.run(
            [os.path.join(ROOT, "target", "release", "pfbench"), "aws-invoke", "--bin", binary,
             "--env", f"POLYFAAS_BLOB_URL=file://{store}", "--env", f"POLYFAAS_TMPDIR={scratch}",
             "--repeat", str(count), fixture("aws", "s3-put.json")],
            capture_output=True, text=True, check=True).stdout
        lines = [json.loads(line) for line in output.strip().splitlines()]
        outcomes = next(line for line in lines if "process_exited" not in line)
        statuses = {"/response" if k == "response" else k: v for k, v in outcomes.items()}
        return {"invocations": count, "statuses": statuses, "files_left": count_files(scratch)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(load, leaks, args):
    rows = [f"| platform | requests in {args.seconds} s | req/s | errors | RSS before | RSS after | after ÷ before | SIGTERM with 8 requests in flight |",
            "|---|---|---|---|---|---|---|---|"]
    for platform, r in load.get("saturation", {}).items():
        drained = all(s == 200 for s in r["drain_statuses"])
        rows.append(f"| {platform} | {r['requests']} | {r['rps']:.0f} | {r['errors']} | {r['rss_before_kib'] / 1024:.1f} MiB | "
                    f"{r['rss_after_kib'] / 1024:.1f} MiB | {r['rss_after_kib'] / r['rss_before_kib']:.2f}× | "
                    f"exit {r['drain_exit_code']} after {r['drain_seconds']} s; answers {'all 200' if drained else r['drain_statuses']} |")
    blob = load.get("azure_blobs")
    if blob:
        one, many = blob["one"], blob["many"]
        n = many["concurrent"]
        idle = one["start_mib"]
        ratio = (many["peak_mib"] - many["start_mib"]) / (n * (one["peak_mib"] - idle))
        rows += ["", f"Azure blob triggers of {blob['mib']} MiB (the base64 envelope streamed in): one at a time peaks at "
                 f"{one['peak_mib']:.1f} MiB RSS (idle {idle:.1f} MiB); {n} at once peak at {many['peak_mib']:.1f} MiB. "
                 f"Growth over idle with {n} at once ÷ ({n} × one blob's growth) = **{ratio:.2f}×** (goal ≤ 1.2×); "
                 f"every file's sha256 matched: {many['sha256_ok'] == n and one['sha256_ok'] == 1}."]
        blob["ratio"] = ratio
    load_intro = (f"`scripts/load.sh`: wrk, {args.connections} connections, {args.seconds} s at saturation after 2 s of warm-up, "
                  "on the release echo of each HTTP-serving platform (POST of a small JSON body; Azure: the http-trigger "
                  "envelope `conformance-tests/fixtures/azure/http-text-request.json`). RSS from /proc. Then 8 requests that "
                  "take 1 s are sent, SIGTERM follows 0.3 s later.")
    leak_rows = ["| platform | blob invocations | answers | files left in the scratch directory | open fds before → after |",
                 "|---|---|---|---|---|"]
    for platform, r in leaks.items():
        fds = f"{r['fds_before']} → {r['fds_after']}" if "fds_before" in r else "(Runtime API client)"
        answers = ", ".join(f"{n} × {status}" for status, n in r["statuses"].items())
        leak_rows.append(f"| {platform} | {r['invocations']} | {answers} | {r['files_left']} | {fds} |")
    leak_rows.append("| openwhisk | — | no blob trigger on OpenWhisk | — | — |")
    leak_intro = ("`scripts/load.sh`: one echo process per platform serves blob events one after another (AWS: an S3 "
                  "notification over the Runtime API; GCP: a storage CloudEvent; local: a fired blob event — each read through a "
                  "`file://` store; Azure: the blob-trigger envelope, whose content the shim writes to a file); echo reads "
                  "every object as a local file (`local_sha256`). Counted afterwards: everything under `POLYFAAS_TMPDIR`.")
    return ({"intro": load_intro, "rows": rows, "data": load}, {"intro": leak_intro, "rows": leak_rows, "data": leaks})


def previous(out, name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f).get("data", {})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory with echo-gcp, echo-azure, echo-local, echo-aws")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--mib", type=int, default=64)
    parser.add_argument("--concurrent", type=int, default=4)
    parser.add_argument("--leak-count", type=int, default=10000)
    parser.add_argument("--only", help="comma-separated subset: saturation,azure_blobs,leaks")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else {"saturation", "azure_blobs", "leaks"}
    binary = lambda p: os.path.join(args.bin, f"echo-{p}")  # noqa: E731
    # A partial run (--only) keeps the other sections of an earlier run.
    load, leaks = previous(args.out, "load.json"), previous(args.out, "leaks.json")
    if "saturation" in only:
        load["saturation"] = {}
        for platform in ("gcp", "azure", "local"):
            load["saturation"][platform] = saturate(binary(platform), platform, args.seconds, args.connections)
            print(platform, json.dumps(load["saturation"][platform]), flush=True)
    if "azure_blobs" in only:
        load["azure_blobs"] = {"mib": args.mib, "one": azure_blob_peak(binary("azure"), args.mib, 1),
                               "many": azure_blob_peak(binary("azure"), args.mib, args.concurrent)}
        print("azure blobs", json.dumps(load["azure_blobs"]), flush=True)
    if "leaks" in only:
        leaks["aws"] = leaks_aws(binary("aws"), args.leak_count)
        print("aws", json.dumps(leaks["aws"]), flush=True)
        for platform in ("gcp", "azure", "local"):
            leaks[platform] = leaks_http(binary(platform), platform, args.leak_count)
            print(platform, json.dumps(leaks[platform]), flush=True)
    load_json, leaks_json = report(load, leaks, args)
    if load:
        with open(os.path.join(args.out, "load.json"), "w") as f:
            json.dump(load_json, f, indent=1)
    if leaks:
        with open(os.path.join(args.out, "leaks.json"), "w") as f:
            json.dump(leaks_json, f, indent=1)
    print("\n".join(load_json["rows"] + [""] + leaks_json["rows"]))


if __name__ == "__main__":
    main()
