//! One event request to a Google Cloud function, decoded the way `polyfaas-gcp` does it, through
//! its public modules: the CloudEvent (binary mode from the `ce-*` headers, structured mode from
//! the body), the legacy event (nested, flat, raw Pub/Sub push), the legacy ⇄ CloudEvent
//! mapping both ways, the storage and Pub/Sub CloudEvents into neutral blob and message
//! events, and Firestore document events (JSON and `application/protobuf` data, CloudEvent and
//! legacy) into change records.
//!
//! Input: the path on the first line, `name: value` header lines, an empty line, the body.
use crate::{check_event, HttpInput};
use polyfaas_core::Event;
use polyfaas_gcp::cloudevent::{self, CloudEvent, Mode};
use polyfaas_gcp::mapping::{self, MESSAGE_PUBLISHED};
use polyfaas_gcp::{firestore, pubsub, storage, LegacyEvent};

/// The neutral event of a CloudEvent, as the shim picks it.
fn neutral(ce: &CloudEvent) {
    let event = match storage::change_of(&ce.ty) {
        Some(change) => storage::blob_event(ce, change).map(Event::Blob),
        None if firestore::op_of(&ce.ty).is_some() => firestore::change(ce).map(Event::Change),
        None if ce.ty == MESSAGE_PUBLISHED => pubsub::message(ce).map(Event::Message),
        None => Ok(Event::Invoke(ce.to_json())),
    };
    if let Ok(event) = event {
        check_event(&event);
    }
}

/// The shim reads a Firestore event's JSON data straight from the body when it can
/// (`firestore::change_from_body`, for binary-mode events with JSON data): whatever it reads
/// must be what the general path reads.
fn fast_firestore(ce: &CloudEvent, body: &[u8]) {
    if let Some(fast) = firestore::change_from_body(ce, body) {
        match firestore::change(ce) {
            Ok(general) => assert_eq!(
                fast, general,
                "the Firestore fast path reads another change"
            ),
            Err(e) => {
                panic!("the Firestore fast path reads a change the general path refuses: {e}")
            }
        }
    }
}

pub fn run(data: &[u8]) {
    let input = HttpInput::parse(data);
    // As the headers say (binary or structured mode).
    if let Some(mode) = Mode::of(&input.headers) {
        if let Ok(ce) = cloudevent::decode(mode, &input.headers, &input.body) {
            neutral(&ce);
            if mode == Mode::Binary && matches!(ce.data, cloudevent::Data::Json(_)) {
                fast_firestore(&ce, &input.body);
            }
            if let Ok(legacy) = mapping::to_legacy(&ce) {
                let _ = legacy.to_json();
            }
        }
    }
    // The body as a structured CloudEvent, whatever the headers.
    if let Ok(ce) = cloudevent::structured::decode(&input.body) {
        neutral(&ce);
        let _ = mapping::to_legacy(&ce);
    }
    // The body as a legacy event or raw push (what arrives without CloudEvent headers).
    if let Ok(legacy) = LegacyEvent::decode(&input.body, &input.path) {
        let _ = legacy.to_json();
        if let Ok(change) = firestore::legacy_change(&legacy) {
            check_event(&Event::Change(change));
        }
        if let Ok(ce) = mapping::to_cloudevent(&legacy) {
            neutral(&ce);
            let _ = mapping::to_legacy(&ce);
        }
    }
}
