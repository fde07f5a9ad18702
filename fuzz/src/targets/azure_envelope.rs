//! One Azure Functions host invocation request through the public parts of `polyfaas-azure`:
//! the envelope (`Data`, `Metadata`, case-insensitive), the .NET double encoding of its values
//! ([`text`]), base64 content ([`bytes`]), `sys.MethodName` / `sys.UtcNow`.
use polyfaas_azure::payload::{bytes, get_ci, text, Envelope};

pub fn run(data: &[u8]) {
    let Ok(envelope) = Envelope::parse(data) else {
        return;
    };
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
        if let serde_json::Value::Object(map) = value {
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
