//! A pseudo-terminal for the child's stderr — and its stdout too when both
//! are the same terminal — used when our own stderr is a terminal, so that
//! what `go run`, `go generate` and `go test` start still sees `isatty` and
//! keeps its colours and progress bars.
//!
//! When stdout and stderr are the same terminal ([`same_terminal`]), the
//! child gets one pty for both: the kernel queues what it writes to either
//! in one stream, in the order written, and the shim relays that single
//! stream, so a `go run` program's stderr line and its stdout prompt reach
//! the screen in the order it wrote them.  When stdout is anything else (a
//! pipe, a file, another terminal) it is inherited, untouched.
//!
//! stdin is never redirected, and the child's controlling terminal is
//! unchanged (the slave is opened with `O_NOCTTY` and we never call
//! `setsid`), so a prompt reads from the real terminal, `/dev/tty`, raw mode
//! set on stdin, job control and the terminal's Ctrl-C behave as without
//! gotriage.  Output processing is off on the slave (no `OPOST`: no LF →
//! CRLF), so the bytes we relay are the bytes the child wrote and the real
//! terminal applies its own translation once — its current one, so a program
//! that put the terminal in raw mode through stdin gets raw output too.
//! The window size is copied from our stderr at start and on every SIGWINCH.

use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use nix::fcntl::OFlag;
use nix::pty::{PtyMaster, grantpt, posix_openpt, unlockpt};
use nix::sys::termios::{self, OutputFlags, SetArg};

/// The master side (ours) and the slave side (the child's stderr until spawned).
#[derive(Debug)]
pub struct Pty {
    master: PtyMaster,
    slave: Option<OwnedFd>,
}

impl Pty {
    /// Opens a pseudo-terminal shaped like the terminal on our stderr.
    pub fn open() -> io::Result<Pty> {
        let master = posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC)?;
        grantpt(&master)?;
        unlockpt(&master)?;
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let name = nix::pty::ptsname_r(&master)?;
        // SAFETY: ptsname's static buffer is not thread-safe; the shim opens
        // its one pty from the main thread before it starts any other thread
        // that could call ptsname (nothing else in gotriage does).
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let name = unsafe { nix::pty::ptsname(&master) }?;
        let slave: OwnedFd = File::options()
            .read(true)
            .write(true)
            .custom_flags_noctty()
            .open(&name)?
            .into();
        // Start from the real terminal's settings (so a child that inspects
        // them sees what it would have), then turn output processing off.
        let mut t = termios::tcgetattr(std::io::stderr().as_fd())
            .or_else(|_| termios::tcgetattr(slave.as_fd()))?;
        t.output_flags.remove(OutputFlags::OPOST);
        termios::tcsetattr(slave.as_fd(), SetArg::TCSANOW, &t)?;
        let pty = Pty {
            master,
            slave: Some(slave),
        };
        pty.sync_size();
        Ok(pty)
    }

    /// Hands out the slave for the child's stderr (once).
    pub fn take_slave(&mut self) -> Option<OwnedFd> {
        self.slave.take()
    }

    /// Copies our stderr's window size to the pseudo-terminal.
    pub fn sync_size(&self) {
        // SAFETY: TIOCGWINSZ/TIOCSWINSZ read and write a `winsize` struct we own.
        unsafe {
            let mut ws: libc::winsize = std::mem::zeroed();
            if libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, &mut ws) == 0 {
                libc::ioctl(self.master.as_raw_fd(), libc::TIOCSWINSZ, &ws);
            }
        }
    }

    /// A reader for what the child writes (a duplicate of the master).
    pub fn reader(&self) -> io::Result<File> {
        Ok(File::from(self.master.as_fd().try_clone_to_owned()?))
    }
}

/// True when descriptors `a` and `b` are the same terminal device (the same
/// character device: `st_rdev`), however each was opened.
pub fn same_terminal(a: libc::c_int, b: libc::c_int) -> bool {
    // SAFETY: fstat fills a zeroed `stat` we own; isatty only queries.
    unsafe {
        let (mut x, mut y): (libc::stat, libc::stat) = (std::mem::zeroed(), std::mem::zeroed());
        libc::isatty(a) == 1
            && libc::isatty(b) == 1
            && libc::fstat(a, &mut x) == 0
            && libc::fstat(b, &mut y) == 0
            && x.st_mode & libc::S_IFMT == libc::S_IFCHR
            && y.st_mode & libc::S_IFMT == libc::S_IFCHR
            && x.st_rdev == y.st_rdev
    }
}

/// `O_NOCTTY` for `OpenOptions` without pulling in platform traits at call sites.
trait NoCtty {
    fn custom_flags_noctty(&mut self) -> &mut Self;
}

impl NoCtty for std::fs::OpenOptions {
    fn custom_flags_noctty(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.custom_flags(libc::O_NOCTTY | libc::O_CLOEXEC)
    }
}
