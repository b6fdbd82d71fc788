//! The shim's failure hook: diagnose the captured stderr and render it.
//!
//! The shim knows nothing of diagnosis; `src/main.rs` and `gotriage go` hand
//! it [`Diagnose`] (a [`FailureHook`]), which runs only after go failed.  The
//! layers it joins (config, rules, diagnose, render) all sit below `cli`.

use std::path::PathBuf;

use crate::diagnose::goenv::GoEnv;
use crate::diagnose::{Context, diagnose, probe};
use crate::shim::hook::{Failure, FailureHook};

/// The real hook: classify with the rule table and render the diagnoses.
#[derive(Debug, Clone, Copy, Default)]
pub struct Diagnose;

impl FailureHook for Diagnose {
    fn report(&self, failure: &Failure<'_>) -> Option<String> {
        report_for_shim(failure)
    }
}

/// The shim's failure path: diagnose the captured stderr and render it.
/// `None` when nothing fits (then nothing is added).
pub fn report_for_shim(failure: &Failure<'_>) -> Option<String> {
    let input = failure.capture.contents();
    if program_failed(failure.args, &input) {
        return None;
    }
    let config = crate::config::config_path()
        .and_then(|p| crate::config::Config::load(&p.path).ok().flatten())
        .unwrap_or_default();
    let (rules, warnings) = crate::rules::load_with_user(&config);
    let mut out = String::new();
    for w in &warnings {
        out.push_str(&format!("gotriage: warning: {w}; skipped\n"));
    }
    let probes = probe::RealProbes::default();
    let ctx = Context {
        env: Some(GoEnv::from_process()),
        probes: &probes,
        cwd: std::env::current_dir().ok(),
        in_container: std::path::Path::new("/.dockerenv").exists()
            || std::path::Path::new("/run/.containerenv").exists(),
    };
    let diagnoses = diagnose(&input, &rules, &ctx);
    if diagnoses.is_empty() {
        return (!out.is_empty()).then_some(out);
    }
    let lang = crate::i18n::Lang::detect(config.lang.as_deref());
    let opts = crate::render::Options {
        lang,
        color: crate::render::color_for_stderr(failure.stderr_is_terminal),
        source: crate::render::Source::Stderr,
        github_actions: ctx.env.as_ref().and_then(|e| e.get("GITHUB_ACTIONS")) == Some("true"),
    };
    let text = crate::render::text(&diagnoses, &opts);
    let report_path = crate::config::var_os(crate::config::vars::REPORT)
        .map(PathBuf::from)
        .or(config.report.clone());
    if let Some(path) = report_path {
        let plain = crate::render::text(
            &diagnoses,
            &crate::render::Options {
                color: false,
                github_actions: false,
                ..opts
            },
        );
        if let Err(e) = std::fs::write(&path, plain) {
            out.push_str(&format!(
                "gotriage: warning: cannot write the report to {}: {e}\n",
                path.display()
            ));
        }
    }
    let ship = crate::report::Shipment {
        failure,
        diagnoses: &diagnoses,
        lang,
        config: &config,
        env: ctx.env.as_ref(),
    };
    out.push_str(&crate::report::publish(&ship));
    out.push_str(&crate::report::frame(text, &ship));
    Some(out)
}

/// True when go did its part and the failure is the program it ran: `go
/// run` whose program exited non-zero (go's last line is `exit status N`),
/// or `go test` whose tests ran and failed with no package failing to set
/// up or build.  go fetches and builds before it runs anything, so no fetch
/// failure is left to diagnose, and the capture holds the program's own
/// output (its stderr; its stdout too when both were one terminal, see
/// docs/shim.md), where a logged `x509: …` or `connection refused` is the
/// program's business, not go's.
fn program_failed(args: &[std::ffi::OsString], capture: &[u8]) -> bool {
    let mut rest = args.iter();
    let sub = loop {
        match rest.next().and_then(|a| a.to_str()) {
            Some("-C") => {
                rest.next();
            }
            Some(a) if a.starts_with('-') => {}
            other => break other,
        }
    };
    let text = String::from_utf8_lossy(capture);
    let lines = || text.lines().map(|l| l.trim_end_matches('\r'));
    match sub {
        Some("run") => lines()
            .rfind(|l| !l.trim().is_empty())
            .is_some_and(|l| l.starts_with("exit status ")),
        Some("test") => {
            let go_failed = lines().any(|l| {
                l.starts_with("FAIL")
                    && (l.ends_with("[setup failed]") || l.ends_with("[build failed]"))
            });
            let tests_failed = lines().any(|l| {
                l.starts_with("--- FAIL") || (l.starts_with("FAIL\t") && !l.ends_with(']'))
            });
            tests_failed && !go_failed
        }
        _ => false,
    }
}
