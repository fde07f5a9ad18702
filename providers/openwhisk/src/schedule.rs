//! Alarms: an OpenWhisk alarm trigger fires its rule's action with the trigger's payload, which
//! nothing tells apart from any other invocation. `cargo polyfaas package` puts a mark in the
//! payload of every alarm it declares; an activation carrying it is a schedule.

use polyfaas_core::{BadInput, Tick};
use serde_json::Value;

/// The parameter that marks an activation as an alarm: the schedule's name.
///
/// The rule, documented in the README: an activation is an `Event::Schedule` exactly when its
/// parameters have this key; nothing else (a web action, any other parameter) ever becomes a
/// schedule.
pub const SCHEDULE_PARAMETER: &str = "polyfaas_schedule";

/// The tick of an activation whose parameters carry the mark, `None` for any other activation.
pub(crate) fn tick(params: &Value) -> Result<Option<Tick>, BadInput> {
    match params.get(SCHEDULE_PARAMETER) {
        None => Ok(None),
        Some(Value::String(name)) if !name.is_empty() => Ok(Some(Tick::new().named(name))),
        Some(_) => Err(BadInput::at(
            SCHEDULE_PARAMETER,
            "must be the schedule's name, a non-empty string",
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_the_mark_makes_a_schedule() {
        let tick = tick(&json!({"polyfaas_schedule": "nightly", "other": 1})).unwrap();
        assert_eq!(tick, Some(Tick::new().named("nightly")));
        assert_eq!(tick_of(json!({"schedule": "nightly"})), None);
        assert_eq!(tick_of(json!({})), None);
        let err = super::tick(&json!({"polyfaas_schedule": 7})).unwrap_err();
        assert!(
            err.to_string().starts_with("polyfaas_schedule: must be"),
            "{err}"
        );
    }

    fn tick_of(params: Value) -> Option<Tick> {
        tick(&params).unwrap()
    }
}
