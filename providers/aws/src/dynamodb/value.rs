//! DynamoDB's typed attribute values (`{"S": "x"}`, `{"N": "7"}`, `{"M": {...}}`) as plain
//! JSON, the form of the canonical `change` values.
//!
//! | DynamoDB | JSON |
//! |---|---|
//! | `S`, `B` | the string (`B` stays base64 text) |
//! | `N` | a number: an integer when whole and within 64 bits, a float when the float has exactly the same value, else the number's text (a string) |
//! | `BOOL`, `NULL` | `true`/`false`, `null` |
//! | `M`, `L` | an object, an array, converted all the way down |
//! | `SS`, `NS`, `BS` | arrays of strings, numbers (as `N`), base64 strings |

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use polyfaas_core::BadInput;
use serde_json::{Map, Number, Value};

/// Where a value is, for error messages: built only when one is needed.
#[derive(Clone, Copy)]
pub(crate) enum Path<'a> {
    /// The field holding the item: `Records[0]` and `dynamodb.NewImage`.
    Root(&'a str, &'a str),
    /// A member.
    Key(&'a Path<'a>, &'a str),
    /// An element.
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn render(&self) -> String {
        match self {
            Path::Root(record, field) => polyfaas_core::shim::join_path(record, field),
            Path::Key(parent, key) => format!("{}.{key}", parent.render()),
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }

    fn bad(&self, message: impl Into<String>) -> BadInput {
        BadInput::at(self.render(), message)
    }
}

/// An item (a map of attribute names to typed values: `Keys`, `NewImage`, `OldImage`) as a
/// JSON object.
pub(crate) fn item(attributes: &Map<String, Value>, path: Path<'_>) -> Result<Value, BadInput> {
    let mut out = Map::with_capacity(attributes.len());
    for (name, typed) in attributes {
        out.insert(name.clone(), value(typed, Path::Key(&path, name))?);
    }
    Ok(Value::Object(out))
}

/// One typed value: an object with exactly one member, its type.
fn value(typed: &Value, path: Path<'_>) -> Result<Value, BadInput> {
    let Some((kind, inner)) = typed
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.iter().next())
    else {
        return Err(path.bad(format!(
            "{typed} is not a DynamoDB attribute value (an object with one of S, N, B, BOOL, NULL, M, L, SS, NS, BS)"
        )));
    };
    let at = Path::Key(&path, kind);
    match (kind.as_str(), inner) {
        ("S", Value::String(s)) => Ok(Value::String(s.clone())),
        ("N", Value::String(n)) => number(n, at),
        ("B", Value::String(b)) => binary(b, at),
        ("BOOL", Value::Bool(b)) => Ok(Value::Bool(*b)),
        ("NULL", Value::Bool(_)) => Ok(Value::Null),
        ("M", Value::Object(m)) => item(m, at),
        ("L", Value::Array(l)) => list(l, at, value),
        ("SS", Value::Array(l)) => list(l, at, |v, p| match v {
            Value::String(s) => Ok(Value::String(s.clone())),
            other => Err(p.bad(format!("{other} is not a string"))),
        }),
        ("NS", Value::Array(l)) => list(l, at, |v, p| match v {
            Value::String(n) => number(n, p),
            other => Err(p.bad(format!("{other} is not a number's text"))),
        }),
        ("BS", Value::Array(l)) => list(l, at, |v, p| match v {
            Value::String(b) => binary(b, p),
            other => Err(p.bad(format!("{other} is not a base64 string"))),
        }),
        ("S" | "N" | "B", other) => Err(at.bad(format!("{other} is not a string"))),
        ("BOOL" | "NULL", other) => Err(at.bad(format!("{other} is not a boolean"))),
        ("M", other) => Err(at.bad(format!("{other} is not an object"))),
        ("L" | "SS" | "NS" | "BS", other) => Err(at.bad(format!("{other} is not an array"))),
        (unknown, _) => Err(path.bad(format!(
            "{unknown:?} is not a DynamoDB type (S, N, B, BOOL, NULL, M, L, SS, NS, BS)"
        ))),
    }
}

fn list(
    values: &[Value],
    path: Path<'_>,
    each: impl Fn(&Value, Path<'_>) -> Result<Value, BadInput>,
) -> Result<Value, BadInput> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| each(v, Path::Index(&path, i)))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

fn binary(text: &str, path: Path<'_>) -> Result<Value, BadInput> {
    match BASE64.decode(text) {
        Ok(_) => Ok(Value::String(text.to_owned())),
        Err(e) => Err(path.bad(format!("not valid base64: {e}")).with_source(e)),
    }
}

/// A DynamoDB number as JSON: an integer when it is whole and fits 64 bits, a float when the
/// float has exactly its value, else its text: nothing is rounded.
fn number(text: &str, path: Path<'_>) -> Result<Value, BadInput> {
    let Some(decimal) = Decimal::parse(text) else {
        return Err(path.bad(format!("{text:?} is not a number")));
    };
    if let Some(integer) = decimal.integer() {
        return Ok(Value::Number(integer));
    }
    let exact = text
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && Decimal::parse(&f.to_string()).as_ref() == Some(&decimal))
        .and_then(Number::from_f64);
    Ok(exact.map_or_else(|| Value::String(text.to_owned()), Value::Number))
}

/// A decimal number's value, normalised: `digits` × 10^`exponent`, `digits` without leading or
/// trailing zeros (empty for zero), so equal values compare equal.
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: String,
    exponent: i64,
}

impl Decimal {
    /// `[+-]digits[.digits][(e|E)[+-]digits]`, with at least one digit before the exponent.
    fn parse(text: &str) -> Option<Decimal> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let mut exponent: i64 = match exponent {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                // Beyond a billion the number is no DynamoDB number anyway.
                if digits.is_empty() || digits.len() > 9 || !all_digits(digits) {
                    return None;
                }
                e.parse().ok()?
            }
        };
        exponent -= i64::try_from(fraction.len()).ok()?;
        let joined = format!("{whole}{fraction}");
        let significant = joined.trim_start_matches('0');
        let trimmed = significant.trim_end_matches('0');
        exponent += i64::try_from(significant.len() - trimmed.len()).ok()?;
        if trimmed.is_empty() {
            return Some(Decimal {
                negative: false,
                digits: String::new(),
                exponent: 0,
            });
        }
        Some(Decimal {
            negative,
            digits: trimmed.to_owned(),
            exponent,
        })
    }

    /// The value as a 64-bit integer, when it is whole and fits.
    fn integer(&self) -> Option<Number> {
        if self.digits.is_empty() {
            return Some(Number::from(0));
        }
        let zeros = usize::try_from(self.exponent).ok()?;
        if self.digits.len() + zeros > 20 {
            return None;
        }
        let magnitude = format!("{}{}", self.digits, "0".repeat(zeros));
        if self.negative {
            format!("-{magnitude}")
                .parse::<i64>()
                .ok()
                .map(Number::from)
        } else {
            magnitude.parse::<u64>().ok().map(Number::from)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn convert(typed: Value) -> Result<Value, BadInput> {
        let Value::Object(map) = typed else {
            panic!("an object")
        };
        item(&map, Path::Root("", "NewImage"))
    }

    #[test]
    fn every_type_becomes_plain_json() {
        let typed = json!({
            "s": {"S": "Hello"}, "n": {"N": "123"}, "f": {"N": "123.45"}, "b": {"B": "AAEqQQ=="},
            "t": {"BOOL": true}, "z": {"NULL": true},
            "m": {"M": {"Name": {"S": "Joe"}, "Age": {"N": "35"}}},
            "l": {"L": [{"S": "Cookies"}, {"N": "2.75"}, {"L": []}]},
            "ss": {"SS": ["Giraffe", "Zebra"]}, "ns": {"NS": ["1234", "567.8"]},
            "bs": {"BS": ["AAEqQQ==", "QSoBAA=="]}, "empty": {"SS": []},
        });
        assert_eq!(
            convert(typed).unwrap(),
            json!({
                "s": "Hello", "n": 123, "f": 123.45, "b": "AAEqQQ==", "t": true, "z": null,
                "m": {"Name": "Joe", "Age": 35}, "l": ["Cookies", 2.75, []],
                "ss": ["Giraffe", "Zebra"], "ns": [1234, 567.8], "bs": ["AAEqQQ==", "QSoBAA=="],
                "empty": [],
            })
        );
    }

    #[test]
    fn numbers_json_cannot_hold_exactly_stay_text() {
        let n = |text: &str| number(text, Path::Root("", "N")).unwrap();
        assert_eq!(n("-9223372036854775808"), json!(i64::MIN));
        assert_eq!(n("18446744073709551615"), json!(u64::MAX));
        assert_eq!(n("1E+3"), json!(1000));
        assert_eq!(n("5.0"), json!(5));
        assert_eq!(n("-0"), json!(0));
        assert_eq!(n("0.000"), json!(0));
        assert_eq!(n("0.1"), json!(0.1));
        assert_eq!(n("-2.5e-3"), json!(-0.0025));
        // 38 digits of precision, as DynamoDB keeps: no float has them.
        assert_eq!(
            n("12345678901234567890123456789012345678"),
            json!("12345678901234567890123456789012345678")
        );
        // 2^64: a float holds it, but writes it as 1.8446744073709552e19, another number.
        assert_eq!(n("18446744073709551616"), json!("18446744073709551616"));
        assert_eq!(
            n("36893488147419103232E-1"),
            json!("36893488147419103232E-1")
        );
        assert_eq!(n("1.5e300"), json!(1.5e300));
        assert_eq!(
            n("0.1000000000000000000001"),
            json!("0.1000000000000000000001")
        );
        assert_eq!(n("1E+125"), json!(1e125));
        assert_eq!(
            n("9.9999999999999999999999999999999999999E+125"),
            json!("9.9999999999999999999999999999999999999E+125")
        );
        for bad in [
            "",
            "-",
            "1.2.3",
            "1e",
            "e5",
            "0x10",
            "NaN",
            "Infinity",
            "1e9999999999",
            " 1",
        ] {
            assert!(number(bad, Path::Root("", "N")).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bad_values_are_named_by_their_path() {
        let err = |typed: Value| convert(typed).unwrap_err().to_string();
        assert_eq!(
            err(json!({"price": {"N": "cheap"}})),
            "NewImage.price.N: \"cheap\" is not a number"
        );
        assert_eq!(
            err(json!({"m": {"M": {"x": {"L": [{"S": "a"}, {"X": 1}]}}}})),
            "NewImage.m.M.x.L[1]: \"X\" is not a DynamoDB type (S, N, B, BOOL, NULL, M, L, SS, NS, BS)"
        );
        assert_eq!(
            err(json!({"a": {"S": "x", "N": "1"}})),
            "NewImage.a: {\"S\":\"x\",\"N\":\"1\"} is not a DynamoDB attribute value (an object with one of S, N, B, BOOL, NULL, M, L, SS, NS, BS)"
        );
        assert_eq!(
            err(json!({"a": {"S": 7}})),
            "NewImage.a.S: 7 is not a string"
        );
        assert_eq!(
            err(json!({"a": {"NS": ["1", 2]}})),
            "NewImage.a.NS[1]: 2 is not a number's text"
        );
        assert!(err(json!({"a": {"B": "%%"}})).starts_with("NewImage.a.B: not valid base64"));
        assert_eq!(
            err(json!({"a": {"BOOL": "yes"}})),
            "NewImage.a.BOOL: \"yes\" is not a boolean"
        );
    }
}
