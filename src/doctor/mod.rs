//! `gotriage doctor`: check the machine's go + git + SSH + proxy set-up
//! the way an expert would by hand, and probe modules end to end.
//!
//! | module | what it owns |
//! |---|---|
//! | [`state`] | what is read once: the real go and one `go env -json`, one `git config` call, go.mod, rules, language |
//! | [`checks`] | local checks (no network): toolchain, go settings, git, credentials, proxies and CAs |
//! | [`probes`] | network probes, only with `--network` or MODULE arguments |
//! | [`net`] | a bounded HTTP client; proxies and CA roots as go uses them |
//! | [`exec`] | subprocesses with a hard deadline and no way to prompt |
//! | [`advice`] | fix steps in the diagnosis rules' own words |
//! | [`model`], [`render`] | the report, its text and JSON forms |
//!
//! Doctor writes nothing: no known_hosts update, no credential stored or
//! erased, no module cache, no config (docs/doctor.md lists how).

pub mod advice;
pub mod checks;
pub mod exec;
pub mod gomod;
pub mod model;
pub mod net;
pub mod probes;
pub mod render;
pub mod repo;
pub mod state;

use std::time::{Duration, Instant};

pub use model::{Check, Report, Section, Status};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub modules: Vec<gomod::ModuleRef>,
    pub network: bool,
    pub timeout: Duration,
}

/// Runs every check (and the probes when asked for).
pub fn run(opts: &Options) -> (Report, state::State) {
    let start = Instant::now();
    let state = state::State::gather(opts.modules.clone(), opts.network, opts.timeout);
    let mut checks = checks::local(&state);
    if state.network {
        checks.extend(probes::run(&state));
    }
    let report = Report {
        checks,
        elapsed_ms: start.elapsed().as_millis(),
    };
    (report, state)
}

/// The command that settles an ambiguous diagnosis about `module`: what
/// the shim's `help:` line suggests.
pub fn suggestion(module: &str) -> String {
    let m = module.trim();
    if m.is_empty() || gomod::ModuleRef::parse(m).is_err() {
        "gotriage doctor --network".to_owned()
    } else {
        format!("gotriage doctor {m}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            suggestion("github.com/acme/api"),
            "gotriage doctor github.com/acme/api"
        );
        assert_eq!(
            suggestion("github.com/acme/api@v1.2.0"),
            "gotriage doctor github.com/acme/api@v1.2.0"
        );
        assert_eq!(suggestion(""), "gotriage doctor --network");
        assert_eq!(suggestion("not a module"), "gotriage doctor --network");
    }
}
