//! Cross-platform equivalence: each shared logical request, encoded by the test kit as an API
//! Gateway v1, v2, Function URL and ALB (both header modes) event, gives the same canonical
//! `event`.
//!
//! Tolerated, because the event itself does not carry the information:
//! - v1 and multi-value ALB have the query only as a map: keys come out grouped, in order of
//!   first appearance (`a=1&b=two&a=2` → `a=1&a=2&b=two`), so the expected query is grouped
//!   the same way before comparing.
//! - single-value ALB keeps only the last value of a repeated key.

use polyfaas_testkit::encode::Encoder;
use polyfaas_testkit::equivalence::{assert_equivalent, logical_requests};
use polyfaas_testkit::native::NativeEvent;
use polyfaas_testkit::Platform;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_request_through_every_aws_origin_gives_the_same_event() {
    let lambda = crate::start().await;
    for request in logical_requests() {
        let grouped = group_query(request.query, false);
        let last_only = group_query(request.query, true);
        let origins: [(&str, &str, &str); 5] = [
            ("API Gateway v1", "apigw-v1", &grouped),
            ("API Gateway v2", "apigw-v2", request.query),
            ("Function URL", "function-url", request.query),
            ("ALB multi-value", "alb-multi", &grouped),
            ("ALB single-value", "alb", &last_only),
        ];
        for (origin, form, query) in origins {
            let encoded = Encoder::new(Platform::Aws)
                .form(form)
                .encode(&request.to_event())
                .unwrap();
            // The encoder says where the origin cannot carry the query as it was.
            let query_lost = encoded.losses.iter().any(|l| l.field == "query");
            assert_eq!(
                query_lost,
                query != request.query,
                "{origin}: {:?}",
                encoded.losses
            );
            let NativeEvent::Aws(event) = encoded.native else {
                panic!("an AWS event")
            };
            let mut payload: Value = serde_json::from_slice(&event.payload).unwrap();
            if form == "function-url" {
                // A Function URL event can carry a cookie header next to `cookies` (cargo-lambda's
                // does): one source, never both concatenated.
                if let Some(cookie) = request.header("cookie") {
                    payload["headers"]["cookie"] = json!(cookie);
                }
            }
            let (_, echoed) = crate::http_event(&lambda, payload.to_string()).await;
            let mut expected = request.clone();
            expected.query = Box::leak(query.to_owned().into_boxed_str());
            assert_equivalent(&expected, &echoed, &format!("aws {origin}"), &[]);
        }
    }
    let mut lambda = lambda;
    lambda.assert_healthy();
}

/// The query as a map-shaped event gives it back: keys grouped in order of first appearance,
/// each with all its values (or only its last).
fn group_query(query: &str, last_only: bool) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, values)) => values.push(value),
            None => groups.push((key, vec![value])),
        }
    }
    groups
        .into_iter()
        .flat_map(|(key, values)| {
            let keep = if last_only { values.len() - 1 } else { 0 };
            values
                .into_iter()
                .skip(keep)
                .map(move |v| format!("{key}={v}"))
        })
        .collect::<Vec<_>>()
        .join("&")
}
