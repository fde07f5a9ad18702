#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target (fuzz/fuzz_targets/) from the project's fixtures
(conformance-tests/fixtures), plus other projects' public payloads in ../shared/fixtures when that
folder is there (POLYFAAS_SHARED_FIXTURES overrides; read in place, never copied into the
repository).

    scripts/fuzz-seeds.py OUT_DIR        # OUT_DIR/<target>/<n>: one file per seed

The GCP target reads "path\\nname: value\\n...\\n\\nbody"; the others read the payload as it is.
"""

import glob
import hashlib
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OWN = os.path.join(ROOT, "conformance-tests", "fixtures")
SHARED = os.environ.get("POLYFAAS_SHARED_FIXTURES",
                        os.path.join(os.path.dirname(ROOT), "shared", "fixtures"))


def files(*patterns):
    for pattern in patterns:
        yield from sorted(glob.glob(pattern, recursive=True))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def gcp_requests():
    """Every request of the GCP fixture cases, as the GCP target's input."""
    for path in files(os.path.join(OWN, "gcp", "*.json")):
        for case in json.loads(read(path)).get("cases", []):
            request = case["request"]
            if "json" in request:
                body = json.dumps(request["json"]).encode()
            elif "text" in request:
                body = request["text"].encode()
            elif "base64" in request:
                import base64
                body = base64.b64decode(request["base64"])
            else:
                body = b""
            head = [request.get("path", "/")]
            head += [f"{k}: {v}" for k, v in request.get("headers", {}).items()]
            yield ("\n".join(head) + "\n\n").encode() + body
    # The public Functions Framework corpus: legacy and CloudEvent inputs (structured JSON).
    for path in files(os.path.join(SHARED, "gcp", "*-input.json")):
        body = read(path)
        yield b"/\ncontent-type: application/json\n\n" + body
        yield b"/\ncontent-type: application/cloudevents+json\n\n" + body


def seeds():
    aws = list(files(os.path.join(OWN, "aws", "**", "*.json"),
                     os.path.join(SHARED, "aws", "**", "*.json")))
    azure_env = list(files(os.path.join(OWN, "azure", "*.json"),
                           os.path.join(SHARED, "azure", "**", "*request*.json")))
    function_json = list(files(os.path.join(SHARED, "azure", "**", "function*.json")))
    events = {
        "aws_detect": [read(p) for p in aws],
        "aws_event": [read(p) for p in aws],
        "gcp_event": list(gcp_requests()),
        "azure_envelope": [read(p) for p in azure_env],
        "azure_function_json": [read(p) for p in function_json] + [
            json.dumps({"bindings": [
                {"type": t, "direction": "in", "name": n, **extra},
                {"type": "http", "direction": "out", "name": "res"}]}).encode()
            for t, n, extra in [
                ("httpTrigger", "req", {"methods": ["get", "post"], "route": "orders/{id}"}),
                ("blobTrigger", "blob", {"path": "in/{name}", "dataType": "binary"}),
                ("queueTrigger", "message", {"queueName": "orders"}),
                ("timerTrigger", "timer", {"schedule": "0 */5 * * * *"}),
            ]],
        "canonical": [],
        "openwhisk_line": [json.dumps(line).encode() for line in openwhisk_lines()],
        "blob_key_url": [s.encode() for s in [
            "photos/2024/café 1.jpg", "../etc/passwd", "a//b", "a/./b", "s3://bucket/prefix",
            "gs://bucket", "az://container/p/q", "file:///tmp/x", "memory://", "6MiB", "10kb",
            "1048576"]],
    }
    # Canonical JSON: every line of the OpenWhisk and local fixtures' payloads is not canonical;
    # the canonical seeds are the events of DESIGN.md's table.
    events["canonical"] = [json.dumps(e).encode() for e in [
        {"kind": "http", "method": "POST", "path": "/items/7", "query": "a=1&a=2",
         "headers": {"x": ["1", "2"]}, "body_base64": "aGk=", "source_ip": "127.0.0.1"},
        {"kind": "blob", "change": "created", "store": "b", "key": "in/a.txt", "size": 3,
         "etag": "\"e\"", "content_type": "text/plain"},
        {"kind": "message", "id": "1", "source": "orders", "body_base64": "aGk=",
         "attributes": {"partition_key": "p"}},
        {"kind": "schedule", "name": "nightly", "time": "2024-05-01T02:00:00Z"},
        {"kind": "invoke", "payload": {"order": 7}},
        {"kind": "change", "id": "e1", "source": "orders", "op": "modify",
         "key": {"id": "o-7"}, "old": {"total": 1}, "new": {"total": 2}},
        {"kind": "authorize", "token": "Bearer x", "resource": "arn:aws:execute-api:r:1:a/s/GET/",
         "request": None},
    ]]
    return events


def openwhisk_lines():
    """ActionLoop input lines: a plain activation, a raw web action, an alarm."""
    base = {"namespace": "guest", "action_name": "/guest/echo", "activation_id": "a1",
            "transaction_id": "t1", "deadline": "4102444800000", "api_key": "k:s"}
    return [
        {**base, "value": {"order": 7}},
        {**base, "value": {"__ow_method": "post", "__ow_path": "/items", "__ow_query": "?a=1",
                           "__ow_headers": {"content-type": "text/plain"}, "__ow_body": "hi"}},
        {**base, "value": {"polyfaas_schedule": "nightly"}},
    ]


def main():
    out = sys.argv[1]
    for target, items in seeds().items():
        directory = os.path.join(out, target)
        os.makedirs(directory, exist_ok=True)
        for item in items:
            name = hashlib.sha1(item).hexdigest()
            with open(os.path.join(directory, name), "wb") as f:
                f.write(item)
        print(f"{target}: {len(items)} seeds")


if __name__ == "__main__":
    main()
