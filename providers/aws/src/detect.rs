//! Which kind of event a payload is, decided once from the keys only that source sends.
//!
//! The Runtime API gives no type tag. `lambda_http` tries to deserialise each HTTP shape in turn
//! and keeps the first that fits; here one lenient pass reads the few distinguishing keys (any
//! JSON type is accepted, so a direct invocation that happens to use a key such as `path` for
//! something else is still an invocation), and the recognised shape is then parsed strictly.

use serde::Deserialize;
use serde_json::value::RawValue;

/// The sources the shim recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Shape {
    /// API Gateway REST API, or HTTP API with payload format 1.0.
    ApiGatewayV1,
    /// API Gateway HTTP API with payload format 2.0.
    ApiGatewayV2,
    /// A Lambda Function URL (payload format 2.0 on a `*.lambda-url.*.on.aws` domain).
    FunctionUrl,
    /// An Application Load Balancer target group.
    Alb,
    /// S3 event notifications.
    S3,
    /// An SQS event source mapping batch.
    Sqs,
    /// SNS notifications.
    Sns,
    /// An EventBridge (CloudWatch Events) scheduled rule.
    Schedule,
    /// Anything else: a direct invocation.
    Invoke,
}

/// The top-level keys that tell sources apart, each as unparsed JSON.
#[derive(Deserialize)]
pub(crate) struct Sniff<'a> {
    #[serde(borrow, default)]
    version: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "httpMethod")]
    http_method: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "rawPath")]
    raw_path: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "requestContext")]
    request_context: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "Records")]
    records: Option<&'a RawValue>,
    #[serde(borrow, default)]
    source: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "detail-type")]
    detail_type: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ContextSniff<'a> {
    #[serde(borrow, default)]
    elb: Option<&'a RawValue>,
    #[serde(borrow, default)]
    http: Option<&'a RawValue>,
    #[serde(borrow, default)]
    stage: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "resourcePath")]
    resource_path: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "connectionId")]
    connection_id: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "domainName")]
    domain_name: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct FirstRecord<'a> {
    #[serde(borrow, default, rename = "eventSource")]
    event_source: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "EventSource")]
    event_source_sns: Option<&'a RawValue>,
}

/// The shape of `payload`, which must be JSON. Non-object payloads are invocations.
///
/// ```
/// use polyfaas_aws::{detect, Shape};
///
/// let v2 = br#"{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}}}"#;
/// assert_eq!(detect(v2), Shape::ApiGatewayV2);
/// assert_eq!(detect(br#"{"path": 7}"#), Shape::Invoke);
/// assert_eq!(detect(b"[1, 2]"), Shape::Invoke);
/// ```
pub fn detect(payload: &[u8]) -> Shape {
    match std::str::from_utf8(payload) {
        Ok(text) => sniff(text).map_or(Shape::Invoke, |s| s.shape()),
        Err(_) => Shape::Invoke,
    }
}

pub(crate) fn sniff(text: &str) -> Option<Sniff<'_>> {
    serde_json::from_str::<Sniff<'_>>(text).ok()
}

impl Sniff<'_> {
    /// Decides the shape (see `aws.md` §3 for the table this follows).
    pub(crate) fn shape(&self) -> Shape {
        let context = self
            .request_context
            .and_then(|raw| serde_json::from_str::<ContextSniff<'_>>(raw.get()).ok());
        if let Some(ctx) = &context {
            if is_str(self.version, "2.0") && ctx.http.is_some() && self.raw_path.is_some() {
                let url = ctx
                    .domain_name
                    .and_then(str_of)
                    .is_some_and(|d| d.contains(".lambda-url."));
                return if url {
                    Shape::FunctionUrl
                } else {
                    Shape::ApiGatewayV2
                };
            }
            if ctx.elb.is_some() && self.http_method.is_some() {
                return Shape::Alb;
            }
            if self.http_method.is_some()
                && (ctx.resource_path.is_some() || ctx.stage.is_some())
                && ctx.connection_id.is_none()
            {
                return Shape::ApiGatewayV1;
            }
        }
        if let Some(records) = self.records {
            if let Ok(first) = serde_json::from_str::<Vec<FirstRecord<'_>>>(records.get()) {
                match first.first() {
                    Some(r) if is_str(r.event_source, "aws:s3") => return Shape::S3,
                    Some(r) if is_str(r.event_source, "aws:sqs") => return Shape::Sqs,
                    Some(r) if is_str(r.event_source_sns, "aws:sns") => return Shape::Sns,
                    _ => {}
                }
            }
        }
        if is_str(self.source, "aws.events") && is_str(self.detail_type, "Scheduled Event") {
            return Shape::Schedule;
        }
        Shape::Invoke
    }
}

fn str_of(raw: &RawValue) -> Option<&str> {
    // A JSON string without escapes is its own text between the quotes; anything else is not
    // a value these checks compare.
    let text = raw.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('\\')).then_some(inner)
}

fn is_str(raw: Option<&RawValue>, expected: &str) -> bool {
    raw.and_then(str_of) == Some(expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_source_is_told_apart_by_its_own_keys() {
        let cases: &[(&str, Shape)] = &[
            (
                r#"{"version":"2.0","rawPath":"/x","requestContext":{"http":{"method":"POST"},"stage":"$default","domainName":"abc.execute-api.eu-west-1.amazonaws.com"}}"#,
                Shape::ApiGatewayV2,
            ),
            (
                r#"{"version":"2.0","rawPath":"/x","requestContext":{"http":{"method":"POST"},"domainName":"abc.lambda-url.eu-west-1.on.aws"}}"#,
                Shape::FunctionUrl,
            ),
            (
                r#"{"httpMethod":"GET","path":"/","requestContext":{"resourcePath":"/","stage":"prod"}}"#,
                Shape::ApiGatewayV1,
            ),
            (
                r#"{"httpMethod":"GET","path":"/","requestContext":{"elb":{"targetGroupArn":"arn"}}}"#,
                Shape::Alb,
            ),
            (r#"{"Records":[{"eventSource":"aws:s3"}]}"#, Shape::S3),
            (r#"{"Records":[{"eventSource":"aws:sqs"}]}"#, Shape::Sqs),
            (r#"{"Records":[{"EventSource":"aws:sns"}]}"#, Shape::Sns),
            (
                r#"{"source":"aws.events","detail-type":"Scheduled Event","resources":[]}"#,
                Shape::Schedule,
            ),
            (
                r#"{"source":"aws.events","detail-type":"EC2 State"}"#,
                Shape::Invoke,
            ),
            (r#"{"Records":[]}"#, Shape::Invoke),
            (r#"{"Records":"nope","httpMethod":5}"#, Shape::Invoke),
            (
                r#"{"requestContext":{"connectionId":"c","eventType":"MESSAGE","stage":"prod"},"httpMethod":"GET"}"#,
                Shape::Invoke,
            ),
            ("null", Shape::Invoke),
            ("\"text\"", Shape::Invoke),
        ];
        for (json, shape) in cases {
            assert_eq!(detect(json.as_bytes()), *shape, "{json}");
        }
    }

    #[test]
    fn a_stray_http_method_in_a_v2_event_does_not_make_it_v1() {
        // cargo-lambda's Function URL emulator adds `"httpMethod": "GET"` to 2.0 events.
        let json = r#"{"version":"2.0","httpMethod":"GET","resource":null,"rawPath":"/p","requestContext":{"http":{"method":"DELETE"},"stage":"$default","resourcePath":null,"domainName":"localhost"}}"#;
        assert_eq!(detect(json.as_bytes()), Shape::ApiGatewayV2);
    }
}
