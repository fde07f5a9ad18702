//! A build without the S3 backend (`--features polyfaas/aws` alone: the blob backend is a
//! feature of its own) carries no cloud client; a blob event reaching it is answered with an
//! error that says which feature to enable, and the next event is served.

use conformance_tests::build::workspace_root;
use polyfaas_testkit::aws::{Invocation, Lambda, LambdaOptions};
use polyfaas_testkit::build::Build;

use crate::{fixture, FUNCTION};

#[tokio::test]
async fn a_blob_event_without_the_backend_names_the_feature() {
    let binary = Build::plain("aws-without-blob-backend")
        .current_dir(workspace_root())
        .package("echo")
        .bin("echo")
        .feature("polyfaas/aws")
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    // Lambda's natural store, S3: no POLYFAAS_BLOB_URL, and the credentials Lambda always sets.
    let options = LambdaOptions::default()
        .function_name(FUNCTION)
        .remove("POLYFAAS_BLOB_URL")
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret");
    let mut lambda = Lambda::start(&binary, options)
        .await
        .unwrap_or_else(|e| panic!("start echo: {e}"));
    let outcome = lambda
        .invoke(Invocation::new(fixture("s3-put.json")))
        .await
        .unwrap();
    let (error_type, message) = outcome.error();
    assert_eq!(error_type, "BlobError", "{message}");
    assert!(
        message.contains("cargo feature `s3`") && message.contains("cargo polyfaas build"),
        "{message}"
    );
    // Everything else works as in any build.
    let answer = lambda.result(fixture("direct-invoke.json")).await;
    assert_eq!(answer["event"]["kind"], "invoke", "{answer:#}");
    lambda.assert_healthy();
}
