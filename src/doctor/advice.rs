//! Fix steps in the diagnosis output's own words: a problem doctor finds is
//! tied to a taxonomy ID, and its fix steps are that rule's steps, filled
//! with the same facts (module, host, URL, the go environment) and the same
//! conditions the shim uses — so `gotriage doctor` and a failed `go get`
//! say the same thing.  Probe output (git's and ssh's stderr) goes through
//! the classifier itself.

use std::collections::BTreeMap;

use super::state::State;
use crate::diagnose::context::Facts;
use crate::diagnose::{self, Context, Diagnosis, probe::NoProbes};

/// Most rule steps shown per problem (as in the shim's block).
pub const MAX_STEPS: usize = 4;

/// Facts for a rule: the given values plus the environment in force.
pub fn facts(state: &State, values: &[(&str, &str)]) -> Facts {
    let mut f = Facts {
        values: values
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
        env: Some(state.goenv()),
        in_container: state.in_container,
    };
    f.complete();
    f
}

/// The fix steps of rule `id` that apply to these facts (redacted, filled).
pub fn steps(state: &State, id: &str, facts: &Facts) -> Vec<String> {
    let Some(rule) = state.rules.rules.iter().find(|r| r.id == id) else {
        return Vec::new();
    };
    let red = facts.redacted();
    rule.fix
        .iter()
        .filter(|f| red.holds(f.when))
        .filter_map(|f| red.fill(f.text.get(state.lang)))
        .take(MAX_STEPS)
        .collect()
}

/// The rule's title with these facts.
pub fn title(state: &State, id: &str, facts: &Facts) -> Option<String> {
    let rule = state.rules.rules.iter().find(|r| r.id == id)?;
    Some(facts.redacted().fill_lenient(rule.title.get(state.lang)))
}

/// What the classifier makes of a probe's output (git's or ssh's stderr),
/// with the module added to its facts so that GOPRIVATE-aware steps apply.
pub fn classify(state: &State, text: &str, module: Option<&str>) -> Option<Diagnosis> {
    let ctx = Context {
        env: Some(state.goenv()),
        probes: &NoProbes,
        cwd: None,
        in_container: state.in_container,
    };
    let mut found = diagnose::diagnose(text.as_bytes(), &state.rules, &ctx);
    if found.is_empty() {
        return None;
    }
    let mut d = found.remove(0);
    if let Some(m) = module
        && !d.facts.values.contains_key("module")
    {
        d.facts.values.insert("module".into(), m.to_owned());
        d.facts.complete();
    }
    Some(d)
}

/// The fix steps of a classified diagnosis.
pub fn diagnosis_steps(state: &State, d: &Diagnosis) -> Vec<String> {
    crate::render::fixes(d, state.lang)
        .into_iter()
        .take(MAX_STEPS)
        .collect()
}
