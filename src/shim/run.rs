//! Running the real go: `exec` for nested calls and `GOTRIAGE=off`, spawn and
//! tee otherwise.
//!
//! The tee keeps stdin and stdout inherited (never touched) and gives the
//! child a pipe — or a pseudo-terminal when our stderr is a terminal — for
//! stderr.  One thread copies what arrives to our stderr at once (no line
//! buffering) and into the bounded [`Capture`]; the main thread reaps the
//! child and forwards signals.  Two threads rather than one poll loop so that
//! a terminal paused with Ctrl-S (a blocked write) never delays a forwarded
//! SIGTERM; the copier thread costs nothing measurable
//! (`docs/design.md` §1).

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read, Write};
use std::mem::ManuallyDrop;
use std::os::fd::FromRawFd;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::capture::Capture;
use crate::config::vars;

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

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// Absolute path of the real go.
    pub program: &'a Path,
    /// argv[0] for it (what the user typed, normally `go`).
    pub arg0: &'a OsStr,
    pub args: &'a [OsString],
    /// Value of `GOTRIAGE_DEPTH` for the child.
    pub depth: u32,
}

impl Target<'_> {
    fn command(&self) -> Command {
        let mut cmd = Command::new(self.program);
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.arg0(self.arg0);
        }
        cmd.args(self.args).env(vars::DEPTH, self.depth.to_string());
        cmd
    }
}

/// std resets SIGPIPE to the default in every child; a go started from a
/// program that ignores SIGPIPE must find it ignored, as it would without us.
#[cfg(unix)]
fn keep_sigpipe_ignored(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: signal(2) is async-signal-safe, fine between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
            Ok(())
        });
    }
}

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
    #[cfg(not(unix))]
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
    use std::io::IsTerminal;

    let signals = Signals::install()?;
    // A write to our closed stderr must come back as EPIPE (so the copier can
    // hand the broken pipe on to go), not kill us.  The child gets the
    // disposition it would have had without us: std resets SIGPIPE to the
    // default in children, which is right unless the user's was `SIG_IGN`.
    // SAFETY: swapping a signal disposition; no handler code involved.
    let user_sigpipe = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    let mut pty = if io::stderr().is_terminal() {
        Pty::open().ok()
    } else {
        None
    };
    let mut cmd = target.command();
    cmd.stdin(Stdio::inherit()).stdout(Stdio::inherit());
    if user_sigpipe == libc::SIG_IGN {
        keep_sigpipe_ignored(&mut cmd);
    }
    match pty.as_mut().and_then(Pty::take_slave) {
        Some(slave) => cmd.stderr(Stdio::from(slave)),
        None => cmd.stderr(Stdio::piped()),
    };
    let mut child = cmd.spawn()?;
    drop(cmd); // closes our copy of the pty slave, so the master sees EOF (EIO)
    let reader: File = match (&pty, child.stderr.take()) {
        (_, Some(pipe)) => deepen(File::from(std::os::fd::OwnedFd::from(pipe))),
        (Some(p), None) => p.reader()?,
        (None, None) => return Err(io::Error::other("child has no stderr")),
    };

    let capture = Arc::new(Mutex::new(Capture::new()));
    let (done_tx, done_rx) = mpsc::channel();
    let copier = {
        let capture = Arc::clone(&capture);
        std::thread::Builder::new()
            .name("gotriage-tee".into())
            .spawn(move || {
                let closed = relay(reader, &capture);
                let _ = done_tx.send(closed);
            })?
    };

    let pid = child.id();
    let status = loop {
        if let Some(st) = child.try_wait()? {
            break st;
        }
        match signals.next()? {
            Event::Child | Event::Ignore(_) => {}
            Event::Winch => {
                if let Some(p) = &pty {
                    p.sync_size();
                }
                send(pid, libc::SIGWINCH);
            }
            Event::Forward(sig) => send(pid, sig),
        }
    };
    drop(signals);

    let stderr_closed = match done_rx.recv_timeout(DRAIN) {
        Ok(closed) => {
            let _ = copier.join();
            closed
        }
        // A grandchild holds stderr open: diagnose what we have and leave the
        // copier to die with the process.
        Err(_) => false,
    };
    drop(pty);
    let capture = std::mem::take(&mut *capture.lock().unwrap_or_else(|p| p.into_inner()));
    Ok(Outcome {
        status,
        capture,
        stderr_closed,
    })
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
fn relay(mut src: File, capture: &Mutex<Capture>) -> bool {
    // SAFETY: fd 2 is open for the life of the process; ManuallyDrop keeps
    // this File from closing it.
    let mut out = ManuallyDrop::new(unsafe { File::from_raw_fd(2) });
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

fn capture_rest(mut src: File, capture: &Mutex<Capture>, buf: &mut [u8]) {
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

/// Runs the real go with stderr teed (non-unix: no pty, no signal forwarding;
/// the console delivers Ctrl-C to the child itself).
#[cfg(not(unix))]
pub fn tee(target: Target<'_>) -> io::Result<Outcome> {
    let mut child = target
        .command()
        .stdin(Stdio::inherit())
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .spawn()?;
    let reader = child.stderr.take().expect("piped");
    let capture = Arc::new(Mutex::new(Capture::new()));
    let cap2 = Arc::clone(&capture);
    let copier = std::thread::spawn(move || {
        let mut src = reader;
        let mut buf = vec![0u8; CHUNK];
        let mut err = io::stderr();
        let mut closed = false;
        loop {
            let n = match src.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if !closed && err.write_all(&buf[..n]).is_err() {
                closed = true;
            }
            cap2.lock().unwrap().push(&buf[..n]);
        }
        closed
    });
    let status = child.wait()?;
    let stderr_closed = copier.join().unwrap_or(false);
    let capture = std::mem::take(&mut *capture.lock().unwrap());
    Ok(Outcome {
        status,
        capture,
        stderr_closed,
    })
}
