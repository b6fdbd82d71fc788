//! The shim: a `go` that runs the real go and never makes it worse.
//!
//! Hot path, in order: decide the mode from two environment variables, find
//! the real go ([`locate`]), then either `exec` it (nested calls and
//! `GOTRIAGE=off`) or spawn it with stderr teed ([`run`]); if it failed, hand
//! the bounded copy of its stderr to the [`hook`].  Exit with the child's
//! status, or die by the signal that killed it.
//!
//! Nested calls: the outer shim sets `GOTRIAGE_DEPTH=1` for its child; a shim
//! that starts with a depth above zero is inside another shim's run (go
//! generate, a tool calling go, a test binary) and goes straight to the real
//! go with `exec`, so there is no second tee and no second diagnosis.  The
//! same counter is the recursion backstop: past [`MAX_DEPTH`] hops it stops
//! with an error naming the go it was about to run, never a fork bomb.

pub mod capture;
pub mod hook;
pub mod locate;
#[cfg(unix)]
pub mod pty;
pub mod run;
#[cfg(unix)]
pub mod signals;
pub mod spawn;
pub mod utf8;
#[cfg(windows)]
pub mod windows;

use std::ffi::{OsStr, OsString};
use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::config::{self, vars};
use hook::{Failure, FailureHook};

/// Hops allowed before the shim declares a loop (rustup allows 20).
pub const MAX_DEPTH: u32 = 20;

/// Exit status a shell uses for a command it cannot find.
pub const EXIT_NOT_FOUND: i32 = 127;
/// Exit status a shell uses for a command it found but cannot run.
pub const EXIT_CANNOT_RUN: i32 = 126;

/// True if argv[0]'s file stem is `go` (`go.exe` on Windows; case-insensitive there).
pub fn is_shim_name(argv0: &OsStr) -> bool {
    let Some(stem) = Path::new(argv0).file_stem() else {
        return false;
    };
    if cfg!(windows) {
        stem.eq_ignore_ascii_case("go")
    } else {
        stem == "go"
    }
}

/// How the shim runs the real go this time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Spawn, tee stderr, diagnose a failure.
    Tee,
    /// Inside another shim's run: exec.
    Nested,
    /// `GOTRIAGE=off`: exec.
    Off,
}

/// The mode and hop count the environment asks for.
pub fn mode_from_env() -> (Mode, u32) {
    let depth = config::var(vars::DEPTH)
        .and_then(|d| d.trim().parse::<u32>().ok())
        .unwrap_or(0);
    let off = config::var(vars::SWITCH).is_some_and(|v| {
        matches!(
            v.to_ascii_lowercase().as_str(),
            "off" | "0" | "false" | "no"
        )
    });
    let mode = if off {
        Mode::Off
    } else if depth > 0 {
        Mode::Nested
    } else {
        Mode::Tee
    };
    (mode, depth)
}

/// Runs as `go`: `argv0` is what we were invoked as, `args` go's arguments;
/// `hook` turns a failure into text to append (called only on failure).
pub fn main(argv0: OsString, args: Vec<OsString>, hook: &dyn FailureHook) -> ! {
    let (mode, depth) = mode_from_env();
    let found = match locate::Lookup::from_env(Some(&argv0)).find() {
        Ok(found) => found,
        Err(nf) => {
            let mut msg = warnings(&nf.warnings);
            // What a shell says for a missing command, then what we searched.
            msg.push_str(&format!(
                "go: command not found\ngotriage: no real go to run: {nf}\n"
            ));
            say(&msg);
            std::process::exit(EXIT_NOT_FOUND);
        }
    };
    say(&warnings(&found.warnings));
    if depth >= MAX_DEPTH {
        say(&format!(
            "gotriage: error: {MAX_DEPTH} nested go calls (GOTRIAGE_DEPTH={depth}): a loop, most \
             likely through another copy of gotriage or a wrapper found as the real go at {}\n\
             help: point gotriage at the real go: export {}=/path/to/real/go\n",
            found.path.display(),
            vars::GO
        ));
        std::process::exit(EXIT_CANNOT_RUN);
    }
    // The child sees argv[0] as we got it, so `os.Args[0]` is what it would be.
    let arg0: &OsStr = if is_shim_name(&argv0) {
        &argv0
    } else {
        OsStr::new("go")
    };
    let target = run::Target {
        program: &found.path,
        arg0,
        args: &args,
        depth: depth + 1,
    };
    // With stderr closed there is nowhere to show a diagnosis, and a tee
    // would hand go an open stderr it did not have: exec instead.
    if mode != Mode::Tee || crate::stderr_was_closed() {
        let err = run::exec(target);
        cannot_start(&found.path, &err);
    }
    let started = std::time::Instant::now();
    let outcome = match run::tee(target) {
        Ok(o) => o,
        Err(err) => cannot_start(&found.path, &err),
    };
    if !outcome.status.success() && !outcome.stderr_closed {
        let failure = Failure {
            capture: &outcome.capture,
            status: outcome.status,
            args: &args,
            go: &found.path,
            elapsed: started.elapsed(),
            stderr_is_terminal: std::io::stderr().is_terminal(),
        };
        if let Some(text) = hook.report(&failure) {
            say(&text);
        }
    }
    exit_like(outcome.status)
}

/// Writes a message of the shim's own to stderr in one write; a closed or
/// failing stderr is not worth a message of its own.
fn say(msg: &str) {
    if !msg.is_empty() {
        let _ = std::io::stderr().write_all(msg.as_bytes());
    }
}

fn warnings(list: &[String]) -> String {
    list.iter()
        .map(|w| format!("gotriage: warning: {w}\n"))
        .collect()
}

/// Reports that the real go could not be started, as a shell would, and exits.
fn cannot_start(path: &Path, err: &std::io::Error) -> ! {
    say(&format!("gotriage: cannot run {}: {err}\n", path.display()));
    std::process::exit(match err.kind() {
        std::io::ErrorKind::NotFound => EXIT_NOT_FOUND,
        _ => EXIT_CANNOT_RUN,
    })
}

/// Exits with the child's status: its code, or death by its signal.
pub fn exit_like(status: std::process::ExitStatus) -> ! {
    if let Some(code) = status.code() {
        std::process::exit(code);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            signals::die_by(sig);
        }
    }
    std::process::exit(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shim_names() {
        for yes in ["go", "/usr/local/bin/go", "./go", "../x/go"] {
            assert!(is_shim_name(OsStr::new(yes)), "{yes}");
        }
        for no in ["gotriage", "/usr/bin/gotriage", "gofmt", "go1.21", "", "/"] {
            assert!(!is_shim_name(OsStr::new(no)), "{no}");
        }
    }
}
