//! Starting a function binary with as little between the clock and the exec as possible.

use std::path::Path;
use std::process::{Child, Stdio};

/// Parses `K=V` (also `NAME=PATH`).
pub fn parse_pair(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{text:?} is not K=V"))
}

/// Spawns `binary` with a clean environment (conformance-tests' `command`: no inherited provider
/// or log variables), `env` added, its output discarded unless `keep_output` (then both go to
/// our stderr, so that our stdout carries only results).
pub fn spawn(
    binary: &Path,
    args: &[String],
    env: &[(String, String)],
    cwd: Option<&Path>,
    keep_output: bool,
) -> std::io::Result<Child> {
    let mut command = polyfaas_testkit::process::command(binary);
    command.args(args).stdin(Stdio::null());
    if keep_output {
        command.stdout(std::io::stderr());
    } else {
        command.stdout(Stdio::null()).stderr(Stdio::null());
    }
    for (k, v) in env {
        command.env(k, v);
    }
    if let Some(dir) = cwd {
        command.current_dir(dir);
    }
    // A group of its own, so that `kill` also stops what it forked: functions-framework's
    // gunicorn worker outlived a killed master by up to a second, its exit landing on the
    // start-ups of the next round.
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command.spawn()
}

/// The minor page faults `child` has taken so far, all its threads together (`minflt`, the
/// tenth field of `/proc/PID/stat`). `None` where there is no such file.
pub fn minor_faults(child: &Child) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.id())).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(7)?.parse().ok()
}

/// Kills the child's process group (the child and whatever it forked, see [`spawn`]) and reaps
/// the child.
pub fn kill(mut child: Child) {
    match libc::pid_t::try_from(child.id()) {
        // SAFETY: killpg only sends a signal; the group is the child's own (process_group(0)).
        Ok(group) => unsafe {
            libc::killpg(group, libc::SIGKILL);
        },
        Err(_) => {
            let _ = child.kill();
        }
    }
    let _ = child.wait();
}
