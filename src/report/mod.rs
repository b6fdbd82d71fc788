//! Where a diagnosis goes besides the terminal, for CI and fleets: the
//! GitHub job summary ([`summary`]), GitLab's collapsible log sections
//! ([`gitlab`]) and the JSON event log ([`events`]).
//!
//! Called from the shim's failure path only, after the diagnosis exists;
//! nothing here runs when go succeeded.  None of it can change the go
//! command's result: a file that cannot be written costs one warning line.
//! Everything written has passed [`crate::redact`] (the rendering functions
//! redact, and argv and paths are redacted here).

pub mod events;
pub mod gitlab;
pub mod summary;

use crate::config::Config;
use crate::diagnose::Diagnosis;
use crate::diagnose::goenv::GoEnv;
use crate::i18n::Lang;
use crate::shim::hook::Failure;

/// One diagnosed failure, as the shim has it.
#[derive(Debug, Clone, Copy)]
pub struct Shipment<'a> {
    pub failure: &'a Failure<'a>,
    pub diagnoses: &'a [Diagnosis],
    pub lang: Lang,
    pub config: &'a Config,
    /// The failed command's go environment (CI variables included).
    pub env: Option<&'a GoEnv>,
}

/// The text for the terminal as this CI shows it best: inside a collapsible
/// section on GitLab, unchanged elsewhere.
pub fn frame(text: String, s: &Shipment<'_>) -> String {
    if gitlab::active(s.env) {
        gitlab::section(&text, s.diagnoses, s.lang)
    } else {
        text
    }
}

/// Writes the job summary and the event log that apply.  Returns warning
/// lines for stderr (empty when all went well or nothing applied).
pub fn publish(s: &Shipment<'_>) -> String {
    let mut warnings = String::new();
    if let Err(w) = summary::write(s) {
        warnings.push_str(&w);
    }
    if let Err(w) = events::write(s) {
        warnings.push_str(&w);
    }
    warnings
}

/// `go ARGS…` as one line for people (redacted).
pub fn command_line(f: &Failure<'_>) -> String {
    let mut words = vec!["go".to_owned()];
    words.extend(f.args.iter().map(|a| a.to_string_lossy().into_owned()));
    crate::redact::redact_owned(&words.join(" "))
}
