//! The event × platform table over echo on every platform: an event every platform carries
//! exactly gives the same answer everywhere (echo's provider and context aside); one that some
//! platforms cannot carry marks exactly those.

use polyfaas_testkit::matrix::{self, Cell, Compare};
use polyfaas_testkit::record::Recorder;
use polyfaas_testkit::{record, Platform};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_table_marks_the_platforms_that_answer_differently() {
    let dir = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::new(dir.path()).unwrap();
    // Every platform carries this one exactly (the client's address is 127.0.0.1, the
    // connection's peer, and also in x-forwarded-for for the platforms that read it there).
    recorder
        .record(
            &json!({"kind": "http", "method": "GET", "path": "/same", "query": "a=1",
                        "headers": {"host": ["example.com"], "x-forwarded-for": ["127.0.0.1"]},
                        "body_base64": "", "source_ip": "127.0.0.1"}),
        )
        .unwrap();
    // API Gateway v2 joins a repeated header with commas; the OpenWhisk controller keeps the
    // last value.
    recorder
        .record(&json!({"kind": "http", "method": "GET", "path": "/repeated", "query": "",
                        "headers": {"host": ["example.com"], "x-forwarded-for": ["127.0.0.1"], "x-a": ["1", "2"]},
                        "body_base64": "", "source_ip": "127.0.0.1"}))
        .unwrap();
    // Apache OpenWhisk has no storage trigger: not compared there.
    recorder
        .record(&json!({"kind": "blob", "change": "deleted", "store": "photos", "key": "gone.png"}))
        .unwrap();
    let events = record::read_dir(dir.path()).unwrap();

    let mut functions = Vec::new();
    for platform in Platform::ALL {
        functions.push(crate::start(platform).await);
    }
    let compare = Compare {
        ignore: vec!["/provider".to_owned(), "/context".to_owned()],
        ..Compare::default()
    };
    let table = matrix::run(&events, &mut functions, &compare).await;
    println!("{}", table.render());
    assert_eq!(table.platforms, Platform::ALL);
    assert_eq!(table.rows[0].name, "000001-http");
    assert_eq!(table.rows[0].differing, [], "{}", table.render());
    assert_eq!(
        table.rows[1].differing,
        [Platform::Aws, Platform::OpenWhisk],
        "{}",
        table.render()
    );
    // The deleted blob: local, AWS (no size or ETag to lose), GCP and Azure (Event Grid: an
    // invoke event today) answer; OpenWhisk has no form.
    assert!(matches!(table.rows[2].cells[4], Cell::NoNativeForm(_)));
    assert_eq!(
        table.rows[2].differing,
        [Platform::Azure],
        "{}",
        table.render()
    );
    assert!(!table.passed());
    let text = table.render();
    assert!(text.contains("000002-http on aws differs"), "{text}");
    assert!(
        text.contains("aws cannot carry it exactly: headers.x-a"),
        "{text}"
    );
}
