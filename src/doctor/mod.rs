//! `gotriage doctor`: local checks and network probes.
//!
//! The manual checks troubleshooting guides list (`go env`, `git config
//! --get-regexp insteadof`, `ssh -T git@host`, `git ls-remote URL`, a look at
//! `~/.netrc`, GOPRIVATE against the module path…), run for the user and
//! read the way an expert would, each finding tied to a diagnosis ID of the
//! taxonomy and to the command that fixes it (docs/doctor.md).
//!
//! | module | what it owns |
//! |---|---|
//! | [`model`] | checks, statuses, the report and its exit status |
//! | [`machine`] | gathering: go, `go env -json`, git config, go.mod, .netrc, ssh |
//! | [`scope`] | which modules and hosts are in play, which look private |
//! | [`local`] | the local checks (pure functions of the machine) |
//! | [`probes`] | the network probes of one module, in parallel, each bounded |
//! | [`resolve`] | module path → repository (known hosts, `go-import` meta tags) |
//! | [`http`], [`exec`] | a bounded HTTPS client and a bounded process runner |
//! | [`render`] | text (✓ ! ✗ –, or ASCII) and JSON, through the redactor |
//!
//! Doctor never writes (no known_hosts updates, no credential stores, no
//! caches, not even go's telemetry counters), never prompts, sends each
//! credential at most once, and bounds every probe by `--timeout`.

#[macro_use]
mod msg;

pub mod gitcfg;
pub mod gomod;
pub mod goproxy;
pub mod http;
pub mod local;
pub mod machine;
pub mod model;
pub mod netrc;
pub mod probes;
pub mod render;
pub mod resolve;
pub mod scope;
pub mod ssh;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::diagnose::context::Facts;
use crate::diagnose::goenv::GoEnv;
use crate::i18n::Lang;
pub use model::{Check, Report, Section, Status};

/// What one run is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// `MODULE[@VERSION]` arguments.
    pub modules: Vec<String>,
    /// `--network` (implied by modules).
    pub network: bool,
    /// Wall-clock limit of each probe.
    pub timeout: Duration,
    pub lang: Lang,
    /// The directory whose go.mod is read (the current one).
    pub cwd: PathBuf,
}

/// Why doctor itself could not run (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unusable(pub String);

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs every local check, then the network probes if asked.
pub fn run(opts: &Options) -> Result<Report, Unusable> {
    if opts.timeout.is_zero() {
        return Err(Unusable(
            "--timeout must be a positive number of seconds".to_owned(),
        ));
    }
    let named = opts
        .modules
        .iter()
        .map(|m| scope::ModuleArg::parse(m).map_err(Unusable))
        .collect::<Result<Vec<_>, _>>()?;
    let repo_urls = scope::repo_urls_of_named(&named);
    let machine = machine::gather(opts.cwd.clone(), &repo_urls);
    let scope = scope::Scope::new(&machine, named, opts.lang);
    let mut report = Report {
        checks: local::checks(&machine, &scope),
        network: opts.network || !opts.modules.is_empty(),
        network_elapsed: None,
    };
    if report.network {
        let start = Instant::now();
        report
            .checks
            .extend(probes::run(&machine, &scope, opts.timeout));
        report.network_elapsed = Some(start.elapsed());
    }
    // Stable: checks keep their order within a section, modules theirs.
    report.checks.sort_by_key(|c| c.section.rank());
    Ok(report)
}

/// "All the fix steps" for [`scope::Scope::fixes`] and the probes' `fixes`.
pub(crate) const ALL: usize = usize::MAX;

/// The time any one local program (go env, git config, ssh -G) may take.
pub(crate) fn local_timeout() -> Duration {
    Duration::from_secs(5)
}

/// The command that sets a go variable: `go env -w`, or `export` when the
/// variable is set in the environment (which overrides `go env -w`).
pub(crate) fn set_go_var(m: &machine::Machine, var: &str, value: &str) -> String {
    if m.from_process_env(var) {
        format!("export {var}={}", crate::render::shell_word(value))
    } else {
        format!("go env -w {var}={}", crate::render::shell_word(value))
    }
}

/// The fix steps of a diagnosis rule, filled with this machine's values:
/// the same wording (and redaction) as the diagnosis the shim prints.
pub(crate) fn rule_fixes(
    id: &str,
    values: &[(&str, &str)],
    env: &GoEnv,
    lang: Lang,
) -> Vec<String> {
    let Some(rule) = crate::rules::builtin().iter().find(|r| r.id == id) else {
        return Vec::new();
    };
    let mut facts = Facts {
        values: values
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        env: Some(env.clone()),
        in_container: false,
    };
    facts.complete();
    let facts = facts.redacted();
    rule.fix
        .iter()
        .filter(|f| facts.holds(f.when))
        .filter_map(|f| facts.fill(f.text.get(lang)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_fixes_use_the_machine() {
        let env = GoEnv::from_pairs([("GOPRIVATE", "github.com/foo")]);
        let f = rule_fixes(
            "private-module-via-proxy",
            &[("module", "github.com/acme/api")],
            &env,
            Lang::En,
        );
        assert!(
            f.iter()
                .any(|s| s.contains("go env -w GOPRIVATE=github.com/foo,github.com/acme")),
            "{f:?}"
        );
        assert!(rule_fixes("no-such-id", &[], &env, Lang::En).is_empty());
    }
}
