//! `cosmosDBTrigger` → one `Event::Change` per document of the change feed, in order.
//!
//! The change feed (latest-version mode, what the trigger reads) sends each changed document's
//! current version: it cannot tell an insert from an update, and sends no deletions. So every
//! change is an `upsert` with the document as `new` and no `old`; `key` is `{"id": <id>}` (the
//! partition key's path is neither in the payload nor in `function.json`); `id` is the
//! document's `_etag` (unique per version of a document); `source` is `<database>/<container>`
//! from `function.json`. The Cosmos DB system properties (`_rid`, `_self`, `_etag`,
//! `_attachments`, `_ts`, `_lsn`) are not part of `new`: they are in the [`CosmosDocument`]
//! extra.

use polyfaas_core::{BadInput, Change, ChangeOp, Event, Extra};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::function_json::{resolve_setting, FunctionDef};
use crate::json::kind_of;
use crate::records::{Record, Records};

/// The system properties Cosmos DB adds to every document.
const SYSTEM: [&str; 6] = ["_rid", "_self", "_etag", "_attachments", "_ts", "_lsn"];

/// What the Cosmos DB trigger tells about one changed document besides its content, an extra of
/// its invocation: `ctx.extra::<polyfaas_azure::CosmosDocument>()`.
///
/// ```
/// use polyfaas_azure::CosmosDocument;
/// # let ctx = polyfaas_core::Context::builder(polyfaas_core::Provider::AZURE, "1").build();
/// if let Some(doc) = ctx.extra::<CosmosDocument>() {
///     // `_ts`: when the document was last written, in seconds since the Unix epoch.
///     let written = doc.system.get("_ts").and_then(|t| t.as_i64());
///     # let _ = written;
/// }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CosmosDocument {
    /// The trigger's `databaseName`.
    pub database: String,
    /// The trigger's `containerName` (`collectionName` before extension 4).
    pub container: String,
    /// The document's system properties: `_rid`, `_self`, `_etag`, `_attachments`, `_ts`,
    /// `_lsn` (those it has).
    pub system: Map<String, Value>,
}

impl Extra for CosmosDocument {
    const NAME: &'static str = "azure.cosmos";
}

/// The changes of a Cosmos DB trigger's envelope: its documents, in order.
pub(crate) fn changes(
    records: &Records<'_>,
    function: &FunctionDef,
) -> Result<Vec<Record<CosmosDocument>>, BadInput> {
    let trigger = &function.trigger;
    let setting =
        |value: &Option<String>| value.as_deref().map(resolve_setting).unwrap_or_default();
    let (database, container) = (
        setting(&trigger.database_name),
        setting(&trigger.container_name),
    );
    let source = format!("{database}/{container}");
    let mut out = Vec::new();
    // The host sends the feed's documents as one list, whatever the cardinality.
    for (field, document) in documents(records)? {
        let mut document = match document {
            Value::Object(map) => map,
            other => {
                return Err(BadInput::at(
                    field,
                    format!(
                        "must be a document (a JSON object), not {}",
                        kind_of(&other)
                    ),
                ))
            }
        };
        let id = match document.get("id") {
            Some(Value::String(id)) => id.clone(),
            Some(other) => {
                return Err(BadInput::at(
                    format!("{field}.id"),
                    format!("must be a string, not {}", kind_of(other)),
                ))
            }
            None => {
                return Err(BadInput::at(
                    format!("{field}.id"),
                    "missing (every Cosmos DB document has one)",
                ))
            }
        };
        let mut system = Map::new();
        for name in SYSTEM {
            if let Some(value) = document.remove(name) {
                system.insert(name.to_owned(), value);
            }
        }
        let change_id = system
            .get("_etag")
            .and_then(Value::as_str)
            .map(|etag| etag.trim_matches('"').to_owned())
            .filter(|etag| !etag.is_empty())
            .unwrap_or_else(|| id.clone());
        let mut change = Change::new(change_id, source.clone(), ChangeOp::Upsert);
        change.key = Some(json!({ "id": id }));
        change.new = Some(Value::Object(document));
        out.push(Record {
            event: Event::Change(change),
            label: format!("document id {id}"),
            extra: CosmosDocument {
                database: database.clone(),
                container: container.clone(),
                system,
            },
        });
    }
    Ok(out)
}

/// The feed's documents with their paths: `Data.<binding>` is their list (a JSON array, or its
/// JSON text, which is what the host sends for the trigger's `IReadOnlyList`), or one document.
fn documents(records: &Records<'_>) -> Result<Vec<(String, Value)>, BadInput> {
    let mut out = Vec::new();
    for i in 0..records.len() {
        let field = records.field(i);
        let value = records.value(i)?.into_owned();
        let value = match value {
            Value::String(text) => serde_json::from_str(&text).map_err(|e| {
                BadInput::at(&field, "must be the changed documents (a JSON array)").with_source(e)
            })?,
            other => other,
        };
        match value {
            Value::Array(items) => out.extend(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(j, doc)| (format!("{field}[{j}]"), doc)),
            ),
            other => out.push((field, other)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::Envelope;

    fn decode(data: Value) -> Result<Vec<Record<CosmosDocument>>, BadInput> {
        let function = FunctionDef::from_json(
            "orders-feed",
            &json!({"bindings": [{"type": "cosmosDBTrigger", "name": "documents", "direction": "in",
                "databaseName": "shop", "containerName": "orders", "connection": "CosmosDB",
                "leaseContainerName": "leases"}]}),
            std::path::Path::new("x"),
        )
        .unwrap();
        let envelope = Envelope::from_value(json!({ "Data": { "documents": data } })).unwrap();
        let records = Records::read(&envelope, &function)?;
        changes(&records, &function)
    }

    #[test]
    fn each_document_is_an_upsert_without_its_system_properties() {
        let feed = json!([
            {"id": "order-7", "status": "paid", "_rid": "abc==", "_self": "dbs/abc==/colls/def==/docs/ghi==/",
             "_etag": "\"0000d0c0-0000-0d00-0000-65f1c3a20000\"", "_attachments": "attachments/",
             "_ts": 1772355600, "_lsn": 12},
            {"id": "order-8", "_custom": true}
        ]);
        // The host sends the list as its JSON text; a real array is taken too.
        for data in [Value::String(feed.to_string()), feed.clone()] {
            let records = decode(data).unwrap();
            assert_eq!(records.len(), 2);
            let Event::Change(change) = &records[0].event else {
                panic!()
            };
            assert_eq!(change.id, "0000d0c0-0000-0d00-0000-65f1c3a20000");
            assert_eq!(change.source, "shop/orders");
            assert_eq!(change.op, ChangeOp::Upsert);
            assert_eq!(change.key, Some(json!({"id": "order-7"})));
            assert_eq!(change.new, Some(json!({"id": "order-7", "status": "paid"})));
            assert_eq!(change.old, None);
            assert_eq!(records[0].extra.system["_lsn"], 12);
            assert_eq!(records[0].label, "document id order-7");
            let Event::Change(second) = &records[1].event else {
                panic!()
            };
            // Without an _etag the document's id; a property of the user's own keeps its `_`.
            assert_eq!(second.id, "order-8");
            assert_eq!(second.new, Some(json!({"id": "order-8", "_custom": true})));
        }
    }

    #[test]
    fn documents_that_are_not_documents_are_named() {
        let err = |data: Value| decode(data).unwrap_err().to_string();
        assert_eq!(
            err(json!([{"id": "a"}, 3])),
            "Data.documents[1]: must be a document (a JSON object), not a number"
        );
        assert_eq!(
            err(json!([{"name": "x"}])),
            "Data.documents[0].id: missing (every Cosmos DB document has one)"
        );
        assert_eq!(
            err(json!([{"id": 7}])),
            "Data.documents[0].id: must be a string, not a number"
        );
        assert_eq!(
            err(json!("not json")),
            "Data.documents: must be the changed documents (a JSON array)"
        );
    }
}
