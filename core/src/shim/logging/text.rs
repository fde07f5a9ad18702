//! Text lines, laid out as `tracing_subscriber`'s default format lays them out:
//!
//! ```text
//! 2024-05-01T02:00:00.123456Z  INFO invocation{request_id="r-1" provider="aws"}: orders: stored qty=3
//! ```
//!
//! the time (RFC 3339, UTC, microseconds), the level, the spans the line was written in (the
//! outermost first, each with its fields), the target, the message and the line's fields. On a
//! terminal the level is coloured, the time and target dimmed and span names bold.

use std::fmt::Write as _;
use std::time::SystemTime;

use tracing::{Level, Metadata};

use super::fields::Fields;
use super::line::{Format, SpanFields};

/// The text format; `ansi` for a terminal.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Text {
    pub(crate) ansi: bool,
}

impl Text {
    /// Colours when stderr is a terminal.
    pub(crate) fn for_stderr() -> Text {
        Text {
            ansi: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        }
    }

    /// The line at `time` (a parameter for the tests).
    fn line_at(
        &self,
        time: SystemTime,
        metadata: &Metadata<'_>,
        event: &Fields,
        spans: &[SpanFields],
    ) -> String {
        let mut line = String::with_capacity(128);
        let (dim, bold, reset) = if self.ansi {
            ("\x1b[2m", "\x1b[1m", "\x1b[0m")
        } else {
            ("", "", "")
        };
        let _ = write!(
            line,
            "{dim}{}{reset} ",
            humantime::format_rfc3339_micros(time)
        );
        let level = *metadata.level();
        let padded = match level {
            Level::TRACE => "TRACE",
            Level::DEBUG => "DEBUG",
            Level::INFO => " INFO",
            Level::WARN => " WARN",
            Level::ERROR => "ERROR",
        };
        if self.ansi {
            let colour = match level {
                Level::TRACE => "35",
                Level::DEBUG => "34",
                Level::INFO => "32",
                Level::WARN => "33",
                Level::ERROR => "31",
            };
            let _ = write!(line, "\x1b[{colour}m{padded}{reset} ");
        } else {
            line.push_str(padded);
            line.push(' ');
        }
        for span in spans {
            let _ = write!(line, "{bold}{}", span.name);
            if !span.fields.is_empty() {
                line.push('{');
                line.push_str(reset);
                span.fields.write_text(&mut line, self.ansi);
                line.push_str(bold);
                line.push('}');
            }
            let _ = write!(line, "{reset}{dim}:{reset}");
        }
        if !spans.is_empty() {
            line.push(' ');
        }
        let _ = write!(line, "{dim}{}:{reset} ", metadata.target());
        event.write_text(&mut line, self.ansi);
        line.push('\n');
        line
    }
}

impl Format for Text {
    fn line(&self, metadata: &Metadata<'_>, event: &Fields, spans: &[SpanFields]) -> String {
        self.line_at(SystemTime::now(), metadata, event, spans)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::shim::logging::fields::FieldValue;

    static CALLSITE: tracing::callsite::DefaultCallsite =
        tracing::callsite::DefaultCallsite::new(&META);
    static META: Metadata<'static> = tracing::metadata!(
        name: "event",
        target: "orders::db",
        level: Level::INFO,
        fields: &[],
        callsite: &CALLSITE,
        kind: tracing::metadata::Kind::EVENT,
    );

    fn invocation() -> SpanFields {
        SpanFields {
            name: "invocation",
            fields: Fields {
                message: None,
                list: vec![
                    ("request_id", FieldValue::Str("r-1".into())),
                    ("provider", FieldValue::Str("aws".into())),
                ],
            },
        }
    }

    fn event() -> Fields {
        Fields {
            message: Some("stored".into()),
            list: vec![("qty", FieldValue::I64(3))],
        }
    }

    const TIME: Duration = Duration::from_micros(1_714_528_800_123_456);

    #[test]
    fn lines_read_as_tracing_subscribers_default_format() {
        let text = Text { ansi: false };
        let inner = SpanFields {
            name: "store",
            fields: Fields::default(),
        };
        let line = text.line_at(UNIX_EPOCH + TIME, &META, &event(), &[invocation(), inner]);
        assert_eq!(
            line,
            "2024-05-01T02:00:00.123456Z  INFO invocation{request_id=\"r-1\" provider=\"aws\"}:store: orders::db: stored qty=3\n"
        );
        let line = text.line_at(UNIX_EPOCH + TIME, &META, &event(), &[]);
        assert_eq!(
            line,
            "2024-05-01T02:00:00.123456Z  INFO orders::db: stored qty=3\n"
        );
    }

    #[test]
    fn a_terminal_gets_colours() {
        let line = Text { ansi: true }.line_at(UNIX_EPOCH + TIME, &META, &event(), &[invocation()]);
        assert_eq!(
            line,
            "\x1b[2m2024-05-01T02:00:00.123456Z\x1b[0m \x1b[32m INFO\x1b[0m \
             \x1b[1minvocation{\x1b[0m\x1b[3mrequest_id\x1b[0m\x1b[2m=\x1b[0m\"r-1\" \
             \x1b[3mprovider\x1b[0m\x1b[2m=\x1b[0m\"aws\"\x1b[1m}\x1b[0m\x1b[2m:\x1b[0m \
             \x1b[2morders::db:\x1b[0m stored \x1b[3mqty\x1b[0m\x1b[2m=\x1b[0m3\n"
        );
    }
}
