//! Firestore event JSON read straight from the request body into the change's plain values.
//!
//! The general path ([`Documents::from_json`](super::Documents::from_json)) first parses the
//! body into a `serde_json::Value` tree and then walks it; for the common event that tree is
//! most of a CloudEvent's cost. This reader builds the plain values while it parses. It
//! accepts only what the general path accepts and gives the same documents; on anything else
//! (an error, a repeated member) it gives `None`, and the caller takes the general path, which
//! names what is wrong.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::value::{typed_value, Path};
use super::{Document, Documents};

/// The documents of a Firestore event's JSON data, or `None` (see the module).
pub(super) fn documents(body: &[u8]) -> Option<Documents> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let documents = deserializer.deserialize_map(DataVisitor).ok()?;
    deserializer.end().ok()?;
    Some(documents)
}

/// Any failure: the general path says what it is.
fn refuse<T, E: de::Error>() -> Result<T, E> {
    Err(E::custom("not the common form"))
}

/// A member name that is read without allocating: one of `names`, or `None`.
#[derive(Clone, Copy)]
struct Name<const N: usize> {
    names: [&'static str; N],
}

impl<'de, const N: usize> DeserializeSeed<'de> for Name<N> {
    type Value = Option<&'static str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, const N: usize> Visitor<'de> for Name<N> {
    type Value = Option<&'static str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Self::Value, E> {
        Ok(self.names.into_iter().find(|known| *known == name))
    }
}

/// `{"value": document, "oldValue": document, ...}`.
struct DataVisitor;

impl<'de> Visitor<'de> for DataVisitor {
    type Value = Documents;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Firestore event data")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Documents, A::Error> {
        let (mut new, mut old) = (None, None);
        let names = Name {
            names: ["value", "oldValue"],
        };
        while let Some(name) = map.next_key_seed(names)? {
            let slot = match name {
                Some("value") => &mut new,
                Some(_) => &mut old,
                None => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if slot.is_some() {
                return refuse();
            }
            *slot = Some(map.next_value_seed(OrNull(DocumentSeed))?);
        }
        Ok(Documents {
            new: new.flatten(),
            old: old.flatten(),
        })
    }
}

/// `null` or a seed's value: `null` is the value's default.
#[derive(Clone, Copy)]
struct OrNull<S>(S);

impl<'de, S> DeserializeSeed<'de> for OrNull<S>
where
    S: DeserializeSeed<'de>,
    S::Value: Default,
{
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, S> Visitor<'de> for OrNull<S>
where
    S: DeserializeSeed<'de>,
    S::Value: Default,
{
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Self::Value::default())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(deserializer)
    }
}

/// A document; `None` for `{}` (Eventarc's "no document").
struct DocumentSeed;

impl<'de> DeserializeSeed<'de> for DocumentSeed {
    type Value = Option<Document>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed {
    type Value = Option<Document>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Firestore document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut name, mut fields, mut members) = (None, None, 0usize);
        let names = Name {
            names: ["name", "fields"],
        };
        while let Some(member) = map.next_key_seed(names)? {
            members += 1;
            match member {
                Some("name") if name.is_none() => {
                    name = Some(map.next_value::<Option<String>>()?);
                }
                Some("fields") if fields.is_none() => {
                    fields = Some(map.next_value_seed(OrNull(FieldsSeed))?);
                }
                Some(_) => return refuse(),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let name = name.flatten().filter(|n| !n.is_empty());
        let fields = fields.unwrap_or_default();
        if name.is_none() && fields.is_empty() && members == 0 {
            return Ok(None);
        }
        Ok(Some(Document { name, fields }))
    }
}

/// `{"<field>": <Firestore value>, ...}`, as plain values.
#[derive(Clone, Copy)]
struct FieldsSeed;

impl<'de> DeserializeSeed<'de> for FieldsSeed {
    type Value = Map<String, Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FieldsSeed {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Firestore fields")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let value = map.next_value_seed(ValueSeed)?;
            out.insert(name, value);
        }
        Ok(out)
    }
}

/// The Firestore value types, as the general path names them.
const TYPES: [&str; 11] = [
    "stringValue",
    "referenceValue",
    "timestampValue",
    "bytesValue",
    "integerValue",
    "doubleValue",
    "booleanValue",
    "nullValue",
    "geoPointValue",
    "mapValue",
    "arrayValue",
];

/// One Firestore value (`{"doubleValue": 2.5}`) as its plain value.
struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Firestore value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Some(Some(ty)) = map.next_key_seed(Name { names: TYPES })? else {
            return refuse();
        };
        let plain = match ty {
            "mapValue" => Value::Object(map.next_value_seed(Member {
                name: "fields",
                seed: OrNull(FieldsSeed),
            })?),
            "arrayValue" => Value::Array(map.next_value_seed(Member {
                name: "values",
                seed: OrNull(ValuesSeed),
            })?),
            _ => {
                let inner = map.next_value::<Value>()?;
                match typed_value(ty, &inner, &mut Path::of(&[])) {
                    Ok(plain) => plain,
                    Err(_) => return refuse(),
                }
            }
        };
        // Exactly one member.
        if map.next_key::<IgnoredAny>()?.is_some() {
            return refuse();
        }
        Ok(plain)
    }
}

/// An object's member `name` read with `seed` (its default when missing); the other members
/// are skipped.
struct Member<S> {
    name: &'static str,
    seed: S,
}

impl<'de, S> DeserializeSeed<'de> for Member<S>
where
    S: DeserializeSeed<'de> + Copy,
    S::Value: Default,
{
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, S> Visitor<'de> for Member<S>
where
    S: DeserializeSeed<'de> + Copy,
    S::Value: Default,
{
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with `{}`", self.name)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(member) = map.next_key_seed(Name { names: [self.name] })? {
            match member {
                Some(_) if found.is_none() => found = Some(map.next_value_seed(self.seed)?),
                Some(_) => return refuse(),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found.unwrap_or_default())
    }
}

/// `[<Firestore value>, ...]`, as plain values.
#[derive(Clone, Copy)]
struct ValuesSeed;

impl<'de> DeserializeSeed<'de> for ValuesSeed {
    type Value = Vec<Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ValuesSeed {
    type Value = Vec<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Firestore values")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(value) = seq.next_element_seed(ValueSeed)? {
            out.push(value);
        }
        Ok(out)
    }
}
