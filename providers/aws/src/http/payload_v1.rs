//! The fields REST API (payload 1.0) and ALB events share: method, path, the single- and
//! multi-value header and query maps, body.

use bytes::Bytes;
use polyfaas_core::shim::http_method;
use polyfaas_core::{BadInput, Request};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::parts;
use crate::detect::{ContextKeys, TopLevel, PRESENT};
use crate::json::{parse, MultiPairs, Pairs, Str};

/// How an event's query keys and values are written into the URI.
#[derive(Clone, Copy)]
pub(crate) enum QueryValues {
    /// API Gateway decoded them: encode them again.
    Decoded,
    /// ALB left them as the client sent them: pass them through.
    Encoded,
}

/// A payload-1.0-like event. The single-value maps are left unparsed until needed: API Gateway
/// sends both, and only the multi-value one is read then.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PayloadV1<'a> {
    #[serde(borrow)]
    pub http_method: Str<'a>,
    #[serde(borrow, default)]
    pub path: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub headers: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub multi_value_headers: Option<MultiPairs<'a>>,
    #[serde(borrow, default)]
    pub query_string_parameters: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub multi_value_query_string_parameters: Option<MultiPairs<'a>>,
    #[serde(borrow, default)]
    pub body: Option<Str<'a>>,
    #[serde(default)]
    pub is_base64_encoded: Option<bool>,
    #[serde(borrow, default)]
    pub request_context: Option<RequestContext<'a>>,
    // Read for detection's rules only, as raw values (see `top_level`).
    #[serde(borrow, default)]
    version: Option<&'a RawValue>,
    #[serde(borrow, default)]
    raw_path: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "type")]
    kind: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method_arn: Option<&'a RawValue>,
    #[serde(borrow, default)]
    route_arn: Option<&'a RawValue>,
}

/// What the shim reads of a REST API `requestContext` (an ALB's has none of it), and the
/// members detection tells REST API and ALB events apart by (read in this same pass, see
/// [`PayloadV1::context_keys`]).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RequestContext<'a> {
    #[serde(borrow, default)]
    pub identity: Option<Identity<'a>>,
    #[serde(borrow, default)]
    pub domain_name: Option<Str<'a>>,
    #[serde(default)]
    elb: Option<IgnoredAny>,
    #[serde(default)]
    stage: Option<IgnoredAny>,
    #[serde(default)]
    resource_path: Option<IgnoredAny>,
    #[serde(default)]
    connection_id: Option<IgnoredAny>,
}

/// `requestContext.identity`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Identity<'a> {
    #[serde(borrow, default)]
    pub source_ip: Option<Str<'a>>,
}

impl<'a> PayloadV1<'a> {
    /// The event in `text`, strictly.
    pub(crate) fn parse(text: &'a str) -> Result<Self, BadInput> {
        parse(text, "")
    }

    /// The top-level members detection reads, as this parse read them.
    pub(crate) fn top_level(&self) -> TopLevel<'a> {
        TopLevel::of_http(
            self.version.map(RawValue::get),
            Some(PRESENT),
            self.raw_path.map(RawValue::get),
            self.request_context.is_some(),
            self.kind.map(RawValue::get),
            self.method_arn.map(RawValue::get),
            self.route_arn.map(RawValue::get),
        )
    }

    /// Which of the members detection reads `requestContext` has (`http` is not read: detection
    /// looks at it for payload 2.0 only, see `http::parse_direct`).
    pub(crate) fn context_keys(&self) -> ContextKeys {
        self.request_context
            .as_ref()
            .map_or_else(ContextKeys::default, |c| ContextKeys {
                elb: c.elb.is_some(),
                stage: c.stage.is_some(),
                resource_path: c.resource_path.is_some(),
                connection_id: c.connection_id.is_some(),
                ..ContextKeys::default()
            })
    }

    /// Headers as `(name, values)`: `multiValueHeaders` when present, else `headers`.
    /// Also returns the map's name, for error messages.
    pub(crate) fn take_headers(&mut self) -> Result<(MultiPairs<'a>, &'static str), BadInput> {
        match self.multi_value_headers.take() {
            Some(multi) => Ok((multi, "multiValueHeaders")),
            None => Ok((single_as_multi(self.headers, "headers")?, "headers")),
        }
    }

    /// Query as `(key, values)`: `multiValueQueryStringParameters` when present, else
    /// `queryStringParameters`.
    pub(crate) fn take_query(&mut self) -> Result<MultiPairs<'a>, BadInput> {
        match self.multi_value_query_string_parameters.take() {
            Some(multi) => Ok(multi),
            None => single_as_multi(self.query_string_parameters, "queryStringParameters"),
        }
    }

    /// The request: method, path (kept as given, never with a stage added), the query
    /// rebuilt in the event's order, every header value, the body. The URI's host is the
    /// `host` header, else `default_host`; its scheme `x-forwarded-proto`, else https.
    pub(crate) fn into_request(
        mut self,
        payload: &Bytes,
        query: QueryValues,
        default_host: Option<&str>,
    ) -> Result<Request, BadInput> {
        let method = http_method(self.http_method.as_str(), "httpMethod")?;

        let mut path_and_query = String::with_capacity(128);
        parts::encode_path(
            self.path.as_ref().map_or("/", Str::as_str),
            &mut path_and_query,
        );
        push_query(&self.take_query()?, query, &mut path_and_query);

        let (pairs, map) = self.take_headers()?;
        // Sized once: growing a header map rehashes it.
        let mut headers = http::HeaderMap::with_capacity(parts::header_capacity(pairs.0.len()));
        add_headers(&mut headers, payload, &pairs, map)?;

        let host = header_str(&headers, http::header::HOST).or(default_host);
        let scheme = header_str(
            &headers,
            http::header::HeaderName::from_static("x-forwarded-proto"),
        );
        let uri = parts::uri(payload, scheme, host, path_and_query, "path")?;

        let body = parts::body(
            payload,
            self.body.as_ref(),
            self.is_base64_encoded.unwrap_or(false),
        )?;
        let mut request = Request::new(body);
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        Ok(request)
    }

    /// Whether the event uses the multi-value maps (ALB with multi-value headers on).
    pub(crate) fn is_multi_value(&self) -> bool {
        self.multi_value_headers.is_some() || self.multi_value_query_string_parameters.is_some()
    }
}

fn single_as_multi<'a>(raw: Option<&'a RawValue>, field: &str) -> Result<MultiPairs<'a>, BadInput> {
    let Some(raw) = raw else {
        return Ok(MultiPairs::default());
    };
    let pairs: Option<Pairs<'a>> = parse(raw.get(), field)?;
    Ok(MultiPairs(
        pairs
            .unwrap_or_default()
            .0
            .into_iter()
            .map(|(k, v)| (k, v, 0))
            .collect(),
    ))
}

/// `?k=v&k=v2&...` in the event's order; nothing when empty.
fn push_query(query: &MultiPairs<'_>, form: QueryValues, out: &mut String) {
    let push = match form {
        QueryValues::Decoded => parts::push_encoded_component,
        QueryValues::Encoded => parts::push_raw_query,
    };
    for (n, (key, value, _)) in query.0.iter().enumerate() {
        out.push(if n == 0 { '?' } else { '&' });
        push(key.as_str(), out);
        out.push('=');
        push(value.as_str(), out);
    }
}

/// Adds every header of `pairs` to `headers`; errors name `map.name[i]`.
fn add_headers(
    headers: &mut http::HeaderMap,
    payload: &Bytes,
    pairs: &MultiPairs<'_>,
    map: &str,
) -> Result<(), BadInput> {
    for (name, value, i) in &pairs.0 {
        parts::append_header(headers, payload, name.as_str(), value.as_str(), || {
            format!("{map}.{}[{i}]", name.as_str())
        })?;
    }
    Ok(())
}

/// The first value of a header, as text.
fn header_str(headers: &http::HeaderMap, name: http::header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
