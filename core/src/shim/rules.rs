//! The rules that keep the neutral event within its own definition, whatever a platform sends:
//! one for HTTP methods, one for schedule times. Each either normalises a value by a documented
//! rule or refuses it as bad input naming the field.

use http::Method;

use crate::BadInput;

/// An HTTP method as a platform sent it, by one rule on every platform:
///
/// - a standard method (`GET`, `HEAD`, `POST`, `PUT`, `DELETE`, `CONNECT`, `OPTIONS`, `TRACE`,
///   `PATCH`) in any case becomes upper case (`post` → `POST`): methods are case-sensitive, but
///   some platforms and clients lower-case them, and no function means `post` as something else;
/// - any other value is kept only if it is an upper-case token (an extension method such as
///   `PROPFIND`);
/// - anything else (`"true"`, `""`, `"GET /"`) is bad input naming `path`.
///
/// ```
/// use polyfaas_core::shim::http_method;
///
/// assert_eq!(http_method("post", "Method").unwrap(), http::Method::POST);
/// assert_eq!(http_method("PROPFIND", "Method").unwrap().as_str(), "PROPFIND");
/// let err = http_method("true", "requestContext.http.method").unwrap_err();
/// assert_eq!(err.to_string(), "requestContext.http.method: \"true\" is not an HTTP method");
/// ```
pub fn http_method(value: &str, path: &str) -> Result<Method, BadInput> {
    const STANDARD: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::CONNECT,
        Method::OPTIONS,
        Method::TRACE,
        Method::PATCH,
    ];
    if let Some(standard) = STANDARD
        .iter()
        .find(|m| m.as_str().eq_ignore_ascii_case(value))
    {
        return Ok(standard.clone());
    }
    let token = !value.is_empty()
        && value.bytes().all(|b| {
            b.is_ascii_uppercase() || b.is_ascii_digit() || b"-_.!#$%&'*+^`|~".contains(&b)
        });
    match Method::from_bytes(value.as_bytes()) {
        Ok(method) if token => Ok(method),
        _ => Err(BadInput::at(
            path,
            format!("{value:?} is not an HTTP method"),
        )),
    }
}

/// A schedule's time as a platform sent it: kept as its text when it is an RFC 3339 date-time
/// (`2024-05-01T02:00:00Z`, `2024-05-01T02:00:00.0040418+00:00`), else bad input naming `path`.
///
/// ```
/// use polyfaas_core::shim::rfc3339;
///
/// assert_eq!(rfc3339("2024-05-01T02:00:00Z", "time").unwrap(), "2024-05-01T02:00:00Z");
/// assert!(rfc3339("2024-05-01T02:00:00.0040418+00:00", "UtcNow").is_ok());
/// let err = rfc3339("-1", "time").unwrap_err();
/// assert_eq!(err.to_string(), "time: \"-1\" is not an RFC 3339 date-time");
/// ```
pub fn rfc3339(value: &str, path: &str) -> Result<String, BadInput> {
    if is_rfc3339(value.as_bytes()) {
        Ok(value.to_owned())
    } else {
        Err(BadInput::at(
            path,
            format!("{value:?} is not an RFC 3339 date-time"),
        ))
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, `T`/`Z` in either case, fields in range.
fn is_rfc3339(s: &[u8]) -> bool {
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(range)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    ) else {
        return false;
    };
    if s[4] != b'-'
        || s[7] != b'-'
        || !matches!(s[10], b'T' | b't')
        || s[13] != b':'
        || s[16] != b':'
    {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let two = |a: u8, b: u8| a.is_ascii_digit() && b.is_ascii_digit();
            two(*h1, *h2)
                && two(*m1, *m2)
                && (h1 - b'0') * 10 + (h2 - b'0') <= 23
                && (m1 - b'0') * 10 + (m2 - b'0') <= 59
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods() {
        for (given, want) in [("get", "GET"), ("Patch", "PATCH"), ("MKCOL", "MKCOL")] {
            assert_eq!(http_method(given, "m").unwrap().as_str(), want);
        }
        for bad in ["", "true", "get stuff", "GET/", "mkcol", "\u{e9}"] {
            assert!(http_method(bad, "m").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn times() {
        for good in [
            "2024-02-29T23:59:60Z",
            "2024-05-01t02:00:00.1-07:30",
            "1999-12-31T00:00:00+14:00",
        ] {
            assert!(rfc3339(good, "t").is_ok(), "{good}");
        }
        for bad in [
            "-1",
            "",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T02:00:00",
            "2024-05-01T02:00:00.Z",
            "2024-05-01 02:00:00Z",
            "2024-05-01T02:00:00+2400",
            "not a time at all, at all",
        ] {
            assert!(rfc3339(bad, "t").is_err(), "{bad}");
        }
    }
}
