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
