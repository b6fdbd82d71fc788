//! Reading go's stderr the way an expert would.
//!
//! The pipeline: [`normalize`] (bytes → clean lines) → [`structure`] (go's
//! wrappers, git's RunError blocks, server answers) → [`engine`] (gated rule
//! matching and ranking) with [`context`] (the go environment and computed
//! values) → diagnoses, which `render` turns into text or JSON.  When no
//! rule fits, the result is empty and nothing is printed.
//!
//! Nothing here runs when go succeeded: the shim's failure hook (handed to
//! it by the CLI layer, `cli::report`) calls in only on failure.

pub mod context;
pub mod engine;
mod fallback;
pub mod goenv;
pub mod normalize;
mod pattern;
pub mod probe;
pub mod stage;
pub mod structure;

use std::path::PathBuf;

pub use engine::{Confidence, Diagnosis, Role};

use crate::rules::RuleSet;
use context::Facts;
use goenv::GoEnv;
use probe::Probes;

/// What the probe for VCS stamping runs (shown as its evidence source).
pub const PROBE_COMMAND: &str = "git --no-optional-locks status --porcelain";

/// The go text that says git's real message was hidden (VCS stamping).
const STAMPING_HIDES_GIT: &str = "error obtaining VCS status: exit status";

/// Everything the classifier may use besides the text.
pub struct Context<'a> {
    /// The failed command's environment; `None` for a saved log, whose
    /// environment is not this machine's.
    pub env: Option<GoEnv>,
    pub probes: &'a dyn Probes,
    /// Where the failed command ran (for the stamping probe).
    pub cwd: Option<PathBuf>,
    pub in_container: bool,
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("env", &self.env)
            .field("cwd", &self.cwd)
            .finish_non_exhaustive()
    }
}

impl Context<'static> {
    /// A saved log from elsewhere: no environment, no probes.
    pub fn offline() -> Context<'static> {
        Context {
            env: None,
            probes: &probe::NoProbes,
            cwd: None,
            in_container: false,
        }
    }
}

/// Diagnoses `input` (go's stderr or a saved log).  Most likely cause first;
/// empty when nothing fits.
pub fn diagnose(input: &[u8], rules: &RuleSet, ctx: &Context<'_>) -> Vec<Diagnosis> {
    diagnose_counting(input, rules, ctx).0
}

/// [`diagnose`], also returning how many regexes had to be compiled (the
/// benchmark reports it: the gate's whole point is to keep it small).
pub fn diagnose_counting(
    input: &[u8],
    rules: &RuleSet,
    ctx: &Context<'_>,
) -> (Vec<Diagnosis>, usize) {
    diagnose_lines(normalize::normalize(input), rules, ctx)
}

/// [`diagnose`] of lines already normalised (e.g. the head and tail of a
/// log too large to hold, see `normalize::normalize_parts`).
pub fn diagnose_lines(
    mut lines: Vec<normalize::Line>,
    rules: &RuleSet,
    ctx: &Context<'_>,
) -> (Vec<Diagnosis>, usize) {
    let mut st = structure::parse(&lines);
    // go hides git's message behind stamping's "exit status 128": look once.
    if let Some(cwd) = &ctx.cwd
        && lines.iter().any(|l| l.text.contains(STAMPING_HIDES_GIT))
        && let Some(stderr) = ctx.probes.git_status_stderr(cwd)
    {
        append_probe(&mut lines, &mut st, &stderr);
    }
    let engine = engine::Engine::new(&rules.rules);
    let mut values = context::Values::new();
    if let Some(proxy) = mirror_wide_misses(&st) {
        values.insert("mirror_wide".into(), proxy);
    }
    let base = Facts {
        values,
        env: ctx.env.clone(),
        in_container: ctx.in_container,
    };
    let origin = |dir: &str| {
        ctx.probes
            .vcs_origin(std::path::Path::new(dir))
            .map(|u| crate::redact::redact_owned(&u))
    };
    let found = engine.run(&lines, &st, &base, &origin);
    (found, engine.compiled_count())
}

/// A module proxy that answered "not found" for modules of at least
/// [`MIRROR_WIDE_OWNERS`] different owners in one log: the mirror is at
/// fault (a broken CDN, a sync gap), not the privacy of each module, so
/// GOPRIVATE advice would be wrong.
fn mirror_wide_misses(st: &structure::Structure) -> Option<String> {
    let mut owners: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for (line, stage) in st.stages.iter().enumerate() {
        let Some(stage) = stage else { continue };
        if !(stage.tag == "http.proxy.404" || stage.tag == "http.proxy.410") {
            continue;
        }
        let (Some(proxy), Some(module)) = (
            stage.values.get("url_host"),
            st.records[st.record_of[line]].module.as_deref(),
        ) else {
            continue;
        };
        owners
            .entry(proxy.clone())
            .or_default()
            .insert(goenv::module_owner(module).to_owned());
    }
    owners
        .into_iter()
        .find(|(_, o)| o.len() >= MIRROR_WIDE_OWNERS)
        .map(|(proxy, _)| proxy)
}

/// See [`mirror_wide_misses`].
const MIRROR_WIDE_OWNERS: usize = 3;

/// Adds a probe's output as its own record of `Probe` lines.
fn append_probe(lines: &mut Vec<normalize::Line>, st: &mut structure::Structure, text: &str) {
    let first = lines.len();
    for l in text.lines() {
        lines.push(normalize::Line {
            no: 0,
            text: normalize::clean(l),
        });
        st.sides.push(structure::Side::Probe);
        st.record_of.push(st.records.len());
        st.stages.push(None);
    }
    st.records.push(structure::Record {
        first,
        end: lines.len(),
        ..Default::default()
    });
}

/// Checks a rule against its own examples and counter-examples, each
/// classified alone as a saved log with `set`.  Returns one message per
/// failure (empty: all good).  Used by `gotriage rules check` and the tests.
pub fn check_examples(rule: &'static crate::rules::Rule, set: &RuleSet) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(index) = set.rules.iter().position(|r| std::ptr::eq(*r, rule)) else {
        return vec![format!("rule {:?} is not in the rule set", rule.id)];
    };
    let engine = engine::Engine::new(&set.rules);
    let ctx = Context::offline();
    for ex in rule.examples {
        if ex.match_only {
            let lines = normalize::normalize(ex.text.as_bytes());
            if !engine.any_pattern_fits(index, &lines) {
                problems.push(format!(
                    "example from {} fits none of the patterns",
                    ex.source
                ));
            }
            continue;
        }
        let got = diagnose(ex.text.as_bytes(), set, &ctx);
        let first = got.first().map(|d| d.rule.id);
        if first != Some(rule.id) {
            problems.push(format!(
                "example from {} is diagnosed as {} (want {})",
                ex.source,
                first.unwrap_or("nothing"),
                rule.id
            ));
        }
    }
    for ex in rule.counters {
        let got = diagnose(ex.text.as_bytes(), set, &ctx);
        if got.first().map(|d| d.rule.id) == Some(rule.id) {
            problems.push(format!(
                "counter-example from {} is diagnosed as {}",
                ex.source, rule.id
            ));
        }
    }
    problems
}
