//! The fields REST API (payload 1.0) and ALB events share: method, path, the single- and
//! multi-value header and query maps, body.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::json::{MultiPairs, Pairs, Str};
use crate::error::{parse, EventError};

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
    pub request_context: Option<&'a RawValue>,
}

impl<'a> PayloadV1<'a> {
    /// Headers as `(name, values)`: `multiValueHeaders` when present, else `headers`.
    /// Also returns the map's name, for error messages.
    pub(crate) fn take_headers(&mut self) -> Result<(MultiPairs<'a>, &'static str), EventError> {
        match self.multi_value_headers.take() {
            Some(multi) => Ok((multi, "multiValueHeaders")),
            None => Ok((single_as_multi(self.headers, "headers")?, "headers")),
        }
    }

    /// Query as `(key, values)`: `multiValueQueryStringParameters` when present, else
    /// `queryStringParameters`.
    pub(crate) fn take_query(&mut self) -> Result<MultiPairs<'a>, EventError> {
        match self.multi_value_query_string_parameters.take() {
            Some(multi) => Ok(multi),
            None => single_as_multi(self.query_string_parameters, "queryStringParameters"),
        }
    }

    /// Whether the event uses the multi-value maps (ALB with multi-value headers on).
    pub(crate) fn is_multi_value(&self) -> bool {
        self.multi_value_headers.is_some() || self.multi_value_query_string_parameters.is_some()
    }
}

fn single_as_multi<'a>(
    raw: Option<&'a RawValue>,
    field: &str,
) -> Result<MultiPairs<'a>, EventError> {
    let Some(raw) = raw else {
        return Ok(MultiPairs::default());
    };
    let pairs: Option<Pairs<'a>> = parse(raw.get(), field)?;
    Ok(MultiPairs(
        pairs
            .unwrap_or_default()
            .0
            .into_iter()
            .map(|(k, v)| (k, vec![v]))
            .collect(),
    ))
}

/// Adds every header of `pairs` to `headers`; errors name `map.name[i]`.
pub(crate) fn add_headers(
    headers: &mut http::HeaderMap,
    pairs: &MultiPairs<'_>,
    map: &str,
) -> Result<(), EventError> {
    for (name, values) in &pairs.0 {
        for (i, value) in values.iter().enumerate() {
            super::append_header(headers, name.as_str(), value.as_str(), || {
                format!("{map}.{}[{i}]", name.as_str())
            })?;
        }
    }
    Ok(())
}

/// The first value of a header, as text.
pub(crate) fn header_str(
    headers: &http::HeaderMap,
    name: http::header::HeaderName,
) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
