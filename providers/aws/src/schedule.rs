//! EventBridge scheduled rules (`"detail-type": "Scheduled Event"`): one [`Tick`].
//!
//! `name` is the rule's name: `resources[0]` after `rule/`; `time` is `time` as EventBridge
//! wrote it, which must be an RFC 3339 date-time (`shim::rfc3339`: a `"time": "-1"`, as some
//! test tools send, is an `InvalidEvent` naming `time`). EventBridge *Scheduler* targets get
//! only the schedule's own input, with no envelope, so they arrive as invocations.

use polyfaas_core::shim::rfc3339;
use polyfaas_core::{BadInput, Tick};
use serde::Deserialize;

use crate::json::{parse, Str};

#[derive(Deserialize)]
struct Scheduled<'a> {
    #[serde(borrow, default)]
    time: Option<Str<'a>>,
    #[serde(borrow, default)]
    resources: Vec<Str<'a>>,
}

pub(crate) fn decode(text: &str) -> Result<Tick, BadInput> {
    let event: Scheduled<'_> = parse(text, "")?;
    let mut tick = Tick::new();
    if let Some(rule) = event.resources.first() {
        let arn = rule.as_str();
        let name = arn.split_once(":rule/").map_or(arn, |(_, name)| name);
        tick = tick.named(name);
    }
    if let Some(time) = event.time {
        tick = tick.at(rfc3339(time.as_str(), "time")?);
    }
    Ok(tick)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_name_comes_from_the_resource_arn() {
        let tick = decode(r#"{"time":"2024-05-01T02:00:00Z","resources":["arn:aws:events:eu-west-1:1:rule/nightly"]}"#).unwrap();
        assert_eq!(tick.name.as_deref(), Some("nightly"));
        assert_eq!(tick.time.as_deref(), Some("2024-05-01T02:00:00Z"));
        assert_eq!(
            decode(r#"{"resources":[5]}"#).unwrap_err().to_string(),
            "resources[0]: invalid type: integer `5`, expected a string"
        );
    }

    #[test]
    fn a_time_that_is_not_rfc_3339_is_refused_naming_the_field() {
        let err = decode(r#"{"time":"-1","resources":["arn:aws:events:eu-west-1:1:rule/r"]}"#)
            .unwrap_err();
        assert_eq!(err.to_string(), "time: \"-1\" is not an RFC 3339 date-time");
        assert_eq!(decode(r#"{"resources":[]}"#).unwrap().time, None);
    }
}
