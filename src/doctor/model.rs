//! What doctor reports: checks with a status, a one-line summary, detail
//! lines, the diagnosis ID a problem corresponds to and the commands that fix
//! it.  Checks are built already in the user's language; redaction happens
//! once, when they are rendered (`render.rs`), so nothing can bypass it.

use std::time::Duration;

/// The outcome of one check.  Ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Fine.
    Ok,
    /// Not fine, but go commands will still work (or doctor cannot tell):
    /// does not change the exit status.
    Warn,
    /// Something that makes go commands fail, or disables a security check.
    Problem,
    /// Not run: not applicable, not asked for, or an earlier step failed.
    Skip,
}

impl Status {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Problem => "problem",
            Status::Skip => "skip",
        }
    }
}

/// Where a check is listed ([`Section::rank`] orders the report).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Section {
    Toolchain,
    GoEnv,
    Git,
    Credentials,
    Ssh,
    Network,
    /// Probes of one module (`MODULE[@VERSION]` as given).
    Module(String),
}

impl Section {
    /// Position in the report: modules keep the order they were named in.
    pub fn rank(&self) -> u8 {
        match self {
            Section::Toolchain => 0,
            Section::GoEnv => 1,
            Section::Git => 2,
            Section::Credentials => 3,
            Section::Ssh => 4,
            Section::Network => 5,
            Section::Module(_) => 6,
        }
    }

    /// A check of this section.
    pub fn check(&self, status: Status, id: &'static str, summary: String) -> Check {
        Check::new(id, self.clone(), status, summary)
    }

    pub fn ok(&self, id: &'static str, summary: String) -> Check {
        self.check(Status::Ok, id, summary)
    }

    pub fn warn(&self, id: &'static str, summary: String) -> Check {
        self.check(Status::Warn, id, summary)
    }

    pub fn problem(&self, id: &'static str, summary: String) -> Check {
        self.check(Status::Problem, id, summary)
    }

    pub fn skip(&self, id: &'static str, summary: String) -> Check {
        self.check(Status::Skip, id, summary)
    }

    /// The JSON name (`module` for every module; the module is a field).
    pub fn key(&self) -> &'static str {
        match self {
            Section::Toolchain => "toolchain",
            Section::GoEnv => "go-env",
            Section::Git => "git",
            Section::Credentials => "credentials",
            Section::Ssh => "ssh",
            Section::Network => "network",
            Section::Module(_) => "module",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Check {
    /// Stable identifier of the kind of check (`go.binary`, `module.ls-remote`…).
    pub id: &'static str,
    pub section: Section,
    pub status: Status,
    /// One line, in the user's language.
    pub summary: String,
    /// Further lines: evidence, values, what was tried.
    pub detail: Vec<String>,
    /// The diagnosis (taxonomy) ID a problem corresponds to.
    pub diagnosis: Option<&'static str>,
    /// Commands or steps that fix it, most specific first.
    pub fix: Vec<String>,
    /// How long a probe took (network probes only).
    pub elapsed: Option<Duration>,
}

impl Check {
    pub fn new(id: &'static str, section: Section, status: Status, summary: String) -> Check {
        Check {
            id,
            section,
            status,
            summary,
            detail: Vec::new(),
            diagnosis: None,
            fix: Vec::new(),
            elapsed: None,
        }
    }

    pub fn detail(mut self, line: impl Into<String>) -> Check {
        self.detail.push(line.into());
        self
    }

    pub fn details(mut self, lines: impl IntoIterator<Item = String>) -> Check {
        self.detail.extend(lines);
        self
    }

    pub fn diagnosis(mut self, id: &'static str) -> Check {
        self.diagnosis = Some(id);
        self
    }

    pub fn fix(mut self, step: impl Into<String>) -> Check {
        self.fix.push(step.into());
        self
    }

    pub fn fixes(mut self, steps: impl IntoIterator<Item = String>) -> Check {
        self.fix.extend(steps);
        self
    }

    pub fn elapsed(mut self, d: Duration) -> Check {
        self.elapsed = Some(d);
        self
    }
}

/// Everything one doctor run found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub checks: Vec<Check>,
    /// Whether network probes ran (`--network` or a MODULE argument).
    pub network: bool,
    /// Wall-clock time of the network probes, when they ran.
    pub network_elapsed: Option<Duration>,
}

/// Counts per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub ok: usize,
    pub warn: usize,
    pub problem: usize,
    pub skip: usize,
}

impl Report {
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for c in &self.checks {
            match c.status {
                Status::Ok => t.ok += 1,
                Status::Warn => t.warn += 1,
                Status::Problem => t.problem += 1,
                Status::Skip => t.skip += 1,
            }
        }
        t
    }

    /// 0 when nothing is a problem (warnings allowed), 1 otherwise.
    pub fn exit_status(&self) -> i32 {
        i32::from(self.checks.iter().any(|c| c.status == Status::Problem))
    }
}
