//! `timerTrigger` → `Event::Schedule`: named after the function, at the host's `sys.UtcNow`
//! (the payload has no fire time of its own when `ScheduleStatus` is null); past-due and the
//! schedule status go to the context as a [`TimerInfo`]. A time that is not a time
//! (`sys.UtcNow`, `ScheduleStatus.Last`...) is bad input naming it (`shim::rfc3339`: one rule
//! for schedule times on every platform).

use polyfaas_core::shim::rfc3339;
use polyfaas_core::{BadInput, Extra, Tick};
use serde::Serialize;
use serde_json::Value;

use crate::function_json::FunctionDef;
use crate::json::{get_ci, kind_of};
use crate::payload::{text, utc_time, Envelope};

/// What the timer trigger says besides the tick, an extra of the invocation:
/// `ctx.extra::<polyfaas_azure::TimerInfo>()`.
///
/// ```
/// use polyfaas_azure::TimerInfo;
/// # let ctx = polyfaas_core::Context::builder(polyfaas_core::Provider::AZURE, "1").build();
/// let late = ctx.extra::<TimerInfo>().is_some_and(|t| t.is_past_due);
/// # assert!(!late);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TimerInfo {
    /// `IsPastDue`: the timer fired later than scheduled (the app was down, say).
    pub is_past_due: bool,
    /// `ScheduleStatus.Last`, with `useMonitor`.
    pub last: Option<String>,
    /// `ScheduleStatus.Next`, with `useMonitor`.
    pub next: Option<String>,
    /// `ScheduleStatus.LastUpdated`, with `useMonitor`.
    pub last_updated: Option<String>,
}

impl Extra for TimerInfo {
    const NAME: &'static str = "azure.timer";
}

/// The tick and timer details of a timer trigger's envelope.
pub(crate) fn tick(
    envelope: &Envelope,
    function: &FunctionDef,
) -> Result<(Tick, TimerInfo), BadInput> {
    let binding = &function.trigger.name;
    let field = format!("Data.{binding}");
    let info = match get_ci(&envelope.data, binding) {
        Some(Value::Object(timer)) => {
            let status = get_ci(timer, "ScheduleStatus").and_then(Value::as_object);
            let status_time = |key: &str| -> Result<Option<String>, BadInput> {
                match status.and_then(|s| get_ci(s, key)) {
                    None | Some(Value::Null) => Ok(None),
                    Some(value) => {
                        let path = format!("{field}.ScheduleStatus.{key}");
                        let text = text(value).ok_or_else(|| {
                            BadInput::at(&path, format!("must be a time, not {}", kind_of(value)))
                        })?;
                        utc_time(&text, &path).map(Some)
                    }
                }
            };
            TimerInfo {
                is_past_due: get_ci(timer, "IsPastDue")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                last: status_time("Last")?,
                next: status_time("Next")?,
                last_updated: status_time("LastUpdated")?,
            }
        }
        Some(other) => {
            return Err(BadInput::at(
                field,
                format!("must be the timer object, not {}", kind_of(other)),
            ))
        }
        None => return Err(BadInput::at(field, "missing (the timer object)")),
    };
    let mut tick = Tick::new().named(envelope.method_name().as_deref().unwrap_or(&function.name));
    if let Some(now) = envelope.utc_now() {
        tick = tick.at(rfc3339(&now, "Metadata.sys.UtcNow")?);
    }
    Ok((tick, info))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_timer_object_gives_tick_and_info() {
        let f = FunctionDef::from_json(
            "nightly",
            &json!({"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 2 * * *"}]}),
            std::path::Path::new("x"),
        )
        .unwrap();
        let env = Envelope::from_value(json!({"Data": {"t": {"Schedule": {"AdjustForDST": true},
            "ScheduleStatus": {"Last": "2024-04-30T02:00:00+00:00", "Next": "2024-05-02T02:00:00+00:00"}, "IsPastDue": true}},
            "Metadata": {"sys": {"MethodName": "nightly", "UtcNow": "2024-05-01T02:00:00.5Z"}}}))
        .unwrap();
        let (tick, info) = tick(&env, &f).unwrap();
        assert_eq!(
            tick,
            Tick::new().named("nightly").at("2024-05-01T02:00:00.5Z")
        );
        assert!(info.is_past_due);
        assert_eq!(info.next.as_deref(), Some("2024-05-02T02:00:00+00:00"));

        let env = Envelope::from_value(json!({"Data": {"t": "x"}})).unwrap();
        assert_eq!(
            super::tick(&env, &f).unwrap_err().to_string(),
            "Data.t: must be the timer object, not a string"
        );
    }

    #[test]
    fn times_that_are_not_times_are_refused_naming_them() {
        let f = FunctionDef::from_json(
            "nightly",
            &json!({"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 2 * * *"}]}),
            std::path::Path::new("x"),
        )
        .unwrap();
        let err = |envelope: Value| {
            super::tick(&Envelope::from_value(envelope).unwrap(), &f)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(json!({"Data": {"t": {}}, "Metadata": {"sys": {"UtcNow": "-1"}}})),
            "Metadata.sys.UtcNow: \"-1\" is not an RFC 3339 date-time"
        );
        assert_eq!(
            err(json!({"Data": {"t": {"ScheduleStatus": {"Next": "tomorrow"}}}})),
            "Data.t.ScheduleStatus.Next: \"tomorrow\" is not a date-time"
        );
        assert_eq!(
            err(json!({"Data": {"t": {"ScheduleStatus": {"Last": [1]}}}})),
            "Data.t.ScheduleStatus.Last: must be a time, not an array"
        );
        // A .NET DateTime without an offset is UTC.
        let env = Envelope::from_value(json!({"Data": {"t": {"ScheduleStatus":
            {"LastUpdated": "2026-02-28T02:00:00.5"}}}}))
        .unwrap();
        let (_, info) = super::tick(&env, &f).unwrap();
        assert_eq!(info.last_updated.as_deref(), Some("2026-02-28T02:00:00.5Z"));
    }
}
