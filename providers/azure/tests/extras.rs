//! Every trigger's typed extras, through the shim's own server (`polyfaas_azure::serve` on a
//! real port, envelopes POSTed over TCP as the host sends them) and a handler that answers with
//! `ctx.extras().to_json()` and `ctx.trace_id()`: the triggers echo has no `extras` switch for
//! (blob, queue, timer, Cosmos DB), and the trace context.

use std::time::Duration;

use polyfaas_azure::scaffold::{AppScaffold, TriggerSpec};
use polyfaas_azure::AzureConfig;
use polyfaas_core::{handler_fn, Context, Error, Event, Response};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TRACEPARENT: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

async fn extras(_event: Event, ctx: Context) -> Result<Response, Error> {
    Response::json(&json!({"extras": ctx.extras().to_json(), "trace_id": ctx.trace_id()}))
}

/// The app, served until the test ends.
struct Server {
    port: u16,
    _root: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn serve() -> Server {
    let root = tempfile::tempdir().unwrap();
    AppScaffold::new("extras")
        .function("photos", TriggerSpec::blob("photos/{name}"))
        .function("orders", TriggerSpec::queue("orders"))
        .function("nightly", TriggerSpec::timer("0 0 2 * * *"))
        .function("feed", TriggerSpec::cosmos_db("shop", "orders"))
        .write(root.path())
        .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = AzureConfig::new(port, root.path());
    config.read_host_json().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(polyfaas_azure::serve(handler_fn(extras), config, async {
        let _ = stopped.await;
    }));
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Server {
        port,
        _root: root,
        _stop: stop,
    }
}

impl Server {
    /// POSTs `envelope` to `/<function>` with the host's headers; the reply's status and JSON.
    async fn invoke(&self, function: &str, envelope: &Value, traceparent: &str) -> (u16, Value) {
        let body = envelope.to_string();
        let request = format!(
            "POST /{function} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             X-Azure-Functions-InvocationId: inv-{function}\r\ntraceparent: {traceparent}\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply).await.unwrap();
        let reply = String::from_utf8(reply).unwrap();
        let (head, body) = reply.split_once("\r\n\r\n").unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, serde_json::from_str(body).unwrap())
    }
}

#[tokio::test]
async fn blob_queue_timer_and_cosmos_metadata_are_typed_extras() {
    let server = serve().await;
    let (status, reply) = server
        .invoke(
            "photos",
            &json!({"Data": {"blob": "aGk="}, "Metadata": {
                "Uri": "\"https://acct.blob.core.windows.net/photos/2026/cat.png\"",
                "Properties": {"Length": 2, "ETag": "\"0x8D\"", "ContentMD5": "md5=="},
                "Metadata": {"owner": "ana"}, "name": "\"2026/cat.png\"",
                "sys": {"MethodName": "photos"}}}),
            TRACEPARENT,
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    let extras = &reply["ReturnValue"]["extras"];
    assert_eq!(
        extras["azure.blob"],
        json!({"blob_trigger": "photos/2026/cat.png",
               "uri": "https://acct.blob.core.windows.net/photos/2026/cat.png",
               "properties": {"Length": 2, "ETag": "\"0x8D\"", "ContentMD5": "md5=="},
               "metadata": {"owner": "ana"}})
    );
    assert_eq!(extras["azure.invocation_id"], "inv-photos");
    assert_eq!(extras["azure.metadata"]["name"], "\"2026/cat.png\"");
    assert_eq!(
        reply["ReturnValue"]["trace_id"],
        "0af7651916cd43dd8448eb211c80319c"
    );

    let (_, reply) = server
        .invoke(
            "orders",
            &json!({"Data": {"message": "\"hi\""}, "Metadata": {
                "Id": "\"q-1\"", "PopReceipt": "\"AgAA\"", "DequeueCount": "3",
                "InsertionTime": "2026-03-01T09:00:00+00:00",
                "ExpirationTime": "2026-03-08T09:00:00+00:00",
                "NextVisibleTime": "2026-03-01T09:10:00+00:00"}}),
            TRACEPARENT,
        )
        .await;
    assert_eq!(
        reply["ReturnValue"]["extras"]["azure.queue"],
        json!({"queue": "orders", "id": "q-1", "pop_receipt": "AgAA", "dequeue_count": 3,
               "insertion_time": "2026-03-01T09:00:00+00:00",
               "expiration_time": "2026-03-08T09:00:00+00:00",
               "next_visible_time": "2026-03-01T09:10:00+00:00"})
    );

    let (_, reply) = server
        .invoke(
            "nightly",
            &json!({"Data": {"timer": {"ScheduleStatus": {"Last": "2026-02-28T02:00:00+00:00",
                "Next": "2026-03-02T02:00:00+00:00", "LastUpdated": "2026-02-28T02:00:00.5"},
                "IsPastDue": true}}, "Metadata": {"sys": {"UtcNow": "2026-03-01T02:00:03Z"}}}),
            // Not a valid traceparent (upper-case hex): no trace.
            "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01",
        )
        .await;
    assert_eq!(
        reply["ReturnValue"]["extras"]["azure.timer"],
        json!({"is_past_due": true, "last": "2026-02-28T02:00:00+00:00",
               "next": "2026-03-02T02:00:00+00:00", "last_updated": "2026-02-28T02:00:00.5Z"})
    );
    assert_eq!(reply["ReturnValue"]["trace_id"], Value::Null);

    let (_, reply) = server
        .invoke(
            "feed",
            &json!({"Data": {"documents": "[{\"id\":\"o-1\",\"_ts\":1772355600,\"_lsn\":3,\"_etag\":\"\\\"e1\\\"\"}]"}}),
            TRACEPARENT,
        )
        .await;
    // The change feed is a batch: the array of each document's result.
    assert_eq!(
        reply["ReturnValue"][0]["extras"]["azure.cosmos"],
        json!({"database": "shop", "container": "orders",
               "system": {"_etag": "\"e1\"", "_ts": 1772355600, "_lsn": 3}})
    );
}
