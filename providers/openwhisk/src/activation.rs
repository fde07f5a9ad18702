//! One activation as the proxy hands it over: the `/run` body (ActionLoop: one stdin line) or,
//! in blackbox mode, the argument plus the `__OW_*` environment.

use std::fmt;

use polyfaas_core::shim::parse_at;
use polyfaas_core::{BadInput, Extra};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// What OpenWhisk tells about the running activation, apart from its parameters: a platform
/// [`Extra`] named `openwhisk.activation`.
///
/// Handlers read it from the context: `ctx.extra::<ActivationInfo>()`. Each field is `None`
/// when the platform did not send it (an action annotated `provide-api-key: false` gets no
/// [`api_key`](Self::api_key)). It serialises (in `ctx.extras().to_json()`) without the API key.
///
/// ```
/// use polyfaas_openwhisk::{ActivationInfo, ApiKey};
///
/// let mut info = ActivationInfo::default();
/// info.activation_id = Some("a-1".into());
/// info.api_key = Some(ApiKey::new("uuid:secret"));
/// let json = serde_json::to_string(&info).unwrap();
/// assert!(json.contains("a-1") && !json.contains("secret"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ActivationInfo {
    /// The namespace the action runs in.
    pub namespace: Option<String>,
    /// The fully qualified action name, such as `/guest/pkg/echo` (also the context's function
    /// name).
    pub action_name: Option<String>,
    /// The action's version, such as `0.0.1`.
    pub action_version: Option<String>,
    /// The activation id, also the context's request id. When the platform sent none, the
    /// context's request id is a generated one (`openwhisk-<start time>-<n>`) and this stays
    /// `None`.
    pub activation_id: Option<String>,
    /// The transaction id of the request that caused the activation (also the context's trace
    /// id).
    pub transaction_id: Option<String>,
    /// The key to call the OpenWhisk API as the action's owner. Never logged, never serialised.
    #[serde(skip)]
    pub api_key: Option<ApiKey>,
}

impl Extra for ActivationInfo {
    const NAME: &'static str = "openwhisk.activation";
}

/// The activation's API key. `Debug` and `Display` print `***`, so it cannot reach a log by
/// accident; [`ApiKey::expose`] gives the key itself.
///
/// ```
/// use polyfaas_openwhisk::ApiKey;
///
/// let key = ApiKey::new("uuid:secret");
/// assert_eq!(format!("{key:?} {key}"), "ApiKey(***) ***");
/// assert_eq!(key.expose(), "uuid:secret");
/// ```
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }

    /// The key itself, to authenticate calls to the OpenWhisk API.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// One activation: the parameters, what the platform tells about it, and its deadline.
#[derive(Debug, PartialEq)]
pub(crate) struct Activation {
    /// The action's parameters (`value`): a JSON object, or an array for sequences.
    pub(crate) value: Value,
    pub(crate) info: ActivationInfo,
    /// The deadline in milliseconds since the Unix epoch.
    pub(crate) deadline_ms: Option<u64>,
}

/// The `/run` body, field by field; other fields the invoker may add are ignored.
#[derive(Deserialize)]
struct RunBody {
    #[serde(default = "empty_object")]
    value: Value,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    action_name: Option<String>,
    #[serde(default)]
    action_version: Option<String>,
    #[serde(default)]
    activation_id: Option<String>,
    #[serde(default)]
    transaction_id: Option<String>,
    #[serde(default, deserialize_with = "deadline")]
    deadline: Option<u64>,
    #[serde(default)]
    api_key: Option<ApiKey>,
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

impl Activation {
    /// Reads one ActionLoop input line: the whole `/run` body as one JSON object.
    pub(crate) fn from_line(line: &[u8]) -> Result<Activation, BadInput> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // A serde struct also accepts a JSON array (its fields by position): refuse that first.
        let not_an_object =
            |what: &str| BadInput::new(format!("the activation line is {what}, not a JSON object"));
        match line.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => {}
            None => return Err(not_an_object("an empty line")),
            Some(b'[') => return Err(not_an_object("an array")),
            Some(_) => return Err(not_an_object("not a JSON object")),
        }
        let body: RunBody = parse_at(line, "").map_err(invalid_line)?;
        Ok(Activation {
            value: body.value,
            info: ActivationInfo {
                namespace: body.namespace,
                action_name: body.action_name,
                action_version: body.action_version,
                activation_id: body.activation_id,
                transaction_id: body.transaction_id,
                api_key: body.api_key,
            },
            deadline_ms: body.deadline,
        })
    }

    /// A blackbox activation: the parameters from the argument, the rest from the `__OW_*`
    /// variables the blackbox proxy sets for each run.
    pub(crate) fn from_env(
        value: Value,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Activation, BadInput> {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        let deadline_ms = match var("__OW_DEADLINE") {
            Some(text) => Some(parse_deadline(&text).ok_or_else(|| {
                BadInput::new(format!(
                    "__OW_DEADLINE={text:?} is not a time in milliseconds since the Unix epoch"
                ))
            })?),
            None => None,
        };
        Ok(Activation {
            value,
            info: ActivationInfo {
                namespace: var("__OW_NAMESPACE"),
                action_name: var("__OW_ACTION_NAME"),
                action_version: var("__OW_ACTION_VERSION"),
                activation_id: var("__OW_ACTIVATION_ID"),
                transaction_id: var("__OW_TRANSACTION_ID"),
                api_key: var("__OW_API_KEY").map(ApiKey),
            },
            deadline_ms,
        })
    }
}

/// A `/run` body that does not read, said the way OpenWhisk users read it: the activation's field
/// in backquotes, or the line as a whole. The API key's value never shows: serde's messages
/// quote the offending value, so a bad `api_key` is only said to be one, without the source.
fn invalid_line(error: BadInput) -> BadInput {
    match error.path() {
        "" | "." | "?" => BadInput::new(format!(
            "the activation line is not valid JSON: {}",
            error.message()
        ))
        .with_source(error),
        path if path == "api_key" || path.starts_with("api_key.") => {
            BadInput::new("the activation's `api_key` is not valid: must be a string")
        }
        path => BadInput::new(format!(
            "the activation's `{path}` is not valid: {}",
            error.message()
        ))
        .with_source(error),
    }
}

/// `deadline`: epoch milliseconds as a string (what the controller sends) or a number (what the
/// ActionLoop docs say); `""` or `null` mean none.
fn deadline<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let bad = |what: String| {
        serde::de::Error::custom(format!(
            "{what} is not a time in milliseconds since the Unix epoch"
        ))
    };
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        Value::String(text) if text.is_empty() => Ok(None),
        Value::String(text) => parse_deadline(&text)
            .map(Some)
            .ok_or_else(|| bad(format!("{text:?}"))),
        Value::Number(n) => n
            .as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            })
            .map(Some)
            .ok_or_else(|| bad(n.to_string())),
        other => Err(bad(other.to_string())),
    }
}

fn parse_deadline(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_run_body_with_every_field() {
        let line = br#"{"value":{"a":1},"namespace":"guest","action_name":"/guest/echo","action_version":"0.0.1","activation_id":"a1","transaction_id":"t1","deadline":"1732240000000","api_key":"u:k","extra":true}"#;
        let activation = Activation::from_line(line).unwrap();
        assert_eq!(activation.value, json!({"a": 1}));
        assert_eq!(activation.deadline_ms, Some(1_732_240_000_000));
        assert_eq!(activation.info.action_name.as_deref(), Some("/guest/echo"));
        assert_eq!(activation.info.api_key.as_ref().unwrap().expose(), "u:k");
    }

    #[test]
    fn the_deadline_may_be_a_number_empty_or_absent() {
        let at = |line: &str| Activation::from_line(line.as_bytes()).unwrap().deadline_ms;
        assert_eq!(at(r#"{"deadline": 123}"#), Some(123));
        assert_eq!(at(r#"{"deadline": ""}"#), None);
        assert_eq!(at(r#"{"value": {}}"#), None);
        let err = Activation::from_line(br#"{"deadline": "soon"}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the activation's `deadline` is not valid: \"soon\" is not a time in milliseconds since the Unix epoch"
        );
    }

    #[test]
    fn a_missing_value_is_an_empty_object() {
        let activation = Activation::from_line(br#"{"activation_id": "x"}"#).unwrap();
        assert_eq!(activation.value, json!({}));
    }

    #[test]
    fn malformed_lines_are_named() {
        let err = |line: &str| {
            Activation::from_line(line.as_bytes())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(""),
            "the activation line is an empty line, not a JSON object"
        );
        assert_eq!(
            err("[1]"),
            "the activation line is an array, not a JSON object"
        );
        assert_eq!(
            err("{\"value\": {}\n"),
            "the activation line is not valid JSON: EOF while parsing an object"
        );
        assert!(err("{} {}").contains("trailing characters"));
        assert_eq!(
            err(r#"{"namespace": 5}"#),
            "the activation's `namespace` is not valid: invalid type: integer `5`, expected a string"
        );
    }

    #[test]
    fn the_api_key_never_shows() {
        let line = br#"{"api_key":"uuid:very-secret","activation_id":"a"}"#;
        let activation = Activation::from_line(line).unwrap();
        assert!(!format!("{activation:?}").contains("very-secret"));
        for line in [
            &br#"{"api_key": 424242}"#[..],
            br#"{"api_key": {"424242": 1}}"#,
        ] {
            let err = Activation::from_line(line).unwrap_err();
            assert!(!format!("{err} {err:?}").contains("424242"), "{err:?}");
        }
    }

    #[test]
    fn the_api_key_is_not_serialised() {
        let line = br#"{"api_key":"uuid:very-secret","activation_id":"a","namespace":"guest"}"#;
        let info = Activation::from_line(line).unwrap().info;
        let ctx = polyfaas_core::Context::builder(polyfaas_core::Provider::OPENWHISK, "a")
            .extra(info)
            .build();
        let extras = serde_json::Value::Object(ctx.extras().to_json());
        assert_eq!(extras["openwhisk.activation"]["namespace"], "guest");
        assert_eq!(extras["openwhisk.activation"]["activation_id"], "a");
        assert!(!extras.to_string().contains("very-secret"), "{extras}");
        assert!(extras["openwhisk.activation"].get("api_key").is_none());
        let info = ctx.extra::<ActivationInfo>().unwrap();
        assert_eq!(info.api_key.as_ref().unwrap().expose(), "uuid:very-secret");
    }

    #[test]
    fn blackbox_activations_read_the_environment() {
        let env = |name: &str| {
            Some(
                match name {
                    "__OW_ACTIVATION_ID" => "b1",
                    "__OW_ACTION_NAME" => "/guest/echo",
                    "__OW_DEADLINE" => "99",
                    "__OW_API_KEY" => "k",
                    _ => "",
                }
                .to_owned(),
            )
        };
        let activation = Activation::from_env(json!([1]), env).unwrap();
        assert_eq!(activation.deadline_ms, Some(99));
        assert_eq!(activation.info.activation_id.as_deref(), Some("b1"));
        assert_eq!(activation.info.namespace, None);
        let bad = Activation::from_env(json!({}), |_| Some("x".to_owned())).unwrap_err();
        assert_eq!(
            bad.to_string(),
            "__OW_DEADLINE=\"x\" is not a time in milliseconds since the Unix epoch"
        );
    }
}
