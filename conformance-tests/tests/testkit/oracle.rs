//! Outside oracle: every member (and its JSON type) of other projects' public payloads
//! (`../shared/fixtures`, read in place) is in the native events the test kit generates, but for
//! the ones listed here with the reason they are left out.

use bytes::Bytes;
use conformance_tests::build::shared_dir;
use polyfaas_testkit::native::NativeEvent;
use polyfaas_testkit::{sample, Params, Platform};
use serde_json::{Map, Value};

fn fixture(path: &str) -> Value {
    let path = shared_dir().join("fixtures").join(path);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The sample's native event as JSON: the Lambda payload, the Azure envelope, the OpenWhisk
/// `/run` body, or a GCP request's body with its `ce-*` headers as attributes (the structured
/// form of a binary CloudEvent).
fn native(platform: Platform, name: &str) -> Value {
    let encoded = sample::find(platform, name)
        .unwrap()
        .encode(&Params::new())
        .unwrap();
    match encoded.native {
        NativeEvent::Aws(event) => serde_json::from_slice(&event.payload).unwrap(),
        NativeEvent::Azure(event) => event.envelope,
        NativeEvent::OpenWhisk(event) => event.run,
        NativeEvent::Gcp(event) => {
            let body: Bytes = event.request.body().clone();
            let data: Value = serde_json::from_slice(&body).unwrap();
            let mut attributes = Map::new();
            for (name, value) in event.request.headers() {
                if let Some(attribute) = name.as_str().strip_prefix("ce-") {
                    attributes.insert(
                        attribute.to_owned(),
                        Value::String(value.to_str().unwrap().to_owned()),
                    );
                }
            }
            if attributes.is_empty() {
                return data;
            }
            attributes.insert("datacontenttype".to_owned(), "application/json".into());
            attributes.insert("data".to_owned(), data);
            Value::Object(attributes)
        }
        NativeEvent::Local(_) => unreachable!("the local provider has no outside payloads"),
        _ => unreachable!(),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every member of `fixture` must be in `generated`, with the same JSON type (null matches
/// anything), recursively (an array by its first element). `skip` lists paths not to compare:
/// `/headers/*` skips the members of `headers` (data, not shape), `/a/b` skips that member.
fn same_shape(
    generated: &Value,
    fixture: &Value,
    path: &str,
    skip: &[&str],
    problems: &mut Vec<String>,
) {
    match (generated, fixture) {
        (Value::Object(generated), Value::Object(fixture)) => {
            if skip.contains(&format!("{path}/*").as_str()) {
                return;
            }
            for (key, expected) in fixture {
                let member = format!("{path}/{key}");
                if skip.contains(&member.as_str()) {
                    continue;
                }
                match generated.get(key) {
                    None => problems.push(format!("{member} is missing")),
                    Some(actual) => same_shape(actual, expected, &member, skip, problems),
                }
            }
        }
        (Value::Array(generated), Value::Array(fixture)) => {
            if let (Some(g), Some(f)) = (generated.first(), fixture.first()) {
                same_shape(g, f, &format!("{path}/0"), skip, problems);
            }
        }
        (Value::Null, _) | (_, Value::Null) => {}
        (generated, fixture) if kind(generated) != kind(fixture) => problems.push(format!(
            "{path} is {} ({generated}), the fixture has {} ({fixture})",
            kind(generated),
            kind(fixture)
        )),
        _ => {}
    }
}

#[test]
fn generated_events_have_the_shape_of_published_ones() {
    // (platform, sample, fixture, paths not compared: data maps, and members left out)
    let cases: &[(Platform, &str, &str, &[&str])] = &[
        (
            Platform::Aws,
            "apigw-v2",
            "aws/lambda-events/example-apigw-v2-request-no-authorizer.json",
            // mTLS details only with client certificates.
            &["/headers/*", "/requestContext/authentication"],
        ),
        (
            Platform::Aws,
            "apigw-v1",
            "aws/lambda-events/example-apigw-request.json",
            // Authorizer output, API keys and Cognito identities only with those configured.
            &[
                "/headers/*",
                "/multiValueHeaders/*",
                "/queryStringParameters/*",
                "/multiValueQueryStringParameters/*",
                "/pathParameters/*",
                "/stageVariables",
                "/requestContext/authorizer",
                "/requestContext/resourceId",
                "/requestContext/identity/*",
            ],
        ),
        (
            Platform::Aws,
            "alb",
            "aws/lambda-events/example-alb-lambda-target-request-headers-only.json",
            &["/headers/*", "/queryStringParameters/*"],
        ),
        (
            Platform::Aws,
            "s3-put",
            "aws/lambda-events/example-s3-event.json",
            // Only on versioned buckets.
            &["/Records/0/s3/object/versionId"],
        ),
        (
            Platform::Aws,
            "sqs",
            "aws/lambda-events/example-sqs-event.json",
            // The test kit computes no MD5 digests.
            &[
                "/Records/0/md5OfBody",
                "/Records/0/md5OfMessageAttributes",
                "/Records/0/messageAttributes/*",
            ],
        ),
        (
            Platform::Aws,
            "sns",
            "aws/lambda-events/example-sns-event.json",
            // Lambda writes SigningCertUrl and UnsubscribeUrl (AWS's own samples); this
            // fixture has the spelling of SNS's HTTP deliveries.
            &[
                "/Records/0/Sns/MessageAttributes/*",
                "/Records/0/Sns/SigningCertURL",
                "/Records/0/Sns/UnsubscribeURL",
            ],
        ),
        (
            Platform::Aws,
            "eventbridge-schedule",
            "aws/lambda-events/example-eventbridge-schedule.json",
            &[],
        ),
        (
            Platform::Gcp,
            "storage-finalized",
            "gcp/storage-cloudevent-input.json",
            // The test kit computes no checksums.
            &["/data/md5Hash", "/data/crc32c"],
        ),
        (
            Platform::Gcp,
            "pubsub",
            "gcp/pubsub_text-cloudevent-input.json",
            &["/data/message/attributes/*"],
        ),
        (
            Platform::Gcp,
            "firestore",
            "gcp/firestore_simple-cloudevent-input.json",
            &["/data/oldValue/fields/*", "/data/value/fields/*"],
        ),
        (
            Platform::Gcp,
            "legacy-storage",
            "gcp/storage-legacy-input.json",
            &["/data/md5Hash", "/data/crc32c"],
        ),
        (
            Platform::Azure,
            "blob",
            "azure/real-captures/ballerina-blob-trigger-request.json",
            // The binding's name is the function's own; of the blob's properties the test kit
            // sends the ones the platform always has.
            &[
                "/Data/*",
                "/Metadata/Properties/CacheControl",
                "/Metadata/Properties/ContentDisposition",
                "/Metadata/Properties/ContentEncoding",
                "/Metadata/Properties/ContentLanguage",
                "/Metadata/Properties/ContentMD5",
                "/Metadata/Properties/ContentType",
                "/Metadata/Properties/LeaseStatus",
                "/Metadata/Properties/LeaseState",
                "/Metadata/Properties/LeaseDuration",
                "/Metadata/Properties/PageBlobSequenceNumber",
                "/Metadata/Properties/AppendBlobCommittedBlockCount",
                "/Metadata/Properties/IsServerEncrypted",
                "/Metadata/Properties/EncryptionScope",
                "/Metadata/Properties/IsIncrementalCopy",
                "/Metadata/Properties/StandardBlobTier",
                "/Metadata/Properties/RehydrationStatus",
                "/Metadata/Properties/PremiumPageBlobTier",
                "/Metadata/Properties/BlobTierInferred",
                "/Metadata/Properties/BlobTierLastModifiedTime",
                "/Metadata/Properties/DeletedTime",
                "/Metadata/Properties/RemainingDaysBeforePermanentDelete",
            ],
        ),
        (
            Platform::Azure,
            "queue",
            "azure/real-captures/ballerina-queue-trigger-request.json",
            &["/Data/*"],
        ),
        (
            Platform::Azure,
            "http",
            "azure/real-captures/ballerina-http-trigger-request.json",
            &["/Data/*", "/Metadata/Headers/*", "/Metadata/Query/*"],
        ),
    ];
    let mut problems = Vec::new();
    for (platform, name, path, skip) in cases {
        let mut found = Vec::new();
        same_shape(
            &native(*platform, name),
            &fixture(path),
            "",
            skip,
            &mut found,
        );
        problems.extend(
            found
                .into_iter()
                .map(|p| format!("{platform} {name} vs {path}: {p}")),
        );
    }
    // The binding names differ (`timer` here, `inMsg` there): compare the timer objects.
    let timer = native(Platform::Azure, "timer");
    let captured = fixture("azure/real-captures/ballerina-timer-trigger-request.json");
    same_shape(
        &timer["Data"]["timer"],
        &captured["Data"]["inMsg"],
        "/Data/timer",
        &[],
        &mut problems,
    );
    same_shape(
        &timer["Metadata"],
        &captured["Metadata"],
        "/Metadata",
        &[],
        &mut problems,
    );
    // The corpus's legacy Pub/Sub and Firestore events are the flat form; the test kit writes
    // the nested one: compare the data.
    let pubsub = native(Platform::Gcp, "legacy-pubsub");
    let captured = fixture("gcp/legacy_pubsub-legacy-input.json");
    same_shape(
        &pubsub["data"],
        &captured["data"],
        "/data",
        &["/data/attributes/*"],
        &mut problems,
    );
    let firestore = native(Platform::Gcp, "legacy-firestore");
    let captured = fixture("gcp/firestore_simple-legacy-input.json");
    same_shape(
        &firestore["data"],
        &captured["data"],
        "/data",
        &["/data/oldValue/fields/*", "/data/value/fields/*"],
        &mut problems,
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
