//! The handler's [`Response`] as the JSON each HTTP origin expects.
//!
//! | origin | headers |
//! |---|---|
//! | REST v1 | all in `multiValueHeaders` (`headers` is left out: API Gateway merges both maps and would repeat values) |
//! | HTTP API v2, Function URL | `headers` with repeated values joined by `", "`; every `set-cookie` value an element of `cookies` |
//! | ALB, multi-value mode | `multiValueHeaders`, plus `statusDescription` |
//! | ALB, single-value mode | `headers` with repeated values joined by `", "` (only the first `set-cookie` survives: enable multi-value headers on the target group for several), plus `statusDescription` |
//!
//! Text or binary: the body goes out as text when there is no `content-encoding`, the
//! `content-type` is missing or textual (core's [`is_text`]), and the bytes are UTF-8;
//! otherwise it is base64 with `isBase64Encoded: true`.

use std::borrow::Cow;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use http::header::{CONTENT_ENCODING, CONTENT_TYPE, SET_COOKIE};
use http::HeaderMap;
use polyfaas_core::shim::is_text;
use polyfaas_core::Response;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// Which kind of HTTP event a request came in as, which decides the response's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// API Gateway REST API / payload format 1.0: every header in `multiValueHeaders`.
    ApiGatewayV1,
    /// API Gateway HTTP API / payload 2.0: `headers` (repeated values comma-joined) + `cookies`.
    ApiGatewayV2,
    /// A Function URL: the same response format as [`Origin::ApiGatewayV2`].
    FunctionUrl,
    /// An ALB target group, with the header mode the request arrived in: multi-value headers
    /// on (answer in `multiValueHeaders`) or off (answer in `headers`).
    Alb {
        /// Whether the target group has `lambda.multi_value_headers.enabled`.
        multi_value: bool,
    },
}

/// The body as it goes into the JSON, and whether it is base64.
fn body_of(response: &Response) -> (Cow<'_, str>, bool) {
    let headers = response.headers();
    let textual = !headers.contains_key(CONTENT_ENCODING)
        && headers
            .get(CONTENT_TYPE)
            .is_none_or(|ct| ct.to_str().is_ok_and(is_text));
    if textual {
        if let Ok(text) = std::str::from_utf8(response.body()) {
            return (Cow::Borrowed(text), false);
        }
    }
    (Cow::Owned(BASE64.encode(response.body())), true)
}

/// Every header in `{"name": ["v1", "v2"]}` form.
struct MultiValue<'a>(&'a HeaderMap);

impl Serialize for MultiValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.keys_len()))?;
        for name in self.0.keys() {
            map.serialize_entry(name.as_str(), &AllValues(self.0, name))?;
        }
        map.end()
    }
}

struct AllValues<'a>(&'a HeaderMap, &'a http::HeaderName);

impl Serialize for AllValues<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for value in self.0.get_all(self.1) {
            seq.serialize_element(&String::from_utf8_lossy(value.as_bytes()))?;
        }
        seq.end()
    }
}

/// Every header in `{"name": "v1, v2"}` form, leaving out `set-cookie` when `skip_cookies`
/// (v2 puts those in `cookies`) and keeping only its first value otherwise.
pub(crate) struct Joined<'a> {
    pub(crate) headers: &'a HeaderMap,
    pub(crate) skip_cookies: bool,
}

impl Serialize for Joined<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for name in self.headers.keys() {
            let mut values = self.headers.get_all(name).iter();
            if name == SET_COOKIE {
                if self.skip_cookies {
                    continue;
                }
                if let Some(first) = values.next() {
                    map.serialize_entry(name.as_str(), &String::from_utf8_lossy(first.as_bytes()))?;
                }
                continue;
            }
            let Some(first) = values.next() else {
                continue;
            };
            let mut joined = String::from_utf8_lossy(first.as_bytes());
            for value in values {
                let joined = joined.to_mut();
                joined.push_str(", ");
                joined.push_str(&String::from_utf8_lossy(value.as_bytes()));
            }
            map.serialize_entry(name.as_str(), &joined)?;
        }
        map.end()
    }
}

/// Every `set-cookie` value, as a JSON array (payload 2.0's `cookies`).
pub(crate) struct Cookies<'a>(pub(crate) &'a HeaderMap);

impl Serialize for Cookies<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for value in self.0.get_all(SET_COOKIE) {
            seq.serialize_element(&String::from_utf8_lossy(value.as_bytes()))?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct V1Out<'a> {
    status_code: u16,
    multi_value_headers: MultiValue<'a>,
    body: Cow<'a, str>,
    is_base64_encoded: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct V2Out<'a> {
    status_code: u16,
    headers: Joined<'a>,
    cookies: Cookies<'a>,
    body: Cow<'a, str>,
    is_base64_encoded: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AlbOut<'a> {
    status_code: u16,
    status_description: StatusDescription,
    #[serde(skip_serializing_if = "Option::is_none")]
    headers: Option<Joined<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    multi_value_headers: Option<MultiValue<'a>>,
    body: Cow<'a, str>,
    is_base64_encoded: bool,
}

/// The response JSON for `origin`.
///
/// ```
/// use polyfaas_aws::{encode_response, Origin};
/// use polyfaas_core::Response;
///
/// let json = encode_response(Origin::ApiGatewayV2, &Response::text("hi"));
/// assert_eq!(
///     json.get(),
///     r#"{"statusCode":200,"headers":{"content-type":"text/plain; charset=utf-8"},"cookies":[],"body":"hi","isBase64Encoded":false}"#
/// );
/// ```
pub fn encode_response(origin: Origin, response: &Response) -> Box<RawValue> {
    let status_code = response.status().as_u16();
    let headers = response.headers();
    let (body, is_base64_encoded) = body_of(response);
    let json = match origin {
        Origin::ApiGatewayV1 => serde_json::value::to_raw_value(&V1Out {
            status_code,
            multi_value_headers: MultiValue(headers),
            body,
            is_base64_encoded,
        }),
        Origin::ApiGatewayV2 | Origin::FunctionUrl => serde_json::value::to_raw_value(&V2Out {
            status_code,
            headers: Joined {
                headers,
                skip_cookies: true,
            },
            cookies: Cookies(headers),
            body,
            is_base64_encoded,
        }),
        Origin::Alb { multi_value } => serde_json::value::to_raw_value(&AlbOut {
            status_code,
            status_description: StatusDescription(response.status()),
            headers: (!multi_value).then_some(Joined {
                headers,
                skip_cookies: false,
            }),
            multi_value_headers: multi_value.then_some(MultiValue(headers)),
            body,
            is_base64_encoded,
        }),
    };
    // These structs have string keys and plain values only: serialising cannot fail.
    json.unwrap_or_else(|_| RawValue::NULL.to_owned())
}

/// `"200 OK"`, or just the number for a status without a standard reason: written straight
/// into the JSON, with no string of its own.
struct StatusDescription(http::StatusCode);

impl std::fmt::Display for StatusDescription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.canonical_reason() {
            Some(reason) => write!(f, "{} {reason}", self.0.as_u16()),
            None => write!(f, "{}", self.0.as_u16()),
        }
    }
}

impl Serialize for StatusDescription {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::HeaderValue;
    use serde_json::{json, Value};

    fn response() -> Response {
        Response::new(http::StatusCode::CREATED, "done")
            .with_header(CONTENT_TYPE, HeaderValue::from_static("text/plain"))
            .with_header(
                http::header::HeaderName::from_static("x-multi"),
                HeaderValue::from_static("a"),
            )
            .with_header(
                http::header::HeaderName::from_static("x-multi"),
                HeaderValue::from_static("b"),
            )
            .with_header(SET_COOKIE, HeaderValue::from_static("s=1; Path=/"))
            .with_header(SET_COOKIE, HeaderValue::from_static("t=2"))
    }

    fn encoded(origin: Origin, response: &Response) -> Value {
        serde_json::from_str(encode_response(origin, response).get()).unwrap()
    }

    #[test]
    fn v2_keeps_every_value_of_a_repeated_header() {
        // lambda_http 1.3.2 keeps only "a" (aws-lambda-rust-runtime#871).
        for origin in [Origin::ApiGatewayV2, Origin::FunctionUrl] {
            let json = encoded(origin, &response());
            assert_eq!(json["headers"]["x-multi"], "a, b");
            assert_eq!(json["cookies"], json!(["s=1; Path=/", "t=2"]));
            assert!(json["headers"].get("set-cookie").is_none());
            assert_eq!(json["statusCode"], 201);
        }
    }

    #[test]
    fn v1_puts_every_header_in_multi_value_headers_only() {
        let json = encoded(Origin::ApiGatewayV1, &response());
        assert_eq!(json["multiValueHeaders"]["x-multi"], json!(["a", "b"]));
        assert_eq!(
            json["multiValueHeaders"]["set-cookie"],
            json!(["s=1; Path=/", "t=2"])
        );
        assert!(json.get("headers").is_none());
        assert_eq!(json["body"], "done");
        assert_eq!(json["isBase64Encoded"], false);
    }

    #[test]
    fn alb_answers_in_the_request_header_mode() {
        let multi = encoded(Origin::Alb { multi_value: true }, &response());
        assert_eq!(multi["statusDescription"], "201 Created");
        assert_eq!(multi["multiValueHeaders"]["x-multi"], json!(["a", "b"]));
        assert!(multi.get("headers").is_none());
        let single = encoded(Origin::Alb { multi_value: false }, &response());
        assert_eq!(single["headers"]["x-multi"], "a, b");
        assert_eq!(single["headers"]["set-cookie"], "s=1; Path=/");
        assert!(single.get("multiValueHeaders").is_none());
    }

    #[test]
    fn alb_status_description_is_the_number_alone_without_a_standard_reason() {
        let unknown = Response::new(http::StatusCode::from_u16(599).unwrap(), "x");
        let json = encoded(Origin::Alb { multi_value: true }, &unknown);
        assert_eq!(json["statusCode"], 599);
        assert_eq!(json["statusDescription"], "599");
        let teapot = Response::new(http::StatusCode::IM_A_TEAPOT, "x");
        let json = encoded(Origin::Alb { multi_value: false }, &teapot);
        assert_eq!(json["statusDescription"], "418 I'm a teapot");
    }

    #[test]
    fn binary_bodies_go_out_as_base64() {
        let png = Response::new(http::StatusCode::OK, vec![0x89, b'P', b'N', b'G'])
            .with_content_type(HeaderValue::from_static("image/png"));
        let json = encoded(Origin::ApiGatewayV2, &png);
        assert_eq!(json["isBase64Encoded"], true);
        assert_eq!(json["body"], "iVBORw==");
        let gzip =
            Response::text("x").with_header(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        assert_eq!(
            encoded(Origin::ApiGatewayV1, &gzip)["isBase64Encoded"],
            true
        );
        // Declared text that is not UTF-8 cannot be a JSON string: base64 rather than mangled.
        let bad = Response::new(http::StatusCode::OK, vec![0xff, 0xfe])
            .with_content_type(HeaderValue::from_static("text/plain"));
        assert_eq!(encoded(Origin::ApiGatewayV2, &bad)["isBase64Encoded"], true);
        let untyped = Response::new(http::StatusCode::OK, "plain");
        assert_eq!(encoded(Origin::ApiGatewayV2, &untyped)["body"], "plain");
    }
}
