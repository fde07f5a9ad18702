//! Request ids on the skeleton: the activation id, or a generated one, never an empty one.

use serde_json::json;

use crate::{blackbox, echo, run_body, start};

#[test]
fn an_activation_without_an_id_gets_a_generated_request_id() {
    let mut action = start(true);
    action.read_ack().unwrap();
    let mut ids = Vec::new();
    for line in [
        json!({"value": {"n": 1}, "action_name": "/guest/polyfaas/echo"}),
        json!({"value": {"n": 2}, "activation_id": ""}),
    ] {
        let activation = action.run(&line).unwrap();
        let result = activation.result;
        let id = result["context"]["request_id"]
            .as_str()
            .unwrap_or_else(|| panic!("a request id: {result}"))
            .to_owned();
        assert!(id.starts_with("openwhisk-"), "{id}");
        assert!(
            activation.stderr.contains("has no activation_id") && activation.stderr.contains(&id),
            "a warning names the generated id:\n{}",
            activation.stderr
        );
        ids.push(id);
    }
    assert_ne!(ids[0], ids[1], "each activation gets its own id");
    // With an id, the id.
    let body = run_body("given-1", json!({}));
    assert_eq!(
        action.run(&body).unwrap().result["context"]["request_id"],
        "given-1"
    );
    let (status, extra) = action.finish().unwrap();
    assert!(status.success() && extra.is_empty(), "{status} {extra:?}");

    // Blackbox: `__OW_ACTIVATION_ID` unset or empty.
    let mut body = run_body("", json!({}));
    body.as_object_mut().unwrap().remove("activation_id");
    let outcome = blackbox::run(&echo(), &body, &[]).unwrap();
    let result = outcome.result.expect("a result");
    let id = result["context"]["request_id"].as_str().unwrap();
    assert!(id.starts_with("openwhisk-"), "{result}");
}
