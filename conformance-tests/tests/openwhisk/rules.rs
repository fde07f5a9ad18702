//! The rules that keep OpenWhisk's events within the neutral event's definition: alarms (and
//! only alarms) as schedules, `__ow_query`'s leading `?`, the method rule; and the shutdown
//! hook when the proxy closes stdin.

use serde_json::json;

use crate::{run_body, start};

#[test]
fn an_alarm_with_the_mark_is_a_schedule_and_nothing_else_is() {
    let mut action = start(false);
    // What the alarms feed fires with the payload `cargo polyfaas package` declares.
    let alarm = action
        .run(&run_body(
            "alarm-1",
            json!({"polyfaas_schedule": "nightly"}),
        ))
        .unwrap()
        .result;
    assert_eq!(
        alarm["event"],
        json!({"kind": "schedule", "name": "nightly", "time": null}),
        "{alarm}"
    );
    // A plain activation with a similar parameter stays an invocation.
    let plain = action
        .run(&run_body("plain-1", json!({"schedule": "nightly"})))
        .unwrap()
        .result;
    assert_eq!(plain["event"]["kind"], "invoke", "{plain}");
    // A mark that is not a name is refused, naming it; the next activation is served.
    let bad = action
        .run(&run_body("bad-1", json!({"polyfaas_schedule": 7})))
        .unwrap()
        .result;
    let error = bad["error"].as_str().unwrap_or_default();
    assert!(error.starts_with("polyfaas_schedule: must be"), "{bad}");
    let after = action.run(&run_body("after-1", json!({}))).unwrap().result;
    assert_eq!(after["event"]["kind"], "invoke");
    let (status, _, output) = action.finish_with_output().unwrap();
    assert!(status.success());
    assert!(
        output.contains("echo: shutdown hook ran"),
        "the shutdown hook runs when stdin closes:\n{output}"
    );
}

#[test]
fn web_action_queries_and_methods_follow_the_rules() {
    let mut action = start(false);
    let web = |method: &str, query: &str| {
        run_body(
            "web",
            json!({"__ow_method": method, "__ow_path": "/q", "__ow_query": query,
                   "__ow_headers": {"host": "example"}, "__ow_body": ""}),
        )
    };
    let body = |result: &serde_json::Value| -> serde_json::Value {
        serde_json::from_str(result["body"].as_str().unwrap_or("null")).unwrap_or_default()
    };
    // One leading `?` is not part of the query.
    let answer = action.run(&web("get", "?a=1")).unwrap().result;
    assert_eq!(body(&answer)["event"]["query"], "a=1", "{answer}");
    assert_eq!(body(&answer)["event"]["method"], "GET");
    let answer = action.run(&web("post", "a=1")).unwrap().result;
    assert_eq!(body(&answer)["event"]["method"], "POST", "{answer}");
    // A method that is not one is bad input naming the field.
    let answer = action.run(&web("true", "")).unwrap().result;
    assert_eq!(answer["error"]["statusCode"], 400, "{answer}");
    let error = answer["error"]["body"].to_string();
    assert!(error.contains("__ow_method"), "{answer}");
}
