//! Running git, ssh, ssh-add, ssh-keygen and go for doctor: never
//! interactive, never longer than a hard deadline.
//!
//! Each child gets its own process group, so a timeout kills the whole tree
//! (git's `git-remote-https`, the `ssh` that git started, a credential
//! helper) and not only the direct child.  Output is drained on threads so a
//! chatty child cannot block on a full pipe, and a grandchild that keeps a
//! pipe open after the kill cannot hold doctor past the deadline either: the
//! readers are given a short grace and then abandoned.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Most bytes kept of each stream.
const MAX_OUTPUT: u64 = 256 * 1024;
/// How long the readers may take to finish after the child is gone.
const DRAIN_GRACE: Duration = Duration::from_millis(200);

/// What a command did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Exit code; `None` when killed by a signal, timed out or not started.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    /// Why it could not be started (`No such file or directory`).
    pub spawn_error: Option<String>,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// stdout and stderr together (for the classifier and for detail lines).
    pub fn text(&self) -> String {
        let mut s = self.stderr.clone();
        if !self.stdout.is_empty() {
            if !s.is_empty() && !s.ends_with('\n') {
                s.push('\n');
            }
            s.push_str(&self.stdout);
        }
        s
    }
}

/// A command line plus the environment changes doctor makes.
#[derive(Debug, Clone)]
pub struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    /// Environment changes in the order given (`None` removes).
    env: Vec<(OsString, Option<OsString>)>,
    dir: Option<std::path::PathBuf>,
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Cmd {
        Cmd {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env: Vec::new(),
            dir: None,
        }
    }

    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Cmd {
        self.args.push(a.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    pub fn env(mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> Cmd {
        self.env
            .push((k.as_ref().to_owned(), Some(v.as_ref().to_owned())));
        self
    }

    pub fn env_remove(mut self, k: impl AsRef<OsStr>) -> Cmd {
        self.env.push((k.as_ref().to_owned(), None));
        self
    }

    pub fn dir(mut self, d: impl AsRef<Path>) -> Cmd {
        self.dir = Some(d.as_ref().to_owned());
        self
    }

    /// The environment every git / ssh probe runs with: what go sets for
    /// git (`GIT_TERMINAL_PROMPT=0`, `GCM_INTERACTIVE=never`) plus what makes
    /// sure nothing can ask a question: no askpass programs (git's
    /// `GIT_ASKPASS`, ssh's `SSH_ASKPASS`, `SSH_ASKPASS_REQUIRE=never`).
    /// Output in English-independent form is not forced: git's messages
    /// stay in the user's language, as under go, and the classifier reads
    /// both.
    pub fn non_interactive(self) -> Cmd {
        self.env("GIT_TERMINAL_PROMPT", "0")
            .env("GCM_INTERACTIVE", "never")
            .env("SSH_ASKPASS_REQUIRE", "never")
            .env_remove("GIT_ASKPASS")
            .env_remove("SSH_ASKPASS")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
    }

    /// The command as a user would type it (for detail lines; redacted by
    /// the caller).
    pub fn display(&self) -> String {
        let mut s = Path::new(&self.program)
            .file_name()
            .unwrap_or(&self.program)
            .to_string_lossy()
            .into_owned();
        for a in &self.args {
            let a = a.to_string_lossy();
            s.push(' ');
            if a.is_empty() || a.contains([' ', '\'', '"', '*', '$', '\\']) {
                s.push('\'');
                s.push_str(&a.replace('\'', "'\\''"));
                s.push('\'');
            } else {
                s.push_str(&a);
            }
        }
        s
    }

    /// Runs the command with stdin from /dev/null, killing its process
    /// group at `timeout`.
    pub fn run(&self, timeout: Duration) -> Outcome {
        let start = Instant::now();
        let mut c = Command::new(&self.program);
        c.args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        if let Some(d) = &self.dir {
            c.current_dir(d);
        }
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            // Own process group: killpg reaches git's helpers and ssh, and
            // the child has no controlling terminal's foreground group to
            // read a password from.
            c.process_group(0);
        }
        let mut child = match c.spawn() {
            Ok(child) => child,
            Err(e) => {
                return Outcome {
                    spawn_error: Some(e.to_string()),
                    elapsed: start.elapsed(),
                    ..Outcome::default()
                };
            }
        };
        let (tx, rx) = mpsc::channel::<(bool, Vec<u8>)>();
        for (is_err, pipe) in [
            (
                false,
                child
                    .stdout
                    .take()
                    .map(|p| Box::new(p) as Box<dyn Read + Send>),
            ),
            (
                true,
                child
                    .stderr
                    .take()
                    .map(|p| Box::new(p) as Box<dyn Read + Send>),
            ),
        ] {
            if let Some(pipe) = pipe {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    let mut buf = Vec::new();
                    let mut limited = pipe.take(MAX_OUTPUT);
                    let _ = limited.read_to_end(&mut buf);
                    // Keep draining past the limit so the child never blocks.
                    let mut rest = limited.into_inner();
                    let _ = std::io::copy(&mut rest, &mut std::io::sink());
                    let _ = tx.send((is_err, buf));
                });
            }
        }
        drop(tx);
        let deadline = start + timeout;
        let mut timed_out = false;
        let status = loop {
            match child.try_wait() {
                Ok(Some(st)) => break Some(st),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Ok(None) => {
                    timed_out = true;
                    kill_group(&mut child);
                    break child.wait().ok();
                }
                Err(_) => {
                    kill_group(&mut child);
                    break None;
                }
            }
        };
        // Descendants may still hold the pipes: kill the group in any case
        // (it is empty when everything exited normally).
        kill_group(&mut child);
        let mut out = Outcome {
            code: if timed_out {
                None
            } else {
                status.and_then(|s| s.code())
            },
            timed_out,
            ..Outcome::default()
        };
        let grace = Instant::now() + DRAIN_GRACE;
        for _ in 0..2 {
            let left = grace.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok((true, b)) => out.stderr = String::from_utf8_lossy(&b).into_owned(),
                Ok((false, b)) => out.stdout = String::from_utf8_lossy(&b).into_owned(),
                Err(_) => break,
            }
        }
        out.elapsed = start.elapsed();
        out
    }
}

fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        if let Ok(pid) = i32::try_from(child.id()) {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
    #[cfg(not(unix))]
    {
        let _ = child.kill();
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_hanging_grandchild_does_not_outlive_the_deadline() {
        // sh starts a sleeping grandchild that inherits stdout and stderr;
        // the whole group dies at the deadline and the readers give up.
        let t = Instant::now();
        let out = Cmd::new("sh")
            .args(["-c", "sleep 30 & sleep 30"])
            .run(Duration::from_millis(300));
        assert!(out.timed_out);
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    }

    #[test]
    fn output_status_and_missing_programs() {
        let out = Cmd::new("sh")
            .args(["-c", "echo out; echo err >&2; exit 3"])
            .run(Duration::from_secs(5));
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (Some(3), "out\n", "err\n")
        );
        let out = Cmd::new("/nonexistent/prog").run(Duration::from_secs(1));
        assert!(out.spawn_error.is_some());
    }

    #[test]
    fn prompts_are_switched_off() {
        let out = Cmd::new("sh")
            .args([
                "-c",
                "echo \"$GIT_TERMINAL_PROMPT:${GIT_ASKPASS-unset}:$SSH_ASKPASS_REQUIRE\"",
            ])
            .env("GIT_ASKPASS", "/bin/askpass")
            .non_interactive()
            .run(Duration::from_secs(5));
        assert_eq!(out.stdout, "0:unset:never\n");
    }
}
