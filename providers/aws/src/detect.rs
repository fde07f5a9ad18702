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
    let (top, keys) = scan(text);
    decide(&top, &keys)
}

/// The top-level members detection reads: raw JSON values, `None` when missing or `null`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TopLevel<'a> {
    version: Option<&'a str>,
    http_method: Option<&'a str>,
    raw_path: Option<&'a str>,
    request_context: Option<&'a str>,
    records: Option<&'a str>,
    source: Option<&'a str>,
    detail_type: Option<&'a str>,
    kind: Option<&'a str>,
    method_arn: Option<&'a str>,
    route_arn: Option<&'a str>,
    event_source: Option<&'a str>,
    kafka_records: Option<&'a str>,
}

/// What detection reads of `requestContext`'s members: whether each is there (and not `null`),
/// and whether `domainName` is a Function URL's (a string without escapes containing
/// `.lambda-url.`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ContextKeys {
    pub(crate) elb: bool,
    pub(crate) http: bool,
    pub(crate) stage: bool,
    pub(crate) resource_path: bool,
    pub(crate) connection_id: bool,
    pub(crate) lambda_url: bool,
}

/// Whether a `domainName` (its text, without escapes) is a Function URL's.
pub(crate) fn is_lambda_url(domain_name: &str) -> bool {
    domain_name.contains(".lambda-url.")
}

/// A member's raw value where only its presence is read (`httpMethod`, `rawPath`).
pub(crate) const PRESENT: &str = "\"\"";

impl<'a> TopLevel<'a> {
    /// The top level of an HTTP event as its parser read it (raw JSON values, as detection
    /// reads them): what detection's rules for HTTP events and authorizers look at.
    pub(crate) fn of_http(
        version: Option<&'a str>,
        http_method: Option<&'a str>,
        raw_path: Option<&'a str>,
        request_context: bool,
        kind: Option<&'a str>,
        method_arn: Option<&'a str>,
        route_arn: Option<&'a str>,
    ) -> Self {
        TopLevel {
            version,
            http_method,
            raw_path,
            request_context: request_context.then_some("{}"),
            kind,
            method_arn,
            route_arn,
            ..TopLevel::default()
        }
    }

    /// `version` `"2.0"` and a `rawPath`: payload format 2.0, if `requestContext.http` is there.
    pub(crate) fn is_payload_v2(&self) -> bool {
        is_str(self.version, "2.0") && self.raw_path.is_some()
    }
}

/// The top-level members of `text`, and those of `requestContext`.
fn scan(text: &str) -> (TopLevel<'_>, ContextKeys) {
    const TOP: [&str; 12] = [
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
    ];
    const CONTEXT: [&str; 6] = [
        "elb",
        "http",
        "stage",
        "resourcePath",
        "connectionId",
        "domainName",
    ];
    let (
        [version, http_method, raw_path, request_context, records, source, detail_type, kind, method_arn, route_arn, event_source, kafka_records],
        [elb, http, stage, resource_path, connection_id, domain_name],
        _,
    ) = object(&mut Scanner::new(text), TOP, Some((3, CONTEXT)));
    let top = TopLevel {
        version,
        http_method,
        raw_path,
        request_context,
        records,
        source,
        detail_type,
        kind,
        method_arn,
        route_arn,
        event_source,
        kafka_records,
    };
    let keys = ContextKeys {
        elb: elb.is_some(),
        http: http.is_some(),
        stage: stage.is_some(),
        resource_path: resource_path.is_some(),
        connection_id: connection_id.is_some(),
        lambda_url: domain_name.and_then(str_of).is_some_and(is_lambda_url),
    };
    (top, keys)
}

/// The rules of `aws.md` §3, over the top level and `requestContext`'s members.
pub(crate) fn decide(top: &TopLevel<'_>, keys: &ContextKeys) -> Shape {
    // Authorizer calls carry a request's keys too: they are told apart first.
    if let Some(authorizer) = authorizer(top.kind, top.version, top.method_arn, top.route_arn) {
        return authorizer;
    }
    if top.request_context.is_some() {
        if top.is_payload_v2() && keys.http {
            return if keys.lambda_url {
                Shape::FunctionUrl
            } else {
                Shape::ApiGatewayV2
            };
        }
        if keys.elb && top.http_method.is_some() {
            return Shape::Alb;
        }
        if top.http_method.is_some() && (keys.resource_path || keys.stage) && !keys.connection_id {
            return Shape::ApiGatewayV1;
        }
    }
    if let Some(first) = top.records.and_then(first_element) {
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
    if is_str(top.source, "aws.events") && is_str(top.detail_type, "Scheduled Event") {
        return Shape::Schedule;
    }
    if (is_str(top.event_source, "aws:kafka") || is_str(top.event_source, "SelfManagedKafka"))
        && top.kafka_records.is_some_and(|r| r.starts_with('{'))
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
        let index = key_index(&keys, key);
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

/// Which of `keys` the raw key `raw` is. A key is its JSON string value, as serde reads it: one
/// written with escapes (`"st\u0061ge"`, rare) is decoded first.
fn key_index(keys: &[&str], raw: &str) -> Option<usize> {
    if !raw.contains('\\') {
        return keys.iter().position(|k| *k == raw);
    }
    let decoded: String = serde_json::from_str(&format!("\"{raw}\"")).ok()?;
    keys.iter().position(|k| *k == decoded)
}

/// The first element of the array `json`, if it is a non-empty array.
fn first_element(json: &str) -> Option<&str> {
    let mut scan = Scanner::new(json);
    if !scan.eat(b'[') || scan.eat(b']') {
        return None;
    }
    scan.value()
}

/// [`Scanner::value`] at the start of `text` (for [`fuzzing`](crate::fuzzing)).
pub(crate) fn skip_value(text: &str) -> Option<&str> {
    Scanner::new(text).value()
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

    /// The index of the closing quote of the string whose contents start at `self.pos`, read
    /// 16 bytes at a time.
    fn string_end(&self) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut at = self.pos;
        // Set when the last byte of the previous block was a backslash: this block's first
        // byte is escaped.
        let mut escaped = false;
        loop {
            let [quotes, slashes] = block_masks::<16, 2>(bytes, at, [b'"', b'\\'])?;
            let mut hits = quotes | slashes;
            if std::mem::take(&mut escaped) {
                hits &= !1;
            }
            while hits != 0 {
                let bit = take_lowest(&mut hits);
                if bit & quotes != 0 {
                    return Some(at + bit.trailing_zeros() as usize);
                }
                skip_escaped::<16>(bit, &mut hits, &mut escaped);
            }
            at += 16;
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
            b'{' | b'[' => self.pos = container_end(bytes, start)?,
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

/// The index just past the object or array that opens at `start`.
///
/// In JSON, braces and brackets are each balanced outside strings: counting the value's own
/// kind finds its end. The text is read 64 bytes at a time: the quotes, backslashes and the
/// value's own brackets of each block are found at once (one bit per byte), and only those
/// bytes are looked at, in order.
fn container_end(bytes: &[u8], start: usize) -> Option<usize> {
    let open = *bytes.get(start)?;
    let close = if open == b'{' { b'}' } else { b']' };
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut at = start;
    loop {
        let [quotes, slashes, opens, closes] =
            block_masks::<64, 4>(bytes, at, [b'"', b'\\', open, close])?;
        if slashes == 0 && !escaped {
            // No escapes (most blocks): the bytes inside strings are those after an odd number
            // of quotes, and only the brackets outside them are looked at.
            let mut inside = prefix_xor(quotes);
            if in_string {
                inside = !inside;
            }
            let mut brackets = (opens | closes) & !inside;
            while brackets != 0 {
                let bit = take_lowest(&mut brackets);
                if bit & opens != 0 {
                    depth += 1;
                } else {
                    depth -= 1;
                    if depth == 0 {
                        return Some(at + bit.trailing_zeros() as usize + 1);
                    }
                }
            }
            in_string ^= quotes.count_ones() % 2 == 1;
            at += 64;
            continue;
        }
        let mut hits = quotes | slashes | opens | closes;
        if std::mem::take(&mut escaped) {
            hits &= !1;
        }
        while hits != 0 {
            let bit = take_lowest(&mut hits);
            if bit & quotes != 0 {
                in_string = !in_string;
            } else if in_string {
                if bit & slashes != 0 {
                    skip_escaped::<64>(bit, &mut hits, &mut escaped);
                }
            } else if bit & opens != 0 {
                depth += 1;
            } else if bit & closes != 0 {
                depth -= 1;
                if depth == 0 {
                    return Some(at + bit.trailing_zeros() as usize + 1);
                }
            }
        }
        at += 64;
    }
}

/// Bit `i` set when an odd number of `bits`' bits are at or below `i`: with the quotes of a
/// block without escapes, the bytes inside strings (and their closing quotes).
fn prefix_xor(mut bits: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        bits ^= bits << shift;
    }
    bits
}

/// For each target, the bytes of the `W`-byte block at `at` (16 or 64) equal to it: bit `i` for
/// byte `i`, zeros past the end of `bytes` (no target is zero); `None` at or past the end.
fn block_masks<const W: usize, const N: usize>(
    bytes: &[u8],
    at: usize,
    targets: [u8; N],
) -> Option<[u64; N]> {
    let rest = bytes.get(at..).filter(|rest| !rest.is_empty())?;
    // Zeroed only for the last, short block.
    let padded;
    let block = match rest.get(..W) {
        Some(block) => block,
        None => {
            let mut last = [0u8; W];
            last[..rest.len()].copy_from_slice(rest);
            padded = last;
            &padded[..]
        }
    };
    let mut masks = [0u64; N];
    for (lane, chunk) in block.chunks_exact(16).enumerate() {
        let lanes = lane_masks(chunk, targets);
        for (mask, bits) in masks.iter_mut().zip(lanes) {
            *mask |= u64::from(bits) << (16 * lane);
        }
    }
    Some(masks)
}

/// The lowest flagged byte of `hits`, taken out of it.
fn take_lowest(hits: &mut u64) -> u64 {
    let bit = *hits & hits.wrapping_neg();
    *hits ^= bit;
    bit
}

/// A backslash at `bit` of a `W`-byte block, inside a string: the byte after it is not looked
/// at. It is taken out of `hits`, or, when it is the next block's first, `escaped` says so.
fn skip_escaped<const W: usize>(bit: u64, hits: &mut u64, escaped: &mut bool) {
    let next = bit << 1;
    if next == 0 || next.checked_shr(W as u32).unwrap_or(0) != 0 {
        *escaped = true;
    } else {
        *hits &= !next;
    }
}

/// For each target, the bytes of the 16-byte `chunk` equal to it (bit `i` for byte `i`), with
/// SSE2's byte compare and mask: a few instructions where a loop over the bytes takes dozens.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
fn lane_masks<const N: usize>(chunk: &[u8], targets: [u8; N]) -> [u16; N] {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set1_epi8, _mm_set_epi64x};
    let (low, high) = halves(chunk);
    // SAFETY: these intrinsics read no memory (the lane is built from two integers); they are
    // `unsafe` only because they need SSE2, which is part of the x86-64 baseline, so every
    // x86-64 processor has it.
    unsafe {
        let lane = _mm_set_epi64x(high as i64, low as i64);
        targets.map(|target| {
            let equal = _mm_cmpeq_epi8(lane, _mm_set1_epi8(target as i8));
            _mm_movemask_epi8(equal) as u16
        })
    }
}

/// For each target, the bytes of the 16-byte `chunk` equal to it (bit `i` for byte `i`), eight
/// bytes at a time in a word: elsewhere than x86-64, and on x86-64 the oracle of a test.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn lane_masks_portable<const N: usize>(chunk: &[u8], targets: [u8; N]) -> [u16; N] {
    let (low, high) = halves(chunk);
    // The high bit of each flagged byte, gathered into the low eight bits.
    let gather = |flags: u64| (((flags >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as u16;
    targets
        .map(|target| gather(equal_bytes(low, target)) | (gather(equal_bytes(high, target)) << 8))
}

#[cfg(not(target_arch = "x86_64"))]
use lane_masks_portable as lane_masks;

/// The 16-byte `chunk` as two little-endian words, its first eight bytes in the first.
fn halves(chunk: &[u8]) -> (u64, u64) {
    let word = |at: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&chunk[at..at + 8]);
        u64::from_le_bytes(bytes)
    };
    (word(0), word(8))
}

/// The high bit of every byte of `word` equal to `target`, and only of those (no carry runs
/// from one byte into the next).
#[cfg(any(test, not(target_arch = "x86_64")))]
fn equal_bytes(word: u64, target: u8) -> u64 {
    const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ (0x0101_0101_0101_0101 * u64::from(target));
    !(((x & LOWS) + LOWS) | x | LOWS)
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
    fn escapes_and_brackets_are_read_right_at_every_offset_in_a_block() {
        // Each value is shifted by 0 to 70 bytes, so every quote, backslash and bracket falls
        // at every position of a 16-byte chunk (strings) and of a 64-byte block (objects and
        // arrays), the last byte included (an escape carried into the next one).
        let values = [
            r#""\\""#,
            r#""a\"b""#,
            r#""\\\"""#,
            r#"{"k":"}\"{","l":["]"]}"#,
            r#"[["\\"],{"x":"[\\\"]"},"]"]"#,
            r#"{"a":{"b":{"c":{}}},"d":"\u0022}"}"#,
            r#""ends with a backslash pair\\""#,
        ];
        // Blocks start where a string's contents or a container start: an escape at every
        // offset from there, the last byte of a block included.
        let shifted: Vec<String> = (0..=70)
            .flat_map(|k| {
                let x = "x".repeat(k);
                [
                    format!(r#""{x}\"]""#),
                    format!(r#"["{x}\"]",1]"#),
                    format!(r#"{{"{x}\"}}":"{x}\\"}}"#),
                ]
            })
            .collect();
        for value in values
            .iter()
            .copied()
            .chain(shifted.iter().map(String::as_str))
        {
            for pad in 0..=70 {
                let json = format!(r#"{{"{}":{value},"z":1}}"#, "p".repeat(pad));
                let [got, z] = members(&json, ["p".repeat(pad).as_str(), "z"]);
                assert_eq!((got, z), (Some(value), Some("1")), "{json}");
                let array = format!("{}[{value},2]", " ".repeat(pad));
                assert_eq!(
                    Scanner::new(&array).value(),
                    Some(array.trim_start()),
                    "{array}"
                );
            }
        }
    }

    #[test]
    fn the_portable_byte_masks_are_the_vector_ones() {
        let bytes = [
            b'"', b'\\', b'{', b'}', b'a', 0x80, 0x7b, 0x22, 0x01, 0xff, b'"',
        ];
        let chunk: Vec<u8> = (0..16).map(|i| bytes[i * 7 % bytes.len()]).collect();
        let targets = [b'"', b'\\', b'{', b'}'];
        for shift in 0..16 {
            let mut rotated = chunk.clone();
            rotated.rotate_left(shift);
            let naive =
                targets.map(|t| (0..16).fold(0u16, |m, i| m | (u16::from(rotated[i] == t) << i)));
            assert_eq!(lane_masks(&rotated, targets), naive);
            assert_eq!(lane_masks_portable(&rotated, targets), naive);
        }
    }

    #[test]
    fn every_member_of_every_fixture_is_skipped_exactly_as_serde_reads_it() {
        // Every JSON fixture of every platform, for the variety of their values.
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../conformance-tests/fixtures"
        ))];
        let mut texts = Vec::new();
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    texts.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        let mut checked = 0;
        for text in texts {
            let Ok(object) = serde_json::from_str::<
                std::collections::BTreeMap<String, &serde_json::value::RawValue>,
            >(&text) else {
                continue;
            };
            let mut scan = Scanner::new(&text);
            assert!(scan.eat(b'{'));
            while let Some(key) = scan.string() {
                assert!(scan.eat(b':'));
                assert_eq!(scan.value(), Some(object[key].get()), "{key} in {text}");
                checked += 1;
                if !scan.eat(b',') {
                    break;
                }
            }
            assert!(scan.eat(b'}'));
        }
        assert!(checked > 200, "only {checked} members checked");
    }

    #[test]
    fn a_stray_http_method_in_a_v2_event_does_not_make_it_v1() {
        // cargo-lambda's Function URL emulator adds `"httpMethod": "GET"` to 2.0 events (and
        // `type`/`methodArn` as null: not an authorizer call).
        let json = r#"{"version":"2.0","httpMethod":"GET","resource":null,"type":null,"methodArn":null,"rawPath":"/p","requestContext":{"http":{"method":"DELETE"},"stage":"$default","resourcePath":null,"domainName":"localhost"}}"#;
        assert_eq!(detect(json.as_bytes()), Shape::ApiGatewayV2);
    }
}
