//! `/next` headers the shim cannot read (what stopped `lambda_runtime` 1.5's loop): a deadline
//! that is empty, negative or past `u64` fails that invocation through `/error`, naming the
//! header; an invocation without a usable request id, which nothing can answer, is skipped
//! with a log line. Either way the next invocation is served.

use std::time::Duration;

use polyfaas_testkit::aws::Invocation;

use crate::fixture;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_that_is_not_a_number_fails_only_its_invocation() {
    let mut lambda = crate::start().await;
    for deadline in ["", "-1", "18446744073709551616", "soon"] {
        let invocation =
            Invocation::new(fixture("apigw-v2-binary.json")).deadline(Some(deadline.to_owned()));
        let (error_type, message) = lambda.invoke(invocation).await.unwrap().error();
        assert_eq!(
            error_type, "InvalidRuntimeHeader",
            "{deadline:?}: {message}"
        );
        assert_eq!(
            message,
            format!(
                "lambda-runtime-deadline-ms: {deadline:?} is not a number of milliseconds since the Unix epoch"
            )
        );
        let document = lambda.result(fixture("eventbridge-schedule.json")).await;
        assert_eq!(document["event"]["kind"], "schedule", "after {deadline:?}");
    }
    // No deadline header at all: no deadline (lambda_runtime 1.5 panics).
    let document = lambda
        .invoke(Invocation::new(fixture("eventbridge-schedule.json")).deadline(None))
        .await
        .unwrap()
        .response_json();
    assert_eq!(document["context"]["deadline_ms"], serde_json::Value::Null);
    lambda.assert_healthy();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invocation_without_a_usable_request_id_is_skipped_with_a_log_line() {
    let mut lambda = crate::start().await;
    let unanswerable = [
        Invocation::new(fixture("sns.json")).without_request_id(),
        Invocation::new(fixture("sns.json")).request_id(""),
        Invocation::new(fixture("sns.json")).request_id("../../init/error"),
    ];
    for invocation in unanswerable {
        let mark = lambda.process.mark();
        let outcome = lambda
            .api
            .invoke(invocation.clone(), Duration::from_secs(2))
            .await;
        assert!(
            outcome.is_none(),
            "{invocation:?} was answered: {outcome:?}"
        );
        // Served next: so the skipped one is over, and its log line written.
        let document = lambda.result(fixture("eventbridge-schedule.json")).await;
        assert_eq!(document["event"]["kind"], "schedule");
        let logs = lambda.process.logs_since(mark);
        assert!(
            logs.stderr
                .contains("skipping an invocation whose request id cannot be read")
                && logs.stderr.contains("lambda-runtime-aws-request-id"),
            "{invocation:?}\n{logs}"
        );
    }
    // The server saw no answer for an id it did not hand out; it counts the two ids it did
    // hand out (empty, and one that is not a path segment) as left unanswered, which they are.
    let violations = lambda.api.violations();
    assert_eq!(violations.len(), 2, "{violations:?}");
    assert!(
        violations.iter().all(|v| v.contains("still unanswered")),
        "{violations:?}"
    );
    assert!(lambda.process.is_running(), "{}", lambda.process.output());
}
