//! AWS Lambda event payloads (aws.md §3–§6), the inverse of `polyfaas-aws`'s decoders.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::{text, typed, EncodeError, Form, Input};
use crate::logical::{
    AuthorizeEvent, BlobChange, BlobEvent, ChangeEvent, ChangeOp, HttpEvent, Kind, LogicalEvent,
    MessageEvent, ScheduleEvent,
};
use crate::native::{AwsEvent, AwsOrigin, NativeEvent};

pub(super) const FORMS: &[Form] = &[
    Form {
        name: "apigw-v2",
        kind: Kind::Http,
        description: "API Gateway HTTP API, payload format 2.0",
    },
    Form {
        name: "apigw-v1",
        kind: Kind::Http,
        description: "API Gateway REST API, payload format 1.0",
    },
    Form {
        name: "function-url",
        kind: Kind::Http,
        description: "a Lambda Function URL request",
    },
    Form {
        name: "alb",
        kind: Kind::Http,
        description: "an Application Load Balancer request (single-value headers)",
    },
    Form {
        name: "alb-multi",
        kind: Kind::Http,
        description: "an Application Load Balancer request (multi-value headers on)",
    },
    Form {
        name: "s3",
        kind: Kind::Blob,
        description: "an S3 event notification (ObjectCreated:Put or ObjectRemoved:Delete)",
    },
    Form {
        name: "sns",
        kind: Kind::Message,
        description: "an SNS notification",
    },
    Form {
        name: "sqs",
        kind: Kind::Message,
        description: "an SQS batch of one record (the answer is the partial-batch response)",
    },
    Form {
        name: "kinesis",
        kind: Kind::Message,
        description: "a Kinesis Data Streams batch of one record (the answer is the partial-batch response)",
    },
    Form {
        name: "dynamodb",
        kind: Kind::Change,
        description: "a DynamoDB Streams batch of one record, new and old images (the answer is the partial-batch response)",
    },
    Form {
        name: "kafka",
        kind: Kind::Message,
        description: "an Amazon MSK batch of one Kafka record",
    },
    Form {
        name: "authorizer-token",
        kind: Kind::Authorize,
        description: "an API Gateway REST TOKEN authorizer call (the answer is an IAM policy)",
    },
    Form {
        name: "authorizer-request",
        kind: Kind::Authorize,
        description: "an API Gateway REST REQUEST authorizer call (the answer is an IAM policy)",
    },
    Form {
        name: "authorizer-v2",
        kind: Kind::Authorize,
        description: "an API Gateway HTTP API authorizer call, payload 2.0 (the answer is a simple response unless POLYFAAS_AUTHORIZER_RESPONSE=iam)",
    },
    Form {
        name: "authorizer-v2-payload1",
        kind: Kind::Authorize,
        description: "an API Gateway HTTP API authorizer call, payload 1.0 (the answer is an IAM policy)",
    },
    Form {
        name: "eventbridge-schedule",
        kind: Kind::Schedule,
        description: "an EventBridge scheduled rule's event",
    },
    Form {
        name: "direct",
        kind: Kind::Invoke,
        description: "a direct invocation: the payload itself",
    },
];

pub(super) fn default_form(event: &LogicalEvent) -> Option<&'static str> {
    Some(match event.kind() {
        Kind::Http => "apigw-v2",
        Kind::Blob => "s3",
        Kind::Message => "sns",
        Kind::Change => "dynamodb",
        Kind::Schedule => "eventbridge-schedule",
        Kind::Authorize => "authorizer-request",
        Kind::Invoke => "direct",
    })
}

const REGION: &str = "eu-west-1";
const ACCOUNT: &str = "123456789012";
/// The time written where a payload needs one the logical event does not have.
const TIME: &str = "2026-03-01T09:00:00.000Z";
const EPOCH_S: u64 = 1_772_355_600;

pub(super) fn encode(form: &str, mut input: Input<'_>) -> Result<NativeEvent, EncodeError> {
    let (payload, origin) = match (form, input.event) {
        ("apigw-v2", LogicalEvent::Http(e)) => (
            payload_v2(
                e,
                "p0q1r2s3t4.execute-api.eu-west-1.amazonaws.com",
                &mut input,
            ),
            AwsOrigin::ApiGatewayV2,
        ),
        ("function-url", LogicalEvent::Http(e)) => (
            payload_v2(
                e,
                "t3stk1tfunct10nur1abcdefgh0123456.lambda-url.eu-west-1.on.aws",
                &mut input,
            ),
            AwsOrigin::FunctionUrl,
        ),
        ("apigw-v1", LogicalEvent::Http(e)) => (payload_v1(e, &mut input), AwsOrigin::ApiGatewayV1),
        ("alb", LogicalEvent::Http(e)) => (alb(e, false, &mut input), AwsOrigin::Alb),
        ("alb-multi", LogicalEvent::Http(e)) => (alb(e, true, &mut input), AwsOrigin::Alb),
        ("s3", LogicalEvent::Blob(e)) => (s3(e, &mut input), AwsOrigin::Other),
        ("sns", LogicalEvent::Message(e)) => (sns(e, &mut input), AwsOrigin::Other),
        ("sqs", LogicalEvent::Message(e)) => (sqs(e, &mut input), AwsOrigin::Other),
        ("kinesis", LogicalEvent::Message(e)) => (kinesis(e, &mut input), AwsOrigin::Other),
        ("dynamodb", LogicalEvent::Change(e)) => (dynamodb(e, &mut input)?, AwsOrigin::Other),
        ("kafka", LogicalEvent::Message(e)) => (kafka(e, &mut input), AwsOrigin::Other),
        ("authorizer-token", LogicalEvent::Authorize(e)) => {
            (authorizer_token(e, &mut input)?, AwsOrigin::Other)
        }
        ("authorizer-request", LogicalEvent::Authorize(e)) => {
            (authorizer_request(e, None, &mut input)?, AwsOrigin::Other)
        }
        ("authorizer-v2-payload1", LogicalEvent::Authorize(e)) => (
            authorizer_request(e, Some("1.0"), &mut input)?,
            AwsOrigin::Other,
        ),
        ("authorizer-v2", LogicalEvent::Authorize(e)) => {
            (authorizer_v2(e, &mut input)?, AwsOrigin::Other)
        }
        ("eventbridge-schedule", LogicalEvent::Schedule(e)) => (schedule(e), AwsOrigin::Other),
        ("direct", LogicalEvent::Invoke(payload)) => {
            if let Some(kind) = taken_for(payload) {
                input.delivered_as(
                    kind,
                    "the payload has the keys of another event source, and the shim goes by keys",
                );
            }
            (payload.clone(), AwsOrigin::Other)
        }
        (form, event) => {
            return Err(EncodeError::invalid(
                "kind",
                format!("form {form} does not carry {} events", event.kind()),
            ))
        }
    };
    Ok(NativeEvent::Aws(AwsEvent {
        payload: Bytes::from(payload.to_string()),
        origin,
    }))
}

/// `(body, isBase64Encoded)`: the text when it is UTF-8, base64 otherwise.
fn body(bytes: &[u8]) -> (Value, bool) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (json!(text), false),
        Err(_) => (json!(BASE64.encode(bytes)), true),
    }
}

/// Notes a decoded path the shim would read `%XX` in as an escape.
fn check_decoded_path(http: &HttpEvent, input: &mut Input<'_>) {
    if text::has_escape_like(&http.path) {
        input.lose(
            "path",
            "the event hands the path over decoded, and the shim reads `%XX` in it as an escape",
        );
    }
}

fn payload_v2(http: &HttpEvent, domain: &str, input: &mut Input<'_>) -> Value {
    check_decoded_path(http, input);
    if text::raw_query(&http.query) != http.query {
        input.lose(
            "query",
            "rawQueryString is taken as it is, with bytes a URI cannot hold escaped",
        );
    }
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    for (name, values) in &http.headers {
        if name == "cookie" {
            if values.len() > 1 {
                input.lose(
                    "headers.cookie",
                    "API Gateway splits the cookies into `cookies`, which the shim joins into one value",
                );
            }
            cookies.extend(values.join("; ").split("; ").map(str::to_owned));
            continue;
        }
        if values.len() > 1 {
            input.lose(
                format!("headers.{name}"),
                "payload 2.0 joins repeated headers with commas into one value",
            );
        }
        headers.insert(name.clone(), json!(values.join(",")));
    }
    let (body, is_base64) = body(&http.body);
    let mut query_map = Map::new();
    for (key, values) in text::grouped(&text::pairs(&http.query)) {
        let values: Vec<String> = values
            .iter()
            .map(|v| text::decode(v).unwrap_or_else(|| (*v).to_owned()))
            .collect();
        query_map.insert(
            text::decode(key).unwrap_or_else(|| key.to_owned()),
            json!(values.join(",")),
        );
    }
    let mut context_http =
        json!({"method": http.method, "path": http.path, "protocol": "HTTP/1.1"});
    if let Some(ip) = &http.source_ip {
        context_http["sourceIp"] = json!(ip);
    }
    if let Some(agent) = http.first_header("user-agent") {
        context_http["userAgent"] = json!(agent);
    }
    let mut event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": http.path,
        "rawQueryString": http.query,
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": domain.split('.').next().unwrap_or(domain),
            "domainName": domain,
            "domainPrefix": domain.split('.').next().unwrap_or(domain),
            "http": context_http,
            "requestId": "TkT-2AbCdEFgHiJ=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "01/Mar/2026:09:00:00 +0000",
            "timeEpoch": EPOCH_S * 1000,
        },
        "body": body,
        "isBase64Encoded": is_base64,
    });
    if !cookies.is_empty() {
        event["cookies"] = json!(cookies);
    }
    if !query_map.is_empty() {
        event["queryStringParameters"] = Value::Object(query_map);
    }
    event
}

/// Header or query groups as `{name: [values]}` and `{name: last}`; `null` when empty.
fn maps(groups: Vec<(String, Vec<String>)>) -> (Value, Value) {
    if groups.is_empty() {
        return (Value::Null, Value::Null);
    }
    let multi: Map<String, Value> = groups.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    let single: Map<String, Value> = groups
        .iter()
        .map(|(k, v)| (k.clone(), json!(v.last())))
        .collect();
    (Value::Object(multi), Value::Object(single))
}

fn header_groups(http: &HttpEvent) -> Vec<(String, Vec<String>)> {
    http.headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn payload_v1(http: &HttpEvent, input: &mut Input<'_>) -> Value {
    check_decoded_path(http, input);
    // API Gateway hands the query over as maps of decoded values; the shim rebuilds it grouped
    // by key, each part escaped as a URI component.
    let mut groups = Vec::new();
    let mut undecodable = false;
    for (key, values) in text::grouped(&text::pairs(&http.query)) {
        let mut decode = |t: &str| {
            text::decode(t).unwrap_or_else(|| {
                undecodable = true;
                String::from_utf8_lossy(
                    &percent_encoding::percent_decode_str(t).collect::<Vec<_>>(),
                )
                .into_owned()
            })
        };
        let key = decode(key);
        let values = values.iter().map(|v| decode(v)).collect::<Vec<_>>();
        groups.push((key, values));
    }
    let rebuilt = text::join(groups.iter().flat_map(|(k, vs)| {
        vs.iter()
            .map(move |v| (text::component(k), text::component(v)))
    }));
    if rebuilt != http.query || undecodable {
        input.lose(
            "query",
            format!("the REST API hands the query over as decoded maps; the shim rebuilds it grouped and re-escaped as {rebuilt:?}"),
        );
    }
    let (multi_query, single_query) = maps(groups);
    let (multi_headers, single_headers) = maps(header_groups(http));
    let (body, is_base64) = body(&http.body);
    let mut identity = json!({});
    if let Some(ip) = &http.source_ip {
        identity["sourceIp"] = json!(ip);
    }
    if let Some(agent) = http.first_header("user-agent") {
        identity["userAgent"] = json!(agent);
    }
    json!({
        "resource": "/{proxy+}",
        "path": http.path,
        "httpMethod": http.method,
        "headers": single_headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": single_query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": {"proxy": http.path.trim_start_matches('/')},
        "stageVariables": null,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "k7t3stk1t0",
            "domainName": "k7t3stk1t0.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "k7t3stk1t0",
            "httpMethod": http.method,
            "identity": identity,
            "path": format!("/prod{}", http.path),
            "protocol": "HTTP/1.1",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "01/Mar/2026:09:00:00 +0000",
            "requestTimeEpoch": EPOCH_S * 1000,
            "resourcePath": "/{proxy+}",
            "stage": "prod",
        },
        "body": if http.body.is_empty() { Value::Null } else { body },
        "isBase64Encoded": is_base64,
    })
}

fn alb(http: &HttpEvent, multi_value: bool, input: &mut Input<'_>) -> Value {
    // The load balancer leaves the query values encoded; with multi-value headers off it keeps
    // only the last value of a repeated key or header.
    let mut groups: Vec<(String, Vec<String>)> = text::grouped(&text::pairs(&http.query))
        .into_iter()
        .map(|(k, vs)| (k.to_owned(), vs.into_iter().map(str::to_owned).collect()))
        .collect();
    if !multi_value {
        for (_, values) in &mut groups {
            values.drain(..values.len().saturating_sub(1));
        }
    }
    let rebuilt = text::join(groups.iter().flat_map(|(k, vs)| {
        vs.iter()
            .map(move |v| (text::raw_query(k), text::raw_query(v)))
    }));
    if rebuilt != http.query {
        input.lose(
            "query",
            format!(
                "the load balancer hands the query over as a map; the shim rebuilds it as {rebuilt:?}"
            ),
        );
    }
    if !multi_value {
        for (name, values) in &http.headers {
            if values.len() > 1 {
                input.lose(
                    format!("headers.{name}"),
                    "without multi-value headers the load balancer keeps the last value",
                );
            }
        }
    }
    if http.source_ip.is_some() {
        input.lose(
            "source_ip",
            "an ALB event has no client address (only x-forwarded-for)",
        );
    }
    let (body, is_base64) = body(&http.body);
    let (multi_query, single_query) = maps(groups);
    let (multi_headers, single_headers) = maps(header_groups(http));
    let or_empty = |v: Value| if v.is_null() { json!({}) } else { v };
    let mut event = json!({
        "requestContext": {"elb": {"targetGroupArn": format!(
            "arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/polyfaas/0123456789abcdef")}},
        "httpMethod": http.method,
        "path": text::raw_path(&http.path),
        "body": body,
        "isBase64Encoded": is_base64,
    });
    if multi_value {
        event["multiValueQueryStringParameters"] = or_empty(multi_query);
        event["multiValueHeaders"] = or_empty(multi_headers);
    } else {
        event["queryStringParameters"] = or_empty(single_query);
        event["headers"] = or_empty(single_headers);
    }
    event
}

/// An S3 key as notifications write it: form-encoded (space as `+`), `/` kept.
fn s3_key(key: &str) -> String {
    key.split(' ')
        .map(|part| percent_encoding::utf8_percent_encode(part, text::KEY_PATH).to_string())
        .collect::<Vec<_>>()
        .join("+")
}

fn s3(blob: &BlobEvent, input: &mut Input<'_>) -> Value {
    let mut object = json!({"key": s3_key(&blob.key), "sequencer": "0069A3C4B2D1E0F123"});
    let name = match blob.change {
        BlobChange::Created => {
            if let Some(size) = blob.size {
                object["size"] = json!(size);
            }
            if let Some(etag) = &blob.etag {
                object["eTag"] = json!(etag);
            }
            "ObjectCreated:Put"
        }
        BlobChange::Deleted => {
            for (field, present) in [("size", blob.size.is_some()), ("etag", blob.etag.is_some())] {
                if present {
                    input.lose(field, "S3 deletion notifications have no size or ETag");
                }
            }
            "ObjectRemoved:Delete"
        }
    };
    if blob.content_type.is_some() {
        input.lose("content_type", "S3 notifications carry no content type");
    }
    json!({"Records": [{
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": REGION,
        "eventTime": TIME,
        "eventName": name,
        "userIdentity": {"principalId": "AWS:AIDAT3STK1T000000001"},
        "requestParameters": {"sourceIPAddress": "192.0.2.10"},
        "responseElements": {"x-amz-request-id": "T3STK1T000000001", "x-amz-id-2": "polyfaas/testkit/id2"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "polyfaas-testkit",
            "bucket": {"name": blob.store, "ownerIdentity": {"principalId": "AT3STK1T"},
                       "arn": format!("arn:aws:s3:::{}", blob.store)},
            "object": object,
        },
    }]})
}

fn sns(message: &MessageEvent, input: &mut Input<'_>) -> Value {
    let body = input.text_body(&message.body, "SNS message bodies are text");
    let attributes: Map<String, Value> = message
        .attributes
        .iter()
        .map(|(k, v)| (k.clone(), json!({"Type": "String", "Value": v})))
        .collect();
    json!({"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": format!("{}:0a1b2c3d-0000-4000-8000-t3stk1t00001", message.source),
        "Sns": {
            "Type": "Notification",
            "MessageId": message.id,
            "TopicArn": message.source,
            "Subject": null,
            "Message": body,
            "Timestamp": TIME,
            "SignatureVersion": "1",
            "Signature": "dGVzdGtpdA==",
            "SigningCertUrl": "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem",
            "UnsubscribeUrl": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe",
            "MessageAttributes": attributes,
        },
    }]})
}

fn sqs(message: &MessageEvent, input: &mut Input<'_>) -> Value {
    let body = input.text_body(&message.body, "SQS message bodies are text");
    let attributes: Map<String, Value> = message
        .attributes
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                json!({"stringValue": v, "stringListValues": [], "binaryListValues": [], "dataType": "String"}),
            )
        })
        .collect();
    json!({"Records": [{
        "messageId": message.id,
        "receiptHandle": "AQEBt3stk1t==",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": (EPOCH_S * 1000).to_string(),
            "SenderId": "AIDAT3STK1T000000001",
            "ApproximateFirstReceiveTimestamp": (EPOCH_S * 1000).to_string(),
        },
        "messageAttributes": attributes,
        "eventSource": "aws:sqs",
        "eventSourceARN": message.source,
        "awsRegion": REGION,
    }]})
}

/// The ARN of a resource named by `source`, unless `source` is an ARN already.
fn arn(source: &str, service: &str, resource: &str) -> String {
    if source.starts_with("arn:") {
        source.to_owned()
    } else {
        format!("arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}/{source}")
    }
}

/// The stream named by `source` (an ARN of one is kept); the shim names the stream, so an ARN
/// comes back as its name.
fn stream_arn(source: &str, input: &mut Input<'_>) -> String {
    if source.starts_with("arn:") {
        input.lose("source", "the shim names the stream, not its ARN");
    }
    arn(source, "kinesis", "stream")
}

/// Epoch milliseconds of an RFC 3339 time, noting a loss when the shim's UTC millisecond text of
/// it is not the same text; `None` (and a loss) when it is no time the test kit reads.
fn epoch_ms(time: &str, field: &str, input: &mut Input<'_>) -> Option<u64> {
    let Ok(parsed) = humantime::parse_rfc3339(time) else {
        input.lose(
            field,
            "not a UTC RFC 3339 time the test kit reads: a default time is sent",
        );
        return None;
    };
    let written = humantime::format_rfc3339_millis(parsed).to_string();
    if written != time {
        input.lose(field, format!("the shim writes the time as {written}"));
    }
    let ms = parsed
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_millis();
    u64::try_from(ms).ok()
}

/// The value of the position attribute `name`, or `default` (noting the loss: the record always
/// carries one).
fn position(message: &MessageEvent, name: &str, default: &str, input: &mut Input<'_>) -> String {
    match message.attributes.get(name) {
        Some(value) => value.clone(),
        None => {
            input.lose(
                format!("attributes.{name}"),
                "every record has one: a default is sent",
            );
            default.to_owned()
        }
    }
}

fn kinesis(message: &MessageEvent, input: &mut Input<'_>) -> Value {
    const POSITIONS: [&str; 3] = ["partition_key", "sequence_number", "enqueued_time"];
    for name in message.attributes.keys() {
        if !POSITIONS.contains(&name.as_str()) {
            input.lose(
                format!("attributes.{name}"),
                "a Kinesis record has no attributes besides its position",
            );
        }
    }
    let partition_key = position(message, "partition_key", "polyfaas", input);
    let sequence_number = position(
        message,
        "sequence_number",
        "49590338271490256608559692538361571095921575989136588898",
        input,
    );
    let arrival_ms = match message.attributes.get("enqueued_time") {
        Some(time) => epoch_ms(time, "attributes.enqueued_time", input),
        None => {
            input.lose(
                "attributes.enqueued_time",
                "every record has an arrival time: a default is sent",
            );
            None
        }
    }
    .unwrap_or(EPOCH_S * 1000 + 500);
    json!({"Records": [{
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": partition_key,
            "sequenceNumber": sequence_number,
            "data": BASE64.encode(&message.body),
            "approximateArrivalTimestamp": arrival_ms as f64 / 1000.0,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": message.id,
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": format!("arn:aws:iam::{ACCOUNT}:role/polyfaas-testkit"),
        "awsRegion": REGION,
        "eventSourceARN": stream_arn(&message.source, input),
    }]})
}

fn kafka(message: &MessageEvent, input: &mut Input<'_>) -> Value {
    let partition = position(message, "partition", "0", input);
    let offset = position(message, "offset", "0", input);
    let (Ok(partition_n), Ok(offset_n)) = (partition.parse::<i64>(), offset.parse::<i64>()) else {
        input.lose(
            "attributes.partition",
            "Kafka positions are numbers: partition 0, offset 0 are sent",
        );
        return kafka_record(message, "0", 0, 0, input);
    };
    kafka_record(message, &partition, partition_n, offset_n, input)
}

fn kafka_record(
    message: &MessageEvent,
    partition: &str,
    partition_n: i64,
    offset_n: i64,
    input: &mut Input<'_>,
) -> Value {
    // The batch groups records by `<topic>-<partition>`, which the shim takes as the source.
    let topic = message
        .source
        .strip_suffix(&format!("-{partition}"))
        .filter(|t| !t.is_empty())
        .unwrap_or(&message.source)
        .to_owned();
    let group = format!("{topic}-{partition_n}");
    if group != message.source {
        input.lose(
            "source",
            format!("the shim names the topic-partition: {group}"),
        );
    }
    let id = format!("{group}:{offset_n}");
    if id != message.id {
        input.lose(
            "id",
            format!("a Kafka record's id is its topic-partition and offset: {id}"),
        );
    }
    let timestamp = match message.attributes.get("enqueued_time") {
        Some(time) => epoch_ms(time, "attributes.enqueued_time", input)
            .and_then(|ms| i64::try_from(ms).ok())
            .unwrap_or(-1),
        None => -1,
    };
    let mut headers = Vec::new();
    for (name, value) in &message.attributes {
        if ["partition", "offset", "enqueued_time", "key"].contains(&name.as_str()) {
            continue;
        }
        headers.push(json!({ name: value.as_bytes() }));
    }
    let mut record = json!({
        "topic": topic,
        "partition": partition_n,
        "offset": offset_n,
        "timestamp": timestamp,
        "timestampType": "CREATE_TIME",
        "value": BASE64.encode(&message.body),
        "headers": headers,
    });
    if let Some(key) = message.attributes.get("key") {
        record["key"] = json!(BASE64.encode(key));
    }
    json!({
        "eventSource": "aws:kafka",
        "eventSourceArn": format!("arn:aws:kafka:{REGION}:{ACCOUNT}:cluster/polyfaas/0a1b2c3d-0000-4000-8000-t3stk1t00001-1"),
        "bootstrapServers": format!("b-1.polyfaas.t3stk1t.c2.kafka.{REGION}.amazonaws.com:9092"),
        "records": { group: [record] },
    })
}

/// Whether a value holds a float with no fraction (`2.0`): DynamoDB numbers have no type, so
/// it comes back as the integer.
fn has_whole_float(value: &Value) -> bool {
    match value {
        Value::Number(n) => {
            n.as_f64().is_some_and(|f| f.fract() == 0.0) && !n.is_i64() && !n.is_u64()
        }
        Value::Array(items) => items.iter().any(has_whole_float),
        Value::Object(map) => map.values().any(has_whole_float),
        _ => false,
    }
}

fn dynamodb(change: &ChangeEvent, input: &mut Input<'_>) -> Result<Value, EncodeError> {
    for (field, value) in [
        ("key", &change.key),
        ("old", &change.old),
        ("new", &change.new),
    ] {
        if value.as_ref().is_some_and(has_whole_float) {
            input.lose(
                field,
                "DynamoDB numbers have no type: a whole float comes back as an integer",
            );
        }
    }
    let object =
        |field: &str, value: &Option<Value>| -> Result<Option<Map<String, Value>>, EncodeError> {
            match value {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Object(map)) => Ok(Some(typed::dynamodb_map(map))),
                Some(_) => Err(EncodeError::invalid(
                    field,
                    "a DynamoDB item is an object of attributes",
                )),
            }
        };
    let keys = object("key", &change.key)?.ok_or_else(|| {
        EncodeError::invalid("key", "a DynamoDB record always names its key attributes")
    })?;
    let name = match change.op {
        ChangeOp::Insert => "INSERT",
        ChangeOp::Modify => "MODIFY",
        ChangeOp::Remove => "REMOVE",
        ChangeOp::Upsert => {
            input.lose(
                "op",
                "DynamoDB tells inserts from modifications: sent as MODIFY",
            );
            "MODIFY"
        }
    };
    let mut record = json!({
        "ApproximateCreationDateTime": EPOCH_S,
        "Keys": keys,
        "SequenceNumber": "111000000000000000000001",
        "SizeBytes": 26,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    });
    if let Some(new) = object("new", &change.new)? {
        record["NewImage"] = Value::Object(new);
    }
    if let Some(old) = object("old", &change.old)? {
        record["OldImage"] = Value::Object(old);
    }
    let table = if change.source.starts_with("arn:") {
        input.lose("source", "the shim names the table, not its stream's ARN");
        change.source.clone()
    } else {
        format!(
            "arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{}/stream/2026-03-01T00:00:00.000",
            change.source
        )
    };
    Ok(json!({"Records": [{
        "eventID": change.id,
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": record,
        "eventSourceARN": table,
    }]}))
}

fn authorizer_token(auth: &AuthorizeEvent, input: &mut Input<'_>) -> Result<Value, EncodeError> {
    let token = auth.token.as_ref().ok_or_else(|| {
        EncodeError::invalid(
            "token",
            "API Gateway calls a TOKEN authorizer only with a token",
        )
    })?;
    if auth.request.is_some() {
        input.lose("request", "a TOKEN authorizer gets the token only");
    }
    Ok(json!({"type": "TOKEN", "authorizationToken": token, "methodArn": auth.resource}))
}

/// The request an authorizer call is about, and the token the shim will read from it (the
/// `authorization` header), noting losses under `request.`.
fn authorizer_http<'a>(
    auth: &'a AuthorizeEvent,
    input: &mut Input<'_>,
) -> Result<&'a HttpEvent, EncodeError> {
    let request = auth.request.as_ref().ok_or_else(|| {
        EncodeError::invalid("request", "a REQUEST authorizer call is about a request")
    })?;
    if !request.body.is_empty() {
        input.lose("request.body_base64", "an authorizer call carries no body");
    }
    Ok(request)
}

/// Notes the token lost when the shim will read another: the `authorization` header if the
/// request has one, else `fallback`.
fn check_token(
    auth: &AuthorizeEvent,
    request: &HttpEvent,
    fallback: Option<&str>,
    input: &mut Input<'_>,
) {
    let read = request.first_header("authorization").or(fallback);
    if read != auth.token.as_deref() {
        input.lose(
            "token",
            "the shim reads the token from the authorization header",
        );
    }
}

/// An HTTP event encoded by `encode` as what an authorizer gets: its losses under `request.`,
/// its body left out.
fn authorizer_payload(
    request: &HttpEvent,
    input: &mut Input<'_>,
    encode: impl FnOnce(&HttpEvent, &mut Input<'_>) -> Value,
) -> Value {
    let mut losses = Vec::new();
    let mut inner = Input {
        event: input.event,
        object: None,
        losses: &mut losses,
    };
    let bodiless = HttpEvent {
        body: Vec::new(),
        ..request.clone()
    };
    let mut payload = encode(&bodiless, &mut inner);
    for loss in losses {
        input.lose(format!("request.{}", loss.field), loss.reason);
    }
    if let Value::Object(map) = &mut payload {
        map.remove("body");
        map.remove("isBase64Encoded");
    }
    payload
}

fn authorizer_request(
    auth: &AuthorizeEvent,
    version: Option<&str>,
    input: &mut Input<'_>,
) -> Result<Value, EncodeError> {
    let request = authorizer_http(auth, input)?;
    let fallback = version.and(auth.token.as_deref());
    check_token(auth, request, fallback, input);
    let mut payload = authorizer_payload(request, input, payload_v1);
    payload["type"] = json!("REQUEST");
    payload["methodArn"] = json!(auth.resource);
    if let Some(version) = version {
        // HTTP API payload 1.0 also says what the identity sources gave.
        payload["version"] = json!(version);
        payload["identitySource"] = json!(auth.token.clone().unwrap_or_default());
        payload["authorizationToken"] = json!(auth.token.clone().unwrap_or_default());
    }
    Ok(payload)
}

fn authorizer_v2(auth: &AuthorizeEvent, input: &mut Input<'_>) -> Result<Value, EncodeError> {
    let request = authorizer_http(auth, input)?;
    check_token(auth, request, auth.token.as_deref(), input);
    let mut payload = authorizer_payload(request, input, |http, input| {
        payload_v2(
            http,
            "p0q1r2s3t4.execute-api.eu-west-1.amazonaws.com",
            input,
        )
    });
    payload["type"] = json!("REQUEST");
    payload["routeArn"] = json!(auth.resource);
    payload["identitySource"] = json!(auth.token.iter().collect::<Vec<_>>());
    Ok(payload)
}

fn schedule(tick: &ScheduleEvent) -> Value {
    let mut event = json!({
        "version": "0",
        "id": "7bf73129-1428-4cd3-a780-95db273d1602",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "region": REGION,
        "resources": tick.name.iter()
            .map(|name| format!("arn:aws:events:{REGION}:{ACCOUNT}:rule/{name}"))
            .collect::<Vec<_>>(),
        "detail": {},
    });
    if let Some(time) = &tick.time {
        event["time"] = json!(time);
    }
    event
}

/// The kind the shim takes a direct payload for when it has another source's keys (aws.md §3).
fn taken_for(payload: &Value) -> Option<Kind> {
    let authorizer = matches!(payload["type"].as_str(), Some("TOKEN" | "REQUEST"))
        && (payload["methodArn"].is_string() || payload["routeArn"].is_string());
    if authorizer {
        return Some(Kind::Authorize);
    }
    let context = &payload["requestContext"];
    let http = (payload["version"] == "2.0"
        && !context["http"].is_null()
        && !payload["rawPath"].is_null())
        || (!context["elb"].is_null() && !payload["httpMethod"].is_null())
        || (!payload["httpMethod"].is_null()
            && (!context["resourcePath"].is_null() || !context["stage"].is_null())
            && context["connectionId"].is_null());
    if http {
        return Some(Kind::Http);
    }
    let first = &payload["Records"][0];
    if first["eventSource"] == "aws:s3" {
        return Some(Kind::Blob);
    }
    if first["eventSource"] == "aws:sqs"
        || first["EventSource"] == "aws:sns"
        || first["eventSource"] == "aws:kinesis"
        || (matches!(
            payload["eventSource"].as_str(),
            Some("aws:kafka" | "SelfManagedKafka")
        ) && payload["records"].is_object())
    {
        return Some(Kind::Message);
    }
    if first["eventSource"] == "aws:dynamodb" {
        return Some(Kind::Change);
    }
    if payload["source"] == "aws.events" && payload["detail-type"] == "Scheduled Event" {
        return Some(Kind::Schedule);
    }
    None
}
