//! The orders example through every platform's protocol, as its users run it: the real binary
//! built for each platform, one order delivered by each trigger the platform has (a direct
//! invocation, an HTTP request, a message), and orders that do not fit refused in the platform's
//! own error format with the field named.

use polyfaas_testkit::build::Build;
use polyfaas_testkit::{sample, Answer, Function, Params, Platform};
use serde_json::{json, Value};

const ORDER: &str = r#"{"id":7,"items":[{"sku":"tea","qty":2,"unit_cents":450},{"sku":"cup","qty":1,"unit_cents":1200}]}"#;

fn receipt() -> Value {
    json!({"id": 7, "units": 3, "total_cents": 2100, "skus": ["tea", "cup"]})
}

/// Where each trigger puts the order in the sample's parameters.
fn params(trigger: &str, order: &str) -> Params {
    let set = match trigger {
        "invoke" => format!("payload={order}"),
        "http" => format!("body={order}"),
        _ => format!("body={order}"),
    };
    let mut all = vec![set];
    if trigger == "http" {
        all.extend([
            "method=POST".to_owned(),
            "header.content-type=application/json".to_owned(),
        ]);
    }
    Params::parse(all).unwrap()
}

/// The path the typed reader names for a trigger's payload.
fn root(trigger: &str) -> &'static str {
    match trigger {
        "invoke" => "payload",
        _ => "body",
    }
}

async fn send(function: &mut Function, platform: Platform, trigger: &str, order: &str) -> Answer {
    let encoded = sample::find(platform, trigger)
        .unwrap()
        .encode(&params(trigger, order))
        .unwrap();
    function.send_encoded(&encoded).await.unwrap()
}

/// What the platform said about a refused order: the failure's message, or the error body of an
/// HTTP answer.
fn refusal(answer: &Answer) -> String {
    match &answer.failure {
        Some(failure) => format!("{:?} {}", failure.error_type, failure.message),
        None => match answer.json() {
            Some(body) => format!(
                "{} {} {}",
                answer.status,
                body["error"]["type"],
                body["error"]["message"].as_str().unwrap_or_default()
            ),
            None => format!("{} {}", answer.status, answer.text()),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_becomes_a_receipt_and_a_bad_order_is_refused_naming_the_field_everywhere() {
    let manifest = env!("CARGO_MANIFEST_DIR");
    for platform in Platform::ALL {
        let binary = Build::for_platform(platform)
            .current_dir(manifest)
            .package("orders")
            .run()
            .unwrap_or_else(|e| panic!("{e}"));
        let mut function = Function::start(platform, &binary).await.unwrap();
        for trigger in ["invoke", "http", "message"] {
            if sample::find(platform, trigger).is_err() {
                continue; // the platform has no such trigger
            }
            if (platform, trigger) == (Platform::Gcp, "invoke") {
                // Google Cloud has no direct invocation: its "invoke" is a CloudEvent of a type
                // polyfaas does not map, and the payload is that whole CloudEvent (a typed
                // handler reads `data` from it). Orders come over HTTP or Pub/Sub there.
                continue;
            }
            if (platform, trigger) == (Platform::OpenWhisk, "message") {
                // A messaging-feed activation is an invocation whose parameters hold the batch
                // (`messages`): OpenWhisk has no message trigger of its own.
                continue;
            }
            let what = format!("{} {trigger}", platform.name());

            let answer = send(&mut function, platform, trigger, ORDER).await;
            assert!(
                answer.failure.is_none(),
                "{what}: {}\n{}",
                answer.native,
                answer.logs
            );
            if trigger != "message" {
                // A message's result is not delivered anywhere; the others answer with it.
                assert_eq!(answer.json(), Some(receipt()), "{what}: {}", answer.native);
            }

            // A wrong type, deep in the order.
            let bad = r#"{"id":7,"items":[{"sku":"tea","qty":2,"unit_cents":450},{"sku":"cup","qty":"two","unit_cents":1}]}"#;
            let answer = send(&mut function, platform, trigger, bad).await;
            let told = refusal(&answer);
            let field = format!(
                "{}.items[1].qty: invalid type: string \"two\", expected u32",
                root(trigger)
            );
            assert!(told.contains(&field), "{what}: {told}\n{}", answer.native);
            assert!(
                answer.failure.is_some() || answer.status == 400,
                "{what}: {told}"
            );
            if let Some(failure) = &answer.failure {
                if let Some(error_type) = &failure.error_type {
                    assert_eq!(error_type, "InvalidEvent", "{what}: {told}");
                }
            }

            // A rule the handler checks, answered the same way.
            let empty = r#"{"id":8,"items":[]}"#;
            let told = refusal(&send(&mut function, platform, trigger, empty).await);
            assert!(
                told.contains("items: an order needs at least one item"),
                "{what}: {told}"
            );

            // Not JSON at all (an invocation's payload is JSON by construction).
            if trigger != "invoke" {
                let told = refusal(&send(&mut function, platform, trigger, "{\"id\": 7,").await);
                assert!(told.contains("body: EOF while parsing"), "{what}: {told}");
            }
        }
        // The function is still serving after every refusal.
        let answer = send(&mut function, platform, "http", ORDER).await;
        assert_eq!(
            answer.json(),
            Some(receipt()),
            "{}: {}",
            platform.name(),
            answer.native
        );
    }
}
