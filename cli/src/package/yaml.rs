//! YAML out of JSON values, unambiguous to every YAML parser: string values are always
//! double-quoted (so `2010-09-09`, `yes` or `0755` stay strings under YAML 1.1 parsers such as
//! PyYAML, which cfn-lint and SAM use), keys are plain where that is safe.

use serde_json::Value;

/// The YAML text of `value` (a map at the top).
pub(crate) fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(map, 0, &mut out),
        Value::Array(items) if !items.is_empty() => write_list(items, 0, &mut out),
        scalar => {
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
    out
}

fn write_map(map: &serde_json::Map<String, Value>, indent: usize, out: &mut String) {
    for (key, value) in map {
        out.push_str(&" ".repeat(indent));
        out.push_str(&key_text(key));
        out.push(':');
        write_value(value, indent + 2, out);
    }
}

fn write_list(items: &[Value], indent: usize, out: &mut String) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                // The first key goes on the dash's line, the rest line up under it.
                let mut nested = String::new();
                write_map(map, indent + 2, &mut nested);
                out.push(' ');
                out.push_str(nested.trim_start());
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_list(inner, indent + 2, out);
            }
            scalar => {
                out.push(' ');
                out.push_str(&scalar_text(scalar));
                out.push('\n');
            }
        }
    }
}

fn write_value(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(map, indent, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_list(items, indent, out);
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        // JSON's escapes are all valid in a YAML double-quoted scalar.
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Object(_) => "{}".to_owned(),
        Value::Array(_) => "[]".to_owned(),
    }
}

/// YAML 1.1 words that a plain scalar would turn into a boolean or null.
const AMBIGUOUS: [&str; 14] = [
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "Y", "N", "<<", "=",
];

fn key_text(key: &str) -> String {
    let plain = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ':'))
        && !key.ends_with(':')
        && !AMBIGUOUS.contains(&key.to_ascii_lowercase().as_str());
    if plain {
        key.to_owned()
    } else {
        Value::String(key.to_owned()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_and_quotes_what_yaml_1_1_would_misread() {
        let value = json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "on": "yes",
            "Fn::Sub": "arn:${AWS::Partition}:s3:::b/*",
            "list": [{"a": 1, "b": [true, null]}, "x", ["nested"]],
            "empty": {}, "none": [],
            "path/with.dots": "0755",
            "quote": "it's \"here\"\n",
        });
        let text = to_yaml(&value);
        assert!(
            text.contains("AWSTemplateFormatVersion: \"2010-09-09\""),
            "{text}"
        );
        assert!(text.contains("\"on\": \"yes\""), "{text}");
        let back: Value = serde_yaml_ng::from_str(&text).unwrap();
        assert_eq!(back, value, "{text}");
    }
}
