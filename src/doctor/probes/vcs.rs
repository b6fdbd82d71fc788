//! `git ls-remote` over the URL git would really use, and an `ssh -T`-style
//! check for SSH remotes, both as go would run them but made safe:
//!
//! * never interactive: no controlling terminal ([`exec`]), prompts and
//!   askpass off, ssh in `BatchMode` (also injected into the user's own
//!   `GIT_SSH_COMMAND` / `core.sshCommand`, right after the program name:
//!   ssh keeps the *first* value of an option);
//! * never writing: `StrictHostKeyChecking=yes` and `UpdateHostKeys=no`
//!   (known_hosts untouched), no connection master; and git's credential
//!   helpers are wrapped so that only `get` reaches them — git would
//!   otherwise `store` a credential that worked and `erase` one that was
//!   refused (the `store` helper deletes it from ~/.git-credentials);
//! * one attempt per credential: git asks the helpers once and tries what
//!   they return once.
//!
//! Failures are read by the diagnosis classifier itself, so doctor names
//! the same cause, in the same words, as the shim would for go's output.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::diagnose::{self, Role};
use crate::doctor::machine::Machine;
use crate::doctor::ssh::batch_options;
use crate::exec;
use crate::i18n::Lang;
use crate::redact::redact_owned;

/// How the git or ssh run ended.
#[derive(Debug, Clone)]
pub(super) struct Outcome {
    pub(super) ok: bool,
    pub(super) timed_out: bool,
    /// Its output (stderr, or stdout for refs), for classification and detail.
    pub(super) stderr: String,
    pub(super) stdout: String,
    pub(super) elapsed: Duration,
}

/// A cause named by the classifier, with fix steps for this machine.
#[derive(Debug, Clone)]
pub(super) struct Named {
    pub(super) id: &'static str,
    pub(super) evidence: Option<String>,
    pub(super) fixes: Vec<String>,
}

/// The ssh command git would run, with doctor's batch options injected.
/// `None` when git runs a program through `GIT_SSH` that doctor cannot
/// add options to.
pub(super) fn ssh_command(m: &Machine, timeout: Duration) -> Option<String> {
    let opts = batch_options(timeout).join(" ");
    let user = m.var("GIT_SSH_COMMAND").map(str::to_owned).or_else(|| {
        if m.var("GIT_SSH").is_some() {
            return None;
        }
        m.git
            .values("core.sshcommand")
            .last()
            .and_then(|e| e.value.clone())
    });
    match user {
        Some(cmd) => {
            let cmd = cmd.trim();
            let (prog, rest) = cmd.split_once(char::is_whitespace).unwrap_or((cmd, ""));
            let base = Path::new(prog)
                .file_name()
                .and_then(|b| b.to_str())
                .unwrap_or(prog);
            if base.starts_with("ssh") {
                Some(format!("{prog} {opts} {rest}").trim_end().to_owned())
            } else {
                Some(cmd.to_owned())
            }
        }
        None if m.var("GIT_SSH").is_some() => None,
        None => Some(format!("ssh {opts}")),
    }
}

/// `git ls-remote -q URL` (git applies insteadOf itself).
pub(super) fn ls_remote(
    m: &Machine,
    git: &Path,
    url: &str,
    timeout: Duration,
) -> std::io::Result<Outcome> {
    let mut cmd = Command::new(git);
    exec::noninteractive(&mut cmd);
    cmd.current_dir("/")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .args(["ls-remote", "-q", url]);
    if let Some(ssh) = ssh_command(m, timeout) {
        cmd.env("GIT_SSH_COMMAND", ssh);
    }
    // Credential helpers: `get` only (see the module comment).  Appended
    // after the user's own GIT_CONFIG_* entries, which the nested
    // `git credential fill` still sees.
    let user_count: usize = std::env::var("GIT_CONFIG_COUNT")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let helper = format!(
        "!f() {{ test \"$1\" = get || exit 0; GIT_CONFIG_COUNT={user_count} exec {} credential fill 2>/dev/null; }}; f",
        crate::render::shell_word(&git.display().to_string())
    );
    cmd.env(format!("GIT_CONFIG_KEY_{user_count}"), "credential.helper")
        .env(format!("GIT_CONFIG_VALUE_{user_count}"), "")
        .env(
            format!("GIT_CONFIG_KEY_{}", user_count + 1),
            "credential.helper",
        )
        .env(format!("GIT_CONFIG_VALUE_{}", user_count + 1), helper)
        .env("GIT_CONFIG_COUNT", (user_count + 2).to_string());
    let out = exec::run(cmd, timeout)?;
    Ok(Outcome {
        ok: out.success(),
        timed_out: out.timed_out(),
        stderr: out.stderr_text(),
        stdout: out.stdout_text(),
        elapsed: out.elapsed,
    })
}

/// `ssh -T [-p PORT] USER@HOST` with the command git would use.  ssh exits
/// 255 for its own failures; any other status means the server ran a
/// command, i.e. authentication succeeded (GitHub answers with status 1
/// and "You've successfully authenticated").
pub(super) fn ssh_t(
    m: &Machine,
    destination: &str,
    port: Option<u16>,
    timeout: Duration,
) -> std::io::Result<Outcome> {
    let mut cmd = match ssh_command(m, timeout) {
        Some(c) => {
            let mut cmd = Command::new("sh");
            cmd.args(["-c", &format!("{c} -T \"$@\" </dev/null"), "ssh"]);
            cmd
        }
        None => Command::new(m.var("GIT_SSH").unwrap_or("ssh")),
    };
    exec::noninteractive(&mut cmd);
    if let Some(p) = port {
        cmd.args(["-p", &p.to_string()]);
    }
    cmd.arg(destination);
    let out = exec::run(cmd, timeout)?;
    Ok(Outcome {
        ok: out.code().is_some_and(|c| c != 255),
        timed_out: out.timed_out(),
        stderr: out.stderr_text(),
        stdout: out.stdout_text(),
        elapsed: out.elapsed,
    })
}

/// What the classifier makes of a probe's stderr; fix steps filled with
/// the module, URL and host of this probe.
pub(super) fn classify(
    text: &str,
    values: &[(&str, &str)],
    m: &Machine,
    lang: Lang,
) -> Option<Named> {
    let rules = crate::rules::RuleSet::builtin();
    let ctx = diagnose::Context {
        env: Some(m.goenv()),
        probes: &diagnose::probe::NoProbes,
        cwd: None,
        in_container: false,
    };
    let found = diagnose::diagnose(text.as_bytes(), &rules, &ctx);
    let d = found.iter().find(|d| d.role == Role::Primary)?;
    let mut merged: Vec<(String, String)> = d
        .facts
        .values
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in values {
        if !merged.iter().any(|(mk, _)| mk == k) {
            merged.push(((*k).to_owned(), (*v).to_owned()));
        }
    }
    let pairs: Vec<(&str, &str)> = merged
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    Some(Named {
        id: d.rule.id,
        evidence: d.evidence.as_deref().map(|e| redact_owned(e.trim())),
        fixes: crate::doctor::rule_fixes(d.rule.id, &pairs, &m.goenv(), lang),
    })
}

/// The last meaningful lines of a failure, for the detail.
pub(super) fn tail(text: &str, n: usize) -> Vec<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| redact_owned(l))
        .collect()
}

/// Refs listed by `git ls-remote`, and whether `refs/tags/TAG` is one.
pub(super) fn has_tag(refs: &str, tag: &str) -> bool {
    let want = format!("refs/tags/{tag}");
    refs.lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .any(|r| r == want || r == format!("{want}^{{}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        let refs = "abc\tHEAD\nabc\trefs/heads/main\ndef\trefs/tags/v1.0.0\n";
        assert!(has_tag(refs, "v1.0.0"));
        assert!(!has_tag(refs, "v1.1.0"));
    }
}
