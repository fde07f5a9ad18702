#!/usr/bin/env python3
"""Does the neutral event keep its own rules (DESIGN.md, canonical JSON)? Each case mutates a
valid input from conformance-tests/fixtures, sends it through the real release echo binary over
its platform's protocol, and prints what echo's canonical JSON says arrived. It reports today's
behaviour; it does not judge it (the rules are the lead's to decide), so it always exits 0
unless a binary could not be driven at all.

    scripts/neutral_rules.py --bin target/bench/bin [--json OUT]

Needs echo-aws, echo-gcp, echo-azure and echo-openwhisk (scripts/bench.sh builds them) and
target/release/pfbench (the Runtime API driver, bench/harness).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import ROOT, Server, fixture  # noqa: E402

PFBENCH = os.path.join(ROOT, "target", "release", "pfbench")


def aws(binary, event, deadline=None, then=None):
    """Invokes echo-aws with `event` (and then `then`); returns each answer."""
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, e in enumerate([event] + ([then] if then else [])):
            files.append(os.path.join(tmp, f"{i}.json"))
            with open(files[-1], "w") as f:
                json.dump(e, f)
        args = [PFBENCH, "aws-invoke", "--bin", binary, "--timeout-s", "5", *files]
        if deadline is not None:
            args[2:2] = [f"--deadline={deadline}"]
        output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    lines = [json.loads(line) for line in output.splitlines()]
    answers = [line["answer"] for line in lines if "answer" in line]
    exited = lines[-1]
    if exited["process_exited"]:
        answers.append({"outcome": "process exited", "body": f"exit code {exited['exit_code']}"})
    return answers


def openwhisk(binary, lines):
    """Runs echo-openwhisk under an ActionLoop stand-in (stdin lines, fd 3 results)."""
    read_fd, write_fd = os.pipe()
    env = benchlib.clean_env({"__OW_PROXY_VERSION": "1.17.1", "POLYFAAS_BLOB_URL": "memory://"})
    process = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=env,
                               close_fds=False, preexec_fn=lambda: os.dup2(write_fd, 3))
    os.close(write_fd)
    results = []
    with os.fdopen(read_fd, "rb") as fd3:
        for line in lines:
            process.stdin.write(json.dumps(line).encode() + b"\n")
            process.stdin.flush()
            results.append(json.loads(fd3.readline()))
        process.stdin.close()
    process.wait(timeout=10)
    return results


def load(*parts):
    with open(fixture(*parts)) as f:
        return json.load(f)


def jsonl(*parts):
    with open(fixture(*parts)) as f:
        return [json.loads(line) for line in f if line.strip()]


def cases(bin_dir):
    b = lambda name: os.path.join(bin_dir, name)  # noqa: E731
    out = []

    def record(rule, sent, answer, observed):
        out.append({"rule": rule, "sent": sent, "observed": observed, "answer": answer})
        print(f"- {rule}\n    sent: {sent}\n    today: {observed}", flush=True)

    # AWS: an EventBridge scheduled event whose time is not a time.
    event = load("aws", "eventbridge-schedule.json")
    event["time"] = "-1"
    [answer] = aws(b("echo-aws"), event)[:1]
    record("AWS EventBridge schedule, \"time\": \"-1\"", 'eventbridge-schedule.json with "time": "-1"', answer,
           answer["outcome"] == "response" and f"event.time = {json.dumps(answer['body']['event'].get('time'))}"
           or f"{answer['outcome']}: {json.dumps(answer['body'])[:200]}")

    # AWS: HTTP API v2 with requestContext.http.method "true".
    event = load("aws", "apigw-v2-named-stage.json")
    event["requestContext"]["http"]["method"] = "true"
    [answer] = aws(b("echo-aws"), event)[:1]
    record("AWS HTTP API v2, requestContext.http.method = \"true\"", 'apigw-v2-named-stage.json with method "true"', answer,
           answer["outcome"] == "response" and
           f"HTTP {answer['body'].get('statusCode')}, event.method = {json.dumps(json.loads(answer['body'].get('body') or '{}').get('event', {}).get('method'))}"
           or f"{answer['outcome']}: {json.dumps(answer['body'])[:200]}")

    # AWS: a Lambda-Runtime-Deadline-Ms header that is not a number, then a valid invocation.
    for deadline in ("", "-5", "99999999999999999999999"):
        answers = aws(b("echo-aws"), load("aws", "direct-invoke.json"), deadline=deadline,
                      then=load("aws", "direct-invoke.json"))
        record(f"AWS Runtime API header Lambda-Runtime-Deadline-Ms: {json.dumps(deadline)}, then a valid invocation",
               "direct-invoke.json twice", answers,
               "; ".join(f"{'invocation ' + str(i + 1) + ': ' if a['outcome'] != 'process exited' else ''}{a['outcome']}"
                         + (f" ({a['body'] if isinstance(a['body'], str) else json.dumps(a['body'])[:120]})" if a["outcome"] != "response" else "")
                         for i, a in enumerate(answers)))

    # Azure: a timer whose sys.UtcNow is not a time; a lower-case HTTP method.
    server = Server(b("echo-azure"), "azure", {"POLYFAAS_BLOB_URL": "memory://"})
    try:
        envelope = load("azure", "timer-trigger-request.json")
        envelope["Metadata"]["sys"]["UtcNow"] = "not a time"
        status, _, body = server.request("POST", "/nightly", json.dumps(envelope).encode(),
                                         {"content-type": "application/json"})
        answer = json.loads(body)
        event = (answer.get("ReturnValue") or {}).get("event", {})
        record("Azure timer, Metadata.sys.UtcNow = \"not a time\"", 'timer-trigger-request.json with UtcNow "not a time"',
               answer, f"HTTP {status}, event.time = {json.dumps(event.get('time'))}" if event else f"HTTP {status}: {body[:200]!r}")
        envelope = load("azure", "http-text-request.json")
        envelope["Data"]["req"]["Method"] = "post"
        status, _, body = server.request("POST", "/orders", json.dumps(envelope).encode(),
                                         {"content-type": "application/json"})
        answer = json.loads(body)
        res = (answer.get("Outputs") or {}).get("res") or {}
        try:
            method = json.loads(res.get("body") or res.get("Body") or "{}").get("event", {}).get("method")
        except (ValueError, AttributeError):
            method = None
        record("Azure http trigger, Data.req.Method = \"post\"", 'http-text-request.json with Method "post"', answer,
               f"HTTP {status}, event.method = {json.dumps(method)}")
    finally:
        server.close()

    # GCP: a lower-case method on the wire.
    server = Server(b("echo-gcp"), "gcp", {"POLYFAAS_BLOB_URL": "memory://"})
    try:
        for method in ("post", "get"):
            body = b'{"a":1}' if method == "post" else b""
            raw = server.raw(f"{method} /items/7 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
            head, _, payload = raw.partition(b"\r\n\r\n")
            try:
                observed = json.loads(payload)["event"]["method"]
                observed = f"{head.split(b' ')[1].decode()}, event.method = {json.dumps(observed)}"
            except (ValueError, KeyError, IndexError):
                observed = raw[:200].decode(errors="replace")
            record(f"GCP http function, request line \"{method} /items/7 HTTP/1.1\"", f"raw {method} request", raw.decode(errors="replace"),
                   f"HTTP {observed}")
    finally:
        server.close()

    # OpenWhisk: an activation without activation_id; a web action with __ow_query "?a=1".
    plain = jsonl("openwhisk", "plain.jsonl")[0]
    plain.pop("activation_id")
    web = jsonl("openwhisk", "web.jsonl")[0]
    web["value"]["__ow_query"] = "?a=1"
    plain_result, web_result = openwhisk(b("echo-openwhisk"), [plain, web])
    record("OpenWhisk activation without activation_id", "plain.jsonl line 1 without activation_id", plain_result,
           f"context.request_id = {json.dumps(plain_result.get('context', {}).get('request_id'))}")
    try:
        query = json.loads(web_result["body"]).get("event", {}).get("query")
    except (ValueError, KeyError, TypeError):
        import base64
        query = json.loads(base64.b64decode(web_result.get("body", ""))).get("event", {}).get("query")
    record("OpenWhisk web action, __ow_query = \"?a=1\"", "web.jsonl line 1 with __ow_query \"?a=1\"", web_result,
           f"event.query = {json.dumps(query)}")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--json")
    args = parser.parse_args()
    results = cases(args.bin)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
