//! Stream positions in time: the epoch times Kinesis, Kafka and DynamoDB Streams write, as the
//! RFC 3339 text of the canonical `enqueued_time` (UTC, milliseconds: `2026-03-01T09:00:00.500Z`).

use std::time::{Duration, UNIX_EPOCH};

/// The last millisecond RFC 3339 can write with a four-digit year: 9999-12-31T23:59:59.999Z.
const LAST_MS: u64 = 253_402_300_799_999;

/// Epoch milliseconds as RFC 3339; `None` before 1970 (Kafka writes `-1` for "no timestamp") and
/// after the year 9999 (a record's timestamp is the producer's to set: any `i64`).
pub(crate) fn from_millis(epoch_ms: i64) -> Option<String> {
    let ms = u64::try_from(epoch_ms).ok().filter(|ms| *ms <= LAST_MS)?;
    let time = UNIX_EPOCH.checked_add(Duration::from_millis(ms))?;
    Some(humantime::format_rfc3339_millis(time).to_string())
}

/// Epoch seconds with a fraction (Kinesis' `approximateArrivalTimestamp`, DynamoDB's
/// `ApproximateCreationDateTime`), rounded to the millisecond, as RFC 3339.
pub(crate) fn from_seconds(epoch_s: f64) -> Option<String> {
    // Up to 9999-12-31T23:59:59Z; NaN is in no range.
    if !(0.0..=253_402_300_799.0).contains(&epoch_s) {
        return None;
    }
    // In range above: at most 2.6e14 ms, exact in an i64.
    from_millis((epoch_s * 1000.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_times_become_utc_with_milliseconds() {
        assert_eq!(
            from_millis(1_595_035_749_700).as_deref(),
            Some("2020-07-18T01:29:09.700Z")
        );
        assert_eq!(from_millis(0).as_deref(), Some("1970-01-01T00:00:00.000Z"));
        assert_eq!(from_millis(-1), None);
        // Found by the aws_event fuzz target: a Kafka timestamp past the year 9999 panicked.
        assert_eq!(
            from_millis(253_402_300_799_999).as_deref(),
            Some("9999-12-31T23:59:59.999Z")
        );
        assert_eq!(from_millis(253_402_300_800_000), None);
        assert_eq!(from_millis(i64::MAX), None);
        assert_eq!(
            from_seconds(1_480_641_523.477).as_deref(),
            Some("2016-12-02T01:18:43.477Z")
        );
        assert_eq!(
            from_seconds(1_480_642_020.0).as_deref(),
            Some("2016-12-02T01:27:00.000Z")
        );
        for bad in [f64::NAN, f64::INFINITY, -1.0, 1e20] {
            assert_eq!(from_seconds(bad), None, "{bad}");
        }
    }
}
