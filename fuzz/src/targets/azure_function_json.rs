//! One `function.json` through `polyfaas_azure::FunctionDef::from_json`: which trigger, which
//! bindings, the HTTP route.
use std::path::Path;

use polyfaas_azure::FunctionDef;

pub fn run(data: &[u8]) {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(function) = FunctionDef::from_json("fn", &json, Path::new("fn/function.json")) {
        let _ = function.http_route();
        let _ = function.http_output();
        let _ = function.is_http_in_and_out();
    }
}
