//! One Azure Functions host invocation request through `polyfaas-azure`:
//! - the envelope (`Data`, `Metadata`, case-insensitive), the .NET double encoding of its values
//!   ([`text`]), base64 content ([`bytes`]), `sys.MethodName` / `sys.UtcNow`;
//! - every trigger's decoder (`polyfaas_azure::fuzzing::decode`): HTTP, queue, timer, blob,
//!   Event Hubs and Service Bus (one and many, string and binary), Cosmos DB and an unknown
//!   trigger, each declared with the envelope's first `Data` member as its binding, and every
//!   event decoded through the canonical check;
//! - the blob trigger's streaming reader (`polyfaas_azure::fuzzing::receive_blob`), the body
//!   cut in pieces of 1 to 64 bytes, against an oracle: for the body re-serialised compactly,
//!   the file must hold exactly the base64 decoding of `Data.<binding>`, and the reader must
//!   accept the body whenever that decoding and the rest of the envelope are valid.
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use polyfaas_azure::fuzzing::{decode, receive_blob};
use polyfaas_azure::payload::{bytes, get_ci, text, Envelope};
use polyfaas_azure::FunctionDef;
use serde_json::{json, Value};

use crate::{check_event, runtime};

pub fn run(data: &[u8]) {
    let Ok(envelope) = Envelope::parse(data) else {
        return;
    };
    accessors(&envelope);
    let binding = envelope
        .data
        .keys()
        .next()
        .cloned()
        .unwrap_or_else(|| "item".to_owned());
    for function in functions(&binding) {
        if let Ok(events) = decode(&function, &envelope) {
            events.iter().for_each(check_event);
        }
    }
    blob_reader(data, &binding);
}

/// The public accessors of the envelope.
fn accessors(envelope: &Envelope) {
    let _ = envelope.method_name();
    let _ = envelope.utc_now();
    let _ = envelope.check_method_name("fn");
    for key in [
        "Uri",
        "Properties",
        "DequeueCount",
        "Id",
        "InsertionTime",
        "Headers",
        "Query",
    ] {
        let _ = envelope.metadata_text(key);
    }
    for (name, value) in &envelope.data {
        if let Some(text) = text(value) {
            let _ = bytes(&text, name);
        }
        if let Value::Object(map) = value {
            for key in [
                "Url",
                "Method",
                "Headers",
                "Body",
                "Query",
                "Identities",
                "Params",
            ] {
                if let Some(text) = get_ci(map, key).and_then(text) {
                    let _ = bytes(&text, key);
                }
            }
        }
    }
}

/// One function per trigger the shim decodes, each with `binding` as its trigger's name.
fn functions(binding: &str) -> Vec<FunctionDef> {
    let trigger = |kind: &str, extra: Value| {
        let mut binding = json!({"type": kind, "direction": "in", "name": binding});
        if let (Value::Object(b), Value::Object(extra)) = (&mut binding, extra) {
            b.extend(extra);
        }
        binding
    };
    [
        trigger("httpTrigger", json!({"methods": ["get", "post"]})),
        trigger("queueTrigger", json!({"queueName": "orders"})),
        trigger("timerTrigger", json!({"schedule": "0 */5 * * * *"})),
        trigger(
            "blobTrigger",
            json!({"path": "samples/{name}", "dataType": "binary"}),
        ),
        trigger("eventHubTrigger", json!({"eventHubName": "clicks"})),
        trigger(
            "eventHubTrigger",
            json!({"eventHubName": "clicks", "cardinality": "many"}),
        ),
        trigger(
            "eventHubTrigger",
            json!({"eventHubName": "clicks", "cardinality": "many", "dataType": "binary"}),
        ),
        trigger("serviceBusTrigger", json!({"queueName": "orders"})),
        trigger(
            "serviceBusTrigger",
            json!({"topicName": "orders", "subscriptionName": "audit", "cardinality": "many"}),
        ),
        trigger(
            "cosmosDBTrigger",
            json!({"databaseName": "shop", "containerName": "orders"}),
        ),
        trigger("eventGridTrigger", json!({})),
    ]
    .into_iter()
    .map(|trigger| {
        let function =
            json!({"bindings": [trigger, {"type": "http", "direction": "out", "name": "$return"}]});
        // Fixed declarations (the name is any string): one that does not load is the target's
        // own mistake, not a trigger silently left unfuzzed.
        FunctionDef::from_json("fn", &function, Path::new("fn/function.json"))
            .expect("the target's function.json declarations load")
    })
    .collect()
}

/// The streaming blob reader on the raw body (for panics and hangs), then on the body
/// re-serialised compactly (no duplicate keys, no escapes in keys), against the oracle.
fn blob_reader(data: &[u8], binding: &str) {
    let chunk = usize::from(data.first().copied().unwrap_or(0) % 64) + 1;
    let _ = runtime().block_on(receive_blob(data, chunk, binding, scratch()));
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let Some(Value::String(content)) = value.get("Data").and_then(|d| d.get(binding)) else {
        return;
    };
    // The reader takes the first member called `Data` in any case, and compares the binding's
    // name as written: the oracle holds for one `Data` and a name that needs no JSON escape
    // (the host's binding names are identifiers).
    let datas = value.as_object().map_or(0, |top| {
        top.keys()
            .filter(|k| k.eq_ignore_ascii_case("data"))
            .count()
    });
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$';
    if datas != 1 || !binding.chars().all(plain) {
        return;
    }
    let Ok(compact) = serde_json::to_vec(&value) else {
        return;
    };
    let expected = BASE64.decode(content.as_bytes()).ok();
    let mut rest = value.clone();
    rest["Data"][binding] = Value::String(String::new());
    let rest_valid = serde_json::to_vec(&rest)
        .ok()
        .is_some_and(|rest| Envelope::parse(&rest).is_ok());
    match runtime().block_on(receive_blob(&compact, chunk, binding, scratch())) {
        Ok((_, file)) => {
            let file = file.unwrap_or_default();
            assert_eq!(
                Some(&file),
                expected.as_ref(),
                "the blob file is not the base64 decoding of Data.{binding}"
            );
        }
        Err(why) => assert!(
            expected.is_none() || !rest_valid,
            "the blob reader refused a valid envelope ({why})"
        ),
    }
}

/// Where the blob files go: a directory of this process (under /dev/shm when there is one).
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = Path::new("/dev/shm");
        let base = if base.is_dir() {
            base.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("polyfaas-fuzz-azure-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the fuzz scratch directory");
        dir
    })
}
