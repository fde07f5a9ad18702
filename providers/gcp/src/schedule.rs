//! Cloud Scheduler calls as schedules, by one rule: only a mark makes a schedule.
//!
//! | how the job calls | the mark | `name` | `time` |
//! |---|---|---|---|
//! | HTTP target, the job made by `cargo polyfaas package` | header `x-polyfaas-schedule: <name>` | the header's value | `X-CloudScheduler-ScheduleTime` |
//! | HTTP target, any other job | header `X-CloudScheduler: true` (Cloud Scheduler's own) | `X-CloudScheduler-JobName` | `X-CloudScheduler-ScheduleTime` |
//! | Pub/Sub target (through Eventarc, a push, or a legacy event) | message attribute `polyfaas_schedule=<name>` | the attribute's value | the message's `publishTime` |
//!
//! Anything else is not a schedule: a plain HTTP request stays
//! [`Event::Http`](polyfaas_core::Event::Http) whatever its
//! method, path, body or `User-Agent` (`Google-Cloud-Scheduler` alone is not a mark), and a
//! `X-CloudScheduler-JobName` or `-ScheduleTime` header without one of the marks is just a
//! header. The header marks count on every signature type (an `http` function and an event
//! function alike, any method); an `http` function's body is never parsed to look for the
//! Pub/Sub mark (the generated deployment sends Pub/Sub targets to event functions only). A time
//! that is there but not RFC 3339 is bad input naming the header or field
//! ([`polyfaas_core::shim::rfc3339`]).

use crate::headers::header;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use http::HeaderMap;
use polyfaas_core::shim::rfc3339;
use polyfaas_core::{BadInput, Extra, Tick};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// The header `cargo polyfaas package` puts on Cloud Scheduler's HTTP calls.
pub const MARK_HEADER: &str = "x-polyfaas-schedule";

/// The message attribute `cargo polyfaas package` puts on Cloud Scheduler's Pub/Sub messages.
pub const MARK_ATTRIBUTE: &str = "polyfaas_schedule";

/// Cloud Scheduler's own header on its HTTP calls (`true`).
pub const SCHEDULER_HEADER: &str = "x-cloudscheduler";
/// The job's name on Cloud Scheduler's HTTP calls.
pub const JOB_NAME_HEADER: &str = "x-cloudscheduler-jobname";
/// The time the call was scheduled for (cron jobs), RFC 3339.
pub const SCHEDULE_TIME_HEADER: &str = "x-cloudscheduler-scheduletime";

/// A Cloud Scheduler HTTP-target call, as it arrived: the extra `gcp.scheduler` of the
/// [`Event::Schedule`](polyfaas_core::Event::Schedule) it became, for what the tick leaves out
/// (the job's full name when the mark names the schedule, the body the job was configured with).
///
/// ```no_run
/// use polyfaas_core::{Context, Error, Event, Response};
/// use polyfaas_gcp::SchedulerCall;
///
/// async fn handle(event: Event, ctx: Context) -> Result<Response, Error> {
///     if let (Event::Schedule(tick), Some(call)) = (&event, ctx.extra::<SchedulerCall>()) {
///         tracing::info!(job = ?call.job_name, body = call.body.len(), "tick {:?}", tick.name);
///     }
///     Ok(Response::ok())
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SchedulerCall {
    /// `x-polyfaas-schedule`, when the generated job sent it.
    pub mark: Option<String>,
    /// `X-CloudScheduler-JobName`.
    pub job_name: Option<String>,
    /// `X-CloudScheduler-ScheduleTime` (cron jobs only).
    pub schedule_time: Option<String>,
    /// The request's method (Cloud Scheduler's default is `POST`).
    pub method: String,
    /// The request's path and query.
    pub path: String,
    /// The body the job sends, if any (`body_base64` in the JSON).
    pub body: Bytes,
}

impl Extra for SchedulerCall {
    const NAME: &'static str = "gcp.scheduler";
}

impl Serialize for SchedulerCall {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(6))?;
        map.serialize_entry("mark", &self.mark)?;
        map.serialize_entry("job_name", &self.job_name)?;
        map.serialize_entry("schedule_time", &self.schedule_time)?;
        map.serialize_entry("method", &self.method)?;
        map.serialize_entry("path", &self.path)?;
        map.serialize_entry("body_base64", &BASE64.encode(&self.body))?;
        map.end()
    }
}

/// Whether a request carries a schedule mark (see the [module docs](self)): a non-empty
/// `x-polyfaas-schedule`, or `X-CloudScheduler: true`.
///
/// ```
/// use http::HeaderMap;
/// use polyfaas_gcp::schedule::is_marked;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("user-agent", "Google-Cloud-Scheduler".parse().unwrap());
/// assert!(!is_marked(&headers));
/// headers.insert("x-cloudscheduler", "true".parse().unwrap());
/// assert!(is_marked(&headers));
/// ```
pub fn is_marked(headers: &HeaderMap) -> bool {
    header(headers, MARK_HEADER).is_some()
        || header(headers, SCHEDULER_HEADER).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The tick and the call of a marked request (the caller checked [`is_marked`]).
pub(crate) fn from_call(
    headers: &HeaderMap,
    method: &str,
    path: String,
    body: Bytes,
) -> Result<(Tick, SchedulerCall), BadInput> {
    let text = |name: &str| -> Result<Option<String>, BadInput> {
        match headers.get(name) {
            None => Ok(None),
            Some(value) => match value.to_str() {
                Ok(text) => Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty())),
                Err(_) => Err(BadInput::at(name, "not a text header value")),
            },
        }
    };
    let call = SchedulerCall {
        mark: text(MARK_HEADER)?,
        job_name: text(JOB_NAME_HEADER)?,
        schedule_time: text(SCHEDULE_TIME_HEADER)?
            .map(|time| rfc3339(&time, SCHEDULE_TIME_HEADER))
            .transpose()?,
        method: method.to_owned(),
        path,
        body,
    };
    let mut tick = Tick::new();
    tick.name = call.mark.clone().or_else(|| call.job_name.clone());
    tick.time = call.schedule_time.clone();
    Ok((tick, call))
}

/// The tick of a Pub/Sub message carrying [`MARK_ATTRIBUTE`] (`None` without it): the
/// attribute names the schedule, the message's `publishTime` (checked as RFC 3339, naming
/// `time_field`) is its time.
pub(crate) fn from_message(
    attributes: &std::collections::BTreeMap<String, String>,
    publish_time: Option<&str>,
    time_field: &str,
) -> Result<Option<Tick>, BadInput> {
    let Some(name) = attributes
        .get(MARK_ATTRIBUTE)
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
    else {
        return Ok(None);
    };
    let mut tick = Tick::new().named(name);
    tick.time = publish_time.map(|t| rfc3339(t, time_field)).transpose()?;
    Ok(Some(tick))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::headers;

    #[test]
    fn only_marks_make_schedules() {
        for plain in [
            &[][..],
            &[("user-agent", "Google-Cloud-Scheduler")],
            &[
                (JOB_NAME_HEADER, "nightly"),
                (SCHEDULE_TIME_HEADER, "2026-03-01T02:00:00Z"),
            ],
            &[(SCHEDULER_HEADER, "false")],
            &[(MARK_HEADER, " ")],
        ] {
            assert!(!is_marked(&headers(plain)), "{plain:?}");
        }
        assert!(is_marked(&headers(&[(MARK_HEADER, "nightly")])));
        assert!(is_marked(&headers(&[(SCHEDULER_HEADER, "True")])));
    }

    #[test]
    fn the_mark_names_the_schedule_before_the_job() {
        let map = headers(&[
            (MARK_HEADER, "nightly"),
            (SCHEDULER_HEADER, "true"),
            (JOB_NAME_HEADER, "demo-nightly"),
            (SCHEDULE_TIME_HEADER, "2026-03-01T02:00:00Z"),
        ]);
        let (tick, call) = from_call(&map, "POST", "/".into(), Bytes::from_static(b"{}")).unwrap();
        assert_eq!(
            tick,
            Tick::new().named("nightly").at("2026-03-01T02:00:00Z")
        );
        assert_eq!(call.job_name.as_deref(), Some("demo-nightly"));
        let json = serde_json::to_value(&call).unwrap();
        assert_eq!(json["body_base64"], "e30=");
        assert_eq!(json["mark"], "nightly");
        let map = headers(&[
            (SCHEDULER_HEADER, "true"),
            (JOB_NAME_HEADER, "demo-nightly"),
        ]);
        let (tick, _) = from_call(&map, "GET", "/".into(), Bytes::new()).unwrap();
        assert_eq!(tick, Tick::new().named("demo-nightly"));
        let map = headers(&[(SCHEDULER_HEADER, "true")]);
        assert_eq!(
            from_call(&map, "POST", "/".into(), Bytes::new()).unwrap().0,
            Tick::new()
        );
    }

    #[test]
    fn a_time_that_is_not_rfc3339_is_named() {
        let map = headers(&[(MARK_HEADER, "n"), (SCHEDULE_TIME_HEADER, "-1")]);
        let err = from_call(&map, "POST", "/".into(), Bytes::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x-cloudscheduler-scheduletime: \"-1\" is not an RFC 3339 date-time"
        );
    }

    #[test]
    fn pubsub_marks() {
        let mut attributes = std::collections::BTreeMap::new();
        assert_eq!(from_message(&attributes, Some("x"), "t").unwrap(), None);
        attributes.insert(MARK_ATTRIBUTE.to_owned(), "hourly".to_owned());
        assert_eq!(
            from_message(&attributes, Some("2026-03-01T02:00:00.5Z"), "t").unwrap(),
            Some(Tick::new().named("hourly").at("2026-03-01T02:00:00.5Z"))
        );
        assert_eq!(
            from_message(&attributes, None, "t").unwrap(),
            Some(Tick::new().named("hourly"))
        );
        let err =
            from_message(&attributes, Some("yesterday"), "data.message.publishTime").unwrap_err();
        assert!(
            err.to_string().starts_with("data.message.publishTime: "),
            "{err}"
        );
    }
}
