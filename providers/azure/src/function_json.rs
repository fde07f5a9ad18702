//! Each function's `function.json` under the app root: its trigger, binding names and output
//! bindings. Read once at start-up.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use polyfaas_core::StartupError;
use serde::Deserialize;
use serde_json::Value;

use crate::json::{app_file_error, member_ci, read_json_file};

/// The kind of trigger a function has.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TriggerKind {
    /// `httpTrigger`.
    Http,
    /// `blobTrigger`.
    Blob,
    /// `queueTrigger`.
    Queue,
    /// `timerTrigger`.
    Timer,
    /// `eventHubTrigger` (`cardinality` `one` or `many`).
    EventHubs,
    /// `serviceBusTrigger`, on a queue or a topic's subscription (`cardinality` `one` or
    /// `many`).
    ServiceBus,
    /// `cosmosDBTrigger`: the change feed's documents.
    CosmosDb,
    /// Any other trigger type (Event Grid, Kafka, ...): delivered as `Event::Invoke` with the
    /// trigger's value.
    Other(String),
}

impl TriggerKind {
    fn of(binding_type: &str) -> Option<TriggerKind> {
        let lower = binding_type.to_ascii_lowercase();
        if !lower.ends_with("trigger") {
            return None;
        }
        Some(match lower.as_str() {
            "httptrigger" => TriggerKind::Http,
            "blobtrigger" => TriggerKind::Blob,
            "queuetrigger" => TriggerKind::Queue,
            "timertrigger" => TriggerKind::Timer,
            "eventhubtrigger" => TriggerKind::EventHubs,
            "servicebustrigger" => TriggerKind::ServiceBus,
            "cosmosdbtrigger" => TriggerKind::CosmosDb,
            _ => TriggerKind::Other(binding_type.to_owned()),
        })
    }
}

/// One binding of a `function.json`, with the fields the shim uses.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct Binding {
    /// `name`: the key of the binding's value in `Data` or `Outputs` (`$return` for the return
    /// value).
    pub name: String,
    /// `type`, such as `httpTrigger`, `http`, `blob`, `queue`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `direction`: `in`, `out` or `inout`.
    #[serde(default)]
    pub direction: Option<String>,
    /// `dataType`: `binary`, `string` or `stream`.
    #[serde(default, rename = "dataType")]
    pub data_type: Option<String>,
    /// `path` of blob bindings: `<container>/<pattern>`.
    #[serde(default)]
    pub path: Option<String>,
    /// `queueName` of queue bindings.
    #[serde(default, rename = "queueName")]
    pub queue_name: Option<String>,
    /// `route` of HTTP triggers.
    #[serde(default)]
    pub route: Option<String>,
    /// `cardinality` of Event Hubs and Service Bus triggers: `one` (the default) or `many`.
    #[serde(default)]
    pub cardinality: Option<String>,
    /// `eventHubName` of Event Hubs bindings (may be an app setting: `%NAME%`).
    #[serde(default, rename = "eventHubName")]
    pub event_hub_name: Option<String>,
    /// `topicName` of Service Bus bindings on a topic.
    #[serde(default, rename = "topicName")]
    pub topic_name: Option<String>,
    /// `subscriptionName` of Service Bus triggers on a topic.
    #[serde(default, rename = "subscriptionName")]
    pub subscription_name: Option<String>,
    /// `databaseName` of Cosmos DB bindings.
    #[serde(default, rename = "databaseName")]
    pub database_name: Option<String>,
    /// `containerName` of Cosmos DB bindings (`collectionName` in extension versions before 4).
    #[serde(default, rename = "containerName", alias = "collectionName")]
    pub container_name: Option<String>,
}

impl Binding {
    /// Whether the binding is an output (`direction: out`).
    pub fn is_output(&self) -> bool {
        self.direction
            .as_deref()
            .is_some_and(|d| d.eq_ignore_ascii_case("out"))
    }

    /// Whether `dataType` is `binary`.
    pub fn is_binary(&self) -> bool {
        self.data_type
            .as_deref()
            .is_some_and(|d| d.eq_ignore_ascii_case("binary"))
    }

    /// Whether `cardinality` is `many`: the trigger delivers a batch.
    pub fn is_many(&self) -> bool {
        self.cardinality
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case("many"))
    }
}

/// A binding property as the host reads it: `%NAME%` is the app setting `NAME` (an environment
/// variable of the handler), kept as written when the setting is not there.
pub(crate) fn resolve_setting(value: &str) -> String {
    match value
        .strip_prefix('%')
        .and_then(|v| v.strip_suffix('%'))
        .filter(|name| !name.is_empty() && !name.contains('%'))
    {
        Some(name) => std::env::var(name).unwrap_or_else(|_| value.to_owned()),
        None => value.to_owned(),
    }
}

/// What the shim knows about one function.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FunctionDef {
    /// The function's name: its folder's name.
    pub name: String,
    /// The trigger's kind.
    pub trigger_kind: TriggerKind,
    /// The trigger binding.
    pub trigger: Binding,
    /// Every binding, in file order.
    pub bindings: Vec<Binding>,
}

impl FunctionDef {
    /// Reads a `function.json` (a leading UTF-8 byte order mark is allowed, as the host allows
    /// it). `name` is the function's folder name.
    pub fn from_json(name: &str, json: &Value, path: &Path) -> Result<FunctionDef, StartupError> {
        let bindings = member_ci(json, "bindings")
            .ok_or_else(|| app_file_error(path, "there is no `bindings` array"))?;
        let bindings: Vec<Binding> = serde_json::from_value(bindings.clone())
            .map_err(|e| app_file_error(path, "`bindings` is not valid").with_source(e))?;
        let (trigger_kind, trigger) = bindings
            .iter()
            .find_map(|b| TriggerKind::of(&b.kind).map(|k| (k, b.clone())))
            .ok_or_else(|| {
                app_file_error(
                    path,
                    "no binding is a trigger (a `type` ending in `Trigger`)",
                )
            })?;
        Ok(FunctionDef {
            name: name.to_owned(),
            trigger_kind,
            trigger,
            bindings,
        })
    }

    /// The output bindings (`direction: out`), `$return` included, in file order.
    pub fn outputs(&self) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(|b| b.is_output())
    }

    /// The `http` output binding, if there is one.
    pub fn http_output(&self) -> Option<&Binding> {
        self.bindings
            .iter()
            .find(|b| b.is_output() && b.kind.eq_ignore_ascii_case("http"))
    }

    /// Whether the function has exactly an `httpTrigger` in and an `http` out: the functions the
    /// host forwards raw when `enableForwardingHttpRequest` is on.
    pub fn is_http_in_and_out(&self) -> bool {
        self.trigger_kind == TriggerKind::Http
            && self.bindings.len() == 2
            && self.http_output().is_some()
    }

    /// The route of an HTTP trigger: its `route`, else the function's name.
    pub fn http_route(&self) -> &str {
        self.trigger.route.as_deref().unwrap_or(&self.name)
    }
}

/// Every function of the app, by name.
#[derive(Clone, Debug, Default)]
pub struct Functions {
    by_name: HashMap<String, Arc<FunctionDef>>,
}

impl Functions {
    /// Reads `<app_root>/<folder>/function.json` for every folder that has one.
    pub fn load(app_root: &Path) -> Result<Functions, StartupError> {
        let entries = std::fs::read_dir(app_root)
            .map_err(|e| app_file_error(app_root, "cannot list the app root").with_source(e))?;
        let mut functions = Functions::default();
        for entry in entries.flatten() {
            let path = entry.path().join("function.json");
            if !path.is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let json = read_json_file(&path)?;
            functions.insert(FunctionDef::from_json(&name, &json, &path)?);
        }
        Ok(functions)
    }

    /// Adds or replaces a function.
    pub fn insert(&mut self, function: FunctionDef) {
        self.by_name
            .insert(function.name.to_ascii_lowercase(), Arc::new(function));
    }

    /// The function with this name (function names are case-insensitive on Azure).
    pub fn get(&self, name: &str) -> Option<&Arc<FunctionDef>> {
        self.by_name.get(&name.to_ascii_lowercase())
    }

    /// Every function, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<FunctionDef>> {
        self.by_name.values()
    }

    /// How many functions there are.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn shared(rel: &str) -> PathBuf {
        // Outside oracle: other projects' files, read from the shared folder, never copied.
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/fixtures/azure")
            .join(rel);
        assert!(
            path.exists(),
            "{} is missing: the outside-oracle fixtures are read from ../shared beside the checkout, as CI has them",
            path.display()
        );
        path
    }

    #[test]
    fn the_azure_samples_function_json_files_are_understood() {
        let cases = [
            (
                "custom-handlers-samples/go_BlobTrigger_function.json",
                TriggerKind::Blob,
            ),
            (
                "custom-handlers-samples/go_QueueTrigger_function.json",
                TriggerKind::Queue,
            ),
            (
                "custom-handlers-samples/go_TimerTrigger_function.json",
                TriggerKind::Timer,
            ),
            (
                "custom-handlers-samples/go_SimpleHttpTriggerWithReturn_function.json",
                TriggerKind::Http,
            ),
            (
                "custom-handlers-samples/Rust_SimpleHttpTrigger_function.json",
                TriggerKind::Http,
            ),
            ("reconstructed-blob-shim-function.json", TriggerKind::Blob),
        ];
        for (file, kind) in cases {
            let path = shared(&format!("function-json/{file}"));
            let json = read_json_file(&path).unwrap();
            let function = FunctionDef::from_json("f", &json, &path).unwrap();
            assert_eq!(function.trigger_kind, kind, "{file}");
        }
    }

    #[test]
    fn v1_files_with_a_byte_order_mark_are_read() {
        let path = shared("v1-file-binding/QueueTrigger-Python/function.json");
        assert!(std::fs::read(&path).unwrap().starts_with(b"\xEF\xBB\xBF"));
        let function = FunctionDef::from_json("q", &read_json_file(&path).unwrap(), &path).unwrap();
        assert_eq!(function.trigger_kind, TriggerKind::Queue);
    }

    #[test]
    fn http_in_and_out_is_exactly_two_bindings() {
        let json = serde_json::json!({"bindings": [
            {"type": "httpTrigger", "direction": "in", "name": "req", "route": "items/{id}"},
            {"type": "http", "direction": "out", "name": "res"}]});
        let f = FunctionDef::from_json("items", &json, Path::new("x")).unwrap();
        assert!(f.is_http_in_and_out());
        assert_eq!(f.http_output().unwrap().name, "res");
        assert_eq!(f.http_route(), "items/{id}");

        let json = serde_json::json!({"bindings": [
            {"type": "httpTrigger", "direction": "in", "name": "req"},
            {"type": "http", "direction": "out", "name": "res"},
            {"type": "queue", "direction": "out", "name": "msg", "queueName": "q"}]});
        let f = FunctionDef::from_json("order", &json, Path::new("x")).unwrap();
        assert!(!f.is_http_in_and_out());
        assert_eq!(f.http_route(), "order");
    }

    #[test]
    fn a_function_json_without_a_trigger_is_an_error_naming_the_file() {
        let json =
            serde_json::json!({"bindings": [{"type": "blob", "direction": "in", "name": "b"}]});
        let err = FunctionDef::from_json("f", &json, Path::new("f/function.json")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "f/function.json: no binding is a trigger (a `type` ending in `Trigger`)"
        );
    }
}
