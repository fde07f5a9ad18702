//! Raw API Gateway v1, v2 and ALB event bytes → neutral request → a no-op handler → Lambda
//! response bytes, through polyfaas-aws and through `lambda_http` 1.3.2 in the same run.
//!
//! Both sides do what their runtime loop does with the `/next` body: polyfaas-aws takes its
//! bytes as they came (its own loop makes no JSON pass), builds the invocation, `handle_event`
//! through core's `Invoker` (built once, as at start-up), sends the result's raw JSON text;
//! `lambda_http` deserialises its `LambdaRequest`, calls its `Adapter` around the handler and
//! serialises the `LambdaResponse`. The handlers answer the same `200 text/plain "ok"`.
//!
//! `cargo bench -p polyfaas-aws`; the ratio is polyfaas time / lambda_http time per event. Before
//! the criterion groups it prints a paired ratio (the two sides alternating in rounds), which
//! is steadier than comparing two criterion means on a machine shared with other work.
//!
//! Instruction counts, which do not depend on the machine's load: with
//! `POLYFAAS_BENCH_COUNT=<event>:<side>:<n>` (`v1`|`v2`|`alb`, `polyfaas`|`lambda_http`) the
//! bench binary runs `n` round trips of one side and exits, for `valgrind --tool=cachegrind`
//! (`providers/aws/scripts/bench-instructions.sh` runs every pair and prints the counts).

use std::hint::black_box;
use std::time::Instant;

use bytes::Bytes;
use criterion::Criterion;
use lambda_http::{Adapter, Body, LambdaEvent, Service};
use polyfaas_aws::handle_event;
use polyfaas_core::{handler_fn, Context, Error, Event, Invocation, Invoker, Provider, Response};

/// The events measured: label and fixture.
const EVENTS: [(&str, &str); 3] = [
    ("v1", "apigw-v1-rest.json"),
    ("v2", "apigw-v2-named-stage.json"),
    ("alb", "alb-multi-value.json"),
];

fn fixture(name: &str) -> Bytes {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../conformance-tests/fixtures/aws")
        .join(name);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("read {path:?}: {e}"))
        .into()
}

type Handler = fn(
    lambda_http::Request,
) -> std::future::Ready<
    Result<lambda_http::http::Response<Body>, lambda_http::http::Error>,
>;
type LambdaHttpAdapter = Adapter<
    'static,
    lambda_http::http::Response<Body>,
    lambda_http::tower::util::ServiceFn<Handler>,
>;

/// Both sides, built once as each runtime builds them at start-up.
struct Sides {
    rt: tokio::runtime::Runtime,
    invoker: Invoker,
    adapter: LambdaHttpAdapter,
}

fn ok(
    _req: lambda_http::Request,
) -> std::future::Ready<Result<lambda_http::http::Response<Body>, lambda_http::http::Error>> {
    std::future::ready(
        lambda_http::http::Response::builder()
            .status(200)
            .header("content-type", "text/plain; charset=utf-8")
            .body(Body::Text("ok".into())),
    )
}

impl Sides {
    fn new() -> Sides {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let invoker = Invoker::builder(
            Provider::AWS,
            handler_fn(|_event: Event, _ctx: Context| async {
                Ok::<_, Error>(Response::text("ok"))
            }),
        )
        .build();
        let handler: Handler = ok;
        let adapter = Adapter::from(lambda_http::service_fn(handler));
        Sides {
            rt,
            invoker,
            adapter,
        }
    }

    /// The `/next` body (as hyper hands it over) to the `/response` body.
    fn polyfaas(&self, event: &Bytes) -> Bytes {
        self.rt.block_on(async {
            // The runtime loop hands the body's bytes over as they came (no JSON pass of its
            // own) and sends the result's raw JSON text (providers/aws/src/runtime.rs).
            let invocation = Invocation::new().request_id("bench");
            let result = handle_event(&self.invoker, event.clone(), invocation)
                .await
                .unwrap();
            Bytes::from(String::from(Box::<str>::from(result)))
        })
    }

    /// The same through `lambda_http`, as `lambda_runtime` runs it.
    fn lambda_http(&mut self, event: &[u8]) -> Bytes {
        let adapter = &mut self.adapter;
        self.rt.block_on(async {
            let request: lambda_http::request::LambdaRequest =
                serde_json::from_slice(event).unwrap();
            let response = adapter
                .call(LambdaEvent::new(request, lambda_http::Context::default()))
                .await
                .unwrap();
            Bytes::from(serde_json::to_vec(&response).unwrap())
        })
    }

    fn side(&mut self, side: &str, event: &Bytes) -> Bytes {
        match side {
            "polyfaas" => self.polyfaas(event),
            "lambda_http" => self.lambda_http(event),
            other => panic!("no side {other:?}: polyfaas or lambda_http"),
        }
    }
}

/// `POLYFAAS_BENCH_COUNT=<event>:<side>:<n>`: `n` round trips of one side, for cachegrind.
fn count(spec: &str) {
    let mut parts = spec.split(':');
    let (Some(label), Some(side), Some(n)) = (parts.next(), parts.next(), parts.next()) else {
        panic!("POLYFAAS_BENCH_COUNT={spec:?}: expected <event>:<side>:<n>");
    };
    let n: usize = n.parse().expect("a number of round trips");
    let (_, name) = EVENTS
        .iter()
        .find(|(l, _)| *l == label)
        .unwrap_or_else(|| panic!("no event {label:?}: v1, v2 or alb"));
    let event = fixture(name);
    let mut sides = Sides::new();
    // One round trip outside the count: lazily initialised statics are not per-event costs.
    black_box(sides.side(side, &event));
    for _ in 0..n {
        black_box(sides.side(side, black_box(&event)));
    }
}

fn round_trips(c: &mut Criterion) {
    let mut sides = Sides::new();
    for (label, name) in EVENTS {
        let event = fixture(name);

        // Both answer the same status and body before anything is timed.
        for side in ["polyfaas", "lambda_http"] {
            let out = sides.side(side, &event);
            let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(
                (json["statusCode"].as_u64(), json["body"].as_str()),
                (Some(200), Some("ok")),
                "{side}: {json}"
            );
        }

        // Paired rounds: the two sides alternate, and which goes first alternates too, after a
        // warm-up of both, so load from other processes and cache or allocator state left by the
        // previous side weigh on both alike; the median ratio is the figure to report.
        let (rounds, per_round) = (30, 1000);
        for _ in 0..per_round {
            black_box(sides.polyfaas(black_box(&event)));
            black_box(sides.lambda_http(black_box(&event)));
        }
        let mut ratios = Vec::with_capacity(rounds);
        for round in 0..rounds {
            let mut time = |side: &str| {
                let started = Instant::now();
                for _ in 0..per_round {
                    black_box(sides.side(side, black_box(&event)));
                }
                started.elapsed().as_secs_f64()
            };
            let (ours, theirs) = if round % 2 == 0 {
                let ours = time("polyfaas");
                (ours, time("lambda_http"))
            } else {
                let theirs = time("lambda_http");
                (time("polyfaas"), theirs)
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

        let mut group = c.benchmark_group(format!("{label}_round_trip"));
        group.bench_function("polyfaas_aws", |b| {
            b.iter(|| sides.polyfaas(black_box(&event)))
        });
        group.bench_function("lambda_http", |b| {
            b.iter(|| sides.lambda_http(black_box(&event)))
        });
        group.finish();
    }
}

fn main() {
    if let Ok(spec) = std::env::var("POLYFAAS_BENCH_COUNT") {
        count(&spec);
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    round_trips(&mut criterion);
    criterion.final_summary();
}
