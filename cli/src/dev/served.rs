//! The function serving on the local provider: a child process on the dev port, its output on
//! ours, stopped as Ctrl-C would stop it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

/// How long a stopped function may take to finish the requests in flight (the local
/// provider's own drain is 10 s) before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(12);

/// How long a started function may take to listen.
const START_LIMIT: Duration = Duration::from_secs(30);

/// What the function is started with.
#[derive(Clone, Debug)]
pub struct Launch {
    /// Where it listens (`HOST`, `PORT`).
    pub addr: SocketAddr,
    /// `POLYFAAS_RECORD_DIR`, when events are recorded.
    pub record: Option<PathBuf>,
}

/// Why the function is not serving.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// It could not be started.
    #[error("cannot start {}: {source}", binary.display())]
    Spawn {
        /// The executable.
        binary: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It exited before it listened.
    #[error("the function exited before it listened on {addr} ({status})")]
    Exited {
        /// Where it should have listened.
        addr: SocketAddr,
        /// How it exited.
        status: ExitStatus,
    },
    /// It did not listen in time.
    #[error("the function did not listen on {addr} within {limit:?}")]
    NotListening {
        /// Where it should have listened.
        addr: SocketAddr,
        /// How long it was given.
        limit: Duration,
    },
}

/// A running function.
pub struct Served {
    child: Child,
}

impl Served {
    /// Starts `binary` and waits until it accepts connections.
    pub async fn start(binary: &Path, launch: &Launch) -> Result<Served, ServeError> {
        let mut command = Command::new(binary);
        command
            .env("HOST", launch.addr.ip().to_string())
            .env("PORT", launch.addr.port().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        match &launch.record {
            Some(dir) => command.env("POLYFAAS_RECORD_DIR", dir),
            None => command.env_remove("POLYFAAS_RECORD_DIR"),
        };
        let child = command.spawn().map_err(|source| ServeError::Spawn {
            binary: binary.to_owned(),
            source,
        })?;
        let mut served = Served { child };
        served.wait_listening(launch.addr).await?;
        Ok(served)
    }

    async fn wait_listening(&mut self, addr: SocketAddr) -> Result<(), ServeError> {
        let target = match addr.ip() {
            ip if ip.is_unspecified() => {
                SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
            }
            _ => addr,
        };
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(ServeError::Exited { addr, status });
            }
            if tokio::net::TcpStream::connect(target).await.is_ok() {
                return Ok(());
            }
            if started.elapsed() > START_LIMIT {
                return Err(ServeError::NotListening {
                    addr,
                    limit: START_LIMIT,
                });
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The process id.
    pub fn id(&self) -> Option<u32> {
        self.child.id()
    }

    /// Waits until the function exits by itself.
    pub async fn exited(&mut self) -> std::io::Result<ExitStatus> {
        self.child.wait().await
    }

    /// Stops the function: SIGTERM (it finishes the requests in flight and exits), then SIGKILL
    /// if it is still running after the grace time.
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id().and_then(|p| libc::pid_t::try_from(p).ok()) {
            // SAFETY: kill(2) with plain integers, on our own child, which has not been reaped
            // (`id()` is `None` once it has).
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
            if tokio::time::timeout(STOP_GRACE, self.child.wait())
                .await
                .is_ok()
            {
                return;
            }
        }
        let _ = self.child.kill().await;
    }
}
