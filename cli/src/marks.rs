//! Schedule marks: how a generated deployment tells the shim "this call is a schedule".
//!
//! On AWS (an EventBridge `Scheduled Event`) and Azure (a `timerTrigger`) the platform's call is
//! unmistakably a schedule. Elsewhere it is not, so the package marks the call and the shim
//! recognises the mark and hands the handler `Event::Schedule` with the mark's value as the
//! schedule's name:
//!
//! | platform | how the schedule calls | the mark |
//! |---|---|---|
//! | Google Cloud, Cloud Scheduler HTTP target | `POST` to the service | header [`HTTP_HEADER`]` = <schedule name>` (Cloud Scheduler adds its own `X-CloudScheduler-*` headers besides) |
//! | Google Cloud, Cloud Scheduler Pub/Sub target | a Pub/Sub message through Eventarc | message attribute [`PUBSUB_ATTRIBUTE`]` = <schedule name>` |
//! | OpenWhisk, `/whisk.system/alarms/alarm` or `/interval` feed | the trigger fires the rule's action | trigger payload parameter [`OPENWHISK_PARAMETER`]` = <schedule name>` |
//!
//! A plain HTTP request carries none of these unless a caller adds them; the generated
//! deployments put the header only on Cloud Scheduler's jobs.
//!
//! ```
//! use polyfaas_cli::marks;
//!
//! assert_eq!(marks::HTTP_HEADER, "x-polyfaas-schedule");
//! assert_eq!(marks::openwhisk_payload("nightly")["polyfaas_schedule"], "nightly");
//! ```

use serde_json::{json, Value};

/// The header on Cloud Scheduler's HTTP calls.
pub const HTTP_HEADER: &str = "x-polyfaas-schedule";

/// The attribute on Cloud Scheduler's Pub/Sub messages.
pub const PUBSUB_ATTRIBUTE: &str = "polyfaas_schedule";

/// The parameter in an OpenWhisk alarm's trigger payload.
pub const OPENWHISK_PARAMETER: &str = polyfaas_openwhisk::SCHEDULE_PARAMETER;

/// The `trigger_payload` of an OpenWhisk alarm for the schedule `name`.
pub fn openwhisk_payload(name: &str) -> Value {
    json!({ OPENWHISK_PARAMETER: name })
}
