//! Signals while the real go runs, and dying the way it died.
//!
//! The child stays in our process group, so the terminal's Ctrl-C, Ctrl-\ and
//! Ctrl-Z reach it directly; we catch SIGINT and SIGQUIT with handlers that do
//! not forward what the terminal sent (it would arrive twice) and do not kill
//! us before the child.  Signals sent by a process to our PID alone — SIGTERM
//! from `kill`, `timeout` or `docker stop`, SIGHUP, SIGUSR1/2, SIGALRM, and a
//! SIGINT/SIGQUIT that came from `kill` rather than the terminal — are
//! forwarded.  SIGWINCH is forwarded after the pseudo-terminal's size is synced.
//!
//! Handlers, not `SIG_IGN`: an ignored disposition survives `exec` and the
//! child would inherit it, while caught signals reset to the default in the
//! child (`docs/design.md` §2.4).  Each handler writes two
//! bytes (signal number, origin) to a self-pipe that the main thread reads;
//! the write is the only thing it does, which is async-signal-safe.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use signal_hook_registry::SigId;

/// Signals that are passed on to the child whoever sent them.
pub const FORWARDED: &[libc::c_int] = &[
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGALRM,
    libc::SIGPROF,
    libc::SIGVTALRM,
    libc::SIGIO,
    #[cfg(any(target_os = "linux", target_os = "android"))]
    libc::SIGPWR,
];

/// Signals the terminal sends to the whole foreground process group: the
/// child already has them, so only a copy sent by a process is forwarded.
pub const FROM_TERMINAL: &[libc::c_int] = &[libc::SIGINT, libc::SIGQUIT];

/// What the main thread is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A child changed state (reap it).
    Child,
    /// The terminal's size changed.
    Winch,
    /// Pass this signal on.
    Forward(libc::c_int),
    /// The terminal sent this to the whole group: the child has it already.
    Ignore(libc::c_int),
}

/// Installed handlers and the pipe they write to.
#[derive(Debug)]
pub struct Signals {
    read: OwnedFd,
    _write: OwnedFd,
    ids: Vec<SigId>,
}

const FROM_PROCESS: u8 = 1;

impl Signals {
    /// Installs the handlers.  Call before spawning, so no signal is lost in between.
    pub fn install() -> io::Result<Signals> {
        let mut fds = [0; 2];
        // SAFETY: `fds` is a valid array of two ints for pipe2 to fill.
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // No pipe2 on macOS: pipe, then close-on-exec on both ends (no other
        // thread of ours spawns a process in between).
        // SAFETY: `fds` is a valid array of two ints for pipe to fill; fcntl
        // acts on the descriptors it returned.
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        unsafe {
            if libc::pipe(fds.as_mut_ptr()) != 0 {
                return Err(io::Error::last_os_error());
            }
            for fd in fds {
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
            }
        }
        // SAFETY: pipe2 succeeded, so both are open descriptors we now own.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        // A full pipe must drop events, never block a handler.
        // SAFETY: plain fcntl on a descriptor we own.
        unsafe {
            let fl = libc::fcntl(write.as_raw_fd(), libc::F_GETFL);
            libc::fcntl(write.as_raw_fd(), libc::F_SETFL, fl | libc::O_NONBLOCK);
        }
        let wfd = write.as_raw_fd();
        let mut ids = Vec::new();
        let all = FORWARDED
            .iter()
            .chain(FROM_TERMINAL)
            .chain(&[libc::SIGCHLD, libc::SIGWINCH]);
        for &sig in all {
            // A signal the shell left ignored (SIGINT and SIGQUIT for a
            // background job, SIGHUP under nohup) stays ignored, so the child
            // inherits `SIG_IGN` exactly as it would without us.  SIGCHLD is
            // ours to watch whatever it was.
            if sig != libc::SIGCHLD && is_ignored(sig) {
                continue;
            }
            let handler = move |info: &libc::siginfo_t| {
                // si_code <= 0 (SI_USER, SI_QUEUE, SI_TKILL) means kill(2) and
                // friends; the terminal's signals come with SI_KERNEL.
                let origin = if info.si_code <= 0 { FROM_PROCESS } else { 0 };
                let msg = [sig as u8, origin];
                // SAFETY: write(2) is async-signal-safe; the pipe outlives the
                // handlers (they are unregistered in Drop before it closes).
                unsafe {
                    libc::write(wfd, msg.as_ptr().cast(), 2);
                }
            };
            // SAFETY: the handler only calls write(2) on a descriptor that stays
            // open while it is registered.
            let id = unsafe { signal_hook_registry::register_sigaction(sig, handler) }
                .map_err(io::Error::other)?;
            ids.push(id);
        }
        Ok(Signals {
            read,
            _write: write,
            ids,
        })
    }

    /// Waits for the next event.
    pub fn next(&self) -> io::Result<Event> {
        let mut msg = [0u8; 2];
        loop {
            // SAFETY: reading into a 2-byte buffer from a descriptor we own.
            let n = unsafe { libc::read(self.read.as_raw_fd(), msg.as_mut_ptr().cast(), 2) };
            if n == 2 {
                break;
            }
            let err = io::Error::last_os_error();
            if n < 0 && err.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(if n < 0 {
                err
            } else {
                io::ErrorKind::UnexpectedEof.into()
            });
        }
        let sig = libc::c_int::from(msg[0]);
        Ok(match sig {
            libc::SIGCHLD => Event::Child,
            libc::SIGWINCH => Event::Winch,
            s if FROM_TERMINAL.contains(&s) && msg[1] != FROM_PROCESS => Event::Ignore(s),
            s => Event::Forward(s),
        })
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook_registry::unregister(id);
        }
    }
}

/// True when `sig`'s current disposition is `SIG_IGN`.
fn is_ignored(sig: libc::c_int) -> bool {
    // SAFETY: querying (not changing) a disposition into a zeroed struct.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN
    }
}

/// Sends `sig` to `pid`, ignoring a child that is already gone.
pub fn send(pid: u32, sig: libc::c_int) {
    // SAFETY: kill(2) with a pid we spawned; ESRCH (already reaped) is harmless.
    unsafe {
        libc::kill(pid as libc::pid_t, sig);
    }
}

/// Signals whose default action dumps core.
fn dumps_core(sig: libc::c_int) -> bool {
    matches!(
        sig,
        libc::SIGQUIT
            | libc::SIGILL
            | libc::SIGTRAP
            | libc::SIGABRT
            | libc::SIGBUS
            | libc::SIGFPE
            | libc::SIGSEGV
            | libc::SIGXCPU
            | libc::SIGXFSZ
            | libc::SIGSYS
    )
}

/// Ends this process the way the child ended: by `sig`, with its default
/// action restored first (a re-raise caught by our own handler would exit 0:
/// openai/codex#24556).  No core file of our own is written (RLIMIT_CORE is
/// set to 0 first), so the parent still sees a death by that signal.  If the
/// signal somehow does not kill us, exit with the shell's `128 + n`.
pub fn die_by(sig: libc::c_int) -> ! {
    // SAFETY: resetting a disposition, unblocking and raising are plain libc
    // calls on our own process; nothing here touches Rust-managed memory.
    unsafe {
        if dumps_core(sig) {
            let zero = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &zero);
        }
        let mut dfl: libc::sigaction = std::mem::zeroed();
        dfl.sa_sigaction = libc::SIG_DFL;
        libc::sigemptyset(&mut dfl.sa_mask);
        libc::sigaction(sig, &dfl, std::ptr::null_mut());
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
    }
    std::process::exit(128 + sig)
}
