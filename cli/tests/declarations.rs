//! Bad `polyfaas.toml` files are refused with the key at fault; triggers a platform cannot
//! express are refused for that platform with the reason; every trigger a platform can express
//! is packaged and passes the validators.

mod support;

use polyfaas_cli::build::Built;
use polyfaas_cli::declaration::Declaration;
use polyfaas_cli::package::{self, Inputs};
use polyfaas_cli::platform::{Arch, Platform};
use polyfaas_cli::support as platforms;

use support::{cli, temp_dir, validators};

/// (polyfaas.toml, the key the error must name, a phrase of the message).
const BAD: &[(&str, &str, &str)] = &[
    ("[function\nname = \"x\"", "(document)", "line 1"),
    ("[function]\nmemory = \"lots\"", "function.memory", "invalid type"),
    ("[function]\nmemroy = 128", "function.memroy", "unknown field"),
    ("[function]\nname = \"Echo\"", "function.name", "lower-case"),
    ("[function]\nmemory = 64", "function.memory", "128 to 32768"),
    ("[function]\ntimeout = 0", "function.timeout", "1 to 3600"),
    ("[environment]\n\"1BAD\" = \"x\"", "environment.1BAD", "not an environment variable name"),
    ("[environment]\nRUST_LOG = 3", "environment.RUST_LOG", "invalid type"),
    ("[blob]\nstore = \"Not_A_Bucket\"", "blob.store", "bucket name"),
    ("[blob]\nstore = \"b-1\"\n[environment]\nPOLYFAAS_BLOB_URL = \"s3://x\"", "environment.POLYFAAS_BLOB_URL", "set by `[blob] store`"),
    ("[[trigger]]\nname = \"a\"", "trigger[0].type", "missing"),
    ("[[trigger]]\ntype = \"ftp\"", "trigger[0].type", "unknown trigger type"),
    ("[[trigger]]\ntype = \"http\"\nauth = \"maybe\"", "trigger[0].auth", "not an auth mode"),
    ("[[trigger]]\ntype = \"http\"\nbucket = \"b-1\"", "trigger[0].bucket", "takes no `bucket`"),
    ("[[trigger]]\ntype = \"blob\"", "trigger[0].bucket", "missing"),
    ("[[trigger]]\ntype = \"blob\"\nbucket = \"photos\"\nevents = [\"renamed\"]", "trigger[0].events", "not a blob event"),
    ("[[trigger]]\ntype = \"blob\"\nbucket = \"photos\"\nprefix = \"../up\"", "trigger[0].prefix", "not a key prefix"),
    ("[[trigger]]\ntype = \"queue\"\nqueue = \"orders\"\nbatch_size = 0", "trigger[0].batch_size", "1 to 10000"),
    ("[[trigger]]\ntype = \"queue\"\nqueue = \"orders\"\nbatch_size = \"ten\"", "trigger[0].batch_size", "invalid type"),
    ("[[trigger]]\ntype = \"queue\"\nqueue = \"Orders_Q\"", "trigger[0].queue", "queue name"),
    ("[[trigger]]\ntype = \"topic\"", "trigger[0].topic", "missing"),
    ("[[trigger]]\ntype = \"stream\"\nsource = \"kinesis\"", "trigger[0].stream", "missing"),
    ("[[trigger]]\ntype = \"stream\"\nsource = \"mqtt\"\nstream = \"s\"", "trigger[0].source", "not a stream source"),
    ("[[trigger]]\ntype = \"stream\"\nsource = \"kinesis\"\nstream = \"s\"\nstart = \"middle\"", "trigger[0].start", "not a start position"),
    ("[[trigger]]\ntype = \"change\"", "trigger[0].table", "missing"),
    ("[[trigger]]\ntype = \"schedule\"", "trigger[0].cron", "missing"),
    ("[[trigger]]\ntype = \"schedule\"\ncron = \"0 25 * * *\"", "trigger[0].cron", "hour field"),
    ("[[trigger]]\ntype = \"schedule\"\ncron = \"0 2 * *\"", "trigger[0].cron", "has 4 fields"),
    ("[[trigger]]\ntype = \"schedule\"\nrate = \"5 weeks\"", "trigger[0].rate", "not a rate"),
    ("[[trigger]]\ntype = \"schedule\"\ncron = \"0 2 * * *\"\nrate = \"1 day\"", "trigger[0].rate", "not both"),
    ("[[trigger]]\ntype = \"http\"\n[[trigger]]\ntype = \"http\"\nname = \"other\"", "trigger[1].type", "at most one http trigger"),
    ("[[trigger]]\ntype = \"schedule\"\ncron = \"0 2 * * *\"\n[[trigger]]\ntype = \"schedule\"\nrate = \"1 day\"", "trigger[1].name", "two triggers are named"),
    ("[[trigger]]\nname = \"Nightly\"\ntype = \"schedule\"\ncron = \"0 2 * * *\"", "trigger[0].name", "lower-case"),
    ("[aws]\nregion = 1", "aws.region", "invalid type"),
    ("[aws.trigger.missing]\nstream_arn = \"arn:aws:dynamodb:eu-west-1:1:table/t/stream/x\"", "aws.trigger.missing", "no trigger is named"),
    ("[[trigger]]\nname = \"t\"\ntype = \"change\"\ntable = \"t\"\n[aws.trigger.t]\nstream_arn = \"table/t\"", "aws.trigger.t.stream_arn", "not an ARN"),
    ("[gcp]\nconcurrency = 0", "gcp.concurrency", "1 to 1000"),
    ("[gcp]\nzone = \"x\"", "gcp.zone", "unknown field"),
    ("[[trigger]]\nname = \"n\"\ntype = \"schedule\"\ncron = \"0 2 * * *\"\n[gcp.trigger.n]\ntarget = \"email\"", "gcp.trigger.n.target", "not a Cloud Scheduler target"),
    ("[[trigger]]\ntype = \"http\"\n[gcp.trigger.http]\ntarget = \"pubsub\"", "gcp.trigger.http.target", "only a schedule"),
    ("[[trigger]]\nname = \"q\"\ntype = \"queue\"\nqueue = \"orders\"\n[azure.trigger.q]\nservice = \"kafka\"", "azure.trigger.q.service", "not a queue service"),
    ("[openwhisk]\nblob_url = \"ftp://x\"", "openwhisk.blob_url", "not a cloud store URL"),
    ("[openwhisk]\nmemory = 99999", "openwhisk.memory", "128 to 32768"),
    ("[azure]\nforwarding = \"yes\"", "azure.forwarding", "invalid type"),
];

#[test]
fn each_bad_declaration_names_its_key() {
    for (text, key, phrase) in BAD {
        let err = Declaration::parse(text).expect_err(text);
        assert_eq!(err.key(), Some(*key), "{text}\n{err}");
        assert!(err.to_string().contains(phrase), "{text}\n{err}");
        assert!(err.to_string().starts_with(key), "{text}\n{err}");
    }
}

/// (polyfaas.toml, platform, the key, a phrase of the reason).
const REFUSED: &[(&str, Platform, &str, &str)] = &[
    ("[[trigger]]\nname = \"up\"\ntype = \"blob\"\nbucket = \"photos\"", Platform::Openwhisk, "trigger[0] (up)", "no object storage trigger"),
    ("[[trigger]]\nname = \"up\"\ntype = \"blob\"\nbucket = \"photos\"\nprefix = \"in/\"", Platform::Gcp, "trigger[0] (up)", "filter by bucket only"),
    ("[[trigger]]\nname = \"up\"\ntype = \"blob\"\nbucket = \"photos\"\nevents = [\"deleted\"]", Platform::Azure, "trigger[0] (up)", "never for deletions"),
    ("[[trigger]]\nname = \"q\"\ntype = \"queue\"\nqueue = \"orders\"", Platform::Gcp, "trigger[0] (q)", "declare a `topic`"),
    ("[[trigger]]\nname = \"q\"\ntype = \"queue\"\nqueue = \"orders\"", Platform::Openwhisk, "trigger[0] (q)", "no queue or topic trigger"),
    ("[[trigger]]\nname = \"q\"\ntype = \"queue\"\nqueue = \"orders\"\nbatch_size = 64", Platform::Azure, "trigger[0] (q)", "at most 32"),
    ("[[trigger]]\nname = \"k\"\ntype = \"stream\"\nsource = \"kinesis\"\nstream = \"clicks\"", Platform::Azure, "trigger[0] (k)", "no kinesis stream trigger"),
    ("[[trigger]]\nname = \"e\"\ntype = \"stream\"\nsource = \"event-hubs\"\nstream = \"clicks\"", Platform::Aws, "trigger[0] (e)", "no event-hubs stream trigger"),
    ("[[trigger]]\nname = \"k\"\ntype = \"stream\"\nsource = \"kafka\"\nstream = \"clicks\"", Platform::Aws, "trigger[0] (k)", "cluster_arn"),
    ("[[trigger]]\nname = \"k\"\ntype = \"stream\"\nsource = \"kafka\"\nstream = \"clicks\"", Platform::Gcp, "trigger[0] (k)", "no kafka stream trigger"),
    ("[[trigger]]\nname = \"c\"\ntype = \"change\"\ntable = \"orders\"", Platform::Aws, "trigger[0] (c)", "stream_arn"),
    ("[[trigger]]\nname = \"c\"\ntype = \"change\"\ntable = \"orders\"", Platform::Azure, "trigger[0] (c)", "azure.trigger.c.database"),
    ("[[trigger]]\nname = \"c\"\ntype = \"change\"\ntable = \"orders\"", Platform::Openwhisk, "trigger[0] (c)", "no DynamoDB, Firestore or Cosmos DB change trigger"),
    ("[[trigger]]\nname = \"s\"\ntype = \"schedule\"\ncron = \"0 0 1 * MON\"", Platform::Aws, "trigger[0] (s)", "both the day of month and the day of week"),
    ("[[trigger]]\nname = \"s\"\ntype = \"schedule\"\nrate = \"7 minutes\"", Platform::Gcp, "trigger[0] (s)", "not a cron schedule"),
    ("[[trigger]]\nname = \"s\"\ntype = \"schedule\"\nrate = \"7 minutes\"", Platform::Azure, "trigger[0] (s)", "not a cron schedule"),
    ("[[trigger]]\ntype = \"http\"\n[[trigger]]\nname = \"t\"\ntype = \"topic\"\ntopic = \"alerts\"", Platform::Gcp, "trigger[1] (t)", "split them into two functions"),
    ("[function]\ntimeout = 1200", Platform::Aws, "function.timeout", "maximum of 900 s"),
    ("[function]\ntimeout = 1200\n[aws]\ntimeout = 900", Platform::Openwhisk, "function.timeout", "maximum of 600 s"),
    ("[openwhisk]\nmemory = 4096", Platform::Openwhisk, "openwhisk.memory", "128 to 2048"),
    ("[function]\nmemory = 20000", Platform::Aws, "function.memory", "128 to 10240"),
    ("[environment]\nAWS_REGION = \"x\"", Platform::Aws, "environment.AWS_REGION", "reserves"),
    ("[environment]\nPORT = \"1\"", Platform::Gcp, "environment.PORT", "reserves"),
];

#[test]
fn triggers_a_platform_cannot_express_are_refused_with_the_reason() {
    for (text, platform, key, phrase) in REFUSED {
        let declaration = Declaration::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let refusal = platforms::check(&declaration, *platform).expect_err(text);
        assert_eq!(refusal.key, *key, "{text}\n{refusal}");
        assert!(refusal.reason.contains(phrase), "{text}\n{refusal}");
    }
}

#[test]
fn the_cli_prints_the_key_and_the_refusals() {
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"bad\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();

    std::fs::write(
        dir.path().join("polyfaas.toml"),
        "[[trigger]]\ntype = \"queue\"\nbatch_size = 5\n",
    )
    .unwrap();
    let output = cli().current_dir(dir.path()).arg("check").output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("polyfaas.toml: trigger[0].queue: missing: a queue trigger needs `queue`"),
        "{stderr}"
    );

    std::fs::write(
        dir.path().join("polyfaas.toml"),
        "[[trigger]]\nname = \"q\"\ntype = \"queue\"\nqueue = \"orders\"\n",
    )
    .unwrap();
    let output = cli().current_dir(dir.path()).arg("check").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("aws: ok"), "{stdout}");
    assert!(
        stdout.contains("gcp: refused: trigger[0] (q): Google Cloud has no queue"),
        "{stdout}"
    );
    let output = cli()
        .current_dir(dir.path())
        .args(["package", "--platform", "openwhisk"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("openwhisk cannot deploy this declaration: trigger[0] (q)"),
        "{stderr}"
    );
}

/// Every trigger each platform can express, in one declaration per platform.
fn everything(platform: Platform) -> &'static str {
    match platform {
        Platform::Aws => {
            r#"
            [function]
            name = "everything"
            [environment]
            RUST_LOG = "debug"
            [blob]
            store = "everything-store/data"
            [[trigger]]
            name = "web"
            type = "http"
            auth = "authenticated"
            [[trigger]]
            name = "uploads"
            type = "blob"
            bucket = "everything-uploads"
            prefix = "in/"
            events = ["created", "deleted"]
            [[trigger]]
            name = "orders"
            type = "queue"
            queue = "orders"
            batch_size = 50
            [[trigger]]
            name = "alerts"
            type = "topic"
            topic = "alerts"
            [[trigger]]
            name = "clicks"
            type = "stream"
            source = "kinesis"
            stream = "clicks"
            batch_size = 100
            start = "oldest"
            [[trigger]]
            name = "events"
            type = "stream"
            source = "kafka"
            stream = "events"
            [[trigger]]
            name = "changes"
            type = "change"
            table = "orders"
            [[trigger]]
            name = "nightly"
            type = "schedule"
            cron = "30 2 * * 1-5"
            [[trigger]]
            name = "often"
            type = "schedule"
            rate = "7 minutes"
            [aws.trigger.changes]
            stream_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"
            [aws.trigger.events]
            cluster_arn = "arn:aws:kafka:eu-west-1:123456789012:cluster/events/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-1"
        "#
        }
        Platform::Gcp => {
            r#"
            [function]
            name = "everything"
            memory = 8192
            [blob]
            store = "everything-store"
            [[trigger]]
            name = "uploads"
            type = "blob"
            bucket = "everything-uploads"
            events = ["created", "deleted"]
            [[trigger]]
            name = "alerts"
            type = "topic"
            topic = "alerts"
            [[trigger]]
            name = "changes"
            type = "change"
            table = "orders"
            [[trigger]]
            name = "nightly"
            type = "schedule"
            cron = "0 2 * * *"
            [gcp]
            project = "my-project"
            region = "europe-west1"
            max_instances = 10
            [gcp.trigger.changes]
            database = "shop"
        "#
        }
        Platform::Azure => {
            r#"
            [function]
            name = "everything"
            timeout = 300
            [blob]
            store = "everything-store"
            [[trigger]]
            name = "web"
            type = "http"
            auth = "authenticated"
            [[trigger]]
            name = "uploads"
            type = "blob"
            bucket = "everything-uploads"
            prefix = "in/"
            [[trigger]]
            name = "orders"
            type = "queue"
            queue = "orders"
            batch_size = 16
            [[trigger]]
            name = "invoices"
            type = "queue"
            queue = "invoices"
            [[trigger]]
            name = "alerts"
            type = "topic"
            topic = "alerts"
            [[trigger]]
            name = "clicks"
            type = "stream"
            source = "event-hubs"
            stream = "clicks"
            batch_size = 10
            [[trigger]]
            name = "changes"
            type = "change"
            table = "orders"
            start = "oldest"
            [[trigger]]
            name = "nightly"
            type = "schedule"
            cron = "0 2 * * 0"
            [azure]
            forwarding = false
            [azure.trigger.invoices]
            service = "service-bus"
            [azure.trigger.changes]
            database = "shop"
        "#
        }
        Platform::Openwhisk => {
            r#"
            [function]
            name = "everything"
            [[trigger]]
            name = "web"
            type = "http"
            auth = "authenticated"
            [[trigger]]
            name = "nightly"
            type = "schedule"
            cron = "0 2 * * *"
            [[trigger]]
            name = "often"
            type = "schedule"
            rate = "7 minutes"
        "#
        }
    }
}

#[test]
fn every_trigger_a_platform_expresses_is_packaged_and_valid() {
    // Packaging does not look inside the binary beyond its ELF header, so any executable
    // stands in here; the examples' tests run real ones.
    let stand_in = std::path::PathBuf::from("/bin/true");
    let built = Built {
        size: std::fs::metadata(&stand_in).unwrap().len(),
        path: stand_in,
        target: "x86_64-unknown-linux-gnu",
        glibc: None,
    };
    let dir = temp_dir();
    for platform in Platform::ALL {
        let declaration = Declaration::parse(everything(platform)).unwrap();
        platforms::check(&declaration, platform).unwrap_or_else(|e| panic!("{e}"));
        let inputs = Inputs {
            declaration: &declaration,
            built: &built,
            bin: "everything",
            arch: Arch::Arm64,
        };
        let out = dir.path().join(platform.as_str());
        package::package(platform, &inputs, &out).unwrap_or_else(|e| panic!("{platform}: {e}"));
        println!(
            "== every {platform} trigger\n{}",
            validators::validate(platform.as_str(), &out)
        );
    }
    let template = std::fs::read_to_string(dir.path().join("aws/template.yaml")).unwrap();
    for expected in [
        "\"arm64\"",
        "\"AWS_IAM\"",
        "\"s3:ObjectRemoved:*\"",
        "\"ReportBatchItemFailures\"",
        "MaximumBatchingWindowInSeconds",
        "\"TRIM_HORIZON\"",
        "\"cron(30 2 ? * MON-FRI *)\"",
        "\"rate(7 minutes)\"",
        "\"MSK\"",
        "POLYFAAS_BLOB_URL: \"s3://everything-store/data\"",
    ] {
        assert!(template.contains(expected), "{expected} not in\n{template}");
    }
    let service = std::fs::read_to_string(dir.path().join("gcp/service.yaml")).unwrap();
    assert!(service.contains("\"cloudevent\""), "{service}");
    assert!(
        service.contains("europe-west1-docker.pkg.dev/my-project/polyfaas/everything:latest"),
        "{service}"
    );
    let script = std::fs::read_to_string(dir.path().join("gcp/deploy.sh")).unwrap();
    for expected in [
        "type=google.cloud.storage.object.v1.finalized",
        "type=google.cloud.storage.object.v1.deleted",
        "--transport-topic=\"projects/$PROJECT/topics/alerts\"",
        "document='orders/{document}'",
        "database='shop'",
        "jobs create pubsub everything-nightly",
        "--attributes=polyfaas_schedule=nightly",
    ] {
        assert!(script.contains(expected), "{expected} not in\n{script}");
    }
    let manifest = std::fs::read_to_string(dir.path().join("openwhisk/manifest.yaml")).unwrap();
    for expected in [
        "/whisk.system/alarms/interval",
        "minutes: 7",
        "require-whisk-auth: true",
    ] {
        assert!(manifest.contains(expected), "{expected} not in\n{manifest}");
    }
}
