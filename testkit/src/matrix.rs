//! An event × platform table: every logical event sent to the same function under every platform,
//! each answer compared with the others (what `cargo polyfaas test` prints).
//!
//! In each row, the answer most platforms agree on is the reference; a platform whose answer
//! differs is marked. What is compared ([`Compare`]):
//!
//! - whether the invocation failed. A failed invocation is compared by that alone: each platform
//!   reports failures its own way (API Gateway answers 502, every platform has its own error
//!   body), and the table shows each one's message;
//! - for an HTTP event, the response the client gets: the status; the body, as JSON when it is
//!   JSON (key order and spacing aside) with the [`Compare::ignore`] pointers removed, else byte
//!   for byte; the headers the function set: every header but the transport's
//!   ([`TRANSPORT_HEADERS`]: each platform's front end sets its own `content-length`, `date`...)
//!   and those in [`Compare::ignore_headers`], the ones in [`Compare::vary_headers`] (timings and
//!   trace ids, [`VARYING_HEADERS`]) by presence only;
//! - for any other event, the function's result: the body as above. No caller sees an HTTP
//!   status or headers there, and the platforms represent "no result" each their own way (a
//!   Lambda `null`, a Cloud Run `204`, an Azure `""`, an OpenWhisk `{}`): an empty body, `null`,
//!   `""` and `{}` are the same empty result, a text result is the same text whether it comes
//!   JSON-encoded (Lambda, Azure, OpenWhisk) or as it is (Cloud Run), and any 2xx status is
//!   success.
//!
//! A platform with no native form for the event is shown as such and not compared. The table
//! passes when no cell differs and nothing failed to run.
//!
//! ```
//! use polyfaas_testkit::matrix::{Cell, Compare, Table};
//! use polyfaas_testkit::Platform;
//!
//! let answered = |status, body: &str| Cell::answered(status, body.as_bytes().to_vec(), None, Vec::new());
//! let table = Table::compare(
//!     vec![Platform::Aws, Platform::Gcp, Platform::Azure],
//!     vec![("hello".to_owned(), vec![answered(200, r#"{"a":1}"#), answered(200, r#"{ "a": 1 }"#), answered(500, "")])],
//!     &Compare::default(),
//! );
//! assert!(!table.passed());
//! assert_eq!(table.rows[0].differing, [Platform::Azure]);
//! println!("{}", table.render());
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::answer::Failure;
use crate::encode::{EncodeError, Encoder, Loss};
use crate::logical::{Kind, LogicalEvent};
use crate::record::RecordedEvent;
use crate::{Function, Platform};

/// One platform's outcome for one event.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Cell {
    /// The function answered.
    Answered {
        /// The status of the answer's view.
        status: u16,
        /// For the answer to an HTTP event, its headers (lower-case names); `None` for the
        /// result of any other event.
        headers: Option<Vec<(String, String)>>,
        /// Its body.
        body: Vec<u8>,
        /// The failure, if the invocation failed.
        failure: Option<Failure>,
        /// What the platform's form could not carry.
        losses: Vec<Loss>,
    },
    /// The platform has no native form for the event.
    NoNativeForm(String),
    /// The event could not be encoded or sent.
    Error(String),
}

impl Cell {
    /// The result of an event that is not HTTP (see [`Cell::with_headers`] for an HTTP
    /// response).
    pub fn answered(
        status: u16,
        body: Vec<u8>,
        failure: Option<Failure>,
        losses: Vec<Loss>,
    ) -> Cell {
        Cell::Answered {
            status,
            headers: None,
            body,
            failure,
            losses,
        }
    }

    /// The answer is an HTTP response with these headers: its status and headers are compared
    /// too.
    #[must_use]
    pub fn with_headers(mut self, answer_headers: Vec<(String, String)>) -> Cell {
        if let Cell::Answered { headers, .. } = &mut self {
            *headers = Some(
                answer_headers
                    .into_iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v))
                    .collect(),
            );
        }
        self
    }

    fn short(&self) -> String {
        match self {
            Cell::Answered {
                status, failure, ..
            } => match failure {
                Some(f) => format!(
                    "{status} failed ({})",
                    f.error_type.as_deref().unwrap_or("error")
                ),
                None => status.to_string(),
            },
            Cell::NoNativeForm(_) => "n/a".to_owned(),
            Cell::Error(_) => "error".to_owned(),
        }
    }
}

/// Response headers that belong to the transport, not to the function: every platform's front
/// end (API Gateway, Cloud Run, the Functions host, the OpenWhisk controller, hyper) sets its
/// own. Never compared.
pub const TRANSPORT_HEADERS: &[&str] = &[
    "connection",
    "content-length",
    "date",
    "keep-alive",
    "transfer-encoding",
];

/// Response headers whose values vary from one answer to the next by nature (timings, request
/// and trace ids): the default [`Compare::vary_headers`].
pub const VARYING_HEADERS: &[&str] = &[
    "server-timing",
    "x-request-id",
    "traceparent",
    "tracestate",
    "x-amzn-trace-id",
    "x-cloud-trace-context",
];

/// How answers are compared; see the [module docs](self).
///
/// ```
/// use polyfaas_testkit::matrix::{Cell, Compare, Table};
/// use polyfaas_testkit::Platform;
///
/// let answer = |timing: &str, kind: &str| Cell::answered(200, b"hi".to_vec(), None, Vec::new())
///     .with_headers(vec![("content-type".into(), kind.into()), ("server-timing".into(), timing.into()),
///                        ("date".into(), "now".into())]);
/// let rows = vec![("greet".to_owned(), vec![
///     answer("dur=1.2", "text/plain"), answer("dur=0.4", "text/plain"), answer("dur=3", "text/html")])];
/// let table = Table::compare(Platform::CLOUDS[..3].to_vec(), rows, &Compare::default());
/// assert_eq!(table.rows[0].differing, [Platform::Azure]);
/// assert!(table.render().contains("content-type: text/html (the others: text/plain)"));
/// ```
#[derive(Clone, Debug)]
pub struct Compare {
    /// JSON pointers (RFC 6901, such as `/context/request_id`) removed from JSON bodies before
    /// comparing.
    pub ignore: Vec<String>,
    /// Response headers left out (lower-case names), besides [`TRANSPORT_HEADERS`].
    pub ignore_headers: Vec<String>,
    /// Response headers compared by presence only (lower-case names); default
    /// [`VARYING_HEADERS`].
    pub vary_headers: Vec<String>,
}

impl Default for Compare {
    fn default() -> Self {
        Compare {
            ignore: Vec::new(),
            ignore_headers: Vec::new(),
            vary_headers: VARYING_HEADERS.iter().map(|h| (*h).to_owned()).collect(),
        }
    }
}

/// What a cell is compared by.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Key {
    failed: bool,
    /// The status, where it is compared (HTTP responses; other results that are not 2xx).
    status: Option<u16>,
    /// Compared headers: every value in order, or `None` for a header compared by presence.
    headers: BTreeMap<String, Option<Vec<String>>>,
    body: String,
}

impl Compare {
    /// What a cell is compared by; see the [module docs](self).
    fn key(&self, cell: &Cell) -> Option<Key> {
        let Cell::Answered {
            status,
            headers,
            body,
            failure,
            ..
        } = cell
        else {
            return None;
        };
        if failure.is_some() {
            return Some(Key {
                failed: true,
                ..Key::default()
            });
        }
        let mut body = match serde_json::from_slice::<Value>(body) {
            // A result that is a JSON string is that text: Lambda, Azure and OpenWhisk hand a
            // text result over JSON-encoded, Cloud Run as the bytes themselves.
            Ok(Value::String(text)) if headers.is_none() => text,
            Ok(mut json) => {
                for pointer in &self.ignore {
                    remove_pointer(&mut json, pointer);
                }
                json.to_string()
            }
            Err(_) => String::from_utf8_lossy(body).into_owned(),
        };
        let Some(headers) = headers else {
            if ["null", "{}"].contains(&body.as_str()) {
                body.clear();
            }
            return Some(Key {
                status: (!(200..300).contains(status)).then_some(*status),
                body,
                ..Key::default()
            });
        };
        let mut compared: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
        for (name, value) in headers {
            let skipped = TRANSPORT_HEADERS.contains(&name.as_str())
                || self
                    .ignore_headers
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(name));
            if skipped {
                continue;
            }
            if self
                .vary_headers
                .iter()
                .any(|h| h.eq_ignore_ascii_case(name))
            {
                compared.insert(name.clone(), None);
            } else if let Some(values) = compared.entry(name.clone()).or_insert(Some(Vec::new())) {
                values.push(value.clone());
            }
        }
        Some(Key {
            failed: false,
            status: Some(*status),
            headers: compared,
            body,
        })
    }
}

/// What differs between a cell's key and the reference, one line each.
fn differences(key: &Key, reference: &Key) -> Vec<String> {
    let mut lines = Vec::new();
    if reference.failed && !key.failed {
        lines.push("the others failed".to_owned());
    }
    if key.failed || reference.failed {
        return lines;
    }
    match (key.status, reference.status) {
        (Some(mine), Some(theirs)) if mine != theirs => {
            lines.push(format!("status: {mine} (the others: {theirs})"));
        }
        (Some(mine), None) => lines.push(format!("status: {mine} (the others: success)")),
        (None, Some(theirs)) => lines.push(format!("status: success (the others: {theirs})")),
        _ => {}
    }
    lines.extend(
        header_differences(key, reference)
            .into_iter()
            .map(|line| format!("header {line}")),
    );
    if key.body != reference.body {
        lines.push(format!("body (the others): {}", reference.body));
    }
    lines
}

/// The compared headers of `key` that differ from `reference`'s, as `name: value (the others:
/// value)` lines.
fn header_differences(key: &Key, reference: &Key) -> Vec<String> {
    let show = |values: Option<&Option<Vec<String>>>| match values {
        None => "(none)".to_owned(),
        Some(None) => "(present)".to_owned(),
        Some(Some(values)) => values.join(", "),
    };
    let names: std::collections::BTreeSet<&String> =
        key.headers.keys().chain(reference.headers.keys()).collect();
    names
        .into_iter()
        .filter(|name| key.headers.get(*name) != reference.headers.get(*name))
        .map(|name| {
            format!(
                "{name}: {} (the others: {})",
                show(key.headers.get(name)),
                show(reference.headers.get(name))
            )
        })
        .collect()
}

fn remove_pointer(json: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let last = last.replace("~1", "/").replace("~0", "~");
    match json.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&last);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = last.parse::<usize>() {
                if i < items.len() {
                    items.remove(i);
                }
            }
        }
        _ => {}
    }
}

/// One event's row.
#[derive(Clone, Debug)]
pub struct Row {
    /// The event's name (its file's name).
    pub name: String,
    /// One cell per platform, in the table's order.
    pub cells: Vec<Cell>,
    /// The platforms whose answer differs from the row's reference.
    pub differing: Vec<Platform>,
    /// What each cell was compared by, and the reference.
    keys: Vec<Option<Key>>,
    reference: Option<Key>,
}

/// The event × platform table.
#[derive(Clone, Debug)]
pub struct Table {
    /// The columns.
    pub platforms: Vec<Platform>,
    /// The rows.
    pub rows: Vec<Row>,
}

impl Table {
    /// Builds the table from the cells of each row and marks the differences.
    pub fn compare(
        platforms: Vec<Platform>,
        rows: Vec<(String, Vec<Cell>)>,
        compare: &Compare,
    ) -> Table {
        let rows = rows
            .into_iter()
            .map(|(name, cells)| {
                let keys: Vec<_> = cells.iter().map(|c| compare.key(c)).collect();
                let mut best: Option<(&Key, usize)> = None;
                for key in keys.iter().flatten() {
                    let count = keys.iter().flatten().filter(|k| *k == key).count();
                    if best.is_none_or(|(_, c)| count > c) {
                        best = Some((key, count));
                    }
                }
                let reference = best.map(|(key, _)| key.clone());
                let differing = match &reference {
                    Some(reference) => keys
                        .iter()
                        .zip(&platforms)
                        .filter(|(k, _)| k.as_ref().is_some_and(|k| k != reference))
                        .map(|(_, p)| *p)
                        .collect(),
                    None => Vec::new(),
                };
                Row {
                    name,
                    cells,
                    differing,
                    keys,
                    reference,
                }
            })
            .collect();
        Table { platforms, rows }
    }

    /// Whether every answer agrees and every event ran.
    pub fn passed(&self) -> bool {
        self.rows.iter().all(|row| {
            row.differing.is_empty() && !row.cells.iter().any(|c| matches!(c, Cell::Error(_)))
        })
    }

    /// The table as text: one line per event, `≠` after a differing cell, then the details of
    /// every difference and error.
    pub fn render(&self) -> String {
        let name_width = self
            .rows
            .iter()
            .map(|r| r.name.len())
            .max()
            .unwrap_or(5)
            .max(5);
        let width = 22;
        let mut out = format!("{:name_width$}", "event");
        for platform in &self.platforms {
            let _ = write!(out, "  {:width$}", platform.name());
        }
        out.push('\n');
        for row in &self.rows {
            let _ = write!(out, "{:name_width$}", row.name);
            for (cell, platform) in row.cells.iter().zip(&self.platforms) {
                let mark = if row.differing.contains(platform) {
                    " ≠"
                } else {
                    ""
                };
                let _ = write!(out, "  {:width$}", format!("{}{mark}", cell.short()));
            }
            out.push('\n');
        }
        for row in &self.rows {
            for ((cell, platform), key) in row.cells.iter().zip(&self.platforms).zip(&row.keys) {
                let differs = row.differing.contains(platform);
                match cell {
                    Cell::Error(e) => {
                        let _ = writeln!(out, "\n{} on {platform}: {e}", row.name);
                    }
                    Cell::Answered {
                        status,
                        body,
                        failure,
                        losses,
                        ..
                    } if differs => {
                        let _ = writeln!(
                            out,
                            "\n{} on {platform} differs: {status} {}",
                            row.name,
                            String::from_utf8_lossy(body)
                        );
                        if let (Some(key), Some(reference)) = (key, &row.reference) {
                            for line in differences(key, reference) {
                                let _ = writeln!(out, "  {line}");
                            }
                        }
                        if let Some(failure) = failure {
                            let _ = writeln!(out, "  failed: {failure}");
                        }
                        for loss in losses {
                            let _ = writeln!(out, "  {platform} cannot carry it exactly: {loss}");
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }
}

/// Sends every event to every function (one per platform, in their order), in each platform's
/// default form, and builds the table.
pub async fn run(events: &[RecordedEvent], functions: &mut [Function], compare: &Compare) -> Table {
    let platforms: Vec<Platform> = functions.iter().map(Function::platform).collect();
    let mut rows = Vec::with_capacity(events.len());
    for recorded in events {
        let event = LogicalEvent::from_json(recorded.event.clone());
        let mut cells = Vec::with_capacity(functions.len());
        for function in functions.iter_mut() {
            let cell = match &event {
                Err(e) => Cell::Error(e.to_string()),
                Ok(event) => match Encoder::new(function.platform()).encode(event) {
                    Err(EncodeError::NoNativeForm { reason, .. }) => {
                        Cell::NoNativeForm(reason.to_owned())
                    }
                    Err(e) => Cell::Error(e.to_string()),
                    Ok(encoded) => match function.send_encoded(&encoded).await {
                        Ok(answer) => {
                            let cell = Cell::answered(
                                answer.status,
                                answer.body.to_vec(),
                                answer.failure,
                                encoded.losses,
                            );
                            if event.kind() == Kind::Http {
                                cell.with_headers(answer.headers)
                            } else {
                                cell
                            }
                        }
                        Err(e) => Cell::Error(e.to_string()),
                    },
                },
            };
            cells.push(cell);
        }
        rows.push((recorded.name(), cells));
    }
    Table::compare(platforms, rows, compare)
}
