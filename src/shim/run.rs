//! Running the real go: `exec` for nested calls and `GOTRIAGE=off`, spawn and
//! tee otherwise.
//!
//! The tee keeps stdin inherited and gives the child a pipe for stderr — or
//! a pseudo-terminal when our stderr is a terminal, shared with stdout when
//! stdout is that same terminal (so the order of the two is kept, see
//! [`super::pty`]); any other stdout is inherited, never touched.  The child
//! is started by [`super::spawn`], which makes it die with the shim.  One thread copies what arrives to our stderr at once (no line
//! buffering) and into the bounded [`Capture`]; the main thread reaps the
//! child and forwards signals.  Two threads rather than one poll loop so that
//! a terminal paused with Ctrl-S (a blocked write) never delays a forwarded
//! SIGTERM; the copier thread costs nothing measurable
//! (`docs/design.md` §1).
//!
//! On Windows (`shim::windows`) there is no exec, no pty and no signal to
//! forward: go is spawned with a pipe for stderr, put in a kill-on-close Job
//! Object, and waited for; the same copier relays and captures.

#[cfg(unix)]
use std::fs::File;
use std::io::{self, Read, Write};
#[cfg(unix)]
use std::mem::ManuallyDrop;
#[cfg(unix)]
use std::os::fd::FromRawFd;
use std::process::ExitStatus;
#[cfg(not(unix))]
use std::process::Stdio;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::capture::Capture;

/// How long to keep reading after the child exited.  Normally the copier
/// sees end-of-file within microseconds; only a grandchild that kept the
/// child's stderr open (a credential daemon, an ssh master) makes us wait,
/// and then no longer than this.
const DRAIN: Duration = Duration::from_millis(150);

/// Bytes moved per read.
const CHUNK: usize = 128 * 1024;

/// Capacity asked for the stderr pipe (Linux's default unprivileged maximum,
/// `/proc/sys/fs/pipe-max-size`).  The default 64 KiB pipe makes a chatty go
/// and the copier wake each other for every write; a deeper one halves the
/// cost of relaying heavy output (docs/shim.md, "Cost").  Best effort: the
/// kernel refuses it when the user's pipe quota is spent, and then the
/// default pipe works as before.
#[cfg(any(target_os = "linux", target_os = "android"))]
const PIPE_SIZE: libc::c_int = 1 << 20;

pub use super::spawn::Target;
#[cfg(unix)]
use super::spawn::keep_sigpipe_ignored;

/// Replaces this process with the real go (unix), or runs it and exits with
/// its status (elsewhere).  Returns only on failure to start it.
pub fn exec(target: Target<'_>) -> io::Error {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let mut cmd = target.command();
        // SAFETY: querying (not changing) a disposition into a zeroed struct.
        let ignored = unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut old) == 0
                && old.sa_sigaction == libc::SIG_IGN
        };
        if ignored {
            keep_sigpipe_ignored(&mut cmd);
        }
        cmd.exec()
    }
    #[cfg(windows)]
    {
        use super::windows::{Job, survive_console_ctrl};
        survive_console_ctrl();
        let job = Job::kill_on_close();
        let contained = job.as_ref().is_some_and(Job::contain_self);
        let mut child = match target.command().spawn() {
            Ok(c) => c,
            Err(e) => return e,
        };
        let job = job.filter(|j| contained || j.assign(&child));
        match child.wait() {
            Ok(st) => {
                if let Some(job) = job {
                    job.release();
                }
                std::process::exit(st.code().unwrap_or(1))
            }
            Err(e) => e,
        }
    }
    #[cfg(not(any(unix, windows)))]
    {
        match target.command().status() {
            Ok(st) => std::process::exit(st.code().unwrap_or(1)),
            Err(e) => e,
        }
    }
}

/// How a teed run ended.
#[derive(Debug)]
pub struct Outcome {
    pub status: ExitStatus,
    pub capture: Capture,
    /// Our stderr stopped accepting writes (a closed pipe): print nothing more.
    pub stderr_closed: bool,
}

/// Runs the real go with stderr teed.  `Err` only if it could not be started.
#[cfg(unix)]
pub fn tee(target: Target<'_>) -> io::Result<Outcome> {
    use super::pty::Pty;
    use super::signals::{Event, Signals, send};
    use super::spawn::{self, Wiring};
    use std::io::IsTerminal;
    use std::os::fd::OwnedFd;

    let signals = Signals::install()?;
    // A write to our closed stderr must come back as EPIPE (so the copier can
    // hand the broken pipe on to go), not kill us.  The child gets the
    // disposition it would have had without us (spawn::start restores it).
    // SAFETY: swapping a signal disposition; no handler code involved.
    let user_sigpipe = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    let mut pty = if io::stderr().is_terminal() {
        Pty::open().ok()
    } else {
        None
    };
    let slave = pty.as_mut().and_then(Pty::take_slave);
    let (wiring, reader) = match (slave, &pty) {
        (Some(slave), Some(p)) => {
            // stdout on the same terminal as stderr: the same pty for both,
            // so the kernel keeps the order in which they were written.
            let stdout = if super::pty::same_terminal(libc::STDOUT_FILENO, libc::STDERR_FILENO) {
                slave.try_clone().ok()
            } else {
                None
            };
            let wiring = Wiring {
                stdout,
                stderr: slave,
            };
            (wiring, p.reader()?)
        }
        _ => {
            let (r, w) = io::pipe()?;
            let wiring = Wiring {
                stdout: None,
                stderr: w.into(),
            };
            (wiring, deepen(File::from(OwnedFd::from(r))))
        }
    };
    // Our copies of the pipe's write end and the pty slave are closed once
    // go has them, so the reader sees the end when go's side closes.
    let pid = spawn::start(target, wiring, user_sigpipe == libc::SIG_IGN)?;

    let copier = Copier::start(reader, relay)?;

    let status = loop {
        if let Some(st) = spawn::try_wait(pid)? {
            break st;
        }
        match signals.next()? {
            Event::Child | Event::Ignore(_) => {}
            Event::Winch => {
                if let Some(p) = &pty {
                    p.sync_size();
                }
                send(pid as u32, libc::SIGWINCH);
            }
            Event::Forward(sig) => send(pid as u32, sig),
        }
    };
    drop(signals);

    let (capture, stderr_closed) = copier.finish();
    drop(pty);
    Ok(Outcome {
        status,
        capture,
        stderr_closed,
    })
}

/// The copier thread: relays go's stderr as it arrives and keeps the
/// bounded copy; both `tee`s use it.
struct Copier {
    capture: Arc<Mutex<Capture>>,
    done: mpsc::Receiver<bool>,
    thread: std::thread::JoinHandle<()>,
}

impl Copier {
    /// Starts `relay` on `reader` in its own thread; `relay` returns whether
    /// it saw the end of the stream.
    fn start<R: Send + 'static>(
        reader: R,
        relay: fn(R, &Mutex<Capture>) -> bool,
    ) -> io::Result<Copier> {
        let capture = Arc::new(Mutex::new(Capture::new()));
        let (done_tx, done) = mpsc::channel();
        let thread = {
            let capture = Arc::clone(&capture);
            std::thread::Builder::new()
                .name("gotriage-tee".into())
                .spawn(move || {
                    let closed = relay(reader, &capture);
                    let _ = done_tx.send(closed);
                })?
        };
        Ok(Copier {
            capture,
            done,
            thread,
        })
    }

    /// Once go has exited: what was captured, and whether stderr was read
    /// to its end.  Waits at most [`DRAIN`]; when a grandchild holds stderr
    /// open, diagnoses what we have and leaves the copier to die with the
    /// process.
    fn finish(self) -> (Capture, bool) {
        let closed = match self.done.recv_timeout(DRAIN) {
            Ok(closed) => {
                let _ = self.thread.join();
                closed
            }
            Err(_) => false,
        };
        let capture = std::mem::take(&mut *self.capture.lock().unwrap_or_else(|p| p.into_inner()));
        (capture, closed)
    }
}

/// Grows a pipe to `PIPE_SIZE`, ignoring refusal.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn deepen(pipe: File) -> File {
    use std::os::fd::AsRawFd;
    // SAFETY: F_SETPIPE_SZ on a pipe we own; failure leaves it unchanged.
    unsafe { libc::fcntl(pipe.as_raw_fd(), libc::F_SETPIPE_SZ, PIPE_SIZE) };
    pipe
}

#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
fn deepen(pipe: File) -> File {
    pipe
}

/// Copies `src` to our stderr as it arrives and into `capture`.  Returns true
/// if our stderr was closed (EPIPE): then it stops and closes `src` at once,
/// so the child meets the broken pipe on its next write, as it would have
/// without us.
#[cfg(unix)]
fn relay(src: File, capture: &Mutex<Capture>) -> bool {
    // SAFETY: fd 2 is open for the life of the process; ManuallyDrop keeps
    // this File from closing it.
    let mut out = ManuallyDrop::new(unsafe { File::from_raw_fd(2) });
    relay_to(src, &mut *out, capture)
}

/// `relay` to any writer (Windows: `shim::windows::Stderr`).
fn relay_to(mut src: impl Read, out: &mut impl Write, capture: &Mutex<Capture>) -> bool {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match src.read(&mut buf) {
            Ok(0) => return false,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // EIO: the pty slave was closed by every holder (end of output).
            Err(_) => return false,
        };
        if let Err(e) = out.write_all(&buf[..n]) {
            if e.kind() == io::ErrorKind::BrokenPipe {
                drop(src);
                return true;
            }
            // Any other write error (EIO after a hang-up, ENOSPC): keep
            // draining so the child is not blocked, but stop echoing.
            capture_rest(src, capture, &mut buf);
            return false;
        }
        capture
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(&buf[..n]);
    }
}

fn capture_rest(mut src: impl Read, capture: &Mutex<Capture>, buf: &mut [u8]) {
    loop {
        match src.read(buf) {
            Ok(0) => return,
            Ok(n) => capture
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// Runs the real go with stderr teed (Windows: a pipe, no pty; the console
/// delivers Ctrl-C to go itself, and the shim outlives it; go is in a
/// kill-on-close Job Object while the shim waits).
#[cfg(not(unix))]
pub fn tee(target: Target<'_>) -> io::Result<Outcome> {
    #[cfg(windows)]
    super::windows::survive_console_ctrl();
    #[cfg(windows)]
    let job = super::windows::Job::kill_on_close();
    #[cfg(windows)]
    let contained = job.as_ref().is_some_and(super::windows::Job::contain_self);
    let mut cmd = target.command();
    cmd.stdin(Stdio::inherit())
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn()?;
    drop(cmd);
    #[cfg(windows)]
    let job = job.filter(|j| contained || j.assign(&child));
    let reader = child
        .stderr
        .take()
        .ok_or_else(|| io::Error::other("no stderr pipe"))?;
    let copier = Copier::start(reader, |reader, capture| {
        #[cfg(windows)]
        let mut out = super::windows::Stderr::new();
        #[cfg(not(windows))]
        let mut out = io::stderr();
        relay_to(reader, &mut out, capture)
    })?;
    let status = child.wait()?;
    #[cfg(windows)]
    if let Some(job) = job {
        job.release();
    }
    let (capture, stderr_closed) = copier.finish();
    Ok(Outcome {
        status,
        capture,
        stderr_closed,
    })
}
