"""What the benchmark, load and rule scripts share: starting the real echo binaries the way
each platform does (environment, Azure function app, ports), talking HTTP to them, reading a
process's memory from /proc, and running wrk."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "conformance-tests", "fixtures")

# What Lambda sets for every function (credentials are placeholders: nothing is contacted).
LAMBDA_ENV = {
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "placeholder-session-token",
}

# The Azure storage emulator's well-known development account, as AzureWebJobsStorage is
# always set on Azure (nothing is contacted unless a blob is read).
AZURE_STORAGE = ("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
                 "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
                 "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;")

# Inherited variables that would change what a binary does.
SCRUB = ("RUST_LOG", "PORT", "HOST", "POLYFAAS_PROVIDER", "POLYFAAS_BLOB_URL", "POLYFAAS_BLOB_DIR",
         "POLYFAAS_TMPDIR", "AWS_LAMBDA_RUNTIME_API", "FUNCTIONS_CUSTOMHANDLER_PORT",
         "FUNCTION_TARGET", "K_SERVICE", "__OW_ACTION_NAME", "__OW_PROXY_VERSION")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fixture(*parts):
    return os.path.join(FIXTURES, *parts)


def azure_app(root, functions):
    """Writes a function app: host.json and one folder per function. `functions` maps a name to
    its trigger binding (a dict); http triggers get the `res` output binding."""
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "host.json"), "w") as f:
        json.dump({"version": "2.0", "customHandler": {"description": {"defaultExecutablePath": "echo"}}}, f)
    for name, trigger in functions.items():
        bindings = [dict(trigger, direction="in")]
        if trigger["type"] == "httpTrigger":
            bindings.append({"type": "http", "direction": "out", "name": "res"})
        os.makedirs(os.path.join(root, name), exist_ok=True)
        with open(os.path.join(root, name, "function.json"), "w") as f:
            json.dump({"bindings": bindings}, f)
    return root


# The functions of the Azure app every script uses: the fixtures' names and bindings.
AZURE_FUNCTIONS = {
    "orders": {"type": "httpTrigger", "name": "req", "methods": ["get", "post"], "route": "orders/{id}"},
    "thumbnails": {"type": "blobTrigger", "name": "blob", "path": "photos/{name}", "dataType": "binary"},
    "nightly": {"type": "timerTrigger", "name": "timer", "schedule": "0 0 2 * * *"},
    "orders-queue": {"type": "queueTrigger", "name": "message", "queueName": "orders"},
}


def platform_env(platform, port, workdir):
    """The environment `platform`'s host gives the function (and `port` to serve on)."""
    if platform == "gcp":
        return {"PORT": str(port), "K_SERVICE": "echo", "K_REVISION": "echo-00001",
                "FUNCTION_TARGET": "echo", "FUNCTION_SIGNATURE_TYPE": "http"}
    if platform == "azure":
        app = azure_app(os.path.join(workdir, "app"), AZURE_FUNCTIONS)
        return {"FUNCTIONS_CUSTOMHANDLER_PORT": str(port), "FUNCTIONS_APP_ROOT_PATH": app,
                "FUNCTIONS_CUSTOMHANDLER_WORKER_ID": "bench-worker", "AzureWebJobsStorage": AZURE_STORAGE}
    if platform == "local":
        return {"PORT": str(port), "HOST": "127.0.0.1",
                "POLYFAAS_BLOB_DIR": os.path.join(workdir, "blobs")}
    raise ValueError(f"{platform} does not serve HTTP")


def clean_env(extra):
    env = {k: v for k, v in os.environ.items() if k not in SCRUB}
    env.update(extra)
    return env


class Server:
    """A function binary serving HTTP on 127.0.0.1, started as its platform starts it."""

    def __init__(self, binary, platform, extra_env=None, stderr=subprocess.DEVNULL):
        self.workdir = tempfile.mkdtemp(prefix=f"polyfaas-{platform}-")
        self.port = free_port()
        env = platform_env(platform, self.port, self.workdir)
        env.update(extra_env or {})
        cwd = env.get("FUNCTIONS_APP_ROOT_PATH", self.workdir)
        self.process = subprocess.Popen([os.path.abspath(binary)], env=clean_env(env), cwd=cwd,
                                        stdout=subprocess.DEVNULL, stderr=stderr)
        self.wait_listening()

    def wait_listening(self, limit=60):
        deadline = time.time() + limit
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"exited with {self.process.returncode} before listening")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.01)
        raise RuntimeError(f"not listening on {self.port} after {limit} s")

    def request(self, method, path, body=b"", headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def raw(self, data, timeout=10):
        """Sends raw bytes (a request http.client would refuse to write) and returns the reply."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            chunks = []
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks)

    def rss_kib(self):
        return proc_status(self.process.pid)["VmRSS"]

    def terminate(self, limit=20):
        """SIGTERM, then the exit status (None if it had to be killed after `limit` s)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def proc_status(pid):
    """VmRSS, VmHWM (KiB) and friends of a process."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if rest.strip().endswith("kB"):
                values[key] = int(rest.split()[0])
    return values


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def wrk_lua(method, body, headers):
    lines = [f"wrk.method = {json.dumps(method)}", f"wrk.body = {json.dumps(body)}"]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    return "\n".join(lines) + "\n"


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(port, path, method="GET", body="", headers=None, seconds=10, connections=32, threads=1):
    """One wrk run; requests/s, latency percentiles and the error counts."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_lua(method, body, headers or {}))
    try:
        output = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name,
             f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(script.name)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50_ms": to_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99_ms": to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
    }
