//! The test kit itself, through the real `echo` binary on every platform:
//!
//! - `roundtrip`: logical events encoded in every native form of every platform come back from
//!   echo as they went in, except exactly the fields the encoder says the form cannot carry;
//! - `samples`: every sample event of every platform is answered, and echo reports the event
//!   the sample's parameters describe;
//! - `answers`: failures, logs and the decoded view of the answers;
//! - `matrix`: the event × platform table marks the platforms that answer differently;
//! - `oracle`: the generated native events have the shape of other projects' public payloads
//!   (read from `../shared/fixtures`, never copied).

mod answers;
mod matrix;
mod oracle;
mod roundtrip;
mod samples;

use conformance_tests::build::echo_binary;
use polyfaas_testkit::answer::Answer;
use polyfaas_testkit::echo::{authorizer_document, sha256_hex};
use polyfaas_testkit::encode::Encoded;
use polyfaas_testkit::logical::{Kind, LogicalEvent};
use polyfaas_testkit::{Function, Platform};
use serde_json::Value;

/// Echo started under `platform` through the test kit's one API.
pub async fn start(platform: Platform) -> Function {
    Function::start(platform, &echo_binary(platform))
        .await
        .unwrap_or_else(|e| panic!("start echo under {platform}: {e}"))
}

/// Checks echo's answer to `encoded` against the logical event it was made from: the same
/// canonical event, but for the fields the encoding says are lost (removed from both sides
/// before comparing), and with the kind the shim delivers the form as.
pub fn check(
    platform: Platform,
    logical: &LogicalEvent,
    encoded: &Encoded,
    answer: &Answer,
) -> Result<(), String> {
    let what = format!("{platform} {}", encoded.form);
    if let Some(failure) = &answer.failure {
        return Err(format!("{what}: failed: {failure}\n{}", answer.logs));
    }
    let mut actual = if matches!(encoded.form, "sqs" | "kinesis" | "dynamodb") {
        // The answer to a batch is the partial-batch response, not echo's document: the record
        // echo saw is in its log.
        match answer.json() {
            Some(json) if json == serde_json::json!({"batchItemFailures": []}) => {}
            other => return Err(format!("{what}: {other:?}")),
        }
        let logs = format!("{}{}", answer.logs.stdout, answer.logs.stderr);
        match polyfaas_testkit::echo::logged(&logs, "echo record ").as_slice() {
            [record] => record.clone(),
            records => {
                return Err(format!(
                    "{what}: {} echo records logged\n{logs}",
                    records.len()
                ))
            }
        }
    } else {
        let mut document = answer
            .json()
            .ok_or_else(|| format!("{what}: not JSON: {} {}", answer.status, answer.text()))?;
        // An Azure batch (Event Hubs `cardinality: many`, the Cosmos DB change feed) answers with
        // the array of its records' results: here, a batch of one.
        document = match document {
            Value::Array(mut items) if platform == Platform::Azure && items.len() == 1 => {
                items.remove(0)
            }
            other => other,
        };
        if logical.kind() == Kind::Authorize {
            // Echo answers an authorizer call with an allow whose context holds its document.
            document = authorizer_document(&document).map_err(|e| format!("{what}: {e}"))?;
        }
        if document["provider"] != platform.name() {
            return Err(format!("{what}: provider {}", document["provider"]));
        }
        document["event"].clone()
    };
    let mut expected = logical.to_json();
    if logical.kind() == Kind::Blob {
        expected["local_sha256"] = match &encoded.object {
            Some(object) => Value::String(sha256_hex(&object.content)),
            None => Value::Null,
        };
    }
    if let Some(kind) = encoded.losses.iter().find_map(|l| l.delivered_as) {
        return if actual["kind"] == kind.name() {
            Ok(())
        } else {
            Err(format!(
                "{what}: delivered as {}, said {kind}",
                actual["kind"]
            ))
        };
    }
    if encoded.losses.iter().any(|l| l.field == "payload") && platform == Platform::Gcp {
        // A cloudevent function gets the whole CloudEvent; the payload is its data.
        return if actual["payload"]["data"] == expected["payload"] {
            Ok(())
        } else {
            Err(format!("{what}: payload {}", actual["payload"]))
        };
    }
    for loss in &encoded.losses {
        for side in [&mut actual, &mut expected] {
            match loss.field.split_once('.') {
                // A field of an authorizer call's request: `request.query`, `request.headers.x`.
                Some(("request", field)) => match field.split_once('.') {
                    Some((map, key)) => {
                        if let Some(map) = side["request"][map].as_object_mut() {
                            map.remove(key);
                        }
                    }
                    None => {
                        if let Some(request) = side["request"].as_object_mut() {
                            request.remove(field);
                        }
                    }
                },
                Some((map, key)) => {
                    if let Some(map) = side[map].as_object_mut() {
                        map.remove(key);
                    }
                }
                None => {
                    if let Some(event) = side.as_object_mut() {
                        event.remove(&loss.field);
                    }
                }
            }
        }
    }
    if actual == expected {
        Ok(())
    } else {
        Err(format!(
            "{what} (losses {:?}):\n  sent:   {expected}\n  echoed: {actual}",
            encoded.losses.iter().map(|l| &l.field).collect::<Vec<_>>()
        ))
    }
}
