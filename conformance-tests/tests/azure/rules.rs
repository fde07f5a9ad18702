//! The rules every platform applies (`polyfaas_core::shim`): a standard HTTP method in any case
//! is upper case (`post` → `POST`), anything else but an upper-case token is refused naming the
//! field; a timer's time that is not an RFC 3339 time is refused naming the field.

use serde_json::json;

use crate::{fixture, res_of, return_value_of, start};

#[tokio::test]
async fn a_lower_case_method_is_the_standard_method() {
    let host = start();
    let mut sent = fixture("http-text-request.json");
    sent["Data"]["req"]["Method"] = json!("post");
    let (_, document) = res_of(&host.invoke("orders", &sent).await.unwrap());
    assert_eq!(document["event"]["method"], "POST");

    // An extension method in upper case is kept; anything else is refused, naming the field.
    sent["Data"]["req"]["Method"] = json!("PROPFIND");
    let (_, document) = res_of(&host.invoke("orders", &sent).await.unwrap());
    assert_eq!(document["event"]["method"], "PROPFIND");
    sent["Data"]["req"]["Method"] = json!("true");
    let reply = host.invoke("orders", &sent).await.unwrap();
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json()["Error"]["message"],
        "Data.req.Method: \"true\" is not an HTTP method"
    );
}

#[tokio::test]
async fn a_timer_whose_time_is_not_a_time_is_refused_naming_it() {
    let mut host = start();
    for (field, value, message) in [
        (
            "UtcNow",
            json!("-1"),
            "Metadata.sys.UtcNow: \"-1\" is not an RFC 3339 date-time",
        ),
        (
            "UtcNow",
            json!("03/01/2026 02:00:03"),
            "Metadata.sys.UtcNow: \"03/01/2026 02:00:03\" is not an RFC 3339 date-time",
        ),
        (
            "Next",
            json!("never"),
            "Data.timer.ScheduleStatus.Next: \"never\" is not a date-time",
        ),
    ] {
        let mut sent = fixture("timer-trigger-request.json");
        if field == "UtcNow" {
            sent["Metadata"]["sys"]["UtcNow"] = value;
        } else {
            sent["Data"]["timer"]["ScheduleStatus"][field] = value;
        }
        let reply = host.invoke("nightly", &sent).await.unwrap();
        assert_eq!(reply.status, 400, "{message}");
        let envelope = reply.json();
        assert_eq!(envelope["Error"]["type"], "InvalidEvent");
        assert_eq!(envelope["Error"]["message"], message);
        assert!(host.process.is_running());
    }
    // The next timer is served.
    let document = return_value_of(
        &host
            .invoke("nightly", &fixture("timer-trigger-request.json"))
            .await
            .unwrap(),
    );
    assert_eq!(document["event"]["time"], "2026-03-01T02:00:03.2500000Z");
}
