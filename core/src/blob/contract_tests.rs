//! The same checks against every in-process backend.

use super::*;

async fn contract(blobs: Blobs) {
    // put / get / head
    let meta = blobs.put("a/b/c.txt", "hello").await.unwrap();
    assert_eq!(meta.size, 5);
    assert_eq!(meta.key.as_str(), "a/b/c.txt");
    assert_eq!(&blobs.get("a/b/c.txt").await.unwrap()[..], b"hello");
    let head = blobs.head("a/b/c.txt").await.unwrap();
    assert_eq!(head.size, 5);
    assert!(head.etag.is_some());

    // overwrite
    blobs.put("a/b/c.txt", "bye").await.unwrap();
    assert_eq!(&blobs.get("a/b/c.txt").await.unwrap()[..], b"bye");

    // unicode and spaces, binary content
    let binary: Vec<u8> = (0..=255u8).rev().collect();
    blobs
        .put("ünï cødé/日本 語.bin", binary.clone())
        .await
        .unwrap();
    assert_eq!(
        &blobs.get("ünï cødé/日本 語.bin").await.unwrap()[..],
        &binary[..]
    );

    // list: only objects, in key order, by prefix
    blobs.put("a/z.txt", "z").await.unwrap();
    blobs.put("ab.txt", "ab").await.unwrap();
    let keys = |v: Vec<BlobMeta>| v.into_iter().map(|m| m.key.to_string()).collect::<Vec<_>>();
    assert_eq!(
        keys(blobs.list("a/").await.unwrap()),
        ["a/b/c.txt", "a/z.txt"]
    );
    assert_eq!(
        keys(blobs.list("a").await.unwrap()),
        ["a/b/c.txt", "a/z.txt", "ab.txt"]
    );
    assert_eq!(blobs.list("").await.unwrap().len(), 4);
    assert!(blobs.list("nothing/").await.unwrap().is_empty());

    // download_to
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("copy.bin");
    let meta = blobs
        .download_to("ünï cødé/日本 語.bin", &dest)
        .await
        .unwrap();
    assert_eq!(meta.size, 256);
    assert_eq!(std::fs::read(&dest).unwrap(), binary);

    // missing objects
    let err = blobs.get("missing.txt").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert!(err.to_string().contains("\"missing.txt\""), "{err}");
    assert!(blobs.head("missing.txt").await.unwrap_err().is_not_found());
    assert!(blobs
        .download_to("missing.txt", dir.path().join("m"))
        .await
        .unwrap_err()
        .is_not_found());

    // delete (idempotent)
    blobs.delete("a/b/c.txt").await.unwrap();
    blobs.delete("a/b/c.txt").await.unwrap();
    assert!(blobs.get("a/b/c.txt").await.unwrap_err().is_not_found());
    assert_eq!(keys(blobs.list("a/").await.unwrap()), ["a/z.txt"]);

    // hostile keys never reach the backend
    for key in ["../x", "/etc/passwd", "a/../../x", "a\0b", "", "a//b"] {
        let err = blobs.put(key, "x").await.unwrap_err();
        assert!(
            matches!(err, BlobError::InvalidKey { .. }),
            "{key:?}: {err}"
        );
        assert!(blobs.get(key).await.is_err());
        assert!(blobs.delete(key).await.is_err());
    }
    assert!(blobs.list("../").await.is_err());

    // concurrent puts of different keys all land
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
    assert_eq!(blobs.list("many/").await.unwrap().len(), 16);
}

#[tokio::test]
async fn memory_store_meets_the_contract() {
    contract(Blobs::new(MemoryStore::new())).await;
}

#[tokio::test]
async fn local_dir_store_meets_the_contract() {
    let root = tempfile::tempdir().unwrap();
    contract(Blobs::new(LocalDirStore::new(root.path().join("blobs")))).await;
}

#[tokio::test]
async fn local_dir_store_keeps_hostile_keys_inside_the_root() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(outer.path().join("secret.txt"), "secret").unwrap();
    let blobs = Blobs::new(LocalDirStore::new(&root));

    assert!(blobs.get("../secret.txt").await.is_err());
    assert!(blobs.put("../secret.txt", "overwritten").await.is_err());
    assert_eq!(
        std::fs::read_to_string(outer.path().join("secret.txt")).unwrap(),
        "secret"
    );

    // A symlink inside the root that points outside it is refused, for reads and writes.
    std::os::unix::fs::symlink(outer.path(), root.join("link")).unwrap();
    let err = blobs.get("link/secret.txt").await.unwrap_err();
    assert!(matches!(err, BlobError::Symlink { .. }), "{err}");
    assert!(blobs.put("link/new.txt", "x").await.is_err());
    assert!(!outer.path().join("new.txt").exists());
    std::os::unix::fs::symlink(outer.path().join("secret.txt"), root.join("file-link")).unwrap();
    assert!(blobs.get("file-link").await.is_err());
    // ...and never listed.
    assert!(blobs.list("").await.unwrap().is_empty());

    // The staging area is not a key.
    assert!(blobs.put(".polyfaas-staging/x", "x").await.is_err());
}

#[tokio::test]
async fn local_dir_store_on_a_missing_root_is_empty_not_an_error() {
    let root = tempfile::tempdir().unwrap();
    let blobs = Blobs::new(LocalDirStore::new(root.path().join("not-yet")));
    assert!(blobs.list("").await.unwrap().is_empty());
    assert!(blobs.get("x").await.unwrap_err().is_not_found());
}
