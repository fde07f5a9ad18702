//! The sample table in `docs/testing.md` is the one `sample::list` gives.

use polyfaas_testkit::{sample, Platform};

/// The table of every platform's samples, as the guide shows it.
fn table() -> String {
    let mut out =
        String::from("| platform | sample | form | kind | what |\n|---|---|---|---|---|\n");
    for platform in Platform::ALL {
        for sample in sample::list(platform) {
            let name = if sample.stable {
                format!("**{}**", sample.name)
            } else {
                sample.name.to_owned()
            };
            out.push_str(&format!(
                "| {platform} | {name} | {} | {} | {} |\n",
                sample.form, sample.kind, sample.description
            ));
        }
    }
    out
}

#[test]
fn the_guide_lists_every_sample() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/testing.md");
    let guide =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let begin = "<!-- samples:begin -->\n";
    let end = "<!-- samples:end -->";
    let listed = guide
        .split_once(begin)
        .and_then(|(_, rest)| rest.split_once(end))
        .map(|(table, _)| table);
    let expected = table();
    assert_eq!(
        listed,
        Some(expected.as_str()),
        "docs/testing.md's sample table is out of date; it should be:\n{expected}"
    );
}
