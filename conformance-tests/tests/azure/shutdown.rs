//! When the host stops the custom handler (SIGTERM on scale-in or restart), invocations in flight
//! are finished before the process exits, and it exits cleanly.

use std::time::Duration;

use serde_json::json;

use crate::fixture;

#[tokio::test]
async fn sigterm_finishes_invocations_in_flight_then_exits() {
    let mut host = crate::start();
    let mut slow = fixture("http-text-request.json");
    slow["Data"]["req"]["Headers"]["X-Echo-Sleep-Ms"] = json!(["700"]);
    let in_flight = host.invoke("orders", &slow);
    let signal = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        host.process
            .signal(polyfaas_testkit::process::Signal::Term)
            .unwrap();
    };
    let (reply, ()) = tokio::join!(in_flight, signal);
    let reply = reply.unwrap();
    let (res, document) = crate::res_of(&reply);
    assert_eq!(
        res["statusCode"], 200,
        "the invocation in flight was finished"
    );
    assert_eq!(
        document["context"]["request_id"],
        reply.invocation_id.as_str()
    );
    let status = host
        .process
        .wait_timeout(Duration::from_secs(10))
        .expect("the handler exits after SIGTERM");
    assert!(status.success(), "{status:?}\n{}", host.process.output());
}
