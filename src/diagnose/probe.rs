//! Cheap, read-only looks at the machine, made only on the failure path.
//!
//! Two things go hides that one look reveals: git's real message behind VCS
//! stamping's `exit status 128` (go discards git's stderr there), and the
//! repository URL behind a module-cache directory name (a hash).  Both sit
//! behind the [`Probes`] trait so tests can fake them and `gotriage explain`
//! of a saved log (from another machine) can switch them off.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::exec;

/// What the classifier may ask of the machine.
pub trait Probes {
    /// git's stderr from a read-only status check in `dir` (the command's
    /// working directory), if git failed there.
    fn git_status_stderr(&self, dir: &Path) -> Option<String>;
    /// The `origin` URL of a module-cache repository directory.
    fn vcs_origin(&self, cache_dir: &Path) -> Option<String>;
}

/// No probes (saved logs, tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProbes;

impl Probes for NoProbes {
    fn git_status_stderr(&self, _: &Path) -> Option<String> {
        None
    }
    fn vcs_origin(&self, _: &Path) -> Option<String> {
        None
    }
}

/// The real machine, with a time limit on the git probe.
#[derive(Debug, Clone)]
pub struct RealProbes {
    pub git: PathBuf,
    pub timeout: Duration,
}

impl Default for RealProbes {
    fn default() -> Self {
        RealProbes {
            git: PathBuf::from("git"),
            timeout: Duration::from_millis(1500),
        }
    }
}

impl Probes for RealProbes {
    fn git_status_stderr(&self, dir: &Path) -> Option<String> {
        // What go runs for stamping, minus the index refresh (read-only):
        // `--no-optional-locks` keeps git from writing the index.
        let mut cmd = Command::new(&self.git);
        cmd.arg("-C")
            .arg(dir)
            .args(["--no-optional-locks", "status", "--porcelain"]);
        // git's message stays in the user's language, like go's output.
        exec::no_prompts(&mut cmd);
        let out = exec::run(cmd, self.timeout).ok()?;
        if out.success() || out.timed_out() {
            return None;
        }
        let text = out.stderr_text().trim_end().to_owned();
        (!text.is_empty()).then_some(text)
    }

    fn vcs_origin(&self, cache_dir: &Path) -> Option<String> {
        let text = std::fs::read_to_string(cache_dir.join("config")).ok()?;
        origin_url_from_config(&text)
    }
}

/// The `url` of `[remote "origin"]` in a git config file.
pub fn origin_url_from_config(text: &str) -> Option<String> {
    let mut in_origin = false;
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            in_origin = l.replace(' ', "") == "[remote\"origin\"]";
            continue;
        }
        if in_origin
            && let Some((k, v)) = l.split_once('=')
            && k.trim() == "url"
        {
            return Some(v.trim().to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_origin() {
        let cfg = "[core]\n\tbare = true\n[remote \"origin\"]\n\turl = https://github.com/acme/api\n\tfetch = +refs/heads/*:refs/heads/*\n";
        assert_eq!(
            origin_url_from_config(cfg).as_deref(),
            Some("https://github.com/acme/api")
        );
        assert_eq!(origin_url_from_config("[core]\n"), None);
    }

    #[test]
    fn git_probe_outside_a_repository() {
        let dir = tempfile::tempdir().unwrap();
        let p = RealProbes::default();
        // Either git is missing (None) or it says this is not a repository.
        if let Some(err) = p.git_status_stderr(dir.path()) {
            assert!(err.contains("not a git repository"), "{err}");
        }
    }
}
