//! Starting the real go for a teed run, so that it dies with the shim.
//!
//! The shim forwards every catchable signal and waits for go, so it dies
//! first only by SIGKILL (`kill -9`, `timeout -s KILL`, the OOM killer) or a
//! crash of its own; a go left running then keeps the network, the CPU and
//! the module cache's locks after its caller gave up.  On Linux the child
//! asks for [`PARENT_DEATH_SIGNAL`] when the shim dies (`PR_SET_PDEATHSIG`).
//!
//! That has to happen between fork and exec, and a `pre_exec` hook makes
//! std `fork` the whole process instead of using `posix_spawn`
//! (`clone(CLONE_VM | CLONE_VFORK)`), which measured 0.11 ms more per call
//! on this machine (docs/shim.md, "Cost").  So on Linux the child is started
//! the way glibc's `posix_spawn` starts it — a `clone` that shares our memory
//! and suspends the calling thread until the child has called `execve` —
//! with `prctl` added.  The child only makes system calls through libc:
//! resets caught signals to their default (caught ones are ours and their
//! handlers must not run in the child), restores SIGPIPE to what the user
//! had, sets the parent-death signal, checks that the shim did not die
//! before it was set, moves its stdout/stderr into place, restores the
//! signal mask and calls `execve`.  Elsewhere std's `Command` starts it
//! (macOS has no parent-death signal; see docs/shim.md).
//!
//! The parent-death signal is tied to the thread that forked, not to the
//! process: the shim spawns from its main thread, which lives until the
//! process exits.

use std::ffi::{OsStr, OsString};
#[cfg(unix)]
use std::io;
#[cfg(unix)]
use std::os::fd::OwnedFd;
use std::path::Path;
use std::process::Command;
#[cfg(unix)]
use std::process::ExitStatus;

use crate::config::vars;

/// std resets SIGPIPE to the default in every child; a go started from a
/// program that ignores SIGPIPE must find it ignored, as it would without us.
#[cfg(unix)]
pub(super) fn keep_sigpipe_ignored(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: signal(2) is async-signal-safe, fine between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
            Ok(())
        });
    }
}

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
    pub(super) fn command(&self) -> Command {
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

/// The signal go gets when the shim dies first (Linux).
///
/// SIGKILL, not SIGTERM: the shim dies first only when it was killed
/// without a chance to forward anything (or crashed), so go gets what its
/// caller asked for — it ends at once, stopped or not, as if the caller had
/// killed it directly.  cmd/go has no SIGTERM handler, so SIGTERM would end
/// it the same way, except a stopped go (SIGTERM waits for SIGCONT) or a
/// "real go" that is a wrapper trapping it.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub const PARENT_DEATH_SIGNAL: libc::c_int = libc::SIGKILL;

/// Where the child's stdout and stderr go (stdin is always inherited).
#[cfg(unix)]
#[derive(Debug)]
pub struct Wiring {
    /// Replaces stdout (the pty shared with stderr); `None`: inherited.
    pub stdout: Option<OwnedFd>,
    /// Replaces stderr (the pipe's write end or the pty).
    pub stderr: OwnedFd,
}

/// Starts `target` with `wiring` (consumed: our copies are closed once the
/// child has them).  `sigpipe_ignored`: the user's SIGPIPE was `SIG_IGN`,
/// which go must inherit (the shim itself ignores it while it runs).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn start(target: Target<'_>, wiring: Wiring, sigpipe_ignored: bool) -> io::Result<libc::pid_t> {
    use std::ffi::{CString, c_char, c_int, c_void};
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    use std::ptr;

    use crate::config::vars;

    /// What the child needs, prepared by the parent (the child allocates nothing).
    struct Plan {
        program: *const c_char,
        argv: *const *const c_char,
        envp: *const *const c_char,
        dups: [(c_int, c_int); 2],
        ndups: usize,
        sigpipe: libc::sighandler_t,
        mask: libc::sigset_t,
        parent: libc::pid_t,
        /// errno of a failed dup2 or execve, written by the child.
        err: c_int,
    }

    /// Runs in the child, on its own stack but in our memory, with every
    /// signal blocked, until `execve`.
    extern "C" fn child(arg: *mut c_void) -> c_int {
        // SAFETY: `arg` is the parent's `Plan`, alive and untouched while the
        // parent is suspended (CLONE_VFORK).  Only async-signal-safe libc
        // calls follow; none allocates or takes a lock.
        unsafe {
            let plan = &mut *arg.cast::<Plan>();
            for sig in 1..65 {
                if sig == libc::SIGKILL || sig == libc::SIGSTOP {
                    continue;
                }
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, ptr::null(), &mut old) == 0
                    && old.sa_sigaction != libc::SIG_DFL
                    && old.sa_sigaction != libc::SIG_IGN
                {
                    let mut dfl: libc::sigaction = std::mem::zeroed();
                    dfl.sa_sigaction = libc::SIG_DFL;
                    libc::sigaction(sig, &dfl, ptr::null_mut());
                }
            }
            let mut pipe: libc::sigaction = std::mem::zeroed();
            pipe.sa_sigaction = plan.sigpipe;
            libc::sigaction(libc::SIGPIPE, &pipe, ptr::null_mut());
            libc::prctl(libc::PR_SET_PDEATHSIG, PARENT_DEATH_SIGNAL as libc::c_ulong);
            // The shim died before the line above: nobody waits for us.
            if libc::getppid() != plan.parent {
                libc::_exit(127);
            }
            for &(from, to) in &plan.dups[..plan.ndups] {
                if libc::dup2(from, to) < 0 {
                    ptr::write_volatile(&mut plan.err, *libc::__errno_location());
                    libc::_exit(127);
                }
            }
            libc::pthread_sigmask(libc::SIG_SETMASK, &plan.mask, ptr::null_mut());
            libc::execve(plan.program, plan.argv, plan.envp);
            ptr::write_volatile(&mut plan.err, *libc::__errno_location());
            libc::_exit(127)
        }
    }

    let cstr = |bytes: &[u8]| {
        CString::new(bytes).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "nul byte"))
    };
    let program = cstr(target.program.as_os_str().as_bytes())?;
    let mut args = Vec::with_capacity(target.args.len() + 1);
    args.push(cstr(target.arg0.as_bytes())?);
    for a in target.args {
        args.push(cstr(a.as_bytes())?);
    }
    let mut env = Vec::new();
    for (k, v) in std::env::vars_os() {
        if k == vars::DEPTH {
            continue;
        }
        let mut kv = k.into_vec();
        kv.push(b'=');
        kv.extend_from_slice(v.as_bytes());
        env.push(cstr(&kv)?);
    }
    env.push(cstr(
        format!("{}={}", vars::DEPTH, target.depth).as_bytes(),
    )?);
    let argv: Vec<*const c_char> = args
        .iter()
        .map(|c| c.as_ptr())
        .chain([ptr::null()])
        .collect();
    let envp: Vec<*const c_char> = env
        .iter()
        .map(|c| c.as_ptr())
        .chain([ptr::null()])
        .collect();

    let mut dups = [(wiring.stderr.as_raw_fd(), libc::STDERR_FILENO); 2];
    let mut ndups = 1;
    if let Some(out) = &wiring.stdout {
        dups[1] = (out.as_raw_fd(), libc::STDOUT_FILENO);
        ndups = 2;
    }
    // The child needs a stack of its own for a few libc calls; 64 KiB is
    // ample (glibc's posix_spawn uses about 32 KiB plus the arguments).
    const STACK: usize = 64 * 1024;
    let mut stack = vec![0u8; STACK];
    // SAFETY: signal masks, getpid, clone and waitpid are plain system
    // calls; `plan`, `stack`, `argv`, `envp` and the CStrings they point
    // into outlive the child's use of them (CLONE_VFORK: clone returns only
    // after the child called execve or exited).
    unsafe {
        let mut plan = Plan {
            program: program.as_ptr(),
            argv: argv.as_ptr(),
            envp: envp.as_ptr(),
            dups,
            ndups,
            sigpipe: if sigpipe_ignored {
                libc::SIG_IGN
            } else {
                libc::SIG_DFL
            },
            mask: std::mem::zeroed(),
            parent: libc::getpid(),
            err: 0,
        };
        // Block every signal until the child has reset our handlers: one
        // delivered in between would run a handler of ours in its memory.
        let mut all: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut plan.mask);
        let top = stack.as_mut_ptr().add(STACK);
        let top = top.sub(top as usize % 16);
        let pid = libc::clone(
            child,
            top.cast(),
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            (&raw mut plan).cast(),
        );
        let clone_err = io::Error::last_os_error();
        libc::pthread_sigmask(libc::SIG_SETMASK, &plan.mask, ptr::null_mut());
        if pid < 0 {
            return Err(clone_err);
        }
        let err = ptr::read_volatile(&plan.err);
        if err != 0 {
            let mut st = 0;
            while libc::waitpid(pid, &mut st, 0) < 0
                && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted
            {}
            return Err(io::Error::from_raw_os_error(err));
        }
        drop(wiring);
        Ok(pid)
    }
}

/// Starts `target` with `wiring` through std (no parent-death signal).
#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
pub fn start(target: Target<'_>, wiring: Wiring, sigpipe_ignored: bool) -> io::Result<libc::pid_t> {
    use std::process::Stdio;
    let mut cmd = target.command();
    cmd.stdin(Stdio::inherit())
        .stdout(wiring.stdout.map_or_else(Stdio::inherit, Stdio::from))
        .stderr(Stdio::from(wiring.stderr));
    if sigpipe_ignored {
        keep_sigpipe_ignored(&mut cmd);
    }
    let child = cmd.spawn()?;
    // The std handle is dropped unwaited; `try_wait` below reaps by pid.
    Ok(child.id() as libc::pid_t)
}

/// Reaps `pid` if it has ended.
#[cfg(unix)]
pub fn try_wait(pid: libc::pid_t) -> io::Result<Option<ExitStatus>> {
    use std::os::unix::process::ExitStatusExt;
    let mut st = 0;
    loop {
        // SAFETY: waitpid on our own child, into an int we own.
        match unsafe { libc::waitpid(pid, &mut st, libc::WNOHANG) } {
            0 => return Ok(None),
            n if n == pid => return Ok(Some(ExitStatus::from_raw(st))),
            _ => {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
        }
    }
}
