//! Every sample event of every platform (what `cargo polyfaas invoke --event NAME` sends) reaches
//! echo, which reports the event the sample's parameters describe.

use polyfaas_testkit::native::NativeEvent;
use polyfaas_testkit::{sample, Params, Platform};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sample_is_answered_with_the_event_its_parameters_describe() {
    let mut failures = Vec::new();
    for platform in Platform::ALL {
        let samples = sample::list(platform);
        let stable: Vec<&str> = samples
            .iter()
            .filter(|s| s.stable)
            .map(|s| s.name)
            .collect();
        let expected_stable: &[&str] = match platform {
            // Apache OpenWhisk has no storage trigger.
            Platform::OpenWhisk => &["http", "message", "schedule", "invoke"],
            _ => &[
                "http",
                "blob-created",
                "blob-deleted",
                "message",
                "schedule",
                "invoke",
            ],
        };
        assert_eq!(stable, expected_stable, "{platform}");
        let mut function = crate::start(platform).await;
        for sample in samples {
            let event = sample.event(&Params::new()).unwrap();
            let encoded = sample.encode(&Params::new()).unwrap();
            assert_eq!(encoded.native.platform(), platform);
            let answer = function
                .send_encoded(&encoded)
                .await
                .unwrap_or_else(|e| panic!("{platform} {}: {e}", sample.name));
            if let Err(problem) = crate::check(platform, &event, &encoded, &answer) {
                failures.push(format!("sample {}: {problem}", sample.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameters_change_what_echo_reports() {
    let params = Params::parse([
        "method=POST",
        "path=/orders/7",
        "query=expand=items",
        "header.x-tenant=acme",
        "body=hello",
    ])
    .unwrap();
    for platform in Platform::ALL {
        let mut function = crate::start(platform).await;
        let sample = sample::find(platform, "http").unwrap();
        let encoded = sample.encode(&params).unwrap();
        let answer = function.send_encoded(&encoded).await.unwrap();
        let document = answer
            .json()
            .unwrap_or_else(|| panic!("{platform}: {}", answer.text()));
        let event = &document["event"];
        assert_eq!(event["method"], "POST", "{platform}");
        assert_eq!(event["path"], "/orders/7", "{platform}");
        assert_eq!(event["query"], "expand=items", "{platform}");
        assert_eq!(event["headers"]["x-tenant"][0], "acme", "{platform}");
        assert_eq!(event["body_base64"], "aGVsbG8=", "{platform}");
    }
    // A created blob's content comes from `content`, and reaches echo as the local file.
    let params = Params::parse(["bucket=photos", "key=cats/tom 1.png", "content=meow"]).unwrap();
    for platform in [
        Platform::Local,
        Platform::Aws,
        Platform::Gcp,
        Platform::Azure,
    ] {
        let mut function = crate::start(platform).await;
        let encoded = sample::find(platform, "blob-created")
            .unwrap()
            .encode(&params)
            .unwrap();
        let answer = function.send_encoded(&encoded).await.unwrap();
        let event = answer.json().unwrap()["event"].clone();
        assert_eq!(event["key"], "cats/tom 1.png", "{platform}");
        assert_eq!(event["size"], 4, "{platform}");
        assert_eq!(
            event["local_sha256"],
            polyfaas_testkit::echo::sha256_hex(b"meow"),
            "{platform}"
        );
    }
}

#[test]
fn a_wrong_parameter_names_the_keys_there_are() {
    let err = sample::find(Platform::Aws, "schedule")
        .unwrap()
        .encode(&Params::parse(["bucket=x"]).unwrap())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "\"bucket\" is not a field of schedule events; use name, time"
    );
    let err = sample::find(Platform::Gcp, "nope").unwrap_err().to_string();
    assert!(
        err.starts_with("gcp has no sample event \"nope\"; it has http, "),
        "{err}"
    );
    // The data of a --data file must be of the sample's kind.
    let data = polyfaas_testkit::logical::LogicalEvent::from_json(
        serde_json::json!({"kind": "invoke", "payload": 1}),
    )
    .unwrap();
    let err = sample::find(Platform::Azure, "timer")
        .unwrap()
        .encode_data(&data, &Params::new())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "sample \"timer\" carries schedule events, not invoke events"
    );
    // The AWS schedule sample names its rule after `name`.
    let encoded = sample::find(Platform::Aws, "schedule")
        .unwrap()
        .encode(&Params::parse(["name=hourly"]).unwrap())
        .unwrap();
    let NativeEvent::Aws(event) = encoded.native else {
        panic!()
    };
    let payload: serde_json::Value = serde_json::from_slice(&event.payload).unwrap();
    assert_eq!(
        payload["resources"][0],
        "arn:aws:events:eu-west-1:123456789012:rule/hourly"
    );
}
