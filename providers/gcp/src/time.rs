//! Instants as RFC 3339 text in UTC: the publish time the shim fills in for a Pub/Sub push that
//! has none, and protobuf timestamps of Firestore documents.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, as RFC 3339 UTC with milliseconds.
pub(crate) fn rfc3339_now() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    rfc3339_nanos(secs, now.subsec_millis() * 1_000_000)
        .unwrap_or_else(|| "9999-12-31T23:59:59.999Z".to_owned())
}

/// Seconds and nanoseconds since the epoch as `YYYY-MM-DDTHH:MM:SS[.fff[fff[fff]]]Z`
/// (proleptic Gregorian, UTC), with 0, 3, 6 or 9 fraction digits as protobuf's JSON mapping
/// writes them; `None` outside years 0001 to 9999 (what RFC 3339 can write) or for
/// `nanos` ≥ 10⁹.
pub(crate) fn rfc3339_nanos(secs: i64, nanos: u32) -> Option<String> {
    // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    if !(-62_135_596_800..=253_402_300_799).contains(&secs) || nanos >= 1_000_000_000 {
        return None;
    }
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    // Civil from days (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let fraction = match nanos {
        0 => String::new(),
        n if n % 1_000_000 == 0 => format!(".{:03}", n / 1_000_000),
        n if n % 1_000 == 0 => format!(".{:06}", n / 1_000),
        n => format!(".{n:09}"),
    };
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{fraction}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339_nanos(0, 0).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339_nanos(1_601_379_120, 123_000_000).unwrap(),
            "2020-09-29T11:32:00.123Z"
        );
        assert_eq!(
            rfc3339_nanos(951_782_400, 5_000).unwrap(),
            "2000-02-29T00:00:00.000005Z"
        );
        assert_eq!(
            rfc3339_nanos(-1, 1).unwrap(),
            "1969-12-31T23:59:59.000000001Z"
        );
        assert_eq!(
            rfc3339_nanos(-62_135_596_800, 0).unwrap(),
            "0001-01-01T00:00:00Z"
        );
        assert_eq!(rfc3339_nanos(253_402_300_800, 0), None);
        assert_eq!(rfc3339_nanos(0, 1_000_000_000), None);
        assert!(polyfaas_core::shim::rfc3339(&rfc3339_now(), "now").is_ok());
    }
}
