//! The contract every backend meets, and the explicit report of what a backend cannot do.

use std::io::Write as _;

use polyfaas_core::blob::{BlobError, BlobMeta, Blobs};
use sha2::{Digest, Sha256};

/// What a backend (or the server behind it) is known not to do, and why. Each entry is printed
/// as a `CAPABILITY MISSING` line, and its check is replaced by a check of the declared
/// behaviour, never skipped silently.
#[derive(Clone, Copy, Debug, Default)]
pub struct Gaps {
    /// The server accepts `If-None-Match: *` (or its equivalent) but ignores it: a second
    /// `put_if_absent` overwrites. The reason is printed.
    pub put_if_absent_ignored_by_server: Option<&'static str>,
}

/// Prints a line to the test process's stderr, past the test harness's capture, so it shows in
/// the output of a passing run too.
pub fn say(backend: &str, line: &str) {
    let _ = writeln!(std::io::stderr(), "[blob contract: {backend}] {line}");
}

/// Runs the whole contract against `blobs`. `large` is the size of the streamed object.
pub async fn run(backend: &str, blobs: &Blobs, gaps: Gaps, large: usize) {
    let caps = blobs.capabilities();
    for (name, present) in caps.list() {
        if !present {
            say(
                backend,
                &format!("CAPABILITY MISSING: {name} (the backend reports it lacks it)"),
            );
        }
    }
    put_get_head_overwrite(blobs, caps.etag).await;
    unicode_and_space_keys(blobs).await;
    listing(blobs).await;
    streaming(backend, blobs, large).await;
    missing_objects(blobs).await;
    deletes(blobs).await;
    hostile_keys(blobs).await;
    concurrent_puts(blobs).await;
    put_if_absent(backend, blobs, caps.put_if_absent, gaps).await;
    say(backend, "contract passed");
}

fn keys(v: Vec<BlobMeta>) -> Vec<String> {
    v.into_iter().map(|m| m.key.to_string()).collect()
}

async fn put_get_head_overwrite(blobs: &Blobs, etags: bool) {
    let meta = blobs.put("a/b/c.txt", "hello").await.unwrap();
    assert_eq!((meta.size, meta.key.as_str()), (5, "a/b/c.txt"));
    assert_eq!(&blobs.get("a/b/c.txt").await.unwrap()[..], b"hello");
    let head = blobs.head("a/b/c.txt").await.unwrap();
    assert_eq!(head.size, 5);
    assert_eq!(
        head.etag.is_some(),
        etags,
        "etag presence matches the capability"
    );
    blobs.put("a/b/c.txt", "bye").await.unwrap();
    assert_eq!(&blobs.get("a/b/c.txt").await.unwrap()[..], b"bye");
    assert_eq!(blobs.head("a/b/c.txt").await.unwrap().size, 3);
    let empty = blobs.put("empty", "").await.unwrap();
    assert_eq!(empty.size, 0);
    assert!(blobs.get("empty").await.unwrap().is_empty());
}

async fn unicode_and_space_keys(blobs: &Blobs) {
    let binary: Vec<u8> = (0..=255u8).rev().collect();
    for key in [
        "ünï cødé/日本 語.bin",
        "with space.txt",
        "sym+bols=&;,@$!'()~%20x",
        "deep/er/and/deeper/x.y.z",
    ] {
        blobs
            .put(key, binary.clone())
            .await
            .unwrap_or_else(|e| panic!("put {key:?}: {e}"));
        assert_eq!(&blobs.get(key).await.unwrap()[..], &binary[..], "{key:?}");
        assert_eq!(blobs.head(key).await.unwrap().key.as_str(), key);
    }
    let listed = keys(blobs.list("ünï cødé/").await.unwrap());
    assert_eq!(listed, ["ünï cødé/日本 語.bin"]);
    let listed = keys(blobs.list("sym+").await.unwrap());
    assert_eq!(
        listed,
        ["sym+bols=&;,@$!'()~%20x"],
        "a `%20` in a key is kept, not decoded"
    );
}

async fn listing(blobs: &Blobs) {
    blobs.put("l/a/1", "1").await.unwrap();
    blobs.put("l/a/2", "22").await.unwrap();
    blobs.put("l/ab", "3").await.unwrap();
    blobs.put("l/b/x/y", "4").await.unwrap();
    assert_eq!(keys(blobs.list("l/a/").await.unwrap()), ["l/a/1", "l/a/2"]);
    assert_eq!(
        keys(blobs.list("l/a").await.unwrap()),
        ["l/a/1", "l/a/2", "l/ab"],
        "a prefix is a string prefix, not a directory"
    );
    assert_eq!(
        keys(blobs.list("l/").await.unwrap()),
        ["l/a/1", "l/a/2", "l/ab", "l/b/x/y"],
        "objects only, in key order, recursively"
    );
    let sizes: Vec<u64> = blobs
        .list("l/a/")
        .await
        .unwrap()
        .iter()
        .map(|m| m.size)
        .collect();
    assert_eq!(sizes, [1, 2]);
    assert!(blobs.list("nothing/").await.unwrap().is_empty());
    assert!(blobs.list("").await.unwrap().len() >= 4);
}

fn sha256(data: &[u8]) -> Vec<u8> {
    Sha256::digest(data).to_vec()
}

async fn streaming(backend: &str, blobs: &Blobs, large: usize) {
    let dir = tempfile::tempdir().unwrap();
    // A large object, not a multiple of any chunk size, with varying content.
    let data: Vec<u8> = (0..large)
        .map(|i| (i % 251) as u8 ^ (i >> 16) as u8)
        .collect();
    let source = dir.path().join("source.bin");
    std::fs::write(&source, &data).unwrap();
    let meta = blobs.put_file("big/object.bin", &source).await.unwrap();
    assert_eq!(meta.size, large as u64);
    assert_eq!(
        blobs.head("big/object.bin").await.unwrap().size,
        large as u64
    );
    say(
        backend,
        &format!("put_file and download_to of {} MiB", large >> 20),
    );

    let dest = dir.path().join("dest.bin");
    let meta = blobs.download_to("big/object.bin", &dest).await.unwrap();
    assert_eq!(meta.size, large as u64);
    assert_eq!(sha256(&std::fs::read(&dest).unwrap()), sha256(&data));

    let mut sink: Vec<u8> = Vec::new();
    blobs.get_to("big/object.bin", &mut sink).await.unwrap();
    assert_eq!(sha256(&sink), sha256(&data));

    // A small file goes up in one request.
    let small = dir.path().join("small.txt");
    std::fs::write(&small, "small").unwrap();
    blobs.put_file("small.txt", &small).await.unwrap();
    assert_eq!(&blobs.get("small.txt").await.unwrap()[..], b"small");
    // An unreadable source is an I/O error naming the key, and writes nothing.
    let err = blobs
        .put_file("nope.txt", dir.path().join("absent"))
        .await
        .unwrap_err();
    assert!(matches!(err, BlobError::Io { .. }), "{err}");
    assert!(blobs.head("nope.txt").await.unwrap_err().is_not_found());
    blobs.delete("big/object.bin").await.unwrap();
}

async fn missing_objects(blobs: &Blobs) {
    let dir = tempfile::tempdir().unwrap();
    let err = blobs.get("missing.txt").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert!(err.to_string().contains("\"missing.txt\""), "{err}");
    assert!(blobs.head("missing.txt").await.unwrap_err().is_not_found());
    let mut sink = Vec::new();
    assert!(blobs
        .get_to("missing.txt", &mut sink)
        .await
        .unwrap_err()
        .is_not_found());
    assert!(sink.is_empty());
    let dest = dir.path().join("m");
    assert!(blobs
        .download_to("missing.txt", &dest)
        .await
        .unwrap_err()
        .is_not_found());
    assert!(!dest.exists(), "a failed download leaves no file");
}

async fn deletes(blobs: &Blobs) {
    blobs.put("d/x", "x").await.unwrap();
    blobs.delete("d/x").await.unwrap();
    blobs.delete("d/x").await.unwrap();
    assert!(blobs.get("d/x").await.unwrap_err().is_not_found());
    assert!(blobs.list("d/").await.unwrap().is_empty());
}

async fn hostile_keys(blobs: &Blobs) {
    for key in [
        "../x",
        "/etc/passwd",
        "a/../../x",
        "a/./b",
        "..",
        "a\0b",
        "",
        "a//b",
        "a\\..\\b",
    ] {
        let err = blobs.put(key, "x").await.unwrap_err();
        assert!(
            matches!(err, BlobError::InvalidKey { .. }),
            "{key:?}: {err}"
        );
        assert!(matches!(
            blobs.get(key).await.unwrap_err(),
            BlobError::InvalidKey { .. }
        ));
        assert!(matches!(
            blobs.delete(key).await.unwrap_err(),
            BlobError::InvalidKey { .. }
        ));
        assert!(matches!(
            blobs.head(key).await.unwrap_err(),
            BlobError::InvalidKey { .. }
        ));
    }
    assert!(blobs.list("../").await.is_err());
    assert!(blobs.list("/").await.is_err());
}

async fn concurrent_puts(blobs: &Blobs) {
    let puts = (0..16).map(|i| {
        let blobs = blobs.clone();
        tokio::spawn(async move {
            blobs
                .put(&format!("many/{i:02}"), vec![i as u8; 1000])
                .await
        })
    });
    for put in puts {
        put.await.unwrap().unwrap();
    }
    let listed = blobs.list("many/").await.unwrap();
    assert_eq!(listed.len(), 16);
    for (i, meta) in listed.iter().enumerate() {
        assert_eq!(meta.key.as_str(), format!("many/{i:02}"));
        assert_eq!(
            &blobs.get(meta.key.as_str()).await.unwrap()[..],
            &[i as u8; 1000][..]
        );
    }
    // Racing writers of one key: the object is one writer's whole content, never a mix.
    let racers = (0..8u8).map(|i| {
        let blobs = blobs.clone();
        tokio::spawn(async move { blobs.put("race", vec![i; 64 * 1024]).await })
    });
    for racer in racers {
        racer.await.unwrap().unwrap();
    }
    let got = blobs.get("race").await.unwrap();
    assert_eq!(got.len(), 64 * 1024);
    assert!(got.iter().all(|b| *b == got[0]), "one writer's bytes only");
}

async fn put_if_absent(backend: &str, blobs: &Blobs, capable: bool, gaps: Gaps) {
    if !capable {
        let err = blobs.put_if_absent("cond/new", "x").await.unwrap_err();
        assert!(
            err.is_unsupported(),
            "a backend without the capability says so: {err}"
        );
        say(
            backend,
            "CAPABILITY MISSING: put_if_absent returns Unsupported, as declared",
        );
        return;
    }
    blobs.put_if_absent("cond/new", "first").await.unwrap();
    let second = blobs.put_if_absent("cond/new", "second").await;
    if let Some(why) = gaps.put_if_absent_ignored_by_server {
        say(
            backend,
            &format!("CAPABILITY MISSING (server): put_if_absent is not honoured: {why}"),
        );
        assert!(
            second.is_ok(),
            "the gap is declared: update the declaration if the server now refuses"
        );
        return;
    }
    let err = second.unwrap_err();
    assert!(err.is_already_exists(), "{err}");
    assert_eq!(&blobs.get("cond/new").await.unwrap()[..], b"first");
    // Of racing creators, exactly one wins.
    let racers = (0..6u8).map(|i| {
        let blobs = blobs.clone();
        tokio::spawn(async move { blobs.put_if_absent("cond/race", vec![i]).await })
    });
    let mut wins = 0;
    for racer in racers {
        match racer.await.unwrap() {
            Ok(_) => wins += 1,
            Err(e) => assert!(e.is_already_exists(), "{e}"),
        }
    }
    assert_eq!(wins, 1, "exactly one racing put_if_absent succeeds");
}
