//! What doctor reports: one [`Check`] per line, grouped in sections.
//!
//! Every string in here is shown to the user (text or JSON), so everything
//! is redacted once, when the check is built ([`Check::new`],
//! [`Check::with_fix`], [`Check::with_detail`]); rule steps arrive already
//! built from redacted values ([`Check::with_fixes`]).

use serde::Serialize;

use crate::redact::redact_owned;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Works.
    Ok,
    /// Worth knowing, does not fail the run (exit status stays 0).
    Warn,
    /// A problem: go will (or may) fail because of it; exit status 1.
    Fail,
    /// Not checked (not applicable, or go would not do it either).
    Skip,
}

impl Status {
    /// The symbol shown in text output (`ascii` when the terminal's
    /// character set is not UTF-8).
    pub fn symbol(self, ascii: bool) -> &'static str {
        match (self, ascii) {
            (Status::Ok, false) => "✓",
            (Status::Warn, false) => "!",
            (Status::Fail, false) => "✗",
            (Status::Skip, false) => "–",
            (Status::Ok, true) => "ok  ",
            (Status::Warn, true) => "warn",
            (Status::Fail, true) => "FAIL",
            (Status::Skip, true) => "skip",
        }
    }
}

/// Sections, in the order they are printed.  A module's probes get a
/// section of their own, named after the module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Toolchain,
    GoEnv,
    Git,
    Credentials,
    Network,
    Reachability,
    Module(String),
}

impl Section {
    /// Stable key used in JSON (`"module:github.com/acme/api"`).
    pub fn key(&self) -> String {
        match self {
            Section::Toolchain => "toolchain".into(),
            Section::GoEnv => "go-env".into(),
            Section::Git => "git".into(),
            Section::Credentials => "credentials".into(),
            Section::Network => "network".into(),
            Section::Reachability => "reachability".into(),
            Section::Module(m) => format!("module:{m}"),
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Check {
    /// Stable identifier of the check (`go.found`, `git.insteadof`,
    /// `probe.ls-remote`); several lines may share one (one per rewrite).
    pub id: &'static str,
    pub section: Section,
    pub status: Status,
    /// One line, redacted.
    pub summary: String,
    /// Further lines (evidence, what was looked at), redacted.
    pub detail: Vec<String>,
    /// The diagnosis ID of the taxonomy this corresponds to, if any.
    pub diagnosis: Option<&'static str>,
    /// Commands or steps that fix it, redacted.
    pub fix: Vec<String>,
}

impl Check {
    pub fn new(
        id: &'static str,
        section: Section,
        status: Status,
        summary: impl AsRef<str>,
    ) -> Check {
        Check {
            id,
            section,
            status,
            summary: redact_owned(summary.as_ref()),
            detail: Vec::new(),
            diagnosis: None,
            fix: Vec::new(),
        }
    }

    pub fn with_detail(mut self, line: impl AsRef<str>) -> Check {
        for l in line.as_ref().lines() {
            let l = l.trim_end();
            if !l.is_empty() {
                self.detail.push(redact_owned(l));
            }
        }
        self
    }

    pub fn with_diagnosis(mut self, id: &'static str) -> Check {
        self.diagnosis = Some(id);
        self
    }

    pub fn with_fix(mut self, step: impl AsRef<str>) -> Check {
        self.fix.push(redact_owned(step.as_ref()));
        self
    }

    /// Steps of a diagnosis rule ([`super::advice`]): the rule's own text
    /// filled with redacted values, exactly as the shim prints them, so they
    /// are not passed through the redactor again (its `.netrc` pass would
    /// take the rule's `password TOKEN` placeholder for a password).
    pub fn with_fixes(mut self, steps: impl IntoIterator<Item = String>) -> Check {
        self.fix.extend(steps);
        self
    }
}

/// Everything doctor found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub checks: Vec<Check>,
    /// Wall-clock time of the whole run, in milliseconds.
    pub elapsed_ms: u128,
}

impl Report {
    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }

    /// 0 when nothing failed (warnings allowed), 1 when a problem was found.
    pub fn exit_code(&self) -> i32 {
        if self.count(Status::Fail) > 0 { 1 } else { 0 }
    }

    /// Checks in section order, keeping the order within a section.
    pub fn sorted(&self) -> Vec<&Check> {
        let mut v: Vec<&Check> = self.checks.iter().collect();
        v.sort_by(|a, b| a.section.cmp(&b.section));
        v
    }
}
