//! Named outputs ([`Response::with_output`](polyfaas_core::Response::with_output)) → the reply's
//! `Outputs`, under the binding names `function.json` declares, each written the way the host
//! reads its binding's type (azure.md §3):
//!
//! | binding | [`Output::Text`] | [`Output::Bytes`] | [`Output::Json`] |
//! |---|---|---|---|
//! | `blob` | base64 of the text | base64 | base64 of the JSON text |
//! | `queue`, `serviceBus`, `eventHub` and any other | base64 of the text | base64 | an object as it is; an array: several messages, each element written by these rules; a string as text; a number or boolean as its JSON text |
//! | `cosmosDB` | the JSON document the text holds | the same | the document(s) as they are |
//!
//! Why base64: for a binding without `dataType: binary`, the host replaces a string that
//! happens to be valid base64 by the bytes it decodes to (a queue message `"test"` would be
//! written as three garbage bytes), so every text is sent as the base64 of its bytes and arrives
//! exactly. With `dataType: binary` the host takes a string as UTF-8 text instead (and writes
//! the base64 text itself: host issue #6091): text and JSON are sent as they are, and bytes that
//! are not UTF-8 cannot be written (the error says to remove `dataType`).
//!
//! The `http` output is the handler's response itself, and `$return` its body: setting either
//! with `with_output` is an error, as is an output no binding declares. A batch's records may
//! each set outputs: a binding set by several records gets all their values (several messages;
//! a blob takes one value only).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use http::StatusCode;
use polyfaas_core::{Failure, FailureKind, Output, Outputs};
use serde_json::{Map, Value};

use crate::function_json::{Binding, FunctionDef};

/// The error type of an output the function cannot write.
pub(crate) const ERROR_TYPE: &str = "OutputBindingError";

/// The `Outputs` member of the reply for the outputs each record set (one entry per record).
pub(crate) fn encode(
    function: &FunctionDef,
    records: Vec<Outputs>,
) -> Result<Map<String, Value>, Failure> {
    let mut encoded: Map<String, Value> = Map::new();
    for outputs in records {
        for (name, output) in outputs {
            let binding = binding(function, &name)?;
            let value = value(binding, output)?;
            let Some(previous) = encoded.remove(&binding.name) else {
                encoded.insert(binding.name.clone(), value);
                continue;
            };
            if binding.kind.eq_ignore_ascii_case("blob") {
                return Err(failure(format!(
                    "several records set the blob output {:?}; a blob output takes one value",
                    binding.name
                )));
            }
            // Several messages: the host writes each element of an array as one.
            let mut items = match previous {
                Value::Array(items) => items,
                one => vec![one],
            };
            match value {
                Value::Array(more) => items.extend(more),
                one => items.push(one),
            }
            encoded.insert(binding.name.clone(), Value::Array(items));
        }
    }
    Ok(encoded)
}

/// The declared output binding `name` (compared as the host compares binding names).
fn binding<'a>(function: &'a FunctionDef, name: &str) -> Result<&'a Binding, Failure> {
    let declared: Vec<String> = function
        .outputs()
        .filter(|b| !is_response(b))
        .map(|b| format!("{} ({})", b.name, b.kind))
        .collect();
    match function
        .outputs()
        .find(|b| b.name.eq_ignore_ascii_case(name))
    {
        Some(b) if b.kind.eq_ignore_ascii_case("http") => Err(failure(format!(
            "{name:?} is {}'s http output: its value is the handler's response, not an output to set",
            function.name
        ))),
        Some(b) if b.name == "$return" => Err(failure(format!(
            "\"$return\" is {}'s return value: it is the response's body, not an output to set",
            function.name
        ))),
        Some(b) => Ok(b),
        None => Err(failure(format!(
            "the handler set the output {name:?}, which {}/function.json does not declare; {}",
            function.name,
            if declared.is_empty() {
                "it declares no output bindings".to_owned()
            } else {
                format!("its output bindings are {}", declared.join(", "))
            }
        ))),
    }
}

/// Whether the binding is where the response goes rather than an output to set.
fn is_response(binding: &Binding) -> bool {
    binding.kind.eq_ignore_ascii_case("http") || binding.name == "$return"
}

/// One output's value as the host reads it for `binding`.
fn value(binding: &Binding, output: Output) -> Result<Value, Failure> {
    let kind = binding.kind.to_ascii_lowercase();
    if kind == "cosmosdb" {
        return document(binding, output);
    }
    if binding.is_binary() {
        return Ok(match output {
            Output::Text(text) => Value::String(text),
            Output::Json(Value::String(text)) => Value::String(text),
            Output::Json(json) if kind == "blob" => Value::String(json.to_string()),
            Output::Json(json) => json,
            Output::Bytes(bytes) => Value::String(String::from_utf8(bytes.to_vec()).map_err(|_| {
                failure(format!(
                    "the output {:?} has dataType binary, with which the host writes a string as text, and these bytes are not UTF-8: remove `dataType` from the binding to write bytes",
                    binding.name
                ))
            })?),
            _ => return Err(unsupported(binding)),
        });
    }
    Ok(match output {
        Output::Text(text) => base64(text.as_bytes()),
        Output::Bytes(bytes) => base64(&bytes),
        Output::Json(json) if kind == "blob" => base64(json.to_string().as_bytes()),
        Output::Json(json) => message(json),
        _ => return Err(unsupported(binding)),
    })
}

/// A JSON output of a message binding: objects as they are (the host never takes an object for
/// base64), arrays as several messages, scalars as text.
fn message(json: Value) -> Value {
    match json {
        Value::Object(_) => json,
        Value::Array(items) => Value::Array(items.into_iter().map(message).collect()),
        Value::String(text) => base64(text.as_bytes()),
        Value::Null => Value::Null,
        scalar => base64(scalar.to_string().as_bytes()),
    }
}

/// A Cosmos DB output: one document (an object) or several (an array of objects).
fn document(binding: &Binding, output: Output) -> Result<Value, Failure> {
    let json = match output {
        Output::Json(json) => json,
        Output::Text(text) => serde_json::from_str(&text).map_err(|_| not_documents(binding))?,
        Output::Bytes(bytes) => {
            serde_json::from_slice(&bytes).map_err(|_| not_documents(binding))?
        }
        _ => return Err(unsupported(binding)),
    };
    let is_document = |v: &Value| v.is_object();
    match &json {
        Value::Object(_) => Ok(json),
        Value::Array(items) if items.iter().all(is_document) => Ok(json),
        _ => Err(not_documents(binding)),
    }
}

fn not_documents(binding: &Binding) -> Failure {
    failure(format!(
        "the Cosmos DB output {:?} takes a document (a JSON object) or an array of documents",
        binding.name
    ))
}

fn unsupported(binding: &Binding) -> Failure {
    failure(format!(
        "the output {:?} is of a kind this version of polyfaas-azure cannot write",
        binding.name
    ))
}

fn base64(bytes: &[u8]) -> Value {
    Value::String(BASE64.encode(bytes))
}

fn failure(message: String) -> Failure {
    Failure::new(
        FailureKind::Handler,
        StatusCode::INTERNAL_SERVER_ERROR,
        ERROR_TYPE,
        message,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn function() -> FunctionDef {
        FunctionDef::from_json(
            "orders",
            &json!({"bindings": [
                {"type": "httpTrigger", "direction": "in", "name": "req"},
                {"type": "http", "direction": "out", "name": "res"},
                {"type": "queue", "direction": "out", "name": "outbox", "queueName": "out"},
                {"type": "blob", "direction": "out", "name": "receipt", "path": "receipts/{rand-guid}"},
                {"type": "blob", "direction": "out", "name": "raw", "path": "raw/x", "dataType": "binary"},
                {"type": "serviceBus", "direction": "out", "name": "bus", "queueName": "b"},
                {"type": "eventHub", "direction": "out", "name": "hub", "eventHubName": "h"},
                {"type": "cosmosDB", "direction": "out", "name": "doc", "databaseName": "d", "containerName": "c"}
            ]}),
            std::path::Path::new("orders/function.json"),
        )
        .unwrap()
    }

    fn one(outputs: &[(&str, Output)]) -> Vec<Outputs> {
        vec![outputs
            .iter()
            .cloned()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()]
    }

    #[test]
    fn each_output_is_written_as_its_binding_type_needs() {
        let encoded = encode(
            &function(),
            one(&[
                // "test" is valid base64: sent as is, the host would write 3 garbage bytes.
                ("outbox", Output::from("test")),
                ("receipt", Output::from(vec![0u8, 255])),
                ("raw", Output::from("plain text")),
                ("bus", Output::from(json!([{"n": 1}, "two", 3]))),
                ("hub", Output::from(json!({"t": 21}))),
                ("doc", Output::from(r#"{"id": "o-7"}"#)),
            ]),
        )
        .unwrap();
        assert_eq!(
            Value::Object(encoded),
            json!({
                "outbox": "dGVzdA==",
                "receipt": "AP8=",
                "raw": "plain text",
                "bus": [{"n": 1}, "dHdv", "Mw=="],
                "hub": {"t": 21},
                "doc": {"id": "o-7"}
            })
        );
    }

    #[test]
    fn outputs_that_cannot_be_written_are_named() {
        let err = |outputs: &[(&str, Output)]| {
            encode(&function(), one(outputs))
                .unwrap_err()
                .message()
                .to_owned()
        };
        assert_eq!(
            err(&[("audit", Output::from("x"))]),
            "the handler set the output \"audit\", which orders/function.json does not declare; its output bindings are outbox (queue), receipt (blob), raw (blob), bus (serviceBus), hub (eventHub), doc (cosmosDB)"
        );
        assert_eq!(
            err(&[("res", Output::from("x"))]),
            "\"res\" is orders's http output: its value is the handler's response, not an output to set"
        );
        assert_eq!(
            err(&[("doc", Output::from("not json"))]),
            "the Cosmos DB output \"doc\" takes a document (a JSON object) or an array of documents"
        );
        assert!(err(&[("raw", Output::from(vec![0xffu8]))]).contains("remove `dataType`"));
        let failure = encode(&function(), one(&[("nope", Output::from("x"))])).unwrap_err();
        assert_eq!(
            (failure.status().as_u16(), failure.error_type()),
            (500, "OutputBindingError")
        );
    }

    #[test]
    fn a_batchs_outputs_are_gathered_per_binding() {
        let records = vec![
            one(&[("outbox", Output::from("a"))]).remove(0),
            Outputs::new(),
            one(&[
                ("outbox", Output::from(json!(["b", "c"]))),
                ("receipt", Output::from("r")),
            ])
            .remove(0),
            one(&[("outbox", Output::from("d"))]).remove(0),
        ];
        let encoded = encode(&function(), records).unwrap();
        assert_eq!(encoded["outbox"], json!(["YQ==", "Yg==", "Yw==", "ZA=="]));
        assert_eq!(encoded["receipt"], "cg==");
        let twice = vec![
            one(&[("receipt", Output::from("1"))]).remove(0),
            one(&[("receipt", Output::from("2"))]).remove(0),
        ];
        assert_eq!(
            encode(&function(), twice).unwrap_err().message(),
            "several records set the blob output \"receipt\"; a blob output takes one value"
        );
    }
}
