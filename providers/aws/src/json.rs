//! Reading the event's JSON: [`parse`] (serde with the field at fault named through core's
//! [`json_error_at`](polyfaas_core::shim::json_error_at)), and the borrowing shapes every decoder shares:
//! strings that point into the event's own bytes where they have no escapes, and header/query
//! maps kept in their JSON order.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use polyfaas_core::shim::json_error_at;
use polyfaas_core::BadInput;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// Reads `text` (the whole event, or the value found at `path` in it) as a `T`; a failure is a
/// [`BadInput`] naming the field.
///
/// The fast path reads `text` as `&str`, which spares serde_json the UTF-8 check of every
/// string it borrows (the event was checked once, whole). A failure is named from where
/// serde_json stopped ([`json_error_at`]), without reading `text` again: another reader would
/// compile every event type a second time.
pub(crate) fn parse<'a, T: Deserialize<'a>>(text: &'a str, path: &str) -> Result<T, BadInput> {
    serde_json::from_str(text).map_err(|error| json_error_at(text.as_bytes(), path, error))
}

/// A JSON string, borrowed from the event where it has no escapes.
#[derive(Clone, Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct Str<'a>(#[serde(borrow)] pub Cow<'a, str>);

impl Str<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The text as an owned `String` (for `Option::map`).
    pub(crate) fn into_string(self) -> String {
        self.0.into_owned()
    }
}

/// `{ "name": "value", ... }` in JSON order (`headers`, `queryStringParameters`).
#[derive(Debug, Default)]
pub(crate) struct Pairs<'a>(pub Vec<(Str<'a>, Str<'a>)>);

/// `{ "name": ["v1", "v2"], ... }` in JSON order (`multiValueHeaders`, ...), flat: one
/// `(name, value, index of the value in its array)` per value, so that no array needs a vector
/// of its own. A name whose array is empty adds nothing.
#[derive(Debug, Default)]
pub(crate) struct MultiPairs<'a>(pub Vec<(Str<'a>, Str<'a>, usize)>);

struct PairsVisitor<'a, V>(PhantomData<(&'a (), V)>);

impl<'de: 'a, 'a, V: Deserialize<'de>> Visitor<'de> for PairsVisitor<'a, V> {
    type Value = Vec<(Str<'a>, V)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(16));
        while let Some((key, value)) = map.next_entry::<Str<'de>, V>()? {
            out.push((key, value));
        }
        Ok(out)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(PairsVisitor::<'a, Str<'de>>(PhantomData))
            .map(Pairs)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for MultiPairs<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Map<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Map<'a> {
            type Value = Vec<(Str<'a>, Str<'a>, usize)>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of arrays of strings")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut out = Vec::with_capacity(16);
                while let Some(name) = map.next_key::<Str<'de>>()? {
                    map.next_value_seed(FlatValues {
                        name,
                        out: &mut out,
                    })?;
                }
                Ok(out)
            }
        }
        deserializer
            .deserialize_map(Map(PhantomData))
            .map(MultiPairs)
    }
}

/// One array of strings of a [`MultiPairs`] map, each value pushed with its name.
struct FlatValues<'a, 'o> {
    name: Str<'a>,
    out: &'o mut Vec<(Str<'a>, Str<'a>, usize)>,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for FlatValues<'a, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for FlatValues<'a, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        let mut index = 0;
        while let Some(value) = seq.next_element::<Str<'de>>()? {
            self.out.push((self.name.clone(), value, index));
            index += 1;
        }
        Ok(())
    }
}

/// `{ "name": <V>, ... }` in JSON order, for any value type.
#[derive(Debug)]
pub(crate) struct Entries<'a, V>(pub Vec<(Str<'a>, V)>);

impl<V> Default for Entries<'_, V> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de: 'a, 'a, V: Deserialize<'de>> Deserialize<'de> for Entries<'a, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(PairsVisitor::<'a, V>(PhantomData))
            .map(Entries)
    }
}

/// A JSON array of strings.
pub(crate) struct Values<'a>(pub Vec<Str<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for Values<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Vec<Str<'a>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of strings")
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(1));
                while let Some(value) = seq.next_element::<Str<'de>>()? {
                    out.push(value);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_seq(V(PhantomData)).map(Values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names_the_field_under_its_path() {
        #[derive(Debug, Deserialize)]
        struct Record<'a> {
            #[serde(borrow)]
            body: Str<'a>,
        }
        let ok: Record<'_> = parse(r#"{"body":"hi"}"#, "Records[0]").unwrap();
        assert!(matches!(ok.body.0, Cow::Borrowed("hi")));
        let err = parse::<Record<'_>>(r#"{"body":7}"#, "Records[1]").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("Records[1].body: invalid type: integer `7`"),
            "{err}"
        );
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn maps_keep_json_order_and_borrow() {
        let pairs: Pairs<'_> = serde_json::from_str(r#"{"b":"1","a":"2","b":"3"}"#).unwrap();
        let keys: Vec<_> = pairs
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(keys, [("b", "1"), ("a", "2"), ("b", "3")]);
        assert!(matches!(pairs.0[0].0 .0, Cow::Borrowed(_)));
        let multi: MultiPairs<'_> =
            serde_json::from_str(r#"{"z":["1","2"],"y":[],"x":["3"]}"#).unwrap();
        let flat: Vec<_> = multi
            .0
            .iter()
            .map(|(k, v, i)| (k.as_str(), v.as_str(), *i))
            .collect();
        assert_eq!(flat, [("z", "1", 0), ("z", "2", 1), ("x", "3", 0)]);
    }
}
