//! Batches of records (SQS, Kinesis, DynamoDB Streams, S3, SNS, Kafka): the handler sees one
//! record at a time, each with its own extras; what a failed record does to the batch depends
//! on the source ([`Report`]).
//!
//! | source | [`Report`] | the result |
//! |---|---|---|
//! | SQS (standard queue) | `EachFailed` | `batchItemFailures`: every failed record's message id |
//! | SQS FIFO, Kinesis, DynamoDB Streams | `FirstFailedAndLater` | `batchItemFailures`: the first failed record and every later one (not run), by message id or sequence number |
//! | S3, SNS, Kafka | `FailInvocation` | the results; the first failure fails the invocation, naming the record (later records are not run) |
//!
//! Lambda reads `batchItemFailures` only when the event source mapping has
//! `FunctionResponseTypes: ["ReportBatchItemFailures"]`; for Kinesis and DynamoDB it retries
//! from the lowest sequence number reported. Kafka mappings have no partial batch response.

use polyfaas_core::{Event, Extra, Failure, Invocation};
use serde::Serialize;
use serde_json::value::RawValue;

/// What a failed record does to its batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Report {
    /// Every record runs; the failed ones are reported by their item id.
    EachFailed,
    /// Ordered sources: the batch stops at the first failure, which is reported with every
    /// later record.
    FirstFailedAndLater,
    /// No partial batch response: the first failure fails the invocation.
    FailInvocation,
}

/// Adds one record's extras to a copy of the invocation.
type AttachExtra = Box<dyn FnOnce(Invocation) -> Invocation + Send>;

/// One record of a batch: the neutral event, its extras, and how a failure names it.
pub(crate) struct Record {
    /// The neutral event the handler gets.
    pub event: Event,
    /// How a failure names the record.
    pub name: RecordName,
    attach: AttachExtra,
}

/// How a failed record is named.
#[derive(Debug)]
pub(crate) struct RecordName {
    /// The `itemIdentifier` of a failed record: the SQS message id, the Kinesis or DynamoDB
    /// sequence number.
    pub item: String,
    /// The record in a failure message: `Records[1] (message id ...)`.
    pub label: String,
}

impl Record {
    /// A record whose handler call gets `extra` besides the invocation's own extras.
    pub(crate) fn new<X: Extra>(
        event: Event,
        item: impl Into<String>,
        label: impl Into<String>,
        extra: X,
    ) -> Self {
        Record {
            event,
            name: RecordName {
                item: item.into(),
                label: label.into(),
            },
            attach: Box::new(move |invocation| invocation.extra(extra)),
        }
    }

    /// The record's event, the invocation of its handler call (the batch's, with the record's
    /// extras), and its name for the [`Tally`].
    pub(crate) fn start(self, batch: &Invocation) -> (Event, Invocation, RecordName) {
        (self.event, (self.attach)(batch.clone()), self.name)
    }
}

/// A decoded batch: its records, and how failures are reported.
pub(crate) struct Batch {
    pub records: Vec<Record>,
    pub report: Report,
}

/// The outcome of a batch so far, record by record.
pub(crate) struct Tally {
    report: Report,
    failed: Vec<String>,
    results: Vec<Box<RawValue>>,
}

impl Tally {
    pub(crate) fn new(report: Report, records: usize) -> Self {
        Tally {
            report,
            failed: Vec::new(),
            results: Vec::with_capacity(records),
        }
    }

    /// Whether the next record is reported failed without running (an ordered batch after its
    /// first failure).
    pub(crate) fn skips(&self) -> bool {
        self.report == Report::FirstFailedAndLater && !self.failed.is_empty()
    }

    /// A record not run because an earlier one failed.
    pub(crate) fn skipped(&mut self, record: Record) {
        self.failed.push(record.name.item);
    }

    /// The outcome of one record's handler call. For a source without partial batch responses
    /// a failure fails the invocation: it is returned, its message naming the record.
    pub(crate) fn add(
        &mut self,
        record: RecordName,
        outcome: Result<Box<RawValue>, Failure>,
    ) -> Result<(), Failure> {
        match outcome {
            Ok(result) => {
                self.results.push(result);
                Ok(())
            }
            Err(failure) if self.report == Report::FailInvocation => Err(Failure::new(
                failure.kind(),
                failure.status(),
                failure.error_type(),
                format!("{}: {}", record.label, failure.message()),
            )),
            Err(failure) => {
                tracing::warn!(
                    item = %record.item,
                    record = %record.label,
                    error_type = failure.error_type(),
                    error = failure.message(),
                    "record failed; reported in batchItemFailures"
                );
                self.failed.push(record.item);
                Ok(())
            }
        }
    }

    /// The result payload: `{"batchItemFailures": [...]}` for sources with partial batch
    /// responses; else the one record's result, or an array of them.
    pub(crate) fn finish(self) -> Box<RawValue> {
        if self.report != Report::FailInvocation {
            return batch_response(self.failed);
        }
        match <[_; 1]>::try_from(self.results) {
            Ok([only]) => only,
            Err(results) => to_raw(&results),
        }
    }
}

/// `{"batchItemFailures":[{"itemIdentifier":"<id>"}, ...]}`: the same shape for SQS, Kinesis
/// and DynamoDB Streams.
fn batch_response(failed: Vec<String>) -> Box<RawValue> {
    let mut response = aws_lambda_events::sqs::SqsBatchResponse::default();
    response.batch_item_failures = failed
        .into_iter()
        .map(|id| {
            let mut failure = aws_lambda_events::sqs::BatchItemFailure::default();
            failure.item_identifier = id;
            failure
        })
        .collect();
    to_raw(&response)
}

/// JSON of arrays of raw JSON and derived structs, which cannot fail to serialise.
pub(crate) fn to_raw<T: Serialize + ?Sized>(value: &T) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

#[cfg(test)]
mod tests {
    use polyfaas_core::{BadInput, Message};

    use super::*;

    #[derive(Serialize)]
    struct Tag(&'static str);
    impl Extra for Tag {
        const NAME: &'static str = "test.tag";
    }

    fn record(id: &str) -> Record {
        let event = Event::Message(Message::new(id, "q", "body"));
        Record::new(event, id, format!("Records ({id})"), Tag("t"))
    }

    fn name(id: &str) -> RecordName {
        record(id).name
    }

    fn failure() -> Failure {
        Failure::bad_input(&BadInput::new("no"))
    }

    fn ok() -> Result<Box<RawValue>, Failure> {
        Ok(RawValue::from_string("1".to_owned()).unwrap())
    }

    #[test]
    fn an_ordered_batch_reports_the_first_failure_and_every_later_record() {
        let mut tally = Tally::new(Report::FirstFailedAndLater, 3);
        tally.add(name("a"), ok()).unwrap();
        assert!(!tally.skips());
        tally.add(name("b"), Err(failure())).unwrap();
        assert!(tally.skips());
        tally.skipped(record("c"));
        assert_eq!(
            tally.finish().get(),
            r#"{"batchItemFailures":[{"itemIdentifier":"b"},{"itemIdentifier":"c"}]}"#
        );
    }

    #[test]
    fn an_unordered_batch_runs_every_record() {
        let mut tally = Tally::new(Report::EachFailed, 3);
        tally.add(name("a"), Err(failure())).unwrap();
        assert!(!tally.skips());
        tally.add(name("b"), ok()).unwrap();
        assert_eq!(
            tally.finish().get(),
            r#"{"batchItemFailures":[{"itemIdentifier":"a"}]}"#
        );
        assert_eq!(
            Tally::new(Report::EachFailed, 0).finish().get(),
            r#"{"batchItemFailures":[]}"#
        );
    }

    #[test]
    fn without_partial_responses_the_failure_names_the_record() {
        let mut tally = Tally::new(Report::FailInvocation, 2);
        tally.add(name("a"), ok()).unwrap();
        let failed = tally.add(name("b"), Err(failure())).unwrap_err();
        assert_eq!(failed.message(), "Records (b): no");
        assert_eq!(failed.error_type(), "InvalidEvent");
        let mut tally = Tally::new(Report::FailInvocation, 2);
        tally.add(name("a"), ok()).unwrap();
        tally.add(name("b"), ok()).unwrap();
        assert_eq!(tally.finish().get(), "[1,1]");
    }

    #[test]
    fn each_record_adds_its_own_extra() {
        let (event, invocation, name) = record("a").start(&Invocation::new().request_id("req-1"));
        assert_eq!(event.kind(), "message");
        assert_eq!(name.item, "a");
        let handler = polyfaas_core::handler_fn(|_e: Event, _c: polyfaas_core::Context| async {
            Ok::<_, polyfaas_core::Error>(polyfaas_core::Response::ok())
        });
        let invoker =
            polyfaas_core::Invoker::builder(polyfaas_core::Provider::AWS, handler).build();
        let ctx = invoker.context(invocation);
        assert_eq!(ctx.request_id(), "req-1");
        assert_eq!(ctx.extra::<Tag>().map(|t| t.0), Some("t"));
    }
}
