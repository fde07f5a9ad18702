//! Writing a function app's `host.json` and each function's `function.json`, so nobody
//! hand-writes them (and gets a binding name or `dataType` wrong).
//!
//! ```no_run
//! use polyfaas_azure::scaffold::{AppScaffold, OutputSpec, TriggerSpec};
//!
//! AppScaffold::new("echo")
//!     .function("hello", TriggerSpec::http())
//!     .function("thumbnail", TriggerSpec::blob("uploads/{name}"))
//!     .function("orders", TriggerSpec::queue("orders"))
//!     .function("nightly", TriggerSpec::timer("0 0 2 * * *"))
//!     .function("invoices", TriggerSpec::service_bus_queue("invoices"))
//!     .function("clicks", TriggerSpec::event_hubs("clicks").batch(true))
//!     .function("order-changes", TriggerSpec::cosmos_db("shop", "orders"))
//!     // A named output the handler sets with `Response::with_output("receipt", ...)`.
//!     .output("orders", OutputSpec::blob("receipt", "receipts/{rand-guid}.json"))
//!     .write("app".as_ref())?;
//! # Ok::<(), polyfaas_azure::scaffold::ScaffoldError>(())
//! ```
//!
//! The same from the command line: `cargo run -p polyfaas-azure --bin polyfaas-azure-scaffold
//! -- --app-root app --executable echo --http hello --blob thumbnail=uploads/{name}`.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// The binding names the scaffold uses: the keys of `Data` and `Outputs`.
pub mod names {
    /// The HTTP trigger's request.
    pub const HTTP_REQUEST: &str = "req";
    /// The HTTP output binding.
    pub const HTTP_RESPONSE: &str = "res";
    /// The blob trigger's content.
    pub const BLOB: &str = "blob";
    /// The queue trigger's message.
    pub const QUEUE: &str = "message";
    /// The timer trigger's timer object.
    pub const TIMER: &str = "timer";
    /// The Service Bus trigger's message(s).
    pub const SERVICE_BUS: &str = "message";
    /// The Event Hubs trigger's event(s).
    pub const EVENT_HUBS: &str = "events";
    /// The Cosmos DB trigger's documents.
    pub const COSMOS_DB: &str = "documents";
}

/// Writing the app's files failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScaffoldError {
    /// A function name Azure does not accept.
    #[error("{0:?} is not a valid function name: it must start with a letter and have only letters, digits, `_` and `-` (at most 127)")]
    BadName(String),
    /// Two functions with the same name (names are case-insensitive).
    #[error("two functions are named {0:?}")]
    Duplicate(String),
    /// An output binding for a function the app does not have.
    #[error("the output {output:?} is for the function {function:?}, which the app does not have")]
    NoFunction {
        /// The function named.
        function: String,
        /// The output's binding name.
        output: String,
    },
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A trigger, with what it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TriggerSpec {
    /// An HTTP trigger with an `http` output: eligible for forwarding.
    Http {
        /// `route` (default: the function's name), such as `items/{id}`.
        route: Option<String>,
        /// Allowed methods, lower-case; empty for all.
        methods: Vec<String>,
        /// `authLevel`: `anonymous` (the default here), `function` or `admin`.
        auth_level: String,
    },
    /// A blob trigger, content as bytes (`dataType: binary`).
    Blob {
        /// `<container>/<pattern>`, such as `uploads/{name}`.
        path: String,
        /// The app setting holding the storage connection string.
        connection: String,
    },
    /// A queue trigger.
    Queue {
        /// The queue's name.
        queue_name: String,
        /// The app setting holding the storage connection string.
        connection: String,
    },
    /// A timer trigger.
    Timer {
        /// NCRONTAB with seconds: `0 */5 * * * *`.
        schedule: String,
        /// Also fire when the app starts.
        run_on_startup: bool,
    },
    /// A Service Bus trigger on a queue, or on a topic's subscription; message bodies as bytes
    /// (`dataType: binary`, so any body arrives exactly).
    ServiceBus {
        /// The queue.
        queue: Option<String>,
        /// The topic and the subscription.
        topic: Option<(String, String)>,
        /// The app setting holding the namespace's connection string.
        connection: String,
        /// `cardinality: many`: batches (the handler still sees one message at a time).
        batch: bool,
    },
    /// An Event Hubs trigger; event bodies as bytes (`dataType: binary`).
    EventHubs {
        /// The event hub.
        event_hub: String,
        /// The consumer group.
        consumer_group: String,
        /// The app setting holding the namespace's connection string.
        connection: String,
        /// `cardinality: many`: batches (the handler still sees one event at a time).
        batch: bool,
    },
    /// A Cosmos DB trigger (extension 4 names) on a container's change feed.
    CosmosDb {
        /// The database.
        database: String,
        /// The container.
        container: String,
        /// The container that keeps the feed's leases (created if missing).
        lease_container: String,
        /// Read the feed from its beginning rather than from now.
        start_from_beginning: bool,
        /// The app setting holding the account's connection string.
        connection: String,
    },
}

impl TriggerSpec {
    /// An anonymous HTTP trigger for every method on the function's name as route.
    pub fn http() -> Self {
        TriggerSpec::Http {
            route: None,
            methods: Vec::new(),
            auth_level: "anonymous".to_owned(),
        }
    }

    /// An anonymous HTTP trigger on `route`.
    pub fn http_route(route: impl Into<String>) -> Self {
        match Self::http() {
            TriggerSpec::Http {
                methods,
                auth_level,
                ..
            } => TriggerSpec::Http {
                route: Some(route.into()),
                methods,
                auth_level,
            },
            other => other,
        }
    }

    /// A blob trigger on `path` (`<container>/<pattern>`) in `AzureWebJobsStorage`.
    pub fn blob(path: impl Into<String>) -> Self {
        TriggerSpec::Blob {
            path: path.into(),
            connection: "AzureWebJobsStorage".to_owned(),
        }
    }

    /// A queue trigger on `queue_name` in `AzureWebJobsStorage`.
    pub fn queue(queue_name: impl Into<String>) -> Self {
        TriggerSpec::Queue {
            queue_name: queue_name.into(),
            connection: "AzureWebJobsStorage".to_owned(),
        }
    }

    /// A timer trigger on an NCRONTAB schedule (six fields, seconds first).
    pub fn timer(schedule: impl Into<String>) -> Self {
        TriggerSpec::Timer {
            schedule: schedule.into(),
            run_on_startup: false,
        }
    }

    /// A Service Bus trigger on `queue` in `ServiceBusConnection`, one message per invocation.
    pub fn service_bus_queue(queue: impl Into<String>) -> Self {
        TriggerSpec::ServiceBus {
            queue: Some(queue.into()),
            topic: None,
            connection: "ServiceBusConnection".to_owned(),
            batch: false,
        }
    }

    /// A Service Bus trigger on `topic`'s `subscription` in `ServiceBusConnection`.
    pub fn service_bus_topic(topic: impl Into<String>, subscription: impl Into<String>) -> Self {
        TriggerSpec::ServiceBus {
            queue: None,
            topic: Some((topic.into(), subscription.into())),
            connection: "ServiceBusConnection".to_owned(),
            batch: false,
        }
    }

    /// An Event Hubs trigger on `event_hub` (consumer group `$Default`) in
    /// `EventHubConnection`, one event per invocation.
    pub fn event_hubs(event_hub: impl Into<String>) -> Self {
        TriggerSpec::EventHubs {
            event_hub: event_hub.into(),
            consumer_group: "$Default".to_owned(),
            connection: "EventHubConnection".to_owned(),
            batch: false,
        }
    }

    /// A Cosmos DB trigger on `database`/`container` in `CosmosDBConnection`, leases in
    /// `leases`, from now on.
    pub fn cosmos_db(database: impl Into<String>, container: impl Into<String>) -> Self {
        TriggerSpec::CosmosDb {
            database: database.into(),
            container: container.into(),
            lease_container: "leases".to_owned(),
            start_from_beginning: false,
            connection: "CosmosDBConnection".to_owned(),
        }
    }

    /// The same trigger delivering batches (`cardinality: many`) where it can (Service Bus,
    /// Event Hubs); the handler still sees one record at a time, in order.
    pub fn batch(mut self, many: bool) -> Self {
        if let TriggerSpec::ServiceBus { batch, .. } | TriggerSpec::EventHubs { batch, .. } =
            &mut self
        {
            *batch = many;
        }
        self
    }

    /// The same trigger reading its service through the app setting `setting` (a connection
    /// string, or the prefix of identity-based settings); HTTP and timer triggers have none.
    pub fn connection(mut self, setting: impl Into<String>) -> Self {
        match &mut self {
            TriggerSpec::Blob { connection, .. }
            | TriggerSpec::Queue { connection, .. }
            | TriggerSpec::ServiceBus { connection, .. }
            | TriggerSpec::EventHubs { connection, .. }
            | TriggerSpec::CosmosDb { connection, .. } => *connection = setting.into(),
            TriggerSpec::Http { .. } | TriggerSpec::Timer { .. } => {}
        }
        self
    }

    /// The `bindings` array of a function with this trigger.
    pub fn bindings(&self) -> Value {
        match self {
            TriggerSpec::Http {
                route,
                methods,
                auth_level,
            } => {
                let mut trigger = json!({"type": "httpTrigger", "direction": "in",
                    "name": names::HTTP_REQUEST, "authLevel": auth_level});
                if !methods.is_empty() {
                    trigger["methods"] = json!(methods);
                }
                if let Some(route) = route {
                    trigger["route"] = json!(route);
                }
                json!([trigger, {"type": "http", "direction": "out", "name": names::HTTP_RESPONSE}])
            }
            TriggerSpec::Blob { path, connection } => {
                json!([{"type": "blobTrigger", "direction": "in",
                "name": names::BLOB, "path": path, "dataType": "binary", "connection": connection}])
            }
            TriggerSpec::Queue {
                queue_name,
                connection,
            } => json!([{"type": "queueTrigger", "direction": "in",
                "name": names::QUEUE, "queueName": queue_name, "connection": connection}]),
            TriggerSpec::Timer {
                schedule,
                run_on_startup,
            } => json!([{"type": "timerTrigger", "direction": "in",
                "name": names::TIMER, "schedule": schedule, "runOnStartup": run_on_startup}]),
            TriggerSpec::ServiceBus {
                queue,
                topic,
                connection,
                batch,
            } => {
                let mut trigger = json!({"type": "serviceBusTrigger", "direction": "in",
                    "name": names::SERVICE_BUS, "connection": connection, "dataType": "binary",
                    "cardinality": cardinality(*batch)});
                if let Some(queue) = queue {
                    trigger["queueName"] = json!(queue);
                }
                if let Some((topic, subscription)) = topic {
                    trigger["topicName"] = json!(topic);
                    trigger["subscriptionName"] = json!(subscription);
                }
                json!([trigger])
            }
            TriggerSpec::EventHubs {
                event_hub,
                consumer_group,
                connection,
                batch,
            } => json!([{"type": "eventHubTrigger", "direction": "in",
                "name": names::EVENT_HUBS, "eventHubName": event_hub, "consumerGroup": consumer_group,
                "connection": connection, "dataType": "binary", "cardinality": cardinality(*batch)}]),
            TriggerSpec::CosmosDb {
                database,
                container,
                lease_container,
                start_from_beginning,
                connection,
            } => json!([{"type": "cosmosDBTrigger", "direction": "in",
                "name": names::COSMOS_DB, "connection": connection, "databaseName": database,
                "containerName": container, "leaseContainerName": lease_container,
                "createLeaseContainerIfNotExists": true,
                "startFromBeginning": start_from_beginning}]),
        }
    }
}

fn cardinality(batch: bool) -> &'static str {
    if batch {
        "many"
    } else {
        "one"
    }
}

/// A named output binding of a function: where a value the handler sets with
/// `Response::with_output(name, value)` goes. The names are the handler's to choose.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutputSpec {
    /// A Storage queue message (several with a JSON array).
    Queue {
        /// The binding's name.
        name: String,
        /// The queue.
        queue_name: String,
        /// The app setting holding the storage connection string.
        connection: String,
    },
    /// A blob, written whole. No `dataType`: with `binary` the host would write base64 text
    /// (host issue #6091).
    Blob {
        /// The binding's name.
        name: String,
        /// `<container>/<pattern>`, such as `receipts/{rand-guid}.json`.
        path: String,
        /// The app setting holding the storage connection string.
        connection: String,
    },
    /// A Service Bus message on a queue or topic (several with a JSON array).
    ServiceBus {
        /// The binding's name.
        name: String,
        /// The queue or topic (`queueName` or `topicName`).
        entity: String,
        /// Whether `entity` is a topic.
        topic: bool,
        /// The app setting holding the namespace's connection string.
        connection: String,
    },
    /// An Event Hubs event (several with a JSON array).
    EventHubs {
        /// The binding's name.
        name: String,
        /// The event hub.
        event_hub: String,
        /// The app setting holding the namespace's connection string.
        connection: String,
    },
    /// A Cosmos DB document, created or replaced (several with a JSON array).
    CosmosDb {
        /// The binding's name.
        name: String,
        /// The database.
        database: String,
        /// The container.
        container: String,
        /// The app setting holding the account's connection string.
        connection: String,
    },
}

impl OutputSpec {
    /// A Storage queue output `name` to `queue_name` in `AzureWebJobsStorage`.
    pub fn queue(name: impl Into<String>, queue_name: impl Into<String>) -> Self {
        OutputSpec::Queue {
            name: name.into(),
            queue_name: queue_name.into(),
            connection: "AzureWebJobsStorage".to_owned(),
        }
    }

    /// A blob output `name` to `path` (`<container>/<pattern>`) in `AzureWebJobsStorage`.
    pub fn blob(name: impl Into<String>, path: impl Into<String>) -> Self {
        OutputSpec::Blob {
            name: name.into(),
            path: path.into(),
            connection: "AzureWebJobsStorage".to_owned(),
        }
    }

    /// A Service Bus output `name` to the queue `queue` in `ServiceBusConnection`.
    pub fn service_bus_queue(name: impl Into<String>, queue: impl Into<String>) -> Self {
        OutputSpec::ServiceBus {
            name: name.into(),
            entity: queue.into(),
            topic: false,
            connection: "ServiceBusConnection".to_owned(),
        }
    }

    /// A Service Bus output `name` to the topic `topic` in `ServiceBusConnection`.
    pub fn service_bus_topic(name: impl Into<String>, topic: impl Into<String>) -> Self {
        OutputSpec::ServiceBus {
            name: name.into(),
            entity: topic.into(),
            topic: true,
            connection: "ServiceBusConnection".to_owned(),
        }
    }

    /// An Event Hubs output `name` to `event_hub` in `EventHubConnection`.
    pub fn event_hubs(name: impl Into<String>, event_hub: impl Into<String>) -> Self {
        OutputSpec::EventHubs {
            name: name.into(),
            event_hub: event_hub.into(),
            connection: "EventHubConnection".to_owned(),
        }
    }

    /// A Cosmos DB output `name` to `database`/`container` in `CosmosDBConnection`.
    pub fn cosmos_db(
        name: impl Into<String>,
        database: impl Into<String>,
        container: impl Into<String>,
    ) -> Self {
        OutputSpec::CosmosDb {
            name: name.into(),
            database: database.into(),
            container: container.into(),
            connection: "CosmosDBConnection".to_owned(),
        }
    }

    /// The binding's name.
    pub fn name(&self) -> &str {
        match self {
            OutputSpec::Queue { name, .. }
            | OutputSpec::Blob { name, .. }
            | OutputSpec::ServiceBus { name, .. }
            | OutputSpec::EventHubs { name, .. }
            | OutputSpec::CosmosDb { name, .. } => name,
        }
    }

    /// The binding, as `function.json` has it.
    pub fn binding(&self) -> Value {
        match self {
            OutputSpec::Queue {
                name,
                queue_name,
                connection,
            } => json!({"type": "queue", "direction": "out", "name": name,
                "queueName": queue_name, "connection": connection}),
            OutputSpec::Blob {
                name,
                path,
                connection,
            } => json!({"type": "blob", "direction": "out", "name": name, "path": path,
                "connection": connection}),
            OutputSpec::ServiceBus {
                name,
                entity,
                topic,
                connection,
            } => {
                let key = if *topic { "topicName" } else { "queueName" };
                json!({"type": "serviceBus", "direction": "out", "name": name, key: entity,
                    "connection": connection})
            }
            OutputSpec::EventHubs {
                name,
                event_hub,
                connection,
            } => json!({"type": "eventHub", "direction": "out", "name": name,
                "eventHubName": event_hub, "connection": connection}),
            OutputSpec::CosmosDb {
                name,
                database,
                container,
                connection,
            } => json!({"type": "cosmosDB", "direction": "out", "name": name,
                "databaseName": database, "containerName": container,
                "createIfNotExists": false, "connection": connection}),
        }
    }
}

/// A function app: the handler executable and its functions.
#[derive(Clone, Debug)]
#[must_use]
pub struct AppScaffold {
    executable: String,
    forwarding: bool,
    function_timeout: Option<String>,
    route_prefix: Option<String>,
    functions: Vec<(String, TriggerSpec)>,
    outputs: Vec<(String, OutputSpec)>,
}

impl AppScaffold {
    /// An app whose custom handler is `executable` (a path relative to the app root, or a name
    /// on `PATH`).
    pub fn new(executable: impl Into<String>) -> Self {
        AppScaffold {
            executable: executable.into(),
            forwarding: false,
            function_timeout: None,
            route_prefix: None,
            functions: Vec::new(),
            outputs: Vec::new(),
        }
    }

    /// `enableForwardingHttpRequest`: HTTP-only functions get the raw request and may answer
    /// with binary bodies and repeated headers.
    pub fn forwarding(mut self, on: bool) -> Self {
        self.forwarding = on;
        self
    }

    /// `functionTimeout`, such as `00:05:00`: also each invocation's deadline in the shim.
    pub fn function_timeout(mut self, timeout: impl Into<String>) -> Self {
        self.function_timeout = Some(timeout.into());
        self
    }

    /// `extensions.http.routePrefix` (default `api`): the first path segment of every HTTP
    /// function's URL; `""` for none.
    pub fn route_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.route_prefix = Some(prefix.into());
        self
    }

    /// Adds a function.
    pub fn function(mut self, name: impl Into<String>, trigger: TriggerSpec) -> Self {
        self.functions.push((name.into(), trigger));
        self
    }

    /// Adds a named output binding to the function `function` (added with
    /// [`function`](Self::function)).
    pub fn output(mut self, function: impl Into<String>, output: OutputSpec) -> Self {
        self.outputs.push((function.into(), output));
        self
    }

    /// The `function.json` of the function `name`: its trigger's bindings and its outputs.
    pub fn function_json(&self, name: &str, trigger: &TriggerSpec) -> Value {
        let mut bindings = trigger.bindings();
        if let Value::Array(list) = &mut bindings {
            list.extend(
                self.outputs
                    .iter()
                    .filter(|(f, _)| f.eq_ignore_ascii_case(name))
                    .map(|(_, o)| o.binding()),
            );
        }
        json!({ "bindings": bindings })
    }

    /// The `host.json`.
    pub fn host_json(&self) -> Value {
        let mut host = json!({
            "version": "2.0",
            "customHandler": {
                "description": {"defaultExecutablePath": self.executable, "workingDirectory": "", "arguments": []},
                "enableForwardingHttpRequest": self.forwarding
            },
            "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"},
            "logging": {"logLevel": {"default": "Information"}}
        });
        if let Some(timeout) = &self.function_timeout {
            host["functionTimeout"] = json!(timeout);
        }
        if let Some(prefix) = &self.route_prefix {
            host["extensions"] = json!({"http": {"routePrefix": prefix}});
        }
        host
    }

    /// Writes `host.json`, `<function>/function.json` for each function, and a
    /// `local.settings.json` for `func start` (`FUNCTIONS_WORKER_RUNTIME=Custom`, storage on
    /// Azurite) unless there is one. Returns the files written.
    pub fn write(&self, app_root: &Path) -> Result<Vec<PathBuf>, ScaffoldError> {
        let mut seen = std::collections::HashSet::new();
        for (name, _) in &self.functions {
            if !valid_name(name) {
                return Err(ScaffoldError::BadName(name.clone()));
            }
            if !seen.insert(name.to_ascii_lowercase()) {
                return Err(ScaffoldError::Duplicate(name.clone()));
            }
        }
        for (function, output) in &self.outputs {
            if !seen.contains(&function.to_ascii_lowercase()) {
                return Err(ScaffoldError::NoFunction {
                    function: function.clone(),
                    output: output.name().to_owned(),
                });
            }
        }
        let mut written = Vec::new();
        let mut write = |path: PathBuf, value: &Value| -> Result<(), ScaffoldError> {
            let io = |source| ScaffoldError::Io {
                path: path.clone(),
                source,
            };
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            let text = serde_json::to_string_pretty(value).unwrap_or_default() + "\n";
            std::fs::write(&path, text).map_err(io)?;
            written.push(path);
            Ok(())
        };
        write(app_root.join("host.json"), &self.host_json())?;
        for (name, trigger) in &self.functions {
            write(
                app_root.join(name).join("function.json"),
                &self.function_json(name, trigger),
            )?;
        }
        let settings = app_root.join("local.settings.json");
        if !settings.exists() {
            write(
                settings,
                &json!({"IsEncrypted": false, "Values": {
                    "FUNCTIONS_WORKER_RUNTIME": "Custom",
                    "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}),
            )?;
        }
        Ok(written)
    }
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && name.len() <= 127
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::function_json::{Functions, TriggerKind};

    #[test]
    fn written_files_are_read_back_by_the_shim() {
        let dir = tempfile::tempdir().unwrap();
        let files = AppScaffold::new("echo")
            .forwarding(true)
            .function_timeout("00:05:00")
            .route_prefix("")
            .function("hello", TriggerSpec::http_route("items/{id}"))
            .function("thumbs", TriggerSpec::blob("uploads/{name}"))
            .function("orders", TriggerSpec::queue("orders"))
            .function("nightly", TriggerSpec::timer("0 0 2 * * *"))
            .write(dir.path())
            .unwrap();
        assert_eq!(files.len(), 6);
        let functions = Functions::load(dir.path()).unwrap();
        assert_eq!(functions.len(), 4);
        let hello = functions.get("hello").unwrap();
        assert!(hello.is_http_in_and_out());
        assert_eq!(hello.http_route(), "items/{id}");
        let thumbs = functions.get("thumbs").unwrap();
        assert_eq!(thumbs.trigger_kind, TriggerKind::Blob);
        assert!(thumbs.trigger.is_binary());
        assert_eq!(
            functions
                .get("orders")
                .unwrap()
                .trigger
                .queue_name
                .as_deref(),
            Some("orders")
        );
        assert_eq!(functions.get("nightly").unwrap().trigger.name, names::TIMER);

        let mut config = crate::AzureConfig::new(1, dir.path());
        config.read_host_json().unwrap();
        assert!(config.forwarding);
        assert_eq!(
            config.function_timeout,
            Some(std::time::Duration::from_secs(300))
        );
    }

    #[test]
    fn stream_triggers_and_outputs_are_read_back_by_the_shim() {
        let dir = tempfile::tempdir().unwrap();
        AppScaffold::new("echo")
            .function("invoices", TriggerSpec::service_bus_queue("invoices"))
            .function(
                "alerts",
                TriggerSpec::service_bus_topic("alerts", "pager").batch(true),
            )
            .function(
                "clicks",
                TriggerSpec::event_hubs("clicks")
                    .batch(true)
                    .connection("Hub"),
            )
            .function("feed", TriggerSpec::cosmos_db("shop", "orders"))
            .output("invoices", OutputSpec::queue("outbox", "sent"))
            .output(
                "invoices",
                OutputSpec::blob("receipt", "receipts/{rand-guid}"),
            )
            .output("feed", OutputSpec::cosmos_db("copy", "shop", "archive"))
            .write(dir.path())
            .unwrap();
        let functions = Functions::load(dir.path()).unwrap();
        let invoices = functions.get("invoices").unwrap();
        assert_eq!(invoices.trigger_kind, TriggerKind::ServiceBus);
        assert!(invoices.trigger.is_binary() && !invoices.trigger.is_many());
        let outputs: Vec<&str> = invoices.outputs().map(|b| b.name.as_str()).collect();
        assert_eq!(outputs, ["outbox", "receipt"]);
        let alerts = functions.get("alerts").unwrap();
        assert_eq!(alerts.trigger.topic_name.as_deref(), Some("alerts"));
        assert_eq!(alerts.trigger.subscription_name.as_deref(), Some("pager"));
        assert!(alerts.trigger.is_many());
        let clicks = functions.get("clicks").unwrap();
        assert_eq!(clicks.trigger_kind, TriggerKind::EventHubs);
        assert_eq!(clicks.trigger.event_hub_name.as_deref(), Some("clicks"));
        assert_eq!(clicks.trigger.name, names::EVENT_HUBS);
        let feed = functions.get("feed").unwrap();
        assert_eq!(feed.trigger_kind, TriggerKind::CosmosDb);
        assert_eq!(feed.trigger.container_name.as_deref(), Some("orders"));

        let err = AppScaffold::new("x")
            .output("nope", OutputSpec::queue("q", "q"))
            .write(dir.path())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the output \"q\" is for the function \"nope\", which the app does not have"
        );
    }

    #[test]
    fn bad_and_duplicate_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = AppScaffold::new("x")
            .function("1st", TriggerSpec::http())
            .write(dir.path());
        assert!(matches!(err, Err(ScaffoldError::BadName(_))));
        let err = AppScaffold::new("x")
            .function("a", TriggerSpec::http())
            .function("A", TriggerSpec::http())
            .write(dir.path());
        assert_eq!(
            err.unwrap_err().to_string(),
            "two functions are named \"A\""
        );
    }
}
