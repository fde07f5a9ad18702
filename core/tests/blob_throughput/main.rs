//! Peak memory and throughput of streaming a 256 MiB object through each backend, against a
//! plain file copy of the same bytes on the same machine in the same run.
//!
//! Run by `scripts/blob-throughput.sh` (release build); ignored in the ordinary test run. Each
//! operation runs in a fresh child process (this test binary again) that reports its own peak
//! resident memory (`VmHWM`), so the figures are the client's alone; the servers are separate
//! processes.

#[allow(dead_code)] // the contract suite uses every server; this measures four
#[path = "../blob_contract/servers.rs"]
mod servers;
#[path = "../blob_contract/setup.rs"]
mod setup;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use servers::{Kind, Server, ACCESS_KEY, SECRET_KEY};

/// A backend to measure: its name, its server (kept running), and the child's variables.
type Run = (&'static str, Option<Server>, Vec<(&'static str, String)>);

/// The object size, MiB (override with `POLYFAAS_MEASURE_MIB`).
fn size_mib() -> usize {
    std::env::var("POLYFAAS_MEASURE_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// This process's peak resident memory, KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The child side: one operation named by `POLYFAAS_MEASURE_OP`, then a `RESULT` line.
#[test]
#[ignore = "run by scripts/blob-throughput.sh"]
fn child() {
    let Ok(op) = std::env::var("POLYFAAS_MEASURE_OP") else {
        return;
    };
    let src = std::env::var("POLYFAAS_MEASURE_SRC").unwrap_or_default();
    let dst = std::env::var("POLYFAAS_MEASURE_DST").unwrap_or_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    runtime.block_on(async {
        match op.as_str() {
            "idle" => {}
            "copy" => {
                std::fs::copy(&src, &dst).unwrap();
            }
            "put_file" | "download_to" => {
                let url = std::env::var("POLYFAAS_BLOB_URL").unwrap();
                let blobs = polyfaas_core::blob::from_url(&url).unwrap();
                if op == "put_file" {
                    blobs.put_file("measure/object.bin", &src).await.unwrap();
                } else {
                    blobs.download_to("measure/object.bin", &dst).await.unwrap();
                }
            }
            other => panic!("unknown operation {other}"),
        }
    });
    let secs = started.elapsed().as_secs_f64();
    println!("RESULT {op} {secs:.4} {}", peak_rss_kib());
}

/// Runs one operation in a child process: (seconds, peak RSS KiB).
fn run_child(op: &str, env: &[(&str, String)], src: &Path, dst: &Path) -> (f64, u64) {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args([
            "--exact",
            "child",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("POLYFAAS_MEASURE_OP", op)
        .env("POLYFAAS_MEASURE_SRC", src)
        .env("POLYFAAS_MEASURE_DST", dst)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("RESULT ").map(|(_, r)| r))
        .unwrap_or_else(|| {
            panic!(
                "{op}: no result\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let parts: Vec<&str> = line.split_whitespace().collect();
    (parts[1].parse().unwrap(), parts[2].parse().unwrap())
}

#[test]
#[ignore = "run by scripts/blob-throughput.sh"]
fn measure_streaming() {
    let mib = size_mib();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("source.bin");
    {
        use std::io::Write;
        let mut file = std::io::BufWriter::new(std::fs::File::create(&src).unwrap());
        let block: Vec<u8> = (0..1024 * 1024)
            .map(|i: usize| (i * 31 % 251) as u8)
            .collect();
        for i in 0..mib {
            let mut b = block.clone();
            b[0] = i as u8;
            file.write_all(&b).unwrap();
        }
    }
    let dst = dir.path().join("dest.bin");
    let (_, idle_kib) = run_child("idle", &[], &src, &dst);
    let (copy_secs, copy_kib) = run_child("copy", &[], &src, &dst);
    let copy_rate = mib as f64 / copy_secs;
    println!(
        "object: {mib} MiB; idle child peak RSS {} MiB",
        idle_kib / 1024
    );
    println!(
        "anchor  plain file copy (std::fs::copy): {copy_rate:.0} MiB/s, peak RSS +{} MiB over idle",
        copy_kib.saturating_sub(idle_kib) / 1024
    );
    println!(
        "| backend | operation | MiB/s | x copy speed | peak RSS over idle (MiB) | RSS / object |"
    );
    println!("|---|---|---|---|---|---|");

    let local_root = dir.path().join("local");
    let mut runs: Vec<Run> = vec![(
        "local dir",
        None,
        vec![(
            "POLYFAAS_BLOB_URL",
            format!("file://{}", local_root.display()),
        )],
    )];
    for (name, kind) in [
        ("s3 (s3s-fs)", Kind::S3sFs),
        ("azure (azurite)", Kind::Azurite),
        ("gcs (fake-gcs-server)", Kind::FakeGcs),
    ] {
        let server = Server::start(kind);
        setup::create_bucket(&server, "measure");
        let env = match kind {
            Kind::S3sFs | Kind::Moto => vec![
                ("POLYFAAS_BLOB_URL", "s3://measure".to_owned()),
                ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
                ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_owned()),
                ("AWS_ENDPOINT_URL_S3", server.endpoint()),
            ],
            Kind::Azurite => vec![
                ("POLYFAAS_BLOB_URL", "az://measure".to_owned()),
                (
                    "AZURE_STORAGE_CONNECTION_STRING",
                    setup::azurite_connection_string(&server),
                ),
            ],
            Kind::FakeGcs => vec![
                ("POLYFAAS_BLOB_URL", "gs://measure".to_owned()),
                ("STORAGE_EMULATOR_HOST", server.endpoint()),
            ],
        };
        runs.push((name, Some(server), env));
    }
    for (name, _server, env) in &runs {
        for op in ["put_file", "download_to"] {
            let _ = std::fs::remove_file(&dst);
            let (secs, kib) = run_child(op, env, &src, &dst);
            if op == "download_to" {
                assert_eq!(
                    std::fs::metadata(&dst).unwrap().len(),
                    (mib * 1024 * 1024) as u64
                );
            }
            let rate = mib as f64 / secs;
            let over = kib.saturating_sub(idle_kib) as f64 / 1024.0;
            println!(
                "| {name} | {op} | {rate:.0} | {:.2} | {over:.1} | {:.3} |",
                rate / copy_rate,
                over / mib as f64
            );
        }
    }
}
