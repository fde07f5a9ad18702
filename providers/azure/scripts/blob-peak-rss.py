#!/usr/bin/env python3
"""Peak memory of an Azure custom-handler binary receiving one large blob trigger (Linux).

    cargo build --release -p echo --no-default-features --features azure
    python3 providers/azure/scripts/blob-peak-rss.py target/release/echo 64 [CONCURRENT]

Starts the binary in a temporary function app (one blob-trigger function), sends the host's
envelope for a blob of N MiB as a chunked request (the base64 text produced as it is sent),
CONCURRENT of them at once (default 1), and prints the process's VmHWM (peak resident set)
before and after. The conformance test `a_64_mib_blob_is_decoded_to_disk_without_holding_it_in_memory`
does the same for one blob on debug builds.
"""

import base64
import concurrent.futures as concurrent_futures
import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time


def vm_hwm_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def send_blob(port, block, chunks, invocation_id):
    """One blob-trigger invocation of `chunks` × `block`; returns (status, sha256 matched)."""
    raw_chunk = len(block)
    meta = {"Uri": json.dumps("https://acct.blob.core.windows.net/in/big.bin"),
            "Properties": {"Length": chunks * raw_chunk},
            "sys": {"MethodName": "big", "UtcNow": "2026-01-01T00:00:00Z"}}

    def body():
        yield b'{"Data":{"blob":"'
        for _ in range(chunks):
            yield base64.b64encode(block)
        yield ('"},"Metadata":' + json.dumps(meta) + "}").encode()

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request("POST", "/big", body=body(), encode_chunked=True,
                 headers={"Content-Type": "application/json; charset=utf-8",
                          "X-Azure-Functions-InvocationId": invocation_id})
    reply = conn.getresponse()
    payload = reply.read()
    expected = hashlib.sha256(block * chunks).hexdigest()
    result = json.loads(payload).get("ReturnValue") or {}
    got = (result.get("event") or {}).get("local_sha256")
    return reply.status, got == expected


def main():
    binary = os.path.abspath(sys.argv[1])
    mib = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    concurrent = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    raw_chunk = 48 * 1024
    chunks = mib * 1024 * 1024 // raw_chunk
    block = os.urandom(raw_chunk)
    with tempfile.TemporaryDirectory() as tmp:
        app = os.path.join(tmp, "app")
        os.makedirs(os.path.join(app, "big"))
        with open(os.path.join(app, "big", "function.json"), "w") as f:
            json.dump({"bindings": [{"type": "blobTrigger", "direction": "in", "name": "blob",
                                     "path": "in/{name}", "dataType": "binary"}]}, f)
        port = free_port()
        env = dict(os.environ, FUNCTIONS_CUSTOMHANDLER_PORT=str(port), FUNCTIONS_APP_ROOT_PATH=app,
                   POLYFAAS_TMPDIR=os.path.join(tmp, "scratch"), POLYFAAS_BLOB_URL="memory://",
                   RUST_LOG="warn")
        proc = subprocess.Popen([binary], cwd=app, env=env, stderr=subprocess.DEVNULL)
        try:
            for _ in range(1200):
                if proc.poll() is not None:
                    sys.exit(f"{binary} exited with {proc.returncode} before listening: "
                             "is it built with --no-default-features --features azure?")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.025)
            else:
                sys.exit(f"{binary} did not listen on 127.0.0.1:{port} within 30 s")
            before = vm_hwm_mib(proc.pid)
            started = time.time()
            with concurrent_futures.ThreadPoolExecutor(concurrent) as pool:
                replies = list(pool.map(lambda i: send_blob(port, block, chunks, f"peak-rss-{i}"),
                                        range(concurrent)))
            elapsed = time.time() - started
            after = vm_hwm_mib(proc.pid)
            for status, matched in replies:
                print(f"status {status}, sha256 {'ok' if matched else 'MISMATCH'}")
            blobs = f"{concurrent} concurrent {mib} MiB blobs" if concurrent > 1 else f"{mib} MiB blob"
            print(f"{blobs}: peak RSS {after:.1f} MiB (at start {before:.1f} MiB), {elapsed:.2f} s")
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
