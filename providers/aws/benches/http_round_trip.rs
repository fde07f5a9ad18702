//! Raw API Gateway v1, v2 and ALB event bytes → neutral request → a no-op handler → Lambda response
//! bytes, through polyfaas-aws and through `lambda_http` 1.3.2 in the same run.
//!
//! Both sides do what their runtime loop does with the `/next` body: polyfaas-aws reads it as
//! raw JSON (what `lambda_runtime` hands the shim), builds the invocation, `handle_event`
//! through core's `Invoker` (built once, as at start-up), writes the result;
//! `lambda_http` deserialises its `LambdaRequest`, calls its `Adapter` around the handler and
//! serialises the `LambdaResponse`. The handlers answer the same `200 text/plain "ok"`.
//!
//! `cargo bench -p polyfaas-aws`; the ratio is polyfaas time / lambda_http time per event. Before
//! the criterion groups it prints a paired ratio (the two sides alternating in rounds), which
//! is steadier than comparing two criterion means on a machine shared with other work.

use std::hint::black_box;
use std::time::Instant;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion};
use lambda_http::{Adapter, Body, LambdaEvent, Service};
use polyfaas_aws::handle_event;
use polyfaas_core::{handler_fn, Context, Error, Event, Invocation, Invoker, Provider, Response};
use serde_json::value::RawValue;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../conformance-tests/fixtures/aws")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {path:?}: {e}"))
}

fn round_trips(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let invoker = Invoker::builder(
        Provider::AWS,
        handler_fn(|_event: Event, _ctx: Context| async { Ok::<_, Error>(Response::text("ok")) }),
    )
    .build();
    let mut adapter = Adapter::from(lambda_http::service_fn(
        |_req: lambda_http::Request| async {
            lambda_http::http::Response::builder()
                .status(200)
                .header("content-type", "text/plain; charset=utf-8")
                .body(Body::Text("ok".into()))
        },
    ));

    for (label, group, name) in [
        ("v1", "apigw_v1_round_trip", "apigw-v1-rest.json"),
        ("v2", "apigw_v2_round_trip", "apigw-v2-named-stage.json"),
        ("alb", "alb_round_trip", "alb-multi-value.json"),
    ] {
        let event = fixture(name);

        let polyfaas = |event: &[u8]| {
            rt.block_on(async {
                let raw: Box<RawValue> = serde_json::from_slice(event).unwrap();
                let payload = Bytes::from(String::from(Box::<str>::from(raw)));
                let invocation = Invocation::new().request_id("bench");
                let result = handle_event(&invoker, payload, invocation).await.unwrap();
                serde_json::to_vec(&result).unwrap()
            })
        };
        let mut lambda_http = |event: &[u8]| {
            rt.block_on(async {
                let request: lambda_http::request::LambdaRequest =
                    serde_json::from_slice(event).unwrap();
                let response = adapter
                    .call(LambdaEvent::new(request, lambda_http::Context::default()))
                    .await
                    .unwrap();
                serde_json::to_vec(&response).unwrap()
            })
        };
        // Both answer the same status and body before anything is timed.
        for out in [polyfaas(&event), lambda_http(&event)] {
            let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(
                (json["statusCode"].as_u64(), json["body"].as_str()),
                (Some(200), Some("ok")),
                "{json}"
            );
        }

        // Paired rounds: the two sides alternate, and which goes first alternates too, after a
        // warm-up of both, so load from other processes and cache or allocator state left by the
        // previous side weigh on both alike; the median ratio is the figure to report.
        let (rounds, per_round) = (30, 1000);
        for _ in 0..per_round {
            black_box(polyfaas(black_box(&event)));
            black_box(lambda_http(black_box(&event)));
        }
        let mut ratios = Vec::with_capacity(rounds);
        for round in 0..rounds {
            let time = |side: &mut dyn FnMut(&[u8]) -> Vec<u8>| {
                let started = Instant::now();
                for _ in 0..per_round {
                    black_box(side(black_box(&event)));
                }
                started.elapsed().as_secs_f64()
            };
            let (ours, theirs) = if round % 2 == 0 {
                let ours = time(&mut |e| polyfaas(e));
                (ours, time(&mut |e| lambda_http(e)))
            } else {
                let theirs = time(&mut |e| lambda_http(e));
                (time(&mut |e| polyfaas(e)), theirs)
            };
            ratios.push(ours / theirs);
        }
        ratios.sort_by(f64::total_cmp);
        println!(
            "paired ratio {label} (polyfaas-aws / lambda_http): median {:.2}, min {:.2}, max {:.2} over {rounds} rounds of {per_round}",
            ratios[rounds / 2],
            ratios[0],
            ratios[rounds - 1]
        );

        let mut group = c.benchmark_group(group);
        group.bench_function("polyfaas_aws", |b| b.iter(|| polyfaas(black_box(&event))));
        group.bench_function("lambda_http", |b| b.iter(|| lambda_http(black_box(&event))));
        group.finish();
    }
}

criterion_group!(benches, round_trips);
criterion_main!(benches);
