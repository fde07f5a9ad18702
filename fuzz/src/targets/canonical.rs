//! The canonical JSON reader (`polyfaas_core::canonical::from_slice`, what the local provider's
//! `POST /_polyfaas/events` reads), then the writer: an event read from canonical JSON must
//! write canonical JSON that reads back as the same event.
use polyfaas_core::canonical;

pub fn run(data: &[u8]) {
    let Ok(event) = canonical::from_slice(data) else {
        return;
    };
    let json = canonical::to_json(&event);
    match canonical::from_json(json.clone()) {
        Ok(again) => assert_eq!(
            json,
            canonical::to_json(&again),
            "read back as another event"
        ),
        Err(e) => panic!("the reader refuses what it wrote ({e}): {json}"),
    }
}
