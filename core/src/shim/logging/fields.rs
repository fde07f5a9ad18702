//! The fields of an event or a span, kept as they were recorded: a text line quotes a string
//! and writes a `Debug` or `Display` value as it is (`order="o-1" error=timed out`), a JSON
//! line makes each a JSON value.

use std::fmt::{self, Write as _};

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};

/// One recorded value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum FieldValue {
    /// A string (`field = "text"`): quoted in text lines.
    Str(String),
    /// A value recorded through `Debug` or `Display` (`?value`, `%value`), already formatted.
    Formatted(String),
    /// A signed integer.
    I64(i64),
    /// An unsigned integer.
    U64(u64),
    /// A float.
    F64(f64),
    /// A boolean.
    Bool(bool),
}

impl FieldValue {
    /// The value in a JSON line.
    pub(crate) fn to_json(&self) -> Value {
        match self {
            FieldValue::Str(s) | FieldValue::Formatted(s) => Value::String(s.clone()),
            FieldValue::I64(n) => (*n).into(),
            FieldValue::U64(n) => (*n).into(),
            FieldValue::F64(n) => (*n).into(),
            FieldValue::Bool(b) => (*b).into(),
        }
    }

    /// Appends the value as a text line shows it.
    fn write_text(&self, out: &mut String) {
        let _ = match self {
            FieldValue::Str(s) => write!(out, "{s:?}"),
            FieldValue::Formatted(s) => write!(out, "{s}"),
            FieldValue::I64(n) => write!(out, "{n}"),
            FieldValue::U64(n) => write!(out, "{n}"),
            FieldValue::F64(n) => write!(out, "{n:?}"),
            FieldValue::Bool(b) => write!(out, "{b}"),
        };
    }
}

/// The fields of one event or span, in the order they were recorded; an event's `message`
/// apart.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Fields {
    /// The event's message, formatted.
    pub(crate) message: Option<String>,
    /// The other fields (a name recorded again keeps each value; the last one wins in JSON).
    pub(crate) list: Vec<(&'static str, FieldValue)>,
}

impl Fields {
    /// What `record` (an event, a span's attributes or a later `Span::record`) holds.
    pub(crate) fn of(record: impl FnOnce(&mut dyn Visit)) -> Fields {
        let mut fields = Fields::default();
        record(&mut fields);
        fields
    }

    /// Whether there is nothing to show.
    pub(crate) fn is_empty(&self) -> bool {
        self.message.is_none() && self.list.is_empty()
    }

    /// Appends the fields as a text line shows them: the message first, then `name=value`,
    /// separated by spaces; field names in italics with `ansi`.
    pub(crate) fn write_text(&self, out: &mut String, ansi: bool) {
        let mut first = true;
        if let Some(message) = &self.message {
            out.push_str(message);
            first = false;
        }
        for (name, value) in &self.list {
            if !std::mem::take(&mut first) {
                out.push(' ');
            }
            if ansi {
                let _ = write!(out, "\x1b[3m{name}\x1b[0m\x1b[2m=\x1b[0m");
            } else {
                out.push_str(name);
                out.push('=');
            }
            value.write_text(out);
        }
    }

    /// Inserts the fields (not the message) into a JSON object.
    pub(crate) fn insert_into(&self, map: &mut Map<String, Value>) {
        for (name, value) in &self.list {
            map.insert((*name).to_owned(), value.to_json());
        }
    }

    fn push(&mut self, field: &Field, value: FieldValue) {
        let name = field.name();
        if name == "message" {
            self.message = Some(match value {
                FieldValue::Str(s) | FieldValue::Formatted(s) => s,
                other => {
                    let mut text = String::new();
                    other.write_text(&mut text);
                    text
                }
            });
        } else {
            // `r#type = ..` names its field `r#type`.
            self.list
                .push((name.strip_prefix("r#").unwrap_or(name), value));
        }
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.push(field, FieldValue::Formatted(format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.push(field, FieldValue::Str(value.to_owned()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.push(field, FieldValue::I64(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.push(field, FieldValue::U64(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.push(field, FieldValue::F64(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.push(field, FieldValue::Bool(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.push(field, FieldValue::Formatted(value.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The fields of one event, recorded by a subscriber that keeps them.
    fn fields_of(emit: impl FnOnce()) -> Fields {
        use std::sync::{Arc, Mutex};
        struct Keep(Arc<Mutex<Option<Fields>>>);
        impl tracing::Subscriber for Keep {
            fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
                true
            }
            fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
                tracing::span::Id::from_u64(1)
            }
            fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
            fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
            fn event(&self, event: &tracing::Event<'_>) {
                *self.0.lock().unwrap() = Some(Fields::of(|v| event.record(v)));
            }
            fn enter(&self, _: &tracing::span::Id) {}
            fn exit(&self, _: &tracing::span::Id) {}
        }
        let kept = Arc::new(Mutex::new(None));
        tracing::subscriber::with_default(Keep(Arc::clone(&kept)), emit);
        let fields = kept.lock().unwrap().take();
        fields.expect("an event")
    }

    #[test]
    fn text_quotes_strings_and_writes_formatted_values_as_they_are() {
        let error = std::io::Error::other("timed out");
        let fields = fields_of(|| {
            tracing::info!(order = "o-\"1\"", qty = 3, big = 7u64, ratio = 0.5, ok = true,
                r#type = "gold", error = &error as &dyn std::error::Error, debug = ?Some(1), shown = %"plain",
                "stored {}", 7)
        });
        let mut text = String::new();
        fields.write_text(&mut text, false);
        assert_eq!(
            text,
            r#"stored 7 order="o-\"1\"" qty=3 big=7 ratio=0.5 ok=true type="gold" error=timed out debug=Some(1) shown=plain"#
        );
        let mut map = Map::new();
        fields.insert_into(&mut map);
        assert_eq!(
            Value::Object(map),
            json!({"order": "o-\"1\"", "qty": 3, "big": 7, "ratio": 0.5, "ok": true, "type": "gold",
                   "error": "timed out", "debug": "Some(1)", "shown": "plain"})
        );
    }

    #[test]
    fn field_names_are_italic_on_a_terminal() {
        let fields = fields_of(|| tracing::info!(qty = 3));
        let mut text = String::new();
        fields.write_text(&mut text, true);
        assert_eq!(text, "\x1b[3mqty\x1b[0m\x1b[2m=\x1b[0m3");
        assert!(fields.message.is_none() && !fields.is_empty());
    }
}
