//! A binary under test, as a real child process.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A running child process; killed when dropped. Its stdout and stderr go to files so a failing
/// test can show them ([`Process::output`]).
pub struct Process {
    child: Child,
    logs: tempfile::TempDir,
}

impl Process {
    /// Starts `command` with its output captured.
    pub fn spawn(mut command: Command) -> Process {
        let logs = tempfile::tempdir().expect("log dir");
        let stdout = std::fs::File::create(logs.path().join("stdout")).expect("stdout file");
        let stderr = std::fs::File::create(logs.path().join("stderr")).expect("stderr file");
        let child = command
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("start {command:?}: {e}"));
        Process { child, logs }
    }

    /// What the process printed so far: stdout, then stderr.
    pub fn output(&self) -> String {
        let read = |name| std::fs::read_to_string(self.logs.path().join(name)).unwrap_or_default();
        format!(
            "--- stdout\n{}--- stderr\n{}",
            read("stdout"),
            read("stderr")
        )
    }

    /// Starts `command` with `port_var` (`PORT`, `FUNCTIONS_CUSTOMHANDLER_PORT`, ...) set to a
    /// free port of 127.0.0.1, and waits until it listens there.
    pub fn spawn_listening(mut command: Command, port_var: &str) -> (Process, SocketAddr) {
        let port = free_port();
        command.env(port_var, port.to_string());
        let mut process = Process::spawn(command);
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        process.wait_for_port(addr);
        (process, addr)
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal: `TERM`, `INT` or `KILL`.
    pub fn signal(&self, signal: &str) {
        let number = match signal {
            "TERM" => libc::SIGTERM,
            "INT" => libc::SIGINT,
            "KILL" => libc::SIGKILL,
            other => panic!("unknown signal {other}"),
        };
        let pid = libc::pid_t::try_from(self.id()).expect("pid fits pid_t");
        // SAFETY: kill(2) takes plain integers; the pid is our own child's.
        let rc = unsafe { libc::kill(pid, number) };
        assert_eq!(
            rc,
            0,
            "kill -{signal} {pid} failed: {}",
            std::io::Error::last_os_error()
        );
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_timeout(&mut self, limit: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    /// Waits until something accepts connections on `addr`, or panics with the output after 60 s.
    pub fn wait_for_port(&mut self, addr: SocketAddr) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            assert!(
                self.is_running(),
                "the process exited before listening on {addr}\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("nothing listened on {addr} after 60 s\n{}", self.output());
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("find a free port")
}

/// A command for `binary` with a clean, predictable environment: no `RUST_LOG`, no provider
/// variables inherited from the shell running the tests.
pub fn command(binary: &Path) -> Command {
    let mut command = Command::new(binary);
    for var in [
        "RUST_LOG",
        "PORT",
        "HOST",
        "POLYFAAS_PROVIDER",
        "POLYFAAS_BLOB_DIR",
        "POLYFAAS_BODY_LIMIT",
        "POLYFAAS_TIMEOUT",
        "POLYFAAS_TMPDIR",
        "AWS_LAMBDA_RUNTIME_API",
        "FUNCTIONS_CUSTOMHANDLER_PORT",
        "FUNCTION_TARGET",
        "K_SERVICE",
        "__OW_ACTION_NAME",
    ] {
        command.env_remove(var);
    }
    command
}
