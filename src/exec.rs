//! Running helper programs (doctor's go, git, ssh, ssh-add, ssh-keygen; the
//! shim's read-only git probe after a failure): never interactive, never
//! past a deadline, never more output kept than [`MAX_OUTPUT`].
//!
//! Each child runs in a session of its own (`setsid`): it has no controlling
//! terminal, so nothing it starts (ssh asking for a passphrase, a credential
//! helper asking for a password) can open `/dev/tty` and wait for the user;
//! and the whole group can be killed at the deadline, including the ssh that
//! git started and any helper below it.  Standard input is `/dev/null`.
//! Output is read on threads (so a chatty child cannot block on a full
//! pipe) and kept up to [`MAX_OUTPUT`] bytes per stream.

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Bytes kept from each of stdout and stderr (the rest is read and dropped).
pub const MAX_OUTPUT: usize = 256 * 1024;

/// How a child ended.
#[derive(Debug)]
pub struct Output {
    /// `None` when it was killed at the deadline.
    pub status: Option<ExitStatus>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub elapsed: Duration,
}

impl Output {
    pub fn timed_out(&self) -> bool {
        self.status.is_none()
    }

    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    /// The exit code (`None` when killed by a signal or at the deadline).
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Turns off every way git and ssh could ask for something: terminal
/// prompts (git), Git Credential Manager dialogs, askpass programs (an empty
/// `GIT_ASKPASS` also disables `core.askPass` and `SSH_ASKPASS` in git).
pub fn no_prompts(cmd: &mut Command) -> &mut Command {
    cmd.env("GIT_TERMINAL_PROMPT", "0")
        .env("GCM_INTERACTIVE", "never")
        .env("GIT_ASKPASS", "")
        .env("SSH_ASKPASS_REQUIRE", "never")
        .env_remove("SSH_ASKPASS")
}

/// [`no_prompts`], plus English messages where a program is translated
/// (`LANGUAGE` outranks the locale in gettext, and the charset is left
/// alone): what doctor needs to read git's and ssh's answers.
pub fn noninteractive(cmd: &mut Command) -> &mut Command {
    no_prompts(cmd).env("LANGUAGE", "en")
}

/// Runs `cmd` until it ends or `timeout` passes; then kills its process
/// group.  Errors only when it cannot be started.
pub fn run(mut cmd: Command, timeout: Duration) -> std::io::Result<Output> {
    let start = Instant::now();
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    new_session(&mut cmd);
    let mut child = cmd.spawn()?;
    let pid = child.id();
    let stdout = child.stdout.take().map(reader);
    let stderr = child.stderr.take().map(reader);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let status = match rx.recv_timeout(timeout) {
        Ok(status) => Some(status?),
        Err(_) => {
            kill_group(pid);
            // The waiter reaps it; a SIGKILLed child ends at once.
            let _ = rx.recv_timeout(Duration::from_secs(2));
            None
        }
    };
    // A grandchild that left the group could still hold the pipes open:
    // give the readers a moment, then leave them behind.
    let grace = Duration::from_millis(if status.is_some() { 500 } else { 100 });
    let collect = |r: Option<mpsc::Receiver<Vec<u8>>>| {
        r.and_then(|r| r.recv_timeout(grace).ok())
            .unwrap_or_default()
    };
    let stdout = collect(stdout);
    let stderr = collect(stderr);
    Ok(Output {
        status,
        stdout,
        stderr,
        elapsed: start.elapsed(),
    })
}

/// Reads a pipe to its end on a thread, keeping the first [`MAX_OUTPUT`] bytes.
fn reader(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let room = MAX_OUTPUT.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = tx.send(kept);
    });
    rx
}

#[cfg(unix)]
fn new_session(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the forked child before exec and calls
    // only setsid(2), which is async-signal-safe; it touches no memory of
    // the parent.
    unsafe {
        cmd.pre_exec(|| {
            nix::unistd::setsid()
                .map(|_| ())
                .map_err(std::io::Error::from)
        });
    }
}

#[cfg(not(unix))]
fn new_session(_cmd: &mut Command) {}

#[cfg(unix)]
fn kill_group(pid: u32) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    if let Ok(pid) = i32::try_from(pid) {
        // The child is the leader of its own session and group (setsid),
        // so its pid is the group id: this reaches ssh under git, helpers
        // under ssh, and nothing outside.
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    }
}

#[cfg(not(unix))]
fn kill_group(_pid: u32) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_and_status() {
        let mut c = Command::new("sh");
        c.args(["-c", "echo out; echo err >&2; exit 3"]);
        let o = run(c, Duration::from_secs(5)).unwrap();
        assert_eq!(o.code(), Some(3));
        assert_eq!(o.stdout_text(), "out\n");
        assert_eq!(o.stderr_text(), "err\n");
        assert!(!o.timed_out());
    }

    #[test]
    fn deadline_kills_the_whole_group() {
        // The shell starts a grandchild that would outlive it and keep the
        // pipe open; both must be gone within the deadline plus the grace.
        let mut c = Command::new("sh");
        c.args(["-c", "sleep 30 & sleep 30; echo never"]);
        let t = Instant::now();
        let o = run(c, Duration::from_millis(300)).unwrap();
        assert!(o.timed_out());
        assert!(o.stdout.is_empty());
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    }

    #[test]
    fn no_controlling_terminal() {
        // setsid: /dev/tty cannot be opened, so nothing can prompt.
        let mut c = Command::new("sh");
        c.args(["-c", "( : </dev/tty ) 2>/dev/null && echo tty || echo none"]);
        let o = run(c, Duration::from_secs(5)).unwrap();
        assert_eq!(o.stdout_text().trim(), "none");
    }

    #[test]
    fn missing_program_is_an_error() {
        assert!(run(Command::new("/nonexistent/prog"), Duration::from_secs(1)).is_err());
    }
}
