//! End to end: a blob event for an object in a real storage server reaches the real `echo`
//! binary through its platform's protocol, echo reads the object through
//! `BlobEvent::local_path` (streamed from the server by the configured cloud backend), and its
//! `local_sha256` is the object's SHA-256.
//!
//! - `aws`: a Lambda S3 notification, through a Lambda Runtime API server, for an object in
//!   s3s-fs (which verifies the SigV4 signatures of echo's requests);
//! - `gcp`: a storage CloudEvent (binary mode, as Eventarc posts it) for an object in
//!   fake-gcs-server.
//!
//! The storage servers are the blob contract suite's (`core/tests/blob_contract/servers.rs`),
//! installed by `scripts/install-emulators.sh`; a missing one fails with the install command.

#[allow(dead_code)] // shared with the core contract suite, which uses every server
#[path = "../../../core/tests/blob_contract/servers.rs"]
mod servers;

#[allow(dead_code)] // shared with the AWS conformance suite
use conformance_tests::runtime_api;

mod aws;
mod gcp;

/// A test object: `len` bytes that are not a repeating pattern of any chunk size.
pub fn object_bytes(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 7919) % 251) as u8 ^ (i >> 13) as u8)
        .collect()
}

/// Asserts that echo's answer `document` (from `provider`) is a created-blob event for `key` in
/// `bucket` whose `local_sha256` is the SHA-256 of `content`.
pub fn assert_read_object(
    document: &serde_json::Value,
    provider: &str,
    bucket: &str,
    key: &str,
    content: &[u8],
    case: &str,
) {
    let echoed = conformance_tests::echo::event_of(document, provider);
    assert_eq!(echoed["kind"], "blob", "{case}: {document:#}");
    assert_eq!(echoed["change"], "created", "{case}");
    assert_eq!(echoed["store"], bucket, "{case}");
    assert_eq!(echoed["key"], key, "{case}");
    assert_eq!(
        echoed["local_sha256"],
        conformance_tests::echo::sha256_hex(content),
        "{case}: echo read the object's bytes"
    );
}
