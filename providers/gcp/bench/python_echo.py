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


def plain(typed):
    """A Firestore typed value as plain JSON, as the polyfaas shim converts it."""
    (kind, value), = typed.items()
    if kind == "integerValue":
        return int(value)
    if kind == "mapValue":
        return {k: plain(v) for k, v in value.get("fields", {}).items()}
    if kind == "arrayValue":
        return [plain(v) for v in value.get("values", [])]
    return value


def fields(document):
    if not document:
        return None
    return {k: plain(v) for k, v in document.get("fields", {}).items()}


OPS = {"created": "insert", "updated": "modify", "deleted": "remove", "written": "upsert"}


@functions_framework.cloud_event
def echo_cloudevent(event):
    # A cloudevent function cannot answer a body (the framework sends 200 "OK"); build the same
    # document echo sends back for a Firestore event (the change record polyfaas hands it), so
    # both sides do the same work.
    data = event.get_data()
    path = event["subject"][len("documents/"):]
    change = {
        "kind": "change",
        "id": event["id"],
        "source": path.rsplit("/", 1)[0],
        "op": OPS[event["type"].split(".")[-1]],
        "key": path,
        "old": fields(data.get("oldValue")),
        "new": fields(data.get("value")),
    }
    document = {
        "provider": "python-ff",
        "context": {"request_id": event["id"], "function": "echo_cloudevent", "deadline_ms": None},
        "event": change,
    }
    json.dumps(document)
