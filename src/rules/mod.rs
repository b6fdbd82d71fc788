//! The rule table: built-in rules (data, `rules/builtin.toml`) and user rule files.
//!
//! The built-in table is validated and turned into static Rust data by
//! `build.rs` (see [`spec`] for the format), so using it costs nothing at
//! start-up: no TOML parsing, no regex compilation.  User rule files (the
//! config directory's `rules.toml`, the config file's `rules = […]`, and
//! `GOTRIAGE_RULES`) are parsed with the same validation on the failure path;
//! a broken rule is reported with its file, line and ID and skipped.
//!
//! A user rule whose ID is a built-in one **replaces** the built-in rule (so a
//! site can correct or extend a pattern without waiting for a release); any
//! other ID adds a rule.

pub mod spec;

use std::fmt;
use std::path::{Path, PathBuf};

/// English and Chinese text.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub en: &'static str,
    pub zh: &'static str,
}

impl Text {
    pub fn get(&self, lang: crate::i18n::Lang) -> &'static str {
        match lang {
            crate::i18n::Lang::En => self.en,
            crate::i18n::Lang::Zh => self.zh,
        }
    }
}

/// Which kinds of lines a rule reads (bit set over [`spec::SIDES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sides(pub u8);

impl Sides {
    pub const GO: u8 = 1;
    pub const GIT: u8 = 2;
    pub const BODY: u8 = 4;
    pub const PROBE: u8 = 8;

    pub fn contains(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

/// `(predicate, negated)` pairs that must all hold.
pub type Condition = &'static [(&'static str, bool)];

/// A fix step.
#[derive(Debug, Clone, Copy)]
pub struct Fix {
    pub text: Text,
    pub when: Condition,
}

/// A cause the same evidence cannot rule out.
#[derive(Debug, Clone, Copy)]
pub struct Alt {
    pub id: &'static str,
    pub when: Condition,
}

/// A real excerpt a rule must diagnose (or, for counters, must not).
#[derive(Debug, Clone, Copy)]
pub struct Example {
    pub text: &'static str,
    pub source: &'static str,
    /// Only require a pattern to fit a line, not the first diagnosis.
    pub match_only: bool,
}

/// Where a rule was defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin { line: usize },
    User { file: PathBuf, line: usize },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builtin { line } => write!(f, "built-in (rules/builtin.toml:{line})"),
            Origin::User { file, line } => write!(f, "{}:{line}", file.display()),
        }
    }
}

/// One cause: how to recognise it and what to say.
#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub priority: i32,
    pub title: Text,
    pub patterns: &'static [&'static str],
    /// Stages of go's error grammar that are a hit whatever the wording
    /// (`net.dns`, `http.proxy.404`, …; see `diagnose::stage`).
    pub stages: &'static [&'static str],
    /// Per pattern: regexes that must fit some line of the same record.
    pub pattern_requires: &'static [&'static [&'static str]],
    /// The rule applies only when this holds for the failure's values.
    pub when: Condition,
    /// Per pattern: lowercase literals one of which each match contains.
    pub gates: &'static [&'static [&'static str]],
    pub unless: &'static [&'static str],
    pub requires: &'static [&'static str],
    pub extract: &'static [&'static str],
    pub sides: Sides,
    pub overrides: &'static [&'static str],
    pub explain: Text,
    pub fix: &'static [Fix],
    pub alternatives: &'static [Alt],
    pub examples: &'static [Example],
    pub counters: &'static [Example],
    pub origin: Origin,
}

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// The literal pieces every match of a built-in `pattern` contains (see
/// [`spec::mandatory_literals`]); `None` for a pattern not in the table.
pub fn builtin_mandatory_literals(pattern: &str) -> Option<&'static [&'static str]> {
    MUSTS
        .binary_search_by(|(p, _)| (*p).cmp(pattern))
        .ok()
        .map(|i| MUSTS[i].1)
}

/// The built-in rules, in table order.
pub fn builtin() -> &'static [Rule] {
    BUILTIN
}

/// The rules in force: built-in ones, replaced or extended by user rules.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<&'static Rule>,
}

impl RuleSet {
    /// Only the built-in table.
    pub fn builtin() -> RuleSet {
        RuleSet {
            rules: BUILTIN.iter().collect(),
        }
    }

    /// The built-in table plus user rules (replacing built-ins with the same ID).
    pub fn with_user(user: Vec<&'static Rule>) -> RuleSet {
        let mut set = RuleSet::builtin();
        for r in user {
            match set.rules.iter().position(|b| b.id == r.id) {
                Some(i) => set.rules[i] = r,
                None => set.rules.push(r),
            }
        }
        set
    }

    pub fn get(&self, id: &str) -> Option<&'static Rule> {
        self.rules.iter().copied().find(|r| r.id == id)
    }
}

/// A problem with a user rule file, formatted as the one-line warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadWarning {
    pub file: PathBuf,
    pub error: spec::SpecError,
}

impl fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.error)
    }
}

/// Parses one user rule file.  `known` says which IDs exist besides the
/// file's own (for alternatives / overrides).  Good rules are returned even
/// when others in the file are broken.
pub fn load_file(path: &Path) -> (Vec<&'static Rule>, Vec<LoadWarning>) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            return (
                Vec::new(),
                vec![LoadWarning {
                    file: path.to_owned(),
                    error: spec::SpecError {
                        line: None,
                        rule: None,
                        message: format!("cannot read: {e}"),
                    },
                }],
            );
        }
    };
    parse_user(path, &text)
}

/// [`load_file`] on text already read.
pub fn parse_user(path: &Path, text: &str) -> (Vec<&'static Rule>, Vec<LoadWarning>) {
    let (checked, errors) = spec::check_file(text);
    let own: Vec<String> = checked.iter().map(|r| r.spec.id.clone()).collect();
    let builtin_ids: Vec<&str> = BUILTIN.iter().map(|r| r.id).collect();
    let known = |id: &str| own.iter().any(|o| o == id) || builtin_ids.contains(&id);
    let ref_errors = spec::check_references(&checked, &known);
    let bad: Vec<&str> = ref_errors
        .iter()
        .filter_map(|e| e.rule.as_deref())
        .collect();
    let mut warnings: Vec<LoadWarning> = errors
        .iter()
        .chain(&ref_errors)
        .map(|e| LoadWarning {
            file: path.to_owned(),
            error: e.clone(),
        })
        .collect();
    let mut rules = Vec::new();
    for c in checked {
        if bad.contains(&c.spec.id.as_str()) {
            continue;
        }
        // Every regex must compile with the engine (spec only parsed them).
        if let Some(e) = c
            .spec
            .all_regexes()
            .iter()
            .find_map(|p| regex::Regex::new(p).err())
        {
            warnings.push(LoadWarning {
                file: path.to_owned(),
                error: spec::SpecError {
                    line: Some(c.line),
                    rule: Some(c.spec.id.clone()),
                    message: format!("regex does not compile: {e}"),
                },
            });
            continue;
        }
        rules.push(leak(c, path));
    }
    (rules, warnings)
}

/// Turns a checked user rule into a `'static` [`Rule`], like the built-ins.
/// User rules are read once per process (the failure path or one CLI run), so
/// leaking them costs a few KiB once and keeps one rule type for both kinds.
fn leak(c: spec::CheckedRule, file: &Path) -> &'static Rule {
    fn s(v: String) -> &'static str {
        Box::leak(v.into_boxed_str())
    }
    fn v(v: Vec<String>) -> &'static [&'static str] {
        Box::leak(v.into_iter().map(s).collect::<Vec<_>>().into_boxed_slice())
    }
    fn t(x: spec::Text) -> Text {
        Text {
            en: s(x.en),
            zh: s(x.zh),
        }
    }
    fn cond(c: spec::Condition) -> Condition {
        Box::leak(
            c.into_iter()
                .map(|(n, neg)| (s(n), neg))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        )
    }
    fn ex(e: Vec<spec::ExampleSpec>) -> &'static [Example] {
        Box::leak(
            e.into_iter()
                .map(|e| Example {
                    match_only: e.expect.as_deref() == Some("match"),
                    text: s(e.text),
                    source: s(e.source),
                })
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        )
    }
    let sides = c
        .sides
        .iter()
        .filter_map(|x| spec::SIDES.iter().position(|y| y == x))
        .fold(0u8, |a, i| a | (1 << i));
    let sp = c.spec;
    let gates: Vec<&'static [&'static str]> = c.gates.into_iter().map(v).collect();
    let patterns = sp.patterns();
    let pattern_requires: Vec<&'static [&'static str]> = sp
        .matchers
        .iter()
        .map(|m| v(m.requires().to_vec()))
        .collect();
    let fix: Vec<Fix> = sp
        .fix
        .into_iter()
        .zip(c.fix_when)
        .map(|(f, w)| Fix {
            text: Text {
                en: s(f.en),
                zh: s(f.zh),
            },
            when: cond(w),
        })
        .collect();
    let alternatives: Vec<Alt> = sp
        .alternatives
        .into_iter()
        .zip(c.alt_when)
        .map(|(a, w)| Alt {
            id: s(a.id),
            when: cond(w),
        })
        .collect();
    Box::leak(Box::new(Rule {
        id: s(sp.id),
        priority: sp.priority,
        title: t(sp.title),
        patterns: v(patterns),
        stages: v(sp.stage),
        pattern_requires: Box::leak(pattern_requires.into_boxed_slice()),
        when: cond(c.when),
        gates: Box::leak(gates.into_boxed_slice()),
        unless: v(sp.unless),
        requires: v(sp.requires),
        extract: v(sp.extract),
        sides: Sides(sides),
        overrides: v(sp.overrides),
        explain: t(sp.explain),
        fix: Box::leak(fix.into_boxed_slice()),
        alternatives: Box::leak(alternatives.into_boxed_slice()),
        examples: ex(sp.examples),
        counters: ex(sp.counters),
        origin: Origin::User {
            file: file.to_owned(),
            line: c.line,
        },
    }))
}

/// The user rule files in force, in order: the config directory's
/// `rules.toml` (if it exists), the config file's `rules = […]`, then
/// `GOTRIAGE_RULES` (a path list).  Files named explicitly must exist.
pub fn user_rule_files(config: &crate::config::Config) -> Vec<(PathBuf, bool)> {
    let mut files = Vec::new();
    if let Some(dir) = crate::config::config_dir() {
        files.push((dir.join("rules.toml"), false));
    }
    files.extend(config.rules.iter().map(|p| (p.clone(), true)));
    if let Some(list) = crate::config::var_os(crate::config::vars::RULES) {
        files.extend(
            std::env::split_paths(&list)
                .filter(|p| !p.as_os_str().is_empty())
                .map(|p| (p, true)),
        );
    }
    files
}

/// Loads every user rule file; returns the rule set and one warning per problem.
pub fn load_with_user(config: &crate::config::Config) -> (RuleSet, Vec<LoadWarning>) {
    let mut user = Vec::new();
    let mut warnings = Vec::new();
    for (path, explicit) in user_rule_files(config) {
        if !explicit && !path.exists() {
            continue;
        }
        let (r, w) = load_file(&path);
        user.extend(r);
        warnings.extend(w);
    }
    (RuleSet::with_user(user), warnings)
}
