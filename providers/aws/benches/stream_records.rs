//! Kinesis and DynamoDB Streams batches (the conformance fixtures, three records each) → one
//! no-op handler call per record → the `batchItemFailures` answer, through polyfaas-aws and
//! through what a `lambda_runtime` user writes with `aws_lambda_events` 1.2.1, in the same run.
//!
//! The anchor deserialises the typed event (`KinesisEvent`, whose `data` it base64-decodes;
//! `dynamodb::Event`, then each image converted to plain JSON with `serde_dynamo`, the work
//! polyfaas-aws does for `Change`), calls the handler per record and serialises the response.
//! polyfaas-aws does that through core's `Invoker` (a context, span, deadline and panic layer
//! per record) with per-record extras.
//!
//! `cargo bench -p polyfaas-aws --bench stream_records`: the paired median ratio (polyfaas
//! time / anchor time), then the criterion groups.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use aws_lambda_events::dynamodb;
use aws_lambda_events::kinesis::KinesisEvent;
use aws_lambda_events::streams::{
    DynamoDbEventResponse, KinesisBatchItemFailure, KinesisEventResponse,
};
use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion};
use polyfaas_aws::handle_event;
use polyfaas_core::{handler_fn, Context, Error, Event, Invocation, Invoker, Provider, Response};
use serde_dynamo::AttributeValue;
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../conformance-tests/fixtures/aws")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {path:?}: {e}"))
}

/// The anchor's handler: takes a record, does nothing.
async fn no_op<T>(record: T) -> Result<(), Error> {
    black_box(record);
    Ok(())
}

fn anchor_kinesis(rt: &tokio::runtime::Runtime, event: &[u8]) -> Vec<u8> {
    rt.block_on(async {
        let event: KinesisEvent = serde_json::from_slice(event).unwrap();
        let mut response = KinesisEventResponse::default();
        for record in event.records {
            let sequence = record.kinesis.sequence_number.clone();
            if no_op(record).await.is_err() {
                let mut failure = KinesisBatchItemFailure::default();
                failure.item_identifier = Some(sequence);
                response.batch_item_failures.push(failure);
            }
        }
        serde_json::to_vec(&response).unwrap()
    })
}

/// A DynamoDB attribute as plain JSON, as a `lambda_runtime` user writes it (serde_dynamo's
/// own conversion to `serde_json::Value` refuses binary attributes): numbers as JSON numbers,
/// binaries as their base64 text, sets as arrays.
fn plain_value(value: AttributeValue) -> Value {
    use base64::Engine as _;
    let number = |n: String| serde_json::from_str(&n).unwrap_or(Value::String(n));
    let bytes = |b: Vec<u8>| Value::String(base64::engine::general_purpose::STANDARD.encode(b));
    match value {
        AttributeValue::N(n) => number(n),
        AttributeValue::S(s) => Value::String(s),
        AttributeValue::Bool(b) => Value::Bool(b),
        AttributeValue::B(b) => bytes(b),
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::M(m) => {
            Value::Object(m.into_iter().map(|(k, v)| (k, plain_value(v))).collect())
        }
        AttributeValue::L(l) => Value::Array(l.into_iter().map(plain_value).collect()),
        AttributeValue::Ss(ss) => Value::Array(ss.into_iter().map(Value::String).collect()),
        AttributeValue::Ns(ns) => Value::Array(ns.into_iter().map(number).collect()),
        AttributeValue::Bs(bs) => Value::Array(bs.into_iter().map(bytes).collect()),
    }
}

fn anchor_dynamodb(rt: &tokio::runtime::Runtime, event: &[u8]) -> Vec<u8> {
    rt.block_on(async {
        let event: dynamodb::Event = serde_json::from_slice(event).unwrap();
        let response = DynamoDbEventResponse::default();
        for record in event.records {
            let change = &record.change;
            let plain = |item: &serde_dynamo::Item| -> Value {
                let item: HashMap<String, AttributeValue> = item.clone().into();
                Value::Object(item.into_iter().map(|(k, v)| (k, plain_value(v))).collect())
            };
            let values = (
                plain(&change.keys),
                plain(&change.old_image),
                plain(&change.new_image),
            );
            no_op((record.event_id, values)).await.unwrap();
        }
        serde_json::to_vec(&response).unwrap()
    })
}

fn stream_records(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let invoker = Invoker::builder(
        Provider::AWS,
        handler_fn(|_event: Event, _ctx: Context| async { Ok::<_, Error>(Response::ok()) }),
    )
    .build();
    let polyfaas = |event: &[u8]| {
        rt.block_on(async {
            let payload = Bytes::copy_from_slice(event);
            let invocation = Invocation::new().request_id("bench");
            let result = handle_event(&invoker, payload, invocation).await.unwrap();
            serde_json::to_vec(&result).unwrap()
        })
    };
    for (label, name, anchor) in [
        (
            "kinesis",
            "kinesis-batch.json",
            anchor_kinesis as fn(&tokio::runtime::Runtime, &[u8]) -> Vec<u8>,
        ),
        ("dynamodb", "dynamodb-stream.json", anchor_dynamodb),
    ] {
        let event = fixture(name);
        let ours: Value = serde_json::from_slice(&polyfaas(&event)).unwrap();
        let theirs: Value = serde_json::from_slice(&anchor(&rt, &event)).unwrap();
        assert_eq!(
            ours,
            serde_json::json!({"batchItemFailures": []}),
            "{label}"
        );
        assert_eq!(
            theirs["batchItemFailures"],
            serde_json::json!([]),
            "{label}"
        );

        let (rounds, per_round) = (30, 500);
        for _ in 0..per_round {
            black_box(polyfaas(black_box(&event)));
            black_box(anchor(&rt, black_box(&event)));
        }
        let mut ratios = Vec::with_capacity(rounds);
        for round in 0..rounds {
            let time = |side: &dyn Fn(&[u8]) -> Vec<u8>| {
                let started = Instant::now();
                for _ in 0..per_round {
                    black_box(side(black_box(&event)));
                }
                started.elapsed().as_secs_f64()
            };
            let (ours, theirs) = if round % 2 == 0 {
                let ours = time(&polyfaas);
                (ours, time(&|e| anchor(&rt, e)))
            } else {
                let theirs = time(&|e| anchor(&rt, e));
                (time(&polyfaas), theirs)
            };
            ratios.push(ours / theirs);
        }
        ratios.sort_by(f64::total_cmp);
        println!(
            "paired ratio {label} (polyfaas-aws / aws_lambda_events + handler loop): median {:.2}, min {:.2}, max {:.2} over {rounds} rounds of {per_round}",
            ratios[rounds / 2],
            ratios[0],
            ratios[rounds - 1]
        );
        let mut group = c.benchmark_group(format!("{label}_batch"));
        group.bench_function("polyfaas_aws", |b| b.iter(|| polyfaas(black_box(&event))));
        group.bench_function("aws_lambda_events", |b| {
            b.iter(|| anchor(&rt, black_box(&event)))
        });
        group.finish();
    }
}

criterion_group!(benches, stream_records);
criterion_main!(benches);
