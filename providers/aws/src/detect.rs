//! Which kind of event a payload is, decided once from the keys only that source sends.
//!
//! The Runtime API gives no type tag. `lambda_http` tries to deserialise each HTTP shape in turn
//! and keeps the first that fits; here one quick scan reads the few distinguishing keys (any
//! JSON type is accepted, so a direct invocation that happens to use a key such as `path` for
//! something else is still an invocation), and only the recognised shape is then parsed,
//! strictly.

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
    /// A Kinesis Data Streams batch.
    Kinesis,
    /// A DynamoDB Streams batch.
    DynamoDb,
    /// A Kafka batch: Amazon MSK or a self-managed cluster.
    Kafka,
    /// An API Gateway REST API TOKEN authorizer call.
    TokenAuthorizer,
    /// An API Gateway REQUEST authorizer call: REST API, WebSocket `$connect`, or HTTP API
    /// with payload format 1.0.
    RequestAuthorizer,
    /// An API Gateway HTTP API authorizer call with payload format 2.0.
    HttpApiAuthorizer,
    /// Anything else: a direct invocation.
    Invoke,
}

/// The shape of `payload`. Non-object payloads (and anything that is not JSON) are
/// invocations.
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
        Ok(text) => shape(text),
        Err(_) => Shape::Invoke,
    }
}

/// Decides the shape from the top-level keys (see `aws.md` §3 for the table this follows).
///
/// This is a scan, not a parse: it finds the members of the top-level object (and of
/// `requestContext` and `Records[0]`) by skipping over values without validating them, which
/// costs a fraction of a serde pass. The parser of the chosen shape validates what it reads, and
/// a payload taken for an invocation is parsed in full, so nothing invalid gets through.
pub(crate) fn shape(text: &str) -> Shape {
    // `requestContext`'s own members are read in the same pass as the top level's.
    let (
        [version, http_method, raw_path, request_context, records, source, detail_type, kind, method_arn, route_arn, event_source, kafka_records],
        [elb, http, stage, resource_path, connection_id, domain_name],
        _,
    ) = object(
        &mut Scanner::new(text),
        [
            "version",
            "httpMethod",
            "rawPath",
            "requestContext",
            "Records",
            "source",
            "detail-type",
            "type",
            "methodArn",
            "routeArn",
            "eventSource",
            "records",
        ],
        Some((
            3,
            [
                "elb",
                "http",
                "stage",
                "resourcePath",
                "connectionId",
                "domainName",
            ],
        )),
    );
    // Authorizer calls carry a request's keys too: they are told apart first.
    if let Some(authorizer) = authorizer(kind, version, method_arn, route_arn) {
        return authorizer;
    }
    if request_context.is_some() {
        if is_str(version, "2.0") && http.is_some() && raw_path.is_some() {
            let url = domain_name
                .and_then(str_of)
                .is_some_and(|d| d.contains(".lambda-url."));
            return if url {
                Shape::FunctionUrl
            } else {
                Shape::ApiGatewayV2
            };
        }
        if elb.is_some() && http_method.is_some() {
            return Shape::Alb;
        }
        if http_method.is_some()
            && (resource_path.is_some() || stage.is_some())
            && connection_id.is_none()
        {
            return Shape::ApiGatewayV1;
        }
    }
    if let Some(first) = records.and_then(first_element) {
        let [event_source, event_source_sns] = members(first, ["eventSource", "EventSource"]);
        if is_str(event_source, "aws:s3") {
            return Shape::S3;
        }
        if is_str(event_source, "aws:sqs") {
            return Shape::Sqs;
        }
        if is_str(event_source_sns, "aws:sns") {
            return Shape::Sns;
        }
        if is_str(event_source, "aws:kinesis") {
            return Shape::Kinesis;
        }
        if is_str(event_source, "aws:dynamodb") {
            return Shape::DynamoDb;
        }
    }
    if is_str(source, "aws.events") && is_str(detail_type, "Scheduled Event") {
        return Shape::Schedule;
    }
    if (is_str(event_source, "aws:kafka") || is_str(event_source, "SelfManagedKafka"))
        && kafka_records.is_some_and(|r| r.starts_with('{'))
    {
        return Shape::Kafka;
    }
    Shape::Invoke
}

/// An authorizer call: `type` TOKEN or REQUEST with the ARN of what is called (`methodArn`,
/// or `routeArn` for HTTP API payload 2.0).
fn authorizer(
    kind: Option<&str>,
    version: Option<&str>,
    method_arn: Option<&str>,
    route_arn: Option<&str>,
) -> Option<Shape> {
    let arn = |raw: Option<&str>| raw.and_then(str_of).is_some();
    if is_str(kind, "TOKEN") && arn(method_arn) {
        Some(Shape::TokenAuthorizer)
    } else if is_str(kind, "REQUEST") && is_str(version, "2.0") && arn(route_arn) {
        Some(Shape::HttpApiAuthorizer)
    } else if is_str(kind, "REQUEST") && arn(method_arn) {
        Some(Shape::RequestAuthorizer)
    } else {
        None
    }
}

/// The raw JSON values of the `keys` members of the object `json` (the first of duplicates);
/// `None` for a missing member, a `null` one, or when `json` is not an object.
fn members<'a, const N: usize>(json: &'a str, keys: [&str; N]) -> [Option<&'a str>; N] {
    object(&mut Scanner::new(json), keys, None::<(usize, [&str; 0])>).0
}

/// [`members`] of the object at the scanner's position, which it consumes. With `nested`
/// (`(i, inner_keys)`), the object value of `keys[i]` has its own members read in the same pass
/// (the second array; all `None` when that value is not an object). The flag says whether the
/// object ended where it should (its closing brace read); when a nested one did not, its value
/// is skipped over as any other.
fn object<'a, const N: usize, const M: usize>(
    scan: &mut Scanner<'a>,
    keys: [&str; N],
    nested: Option<(usize, [&str; M])>,
) -> ([Option<&'a str>; N], [Option<&'a str>; M], bool) {
    let mut found = [None; N];
    let mut inner = [None; M];
    if !scan.eat(b'{') {
        return (found, inner, false);
    }
    if scan.eat(b'}') {
        return (found, inner, true);
    }
    loop {
        let Some(key) = scan.string() else {
            return (found, inner, false);
        };
        if !scan.eat(b':') {
            return (found, inner, false);
        }
        let index = keys.iter().position(|k| *k == key);
        let value = match nested {
            Some((at, inner_keys)) if index == Some(at) && found[at].is_none() => {
                scan.peek();
                let start = scan.pos;
                match object(scan, inner_keys, None::<(usize, [&str; 0])>) {
                    (members, _, true) => {
                        inner = members;
                        scan.text.get(start..scan.pos)
                    }
                    _ => {
                        scan.pos = start;
                        scan.value()
                    }
                }
            }
            _ => scan.value(),
        };
        let Some(value) = value else {
            return (found, inner, false);
        };
        if let Some(i) = index {
            if found[i].is_none() && value != "null" {
                found[i] = Some(value);
            }
        }
        if scan.eat(b',') {
            continue;
        }
        return (found, inner, scan.eat(b'}'));
    }
}

/// The first element of the array `json`, if it is a non-empty array.
fn first_element(json: &str) -> Option<&str> {
    let mut scan = Scanner::new(json);
    if !scan.eat(b'[') || scan.eat(b']') {
        return None;
    }
    scan.value()
}

/// A non-validating walk over JSON text: enough to find members and skip values.
struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Scanner { text, pos: 0 }
    }

    fn peek(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// Consumes `byte` (after whitespace) if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        if next {
            self.pos += 1;
        }
        next
    }

    /// A string's raw contents (escapes left as they are).
    fn string(&mut self) -> Option<&'a str> {
        if !self.eat(b'"') {
            return None;
        }
        let start = self.pos;
        let end = self.string_end()?;
        self.pos = end + 1;
        self.text.get(start..end)
    }

    /// The index of the closing quote of the string whose contents start at `self.pos`.
    fn string_end(&self) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut i = self.pos;
        loop {
            i = find_any(bytes, i, [b'"', b'\\'])?;
            match bytes.get(i)? {
                b'"' => return Some(i),
                _ => i += 2,
            }
        }
    }

    /// Skips one value and returns its raw text.
    fn value(&mut self) -> Option<&'a str> {
        let first = self.peek()?;
        let start = self.pos;
        let bytes = self.text.as_bytes();
        match first {
            b'"' => {
                self.pos += 1;
                self.pos = self.string_end()? + 1;
            }
            b'{' | b'[' => {
                // In JSON, braces and brackets are each balanced outside strings: counting the
                // value's own kind finds its end, and the rest is jumped over.
                let close = if first == b'{' { b'}' } else { b']' };
                let mut depth = 0usize;
                let mut i = self.pos;
                loop {
                    i = find_any(bytes, i, [b'"', first, close])?;
                    match bytes.get(i)? {
                        b'"' => {
                            self.pos = i + 1;
                            i = self.string_end()?;
                        }
                        b if *b == first => depth += 1,
                        _ => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos = i + 1;
                                break;
                            }
                        }
                    }
                    i += 1;
                }
            }
            _ => {
                while let Some(&b) = bytes.get(self.pos) {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    self.pos += 1;
                }
            }
        }
        self.text.get(start..self.pos)
    }
}

/// The index of the first byte at or after `from` that is one of `targets`, eight bytes at a
/// time (an event's strings and the runs between them are mostly too short for memchr's
/// vector set-up to pay off).
fn find_any<const N: usize>(bytes: &[u8], from: usize, targets: [u8; N]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while let Some(word) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let word = u64::from_le_bytes(*word);
        let mut hits = 0;
        for target in targets {
            // A zero byte of `x` is a byte equal to `target`; the lowest flagged byte is always
            // a true one (a borrow can only flag bytes above it).
            let x = word ^ (ONES * u64::from(target));
            hits |= x.wrapping_sub(ONES) & !x & HIGHS;
        }
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let rest = bytes.get(i..)?;
    rest.iter()
        .position(|b| targets.contains(b))
        .map(|at| i + at)
}

/// The text of a JSON string without escapes (anything else is not a value these checks
/// compare).
fn str_of(raw: &str) -> Option<&str> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('\\')).then_some(inner)
}

fn is_str(raw: Option<&str>, expected: &str) -> bool {
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
                r#"{"Records":[{"eventSource":"aws:kinesis"}]}"#,
                Shape::Kinesis,
            ),
            (
                r#"{"Records":[{"eventSource":"aws:dynamodb"}]}"#,
                Shape::DynamoDb,
            ),
            (
                r#"{"eventSource":"aws:kafka","records":{"t-0":[]}}"#,
                Shape::Kafka,
            ),
            (
                r#"{"eventSource":"SelfManagedKafka","records":{}}"#,
                Shape::Kafka,
            ),
            (r#"{"eventSource":"aws:kafka","records":[]}"#, Shape::Invoke),
            (
                r#"{"type":"TOKEN","authorizationToken":"t","methodArn":"arn:aws:execute-api:x"}"#,
                Shape::TokenAuthorizer,
            ),
            // A REQUEST authorizer has every key of a REST API request.
            (
                r#"{"type":"REQUEST","methodArn":"arn:x","httpMethod":"GET","path":"/","requestContext":{"resourcePath":"/","stage":"test"}}"#,
                Shape::RequestAuthorizer,
            ),
            (
                r#"{"version":"1.0","type":"REQUEST","methodArn":"arn:x","httpMethod":"GET","requestContext":{"stage":"test","http":{"method":"POST"}}}"#,
                Shape::RequestAuthorizer,
            ),
            // ... and a payload 2.0 one every key of an HTTP API request.
            (
                r#"{"version":"2.0","type":"REQUEST","routeArn":"arn:x","rawPath":"/","requestContext":{"http":{"method":"GET"},"stage":"$default"}}"#,
                Shape::HttpApiAuthorizer,
            ),
            (
                r#"{"type":"REQUEST","methodArn":"arn:x","requestContext":{"connectionId":"c","eventType":"CONNECT"}}"#,
                Shape::RequestAuthorizer,
            ),
            (r#"{"type":"TOKEN","methodArn":7}"#, Shape::Invoke),
            (r#"{"type":"ORDER","methodArn":"arn:x"}"#, Shape::Invoke),
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
            // requestContext's members are read in the top level's pass: the first non-null
            // one counts, as for any other key.
            (
                r#"{"requestContext":null,"httpMethod":"GET","requestContext":{"elb":{"x":"}"}}}"#,
                Shape::Alb,
            ),
            (
                r#"{"requestContext":{"elb":{}},"httpMethod":"GET","requestContext":{"stage":"x"}}"#,
                Shape::Alb,
            ),
            (
                r#"{"requestContext":"elb","httpMethod":"GET","requestContext":{"elb":{}}}"#,
                Shape::Invoke,
            ),
        ];
        for (json, shape) in cases {
            assert_eq!(detect(json.as_bytes()), *shape, "{json}");
        }
    }

    #[test]
    fn the_scanner_skips_nested_values_strings_and_escapes() {
        let json =
            r#" { "a" : {"x":[1,{"y":"}"}]} , "b":"q\"}" ,"c": -1.5e3, "d": null, "e":[] } "#;
        let [a, b, c, d, e, z] = members(json, ["a", "b", "c", "d", "e", "z"]);
        assert_eq!(a, Some(r#"{"x":[1,{"y":"}"}]}"#));
        assert_eq!(b, Some(r#""q\"}""#));
        assert_eq!(c, Some("-1.5e3"));
        assert_eq!((d, z), (None, None));
        assert_eq!(e, Some("[]"));
        assert_eq!(first_element(r#"[ {"k":1}, 2]"#), Some(r#"{"k":1}"#));
        for broken in [
            "",
            "{",
            r#"{"a""#,
            r#"{"a":"#,
            r#"{"a":"x"#,
            r#"{"a":{"b":[}"#,
            "[",
            "{]]}",
            r#""\"#,
        ] {
            let _ = members(broken, ["a"]);
            let _ = first_element(broken);
            assert_eq!(detect(broken.as_bytes()), Shape::Invoke, "{broken}");
        }
    }

    #[test]
    fn a_stray_http_method_in_a_v2_event_does_not_make_it_v1() {
        // cargo-lambda's Function URL emulator adds `"httpMethod": "GET"` to 2.0 events (and
        // `type`/`methodArn` as null: not an authorizer call).
        let json = r#"{"version":"2.0","httpMethod":"GET","resource":null,"type":null,"methodArn":null,"rawPath":"/p","requestContext":{"http":{"method":"DELETE"},"stage":"$default","resourcePath":null,"domainName":"localhost"}}"#;
        assert_eq!(detect(json.as_bytes()), Shape::ApiGatewayV2);
    }
}
