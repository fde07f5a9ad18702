//! Database change records: DynamoDB Streams, Firestore document events, the Cosmos DB change
//! feed.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{from_value_at, BadInput};

/// What happened to the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ChangeOp {
    /// A new record (DynamoDB `INSERT`, Firestore `created`).
    Insert,
    /// An existing record changed (DynamoDB `MODIFY`, Firestore `updated`).
    Modify,
    /// The record was deleted (DynamoDB `REMOVE`, Firestore `deleted`).
    Remove,
    /// Inserted or modified, the source cannot tell which (Cosmos DB, Firestore `written`).
    Upsert,
}

impl ChangeOp {
    /// The name in the canonical JSON: `insert`, `modify`, `remove`, `upsert`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Insert => "insert",
            ChangeOp::Modify => "modify",
            ChangeOp::Remove => "remove",
            ChangeOp::Upsert => "upsert",
        }
    }
}

/// One record of a database change stream: which record, what happened, and its old and new
/// values as plain JSON (DynamoDB's and Firestore's typed values already converted: `{"S": "x"}`
/// and `{"stringValue": "x"}` are `"x"`; a number JSON cannot hold exactly stays a string).
///
/// ```
/// use polyfaas_core::{Change, ChangeOp};
/// use serde_json::json;
///
/// #[derive(serde::Deserialize)]
/// struct Order { id: String, total: u32 }
///
/// let mut change = Change::new("evt-1", "orders", ChangeOp::Modify);
/// change.key = Some(json!({"id": "o-7"}));
/// change.new = Some(json!({"id": "o-7", "total": 12}));
/// let order: Order = change.new_as()?.expect("a new value");
/// assert_eq!((order.id.as_str(), order.total), ("o-7", 12));
/// # Ok::<(), polyfaas_core::BadInput>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Change {
    /// The platform's id of the change event.
    pub id: String,
    /// The table, collection path or container.
    pub source: String,
    /// What happened.
    pub op: ChangeOp,
    /// The record's key, where the source sends it.
    pub key: Option<Value>,
    /// The record before the change, where the source sends it.
    pub old: Option<Value>,
    /// The record after the change, where the source sends it.
    pub new: Option<Value>,
}

impl Change {
    /// A change with no key and no values.
    pub fn new(id: impl Into<String>, source: impl Into<String>, op: ChangeOp) -> Self {
        Change {
            id: id.into(),
            source: source.into(),
            op,
            key: None,
            old: None,
            new: None,
        }
    }

    /// The new value as a `T` (`None` when the source sent none); a value that does not fit is
    /// a [`BadInput`] naming the field under `new`.
    pub fn new_as<T: DeserializeOwned>(&self) -> Result<Option<T>, BadInput> {
        value_as(&self.new, "new")
    }

    /// The old value as a `T`, as [`new_as`](Self::new_as).
    pub fn old_as<T: DeserializeOwned>(&self) -> Result<Option<T>, BadInput> {
        value_as(&self.old, "old")
    }
}

fn value_as<T: DeserializeOwned>(value: &Option<Value>, path: &str) -> Result<Option<T>, BadInput> {
    value
        .as_ref()
        .map(|v| from_value_at(v.clone(), path))
        .transpose()
}
