//! fd 3: where the ActionLoop proxy reads one result line per activation.
//!
//! The only `unsafe` code of the crate is here: checking and taking ownership of a file
//! descriptor the process inherited.

use std::fs::File;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use polyfaas_core::StartupError;

/// The descriptor the ActionLoop proxy passes (Go `cmd.ExtraFiles[0]`).
const FD: i32 = 3;

/// Whether [`ResultPipe::open`] has taken fd 3 already.
static TAKEN: AtomicBool = AtomicBool::new(false);

/// Why fd 3 cannot be the result pipe.
#[derive(Debug, thiserror::Error)]
enum Unusable {
    /// `fstat` failed: nothing is open as fd 3.
    #[error("it is not open: {0}")]
    NotOpen(#[source] io::Error),
    /// Something else took the number (the async runtime's epoll instance, an eventfd).
    #[error("it is not a pipe, socket or file (mode {0:o})")]
    NotAPipe(libc::mode_t),
    /// `fcntl(F_GETFL)` failed.
    #[error("its flags cannot be read: {0}")]
    Flags(#[source] io::Error),
    /// The proxy passes the write end; this is a read end.
    #[error("it is open for reading only")]
    ReadOnly,
    /// [`ResultPipe::open`] was called twice.
    #[error("this process has taken it already")]
    Taken,
}

/// The result pipe, owned.
#[derive(Debug)]
pub(crate) struct ResultPipe(File);

impl ResultPipe {
    /// Takes fd 3, after checking that it is open for writing and is a pipe, socket, file or
    /// character device. (If the proxy did not pass fd 3, the async runtime's epoll instance may
    /// have taken that number: its type is none of these.)
    pub(crate) fn open() -> Result<ResultPipe, StartupError> {
        let not_usable = |why: Unusable| {
            StartupError::new(format!(
                "fd 3 is not usable as the ActionLoop result pipe ({why}); start this action \
                 through the OpenWhisk ActionLoop proxy, which passes fd 3, or as a blackbox \
                 action with its JSON argument as argv[1]"
            ))
            .with_source(why)
        };
        check(FD).map_err(not_usable)?;
        if TAKEN.swap(true, Ordering::SeqCst) {
            return Err(not_usable(Unusable::Taken));
        }
        // SAFETY: fd 3 is open (checked just above, and it is not the runtime's epoll or eventfd,
        // whose types `check` refuses); the process inherited it from the proxy and no other code
        // in the process owns it: `TAKEN` makes this the only `File` for it, created once.
        let file = unsafe { <File as std::os::fd::FromRawFd>::from_raw_fd(FD) };
        Ok(ResultPipe(file))
    }

    /// Flushes stdout and stderr (so the activation's logs come before the proxy's end-of-log
    /// sentinel), then writes `line` and a newline. `line` must hold no newline.
    pub(crate) fn send(&mut self, line: &[u8]) -> io::Result<()> {
        let _ = io::stdout().flush();
        let _ = io::stderr().flush();
        let mut buffer = Vec::with_capacity(line.len() + 1);
        buffer.extend_from_slice(line);
        buffer.push(b'\n');
        self.0.write_all(&buffer)?;
        self.0.flush()
    }
}

/// Checks that `fd` is open for writing and is a FIFO, socket, regular file or character device.
fn check(fd: i32) -> Result<(), Unusable> {
    // SAFETY: `fstat` writes only into the `stat` buffer we pass; any integer is a valid
    // argument (an unused descriptor gives EBADF).
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstat(fd, &mut stat) } != 0 {
        return Err(Unusable::NotOpen(io::Error::last_os_error()));
    }
    let kind = stat.st_mode & libc::S_IFMT;
    if ![libc::S_IFIFO, libc::S_IFSOCK, libc::S_IFREG, libc::S_IFCHR].contains(&kind) {
        return Err(Unusable::NotAPipe(stat.st_mode));
    }
    // SAFETY: F_GETFL reads the descriptor's flags; no memory is involved.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(Unusable::Flags(io::Error::last_os_error()));
    }
    match flags & libc::O_ACCMODE {
        libc::O_WRONLY | libc::O_RDWR => Ok(()),
        _ => Err(Unusable::ReadOnly),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_that_are_not_pipes_or_not_writable_are_refused() {
        let not_open = check(-1).unwrap_err();
        assert!(matches!(not_open, Unusable::NotOpen(_)), "{not_open}");
        assert!(std::error::Error::source(&not_open).is_some());
        let (read, write) = io::pipe().unwrap();
        use std::os::fd::AsRawFd;
        assert!(check(write.as_raw_fd()).is_ok());
        assert_eq!(
            check(read.as_raw_fd()).unwrap_err().to_string(),
            "it is open for reading only"
        );
    }
}
