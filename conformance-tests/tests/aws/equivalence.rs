//! Cross-platform equivalence: each shared logical request delivered as an API Gateway v1, v2,
//! Function URL and ALB (both header modes) event gives the same canonical `event`.
//!
//! Tolerated, because the event itself does not carry the information:
//! - v1 and multi-value ALB have the query only as a map: keys come out grouped, in order of
//!   first appearance (`a=1&b=two&a=2` → `a=1&a=2&b=two`), so the expected query is grouped
//!   the same way before comparing.
//! - single-value ALB keeps only the last value of a repeated key.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use conformance_tests::equivalence::{assert_equivalent, logical_requests, LogicalRequest};
use serde_json::{json, Map, Value};

use crate::Lambda;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_request_through_every_aws_origin_gives_the_same_event() {
    let mut lambda = Lambda::start().await;
    for request in logical_requests() {
        let grouped = group_query(request.query, false);
        let last_only = group_query(request.query, true);
        let origins: [(&str, Value, &str); 5] = [
            ("API Gateway v1", v1_event(&request), &grouped),
            (
                "API Gateway v2",
                v2_event(
                    &request,
                    "p0q1r2s3t4.execute-api.eu-west-1.amazonaws.com",
                    false,
                ),
                request.query,
            ),
            (
                "Function URL",
                v2_event(
                    &request,
                    "zz4kx7qv2mfg3pndl6hw0e5cyu.lambda-url.eu-west-1.on.aws",
                    true,
                ),
                request.query,
            ),
            ("ALB multi-value", alb_event(&request, true), &grouped),
            ("ALB single-value", alb_event(&request, false), &last_only),
        ];
        for (origin, event, query) in origins {
            let (_, echoed) = lambda.http_event(event.to_string()).await;
            let mut expected = request.clone();
            expected.query = Box::leak(query.to_owned().into_boxed_str());
            assert_equivalent(&expected, &echoed, &format!("aws {origin}"), &[]);
        }
    }
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

/// `(body, isBase64Encoded)`: text when UTF-8, base64 otherwise.
fn body(request: &LogicalRequest) -> (Value, bool) {
    match std::str::from_utf8(&request.body) {
        Ok(text) => (json!(text), false),
        Err(_) => (json!(BASE64.encode(&request.body)), true),
    }
}

/// Query pairs as `{key: [values]}` in order of first appearance; `decode` for v1 (API
/// Gateway hands values over decoded).
fn query_map(query: &str, decode: bool) -> Value {
    let mut map = Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = if decode {
            (percent(key), percent(value))
        } else {
            (key.to_owned(), value.to_owned())
        };
        let entry = map.entry(key).or_insert_with(|| json!([]));
        if let Some(values) = entry.as_array_mut() {
            values.push(json!(value));
        }
    }
    if map.is_empty() {
        Value::Null
    } else {
        Value::Object(map)
    }
}

fn percent(text: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(high * 16 + low);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn last_values(map: &Value) -> Value {
    match map {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_array()
                            .and_then(|a| a.last())
                            .cloned()
                            .unwrap_or(Value::Null),
                    )
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

fn multi_headers(request: &LogicalRequest) -> Value {
    Value::Object(
        request
            .headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!([v])))
            .collect(),
    )
}

fn v1_event(request: &LogicalRequest) -> Value {
    let (body, is_base64) = body(request);
    let multi_query = query_map(request.query, true);
    let headers = multi_headers(request);
    json!({
        "resource": "/{proxy+}",
        "path": request.path,
        "httpMethod": request.method,
        "headers": last_values(&headers),
        "multiValueHeaders": headers,
        "queryStringParameters": last_values(&multi_query),
        "multiValueQueryStringParameters": multi_query,
        "requestContext": {"resourcePath": "/{proxy+}", "stage": "prod", "identity": {"sourceIp": "192.0.2.10"}},
        "body": body,
        "isBase64Encoded": is_base64,
    })
}

fn v2_event(request: &LogicalRequest, domain: &str, cookie_header_too: bool) -> Value {
    let (body, is_base64) = body(request);
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in &request.headers {
        if *name == "cookie" {
            cookies.extend(value.split("; ").map(str::to_owned));
            if !cookie_header_too {
                continue;
            }
        }
        headers.insert((*name).to_owned(), json!(value));
    }
    let mut event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": request.path,
        "rawQueryString": request.query,
        "headers": headers,
        "requestContext": {
            "domainName": domain,
            "http": {"method": request.method, "path": request.path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.10"},
            "stage": "$default",
        },
        "body": body,
        "isBase64Encoded": is_base64,
    });
    if !cookies.is_empty() {
        event["cookies"] = json!(cookies);
    }
    event
}

fn alb_event(request: &LogicalRequest, multi_value: bool) -> Value {
    let (body, is_base64) = body(request);
    let query = query_map(request.query, false);
    let headers = multi_headers(request);
    let mut event = json!({
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:210987654321:targetgroup/echo/0123456789abcdef"}},
        "httpMethod": request.method,
        "path": request.raw_path,
        "body": body,
        "isBase64Encoded": is_base64,
    });
    if multi_value {
        event["multiValueHeaders"] = headers;
        event["multiValueQueryStringParameters"] = if query.is_null() { json!({}) } else { query };
    } else {
        event["headers"] = last_values(&headers);
        event["queryStringParameters"] = if query.is_null() {
            json!({})
        } else {
            last_values(&query)
        };
    }
    event
}
