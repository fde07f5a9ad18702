//! A function binary as a real child process, with its output kept for the caller.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::answer::Logs;
use crate::client::{self, ClientError};

/// Starting or watching a child process failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProcessError {
    /// The program could not be started.
    #[error("cannot start {program}: {source}")]
    Spawn {
        /// The program.
        program: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file or pipe the driver needs could not be made or read.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// Why.
        source: std::io::Error,
    },
    /// The process exited while it was expected to start serving.
    #[error("the function exited before it was ready ({status})\n{output}")]
    Exited {
        /// Its exit status.
        status: ExitStatus,
        /// What it printed.
        output: String,
    },
    /// Nothing answered in time.
    #[error("the function did not get ready on {addr} within {limit:?}\n{output}")]
    NotReady {
        /// Where it should have listened.
        addr: SocketAddr,
        /// How long the driver waited.
        limit: Duration,
        /// What it printed.
        output: String,
    },
}

/// A running child process, killed when dropped. Its stdout and stderr go to files, so what it
/// printed can be read whole ([`Process::output`]) or per invocation ([`Process::mark`],
/// [`Process::logs_since`]).
///
/// ```no_run
/// use polyfaas_testkit::process::{command, Process};
///
/// let mut cmd = command("target/debug/echo".as_ref());
/// cmd.env("PORT", "8080");
/// let process = Process::spawn(cmd)?;
/// let mark = process.mark();
/// // ... send a request ...
/// println!("{}", process.logs_since(mark).stderr);
/// # Ok::<(), polyfaas_testkit::process::ProcessError>(())
/// ```
pub struct Process {
    child: Child,
    logs: tempfile::TempDir,
}

/// A request to a function serving HTTP failed; with what the function printed.
#[derive(Debug, thiserror::Error)]
#[error("{error}\n{output}")]
pub struct ExchangeError {
    /// Why.
    pub error: ClientError,
    /// What the function printed so far.
    pub output: String,
}

/// Starting or calling a function that serves HTTP (the local provider, the Functions
/// Framework) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// Its directories could not be made.
    #[error("cannot set up the function's directories: {0}")]
    Setup(#[source] std::io::Error),
    /// It did not start.
    #[error(transparent)]
    Process(#[from] ProcessError),
    /// A request failed.
    #[error(transparent)]
    Request(#[from] ExchangeError),
}

/// A signal a test sends to a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// `SIGTERM`: what Cloud Run and Lambda send before stopping an instance.
    Term,
    /// `SIGINT`: Ctrl-C.
    Int,
    /// `SIGKILL`.
    Kill,
}

/// A position in a process's output, to read what it printed afterwards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutputMark {
    stdout: u64,
    stderr: u64,
}

impl Process {
    /// Starts `command` with stdin closed and its output captured.
    pub fn spawn(mut command: Command) -> Result<Process, ProcessError> {
        let io = |what| move |source| ProcessError::Io { what, source };
        let logs = tempfile::tempdir().map_err(io("create the log directory"))?;
        let stdout = std::fs::File::create(logs.path().join("stdout"))
            .map_err(io("create the stdout file"))?;
        let stderr = std::fs::File::create(logs.path().join("stderr"))
            .map_err(io("create the stderr file"))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .map_err(|source| ProcessError::Spawn {
                program: PathBuf::from(command.get_program()),
                source,
            })?;
        Ok(Process { child, logs })
    }

    /// Starts `command` with `port_var` (`PORT`, `FUNCTIONS_CUSTOMHANDLER_PORT`, ...) set to a
    /// free port of 127.0.0.1, and waits until it listens there.
    pub fn spawn_listening(
        mut command: Command,
        port_var: &str,
    ) -> Result<(Process, SocketAddr), ProcessError> {
        let port = free_port()?;
        command.env(port_var, port.to_string());
        let mut process = Process::spawn(command)?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        process.wait_for_port(addr, Duration::from_secs(60))?;
        Ok((process, addr))
    }

    /// What the process printed so far: stdout, then stderr, each under a `---` heading.
    pub fn output(&self) -> String {
        let logs = self.logs_since(OutputMark::default());
        format!("--- stdout\n{}--- stderr\n{}", logs.stdout, logs.stderr)
    }

    /// The current end of the output.
    pub fn mark(&self) -> OutputMark {
        let len = |name| std::fs::metadata(self.logs.path().join(name)).map_or(0, |m| m.len());
        OutputMark {
            stdout: len("stdout"),
            stderr: len("stderr"),
        }
    }

    /// What the process printed after `mark` (lossy UTF-8).
    pub fn logs_since(&self, mark: OutputMark) -> Logs {
        let read = |name, from: u64| {
            let bytes = std::fs::read(self.logs.path().join(name)).unwrap_or_default();
            let from = usize::try_from(from).unwrap_or(usize::MAX).min(bytes.len());
            String::from_utf8_lossy(&bytes[from..]).into_owned()
        };
        Logs {
            stdout: read("stdout", mark.stdout),
            stderr: read("stderr", mark.stderr),
            platform: Vec::new(),
        }
    }

    /// Sends `request` to the process, which listens on `addr`, and returns the response (within
    /// two minutes) and what the process logged meanwhile.
    pub async fn exchange(
        &self,
        addr: SocketAddr,
        request: http::Request<Bytes>,
    ) -> Result<(http::Response<Bytes>, Logs), ExchangeError> {
        let mark = self.mark();
        match client::send_within(addr, request, Duration::from_secs(120)).await {
            Ok(response) => Ok((response, self.logs_since(mark))),
            Err(error) => Err(ExchangeError {
                error,
                output: self.output(),
            }),
        }
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` to the process.
    pub fn signal(&self, signal: Signal) -> std::io::Result<()> {
        let number = match signal {
            Signal::Term => libc::SIGTERM,
            Signal::Int => libc::SIGINT,
            Signal::Kill => libc::SIGKILL,
        };
        let pid = libc::pid_t::try_from(self.id())
            .map_err(|_| std::io::Error::other("the pid does not fit pid_t"))?;
        // SAFETY: kill(2) takes plain integers; the pid is our own child's.
        let rc = unsafe { libc::kill(pid, number) };
        if rc == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_timeout(&mut self, limit: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if start.elapsed() >= limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The exit status, if the process has exited.
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.exit_status().is_none()
    }

    /// Waits until something accepts connections on `addr`; fails if the process exits first or
    /// after `limit`.
    pub fn wait_for_port(&mut self, addr: SocketAddr, limit: Duration) -> Result<(), ProcessError> {
        self.wait_until(limit, addr, || {
            TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
        })
    }

    /// Polls `ready` every 25 ms until it is true; fails if the process exits first or after
    /// `limit`.
    pub fn wait_until(
        &mut self,
        limit: Duration,
        addr: SocketAddr,
        mut ready: impl FnMut() -> bool,
    ) -> Result<(), ProcessError> {
        let start = Instant::now();
        loop {
            if ready() {
                return Ok(());
            }
            if let Some(status) = self.exit_status() {
                return Err(ProcessError::Exited {
                    status,
                    output: self.output(),
                });
            }
            if start.elapsed() >= limit {
                return Err(ProcessError::NotReady {
                    addr,
                    limit,
                    output: self.output(),
                });
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> Result<u16, ProcessError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|source| ProcessError::Io {
            what: "find a free port on 127.0.0.1",
            source,
        })
}

/// Variables of every platform that the shell running the tests must not leak into a function:
/// they would make it detect another platform or read another configuration.
pub const PLATFORM_VARIABLES: &[&str] = &[
    "RUST_LOG",
    "PORT",
    "HOST",
    "POLYFAAS_PROVIDER",
    "POLYFAAS_BLOB_DIR",
    "POLYFAAS_BLOB_URL",
    "POLYFAAS_BODY_LIMIT",
    "POLYFAAS_TIMEOUT",
    "POLYFAAS_TMPDIR",
    "POLYFAAS_DRAIN_SECONDS",
    "AWS_LAMBDA_RUNTIME_API",
    "FUNCTIONS_CUSTOMHANDLER_PORT",
    "FUNCTION_TARGET",
    "FUNCTION_SIGNATURE_TYPE",
    "CLOUD_RUN_TIMEOUT_SECONDS",
    "K_SERVICE",
    "K_REVISION",
    "K_CONFIGURATION",
    "__OW_ACTION_NAME",
    "__OW_WAIT_FOR_ACK",
    "__OW_PROXY_VERSION",
];

/// A command for `binary` with none of [`PLATFORM_VARIABLES`] inherited.
pub fn command(binary: &Path) -> Command {
    let mut command = Command::new(binary);
    for var in PLATFORM_VARIABLES {
        command.env_remove(var);
    }
    command
}
