//! An event × platform table: every logical event sent to the same function under every platform,
//! each answer compared with the others (what `cargo polyfaas test` prints).
//!
//! In each row, the answer most platforms agree on (status, failed or not, and the body: as JSON
//! when it is JSON, with [`Compare::ignore`] pointers removed) is the reference; a platform whose
//! answer differs is marked. A platform with no native form for the event is shown as such and
//! not compared. The table passes when no cell differs and nothing failed to run.
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

use std::fmt::Write as _;

use serde_json::Value;

use crate::answer::Failure;
use crate::encode::{EncodeError, Encoder, Loss};
use crate::logical::LogicalEvent;
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
    /// An answered cell.
    pub fn answered(
        status: u16,
        body: Vec<u8>,
        failure: Option<Failure>,
        losses: Vec<Loss>,
    ) -> Cell {
        Cell::Answered {
            status,
            body,
            failure,
            losses,
        }
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

/// How answers are compared.
#[derive(Clone, Debug, Default)]
pub struct Compare {
    /// JSON pointers (RFC 6901, such as `/context/request_id`) removed from JSON bodies before
    /// comparing.
    pub ignore: Vec<String>,
}

impl Compare {
    /// What a cell is compared by: status, whether it failed, and the normalised body.
    fn key(&self, cell: &Cell) -> Option<(u16, bool, String)> {
        let Cell::Answered {
            status,
            body,
            failure,
            ..
        } = cell
        else {
            return None;
        };
        let body = match serde_json::from_slice::<Value>(body) {
            Ok(mut json) => {
                for pointer in &self.ignore {
                    remove_pointer(&mut json, pointer);
                }
                json.to_string()
            }
            Err(_) => String::from_utf8_lossy(body).into_owned(),
        };
        Some((*status, failure.is_some(), body))
    }
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
                let mut best: Option<(&(u16, bool, String), usize)> = None;
                for key in keys.iter().flatten() {
                    let count = keys.iter().flatten().filter(|k| *k == key).count();
                    if best.is_none_or(|(_, c)| count > c) {
                        best = Some((key, count));
                    }
                }
                let differing = match best {
                    Some((reference, _)) => keys
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
            for (cell, platform) in row.cells.iter().zip(&self.platforms) {
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
                    } if differs => {
                        let _ = writeln!(
                            out,
                            "\n{} on {platform} differs: {status} {}",
                            row.name,
                            String::from_utf8_lossy(body)
                        );
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
                        Ok(answer) => Cell::answered(
                            answer.status,
                            answer.body.to_vec(),
                            answer.failure,
                            encoded.losses,
                        ),
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
