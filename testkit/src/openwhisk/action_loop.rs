//! An ActionLoop proxy stand-in (apache/openwhisk-runtime-go `executor.go`): starts the action
//! once with stdin as a pipe and a pipe as fd 3, reads the ack when `__OW_WAIT_FOR_ACK` is set,
//! then writes one `/run` body per line (every `\n` byte removed) and reads one line from fd 3.
//!
//! Unlike the real proxy, stdout and stderr are pipes the driver drains right after each result
//! line: whatever the action wrote before its result is in the pipe by then, so logs written
//! late (after fd 3) show up in the next activation's logs, as the proxy's sentinels would
//! attribute them.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, ExitStatus};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::OpenWhiskError;

/// How long the driver waits for one result line.
const RESULT_TIMEOUT: Duration = Duration::from_secs(60);

/// One activation's outcome: the fd-3 line and what the action logged meanwhile.
#[derive(Clone, Debug)]
pub struct Activation {
    /// The result line, parsed (the proxy refuses anything but a JSON object or array).
    pub result: Value,
    /// The raw fd-3 line, without its newline.
    pub line: String,
    /// Stdout written before the result line.
    pub stdout: String,
    /// Stderr written before the result line.
    pub stderr: String,
}

/// A running action under the driver; killed when dropped.
///
/// ```no_run
/// use polyfaas_testkit::openwhisk::ActionLoop;
/// use serde_json::json;
///
/// let mut action = ActionLoop::start("target/debug/echo".as_ref(), true, &[("POLYFAAS_BLOB_URL", "memory://")])?;
/// assert_eq!(action.read_ack()?, json!({"ok": true}));
/// let activation = action.run(&json!({"value": {"n": 1}, "activation_id": "a1", "action_name": "/ns/echo"}))?;
/// println!("{} (logs: {})", activation.result, activation.stderr);
/// # Ok::<(), polyfaas_testkit::openwhisk::OpenWhiskError>(())
/// ```
pub struct ActionLoop {
    child: Child,
    stdin: Option<ChildStdin>,
    results: Receiver<std::io::Result<String>>,
    stdout: ChildStdout,
    stderr: ChildStderr,
    /// Everything the action wrote to stdout and stderr so far.
    pub all_output: String,
}

impl ActionLoop {
    /// Starts `binary` as the proxy does: `__OW_PROXY_VERSION` set, `__OW_WAIT_FOR_ACK=1` if
    /// `ack`, plus `env`; fd 3 a pipe.
    pub fn start(
        binary: &Path,
        ack: bool,
        env: &[(&str, &str)],
    ) -> Result<ActionLoop, OpenWhiskError> {
        let mut command = crate::process::command(binary);
        command.env("__OW_PROXY_VERSION", "1.17.1");
        if ack {
            command.env("__OW_WAIT_FOR_ACK", "1");
        }
        for (k, v) in env {
            command.env(k, v);
        }
        let (read, write) =
            std::io::pipe().map_err(|e| OpenWhiskError::io("create the fd-3 pipe", e))?;
        let write: OwnedFd = write.into();
        pass_as_fd3(&mut command, &write);
        let mut child = super::spawn_piped(command, binary)?;
        // The child has its copy; closing ours lets the reader see EOF when the child exits.
        drop(write);
        let (sender, results) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(read).lines() {
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
            return Err(OpenWhiskError::io(
                "take the action's output pipes",
                std::io::Error::other("stdout or stderr is not piped"),
            ));
        };
        set_nonblocking(&stdout)?;
        set_nonblocking(&stderr)?;
        Ok(ActionLoop {
            stdin: child.stdin.take(),
            child,
            results,
            stdout,
            stderr,
            all_output: String::new(),
        })
    }

    /// The next fd-3 line, or `None` at EOF (the action exited and closed fd 3).
    pub fn next_line(&mut self) -> Result<Option<String>, OpenWhiskError> {
        match self.results.recv_timeout(RESULT_TIMEOUT) {
            Ok(Ok(line)) => Ok(Some(line)),
            Ok(Err(e)) => Err(OpenWhiskError::io("read fd 3", e)),
            Err(RecvTimeoutError::Disconnected) => Ok(None),
            Err(RecvTimeoutError::Timeout) => Err(OpenWhiskError::NoResult {
                limit: RESULT_TIMEOUT,
                output: self.drain_all(),
            }),
        }
    }

    /// Reads the ack, as the proxy does at `/init` when `OW_WAIT_FOR_ACK` is set.
    pub fn read_ack(&mut self) -> Result<Value, OpenWhiskError> {
        let Some(line) = self.next_line()? else {
            return Err(OpenWhiskError::Exited {
                output: self.drain_all(),
            });
        };
        serde_json::from_str(&line).map_err(|error| OpenWhiskError::NotJson {
            line,
            error,
            output: self.drain_all(),
        })
    }

    /// Sends one `/run` body, as the proxy does, and reads the result line.
    pub fn run(&mut self, body: &Value) -> Result<Activation, OpenWhiskError> {
        let mut line = body.to_string().into_bytes();
        line.retain(|b| *b != b'\n');
        self.send_line(&line)
    }

    /// Sends raw bytes plus a newline and reads the result line.
    pub fn send_line(&mut self, line: &[u8]) -> Result<Activation, OpenWhiskError> {
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(OpenWhiskError::io(
                "write the activation line",
                std::io::Error::other("stdin is closed"),
            ));
        };
        let mut bytes = line.to_vec();
        bytes.push(b'\n');
        let written = stdin.write_all(&bytes).and_then(|()| stdin.flush());
        if let Err(e) = written {
            return Err(OpenWhiskError::Write {
                source: e,
                output: self.drain_all(),
            });
        }
        let Some(line) = self.next_line()? else {
            return Err(OpenWhiskError::Exited {
                output: self.drain_all(),
            });
        };
        let stdout = drain(&mut self.stdout)?;
        let stderr = drain(&mut self.stderr)?;
        self.all_output.push_str(&stdout);
        self.all_output.push_str(&stderr);
        match serde_json::from_str(&line) {
            Ok(result) => Ok(Activation {
                result,
                line,
                stdout,
                stderr,
            }),
            Err(error) => Err(OpenWhiskError::NotJson {
                line,
                error,
                output: format!("--- stdout\n{stdout}--- stderr\n{stderr}"),
            }),
        }
    }

    /// Closes stdin (as when the proxy goes away) and waits for the exit; returns the status and
    /// any fd-3 lines written after the last activation (there should be none).
    pub fn finish(self) -> Result<(ExitStatus, Vec<String>), OpenWhiskError> {
        self.finish_with_output()
            .map(|(status, extra, _)| (status, extra))
    }

    /// [`finish`](Self::finish), and everything the action wrote to stdout and stderr, up to
    /// its exit (what it logged while shutting down included).
    pub fn finish_with_output(
        mut self,
    ) -> Result<(ExitStatus, Vec<String>, String), OpenWhiskError> {
        drop(self.stdin.take());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self
                .child
                .try_wait()
                .map_err(|e| OpenWhiskError::io("wait for the action", e))?
            {
                break status;
            }
            if started.elapsed() > Duration::from_secs(30) {
                return Err(OpenWhiskError::StillRunning {
                    output: self.drain_all(),
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut extra = Vec::new();
        while let Some(line) = self.next_line()? {
            extra.push(line);
        }
        let output = self.drain_all();
        Ok((status, extra, output))
    }

    /// Collects pending output into `all_output` and returns it.
    pub fn drain_all(&mut self) -> String {
        for pipe in [
            &mut self.stdout as &mut dyn Read,
            &mut self.stderr as &mut dyn Read,
        ] {
            if let Ok(text) = drain(pipe) {
                self.all_output.push_str(&text);
            }
        }
        self.all_output.clone()
    }
}

impl Drop for ActionLoop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Makes `fd` the child's fd 3 (Go's `cmd.ExtraFiles = []*os.File{pipe}`).
fn pass_as_fd3(command: &mut Command, fd: &OwnedFd) {
    let raw = fd.as_raw_fd();
    // SAFETY: between fork and exec only async-signal-safe calls: dup2 and fcntl.
    unsafe {
        command.pre_exec(move || {
            if raw == 3 {
                // dup2(3, 3) would keep close-on-exec; clear it instead.
                if libc::fcntl(3, libc::F_SETFD, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
            } else if libc::dup2(raw, 3) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

fn set_nonblocking(fd: &impl AsRawFd) -> Result<(), OpenWhiskError> {
    let raw = fd.as_raw_fd();
    // SAFETY: fcntl on a descriptor we own; no memory is passed.
    let ok = unsafe {
        let flags = libc::fcntl(raw, libc::F_GETFL);
        flags >= 0 && libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) >= 0
    };
    if ok {
        Ok(())
    } else {
        Err(OpenWhiskError::io(
            "make the output pipes non-blocking",
            std::io::Error::last_os_error(),
        ))
    }
}

/// Everything readable now, without waiting.
fn drain(pipe: &mut dyn Read) -> Result<String, OpenWhiskError> {
    let mut out = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(OpenWhiskError::io("read the action's output", e)),
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}
