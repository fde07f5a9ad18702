"""The Python Functions Framework side of the benchmark: the same echo as examples/echo does
(canonical JSON of what arrived), as an http function and as a cloudevent function."""

import base64
import json

import functions_framework


@functions_framework.http
def echo_http(request):
    headers = {}
    for name, value in request.headers.items():
        headers.setdefault(name.lower(), []).append(value)
    body = request.get_data()
    document = {
        "provider": "python-ff",
        "context": {"request_id": request.headers.get("Function-Execution-Id"), "function": "echo_http", "deadline_ms": None},
        "event": {
            "kind": "http",
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode("latin-1"),
            "headers": dict(sorted(headers.items())),
            "body_base64": base64.b64encode(body).decode("ascii"),
            "source_ip": request.remote_addr,
        },
    }
    return json.dumps(document), 200, {"Content-Type": "application/json"}


@functions_framework.cloud_event
def echo_cloudevent(event):
    # A cloudevent function cannot answer a body (the framework sends 200 "OK"); build the same
    # document echo sends back, so both sides do the same work.
    payload = dict(event.get_attributes())
    payload["data"] = event.get_data()
    document = {
        "provider": "python-ff",
        "context": {"request_id": event["id"], "function": "echo_cloudevent", "deadline_ms": None},
        "event": {"kind": "invoke", "payload": payload},
    }
    json.dumps(document)
