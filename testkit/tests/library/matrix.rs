//! The comparison behind the event × platform table.

use polyfaas_testkit::answer::Failure;
use polyfaas_testkit::matrix::{Cell, Compare, Table};
use polyfaas_testkit::Platform;

fn ok(body: &str) -> Cell {
    Cell::answered(200, body.as_bytes().to_vec(), None, Vec::new())
}

#[test]
fn the_majority_answer_is_the_reference() {
    let platforms = Platform::CLOUDS.to_vec();
    let failed = Cell::answered(
        500,
        Vec::new(),
        Some(Failure::new(Some("Panic".into()), "boom")),
        Vec::new(),
    );
    let rows = vec![
        (
            "same".to_owned(),
            vec![
                ok(r#"{"a":1,"id":"x"}"#),
                ok(r#"{"id":"y","a":1}"#),
                ok(r#"{"a":1}"#),
                ok(r#"{"a":1,"id":null}"#),
            ],
        ),
        ("one".to_owned(), vec![ok("hi"), ok("hi"), failed, ok("hi")]),
        (
            "gaps".to_owned(),
            vec![
                ok("x"),
                Cell::NoNativeForm("none".into()),
                ok("x"),
                Cell::NoNativeForm("none".into()),
            ],
        ),
    ];
    let compare = Compare {
        ignore: vec!["/id".into()],
        ..Compare::default()
    };
    let table = Table::compare(platforms.clone(), rows.clone(), &compare);
    assert_eq!(table.rows[0].differing, []);
    assert_eq!(table.rows[1].differing, [Platform::Azure]);
    assert_eq!(table.rows[2].differing, []);
    assert!(!table.passed());
    let text = table.render();
    assert!(text.contains("500 failed (Panic) ≠"), "{text}");
    assert!(text.contains("one on azure differs: 500"), "{text}");
    assert!(text.contains("n/a"), "{text}");
    // Without the ignored pointer, the ids differ.
    let table = Table::compare(platforms.clone(), rows[..1].to_vec(), &Compare::default());
    assert_eq!(table.rows[0].differing.len(), 3);
    // A cell that could not run fails the table even when nothing differs.
    let table = Table::compare(
        platforms,
        vec![(
            "err".to_owned(),
            vec![ok("a"), Cell::Error("no".into()), ok("a"), ok("a")],
        )],
        &compare,
    );
    assert_eq!(table.rows[0].differing, []);
    assert!(!table.passed());
    assert!(table.render().contains("err on gcp: no"));
}

#[test]
fn results_of_other_events_are_compared_as_the_caller_gets_them() {
    let platforms = Platform::CLOUDS.to_vec();
    let with_status =
        |status, body: &str| Cell::answered(status, body.as_bytes().to_vec(), None, Vec::new());
    let rows = vec![
        // No result: a Lambda null, a Cloud Run 204, an Azure "", an OpenWhisk {}.
        (
            "empty".to_owned(),
            vec![ok("null"), with_status(204, ""), ok(r#""""#), ok("{}")],
        ),
        // A text result: JSON-encoded on Lambda, Azure and OpenWhisk, the bytes on Cloud Run.
        (
            "text".to_owned(),
            vec![
                ok(r#""hello: invoke""#),
                ok("hello: invoke"),
                ok(r#""hello: invoke""#),
                ok(r#""hello: invoke""#),
            ],
        ),
        // Another text is another answer, however it is encoded.
        (
            "other text".to_owned(),
            vec![
                ok(r#""hello""#),
                ok("hello"),
                ok(r#""hello from azure""#),
                ok(r#""hello""#),
            ],
        ),
    ];
    let table = Table::compare(platforms, rows, &Compare::default());
    assert_eq!(table.rows[0].differing, []);
    assert_eq!(table.rows[1].differing, []);
    assert_eq!(table.rows[2].differing, [Platform::Azure]);
}
