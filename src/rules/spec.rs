//! The rule file format (`rules/builtin.toml`, user rule files) and its validation.
//!
//! This file is compiled twice: by `build.rs` (which validates the built-in
//! table, extracts each pattern's required literals and generates Rust data,
//! so a broken built-in rule fails the build) and into the crate (for user
//! rule files and `gotriage rules check`).  It therefore depends only on
//! serde, toml, regex and regex-syntax, and on nothing else in the crate.

use std::collections::BTreeSet;
use std::fmt;

use serde::Deserialize;

/// Where in go's stderr a line sits (see `diagnose::structure`).
pub const SIDES: &[&str] = &["go", "git", "body", "probe"];
/// Lines a rule looks at when it does not say: everything except the bodies of
/// HTTP error responses, which hold *another machine's* errors (a proxy's git,
/// the checksum database's answer) and must not be read as the user's own.
pub const DEFAULT_SIDES: &[&str] = &["go", "git", "probe"];

/// Named conditions a fix step or an alternative may depend on (`when`).
/// Evaluated by `diagnose::context`; unknown facts count as false, so a step
/// guarded by `env-known` never shows when `gotriage explain` reads a log
/// from another machine.
pub const PREDICATES: &[&str] = &[
    // The environment of the failed command is known (the shim), not a saved log.
    "env-known",
    "goprivate-set",
    // GOPRIVATE / GONOPROXY / GONOSUMDB cover the module (Go's glob-prefix rules).
    "goprivate-covers",
    "gonoproxy-covers",
    "gonosumdb-covers",
    // GOPROXY is unset or the default proxy.golang.org,direct.
    "goproxy-default",
    "https-proxy-set",
    "host-github",
    "host-gitlab",
    "has-module",
    "has-version",
    "has-host",
    "has-dir",
    "has-url",
    "github-actions",
    "in-container",
    // The repository URL of the failing fetch is an SSH one.
    "ssh-url",
    // The module's host is a well-known public one (github.com, golang.org, …).
    "host-public",
    // The failure is an answer of a module proxy / the checksum database.
    "via-proxy",
    "via-sumdb",
    "via-meta",
    // The failure is an HTTP answer go's own client got (a module proxy, the
    // checksum database, a go-import meta page), not something git did.
    "go-http",
    // The HTTP answer was 401 or 403 (the server wants credentials).
    "auth-status",
    // The HTTP answer was 404 or 410 (nothing there).
    "not-found-status",
    // A module proxy answered "not found" for several unrelated modules in
    // the same log: the mirror is at fault, not the modules' privacy.
    "mirror-wide",
    // The module's host serves public code only (golang.org, gopkg.in, …;
    // not a hosting service such as github.com, where private repositories live).
    "module-public-only",
    // go printed `P@V requires M@V` and P's owner (host and organisation)
    // is not M's: a third party's module depends on M, so M is public.
    "required-by-other-owner",
    // The proxy URL asks for a version no proxy can have by go's version
    // grammar (a pseudo-version with a hash longer than 12 hex digits, a
    // v2+ version without /vN or +incompatible): not a private module.
    "version-unservable",
];

/// The stages a rule may select with `stage = [...]`: what go's error
/// grammar says failed (src/diagnose/stage.rs reads it), whatever the wording.
pub const STAGE_KINDS: &[&str] = &["net.dns", "net.connect", "net.transfer", "net.proxy"];

/// The roles of the server in an `http.ROLE.CODE` stage.
pub const STAGE_ROLES: &[&str] = &["proxy", "sumdb", "meta", "other"];

/// Whether `selector` is a stage kind, or `http.ROLE.CODE` where ROLE may be
/// `*` and CODE a status, `4xx`/`5xx` or `*`.
pub fn valid_stage_selector(selector: &str) -> bool {
    if STAGE_KINDS.contains(&selector) {
        return true;
    }
    let mut parts = selector.split('.');
    let (Some("http"), Some(role), Some(code), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let role_ok = role == "*" || STAGE_ROLES.contains(&role);
    let code_ok = code == "*"
        || (code.len() == 3
            && code.as_bytes()[0].is_ascii_digit()
            && (code[1..].bytes().all(|b| b.is_ascii_digit()) || &code[1..] == "xx"));
    role_ok && code_ok
}

/// Values every rule may use in `{placeholders}` besides its own captures.
pub const BUILTIN_VALUES: &[&str] = &[
    "module",
    "version",
    "host",
    "url",
    "path",
    "dir",
    "cache_dir",
    "origin_url",
    "module_prefix",
    "goprivate",
    "goprivate_suggested",
    "gonosumdb",
    "gonosumdb_suggested",
    "goproxy",
    "https_proxy",
    "git_stderr",
    "url_host",
    "govcs_suggested",
    "status",
];

/// A whole rule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(default, rename = "rule")]
    pub rules: Vec<toml::Spanned<RuleSpec>>,
}

/// One `[[rule]]`: one cause.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    /// Higher wins when several rules fit the same failure.
    #[serde(default = "default_priority")]
    pub priority: i32,
    pub title: Text,
    /// Regexes tried on each normalised line; any one fitting is a hit.  An
    /// entry is a regex, or a table `{ re = "…", requires = ["…"] }` when that
    /// one pattern needs more context than the rule's other patterns.
    #[serde(rename = "match", default)]
    pub matchers: Vec<MatchSpec>,
    /// git messages this rule means, named by msgid (git's English source
    /// string with its printf placeholders).  Their translations are
    /// expanded into patterns from git's own catalogs by
    /// `cargo run --example git_i18n` into `rules/git-i18n.generated.toml`,
    /// which `build.rs` merges into `match`.  Built-in table only.
    #[serde(default)]
    pub git: Vec<GitMsgSpec>,
    /// Stages of go's error grammar (`net.dns`, `http.proxy.404`, …) that
    /// are a hit for this rule whatever the line's wording.
    #[serde(default)]
    pub stage: Vec<String>,
    /// `pred & !pred …`: the rule applies only when this holds for the
    /// failure's values (e.g. `!same:target:connect_host`).
    #[serde(default)]
    pub when: Option<String>,
    /// Literals one of which every match contains (case-insensitively), for
    /// patterns whose literals cannot be extracted (e.g. `(?i)` ones).
    #[serde(default)]
    pub gate: Vec<String>,
    /// Regexes that, fitting any line of the same failure record, rule the hit out.
    #[serde(default)]
    pub unless: Vec<String>,
    /// Regexes each of which must fit some line of the same record.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Regexes tried on the record's lines to pull more named values.
    #[serde(default)]
    pub extract: Vec<String>,
    /// Which lines to look at (default [`DEFAULT_SIDES`]).
    #[serde(default)]
    pub on: Vec<String>,
    /// IDs this rule makes redundant when both fire.
    #[serde(default)]
    pub overrides: Vec<String>,
    pub explain: Text,
    #[serde(default)]
    pub fix: Vec<FixSpec>,
    #[serde(default)]
    pub alternatives: Vec<AltSpec>,
    #[serde(default, rename = "example")]
    pub examples: Vec<ExampleSpec>,
    /// Real lines this rule must NOT be the first diagnosis of.
    #[serde(default, rename = "counter")]
    pub counters: Vec<ExampleSpec>,
}

fn default_priority() -> i32 {
    50
}

/// One `match` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum MatchSpec {
    Re(String),
    Full(MatchTable),
}

/// `{ re = "…", requires = ["…"] }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchTable {
    pub re: String,
    #[serde(default)]
    pub requires: Vec<String>,
}

/// `{ msgid = "repository '%s' not found", args = ["url"] }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitMsgSpec {
    pub msgid: String,
    /// One entry per printf conversion of the msgid, in the msgid's order:
    /// a value name (`url` becomes `(?P<url>.+?)`, digits for `%d`), `_`
    /// (matched, not captured), or a regex fragment (anything else).
    #[serde(default)]
    pub args: Vec<String>,
    /// As a `match` table's `requires`: regexes that must also fit the record.
    #[serde(default)]
    pub requires: Vec<String>,
    /// A regex appended to each generated pattern: for a message git prints
    /// untranslated after a translated prefix (msgid `"fatal: "`).
    #[serde(default)]
    pub suffix: Option<String>,
}

/// `rules/git-i18n.generated.toml`: the translations of the msgids the
/// built-in rules name, one pattern per language and message line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratedFile {
    #[serde(default, rename = "pattern")]
    pub patterns: Vec<GeneratedPattern>,
}

/// One generated pattern.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratedPattern {
    pub rule: String,
    pub msgid: String,
    pub lang: String,
    pub re: String,
}

/// Parses the generated table and appends its patterns to the `match` lists
/// of the rules that name their msgids (after the hand-written ones).  Errors:
/// a generated pattern for a rule or msgid no rule names (stale table), and a
/// rule's msgid without any generated pattern (not yet generated, or not in
/// git's catalogs).
pub fn merge_generated(file: &mut RuleFile, generated: &str) -> Vec<SpecError> {
    let mut errors = Vec::new();
    let table: GeneratedFile = match toml::from_str(generated) {
        Ok(t) => t,
        Err(e) => {
            return vec![SpecError {
                line: None,
                rule: None,
                message: format!("generated git patterns: {}", e.message().trim()),
            }];
        }
    };
    let stale = "run `cargo run --example git_i18n` to regenerate rules/git-i18n.generated.toml";
    for p in &table.patterns {
        let named = file.rules.iter().any(|r| {
            let r = r.get_ref();
            r.id == p.rule && r.git.iter().any(|g| g.msgid == p.msgid)
        });
        if !named {
            errors.push(SpecError {
                line: None,
                rule: Some(p.rule.clone()),
                message: format!(
                    "generated pattern for msgid {:?}, which the rule does not name: {stale}",
                    p.msgid
                ),
            });
        }
    }
    for spanned in &mut file.rules {
        let rule = spanned.get_mut();
        let mut added = Vec::new();
        for g in &rule.git {
            let before = added.len();
            for p in table
                .patterns
                .iter()
                .filter(|p| p.rule == rule.id && p.msgid == g.msgid)
            {
                added.push(MatchSpec::Full(MatchTable {
                    re: p.re.clone(),
                    requires: g.requires.clone(),
                }));
            }
            if added.len() == before {
                errors.push(SpecError {
                    line: None,
                    rule: Some(rule.id.clone()),
                    message: format!("no generated pattern for msgid {:?}: {stale}", g.msgid),
                });
            }
        }
        rule.matchers.extend(added);
    }
    errors
}

impl MatchSpec {
    pub fn re(&self) -> &str {
        match self {
            MatchSpec::Re(r) => r,
            MatchSpec::Full(t) => &t.re,
        }
    }

    pub fn requires(&self) -> &[String] {
        match self {
            MatchSpec::Re(_) => &[],
            MatchSpec::Full(t) => &t.requires,
        }
    }
}

impl RuleSpec {
    /// The regexes of `match`, in order.
    pub fn patterns(&self) -> Vec<String> {
        self.matchers.iter().map(|m| m.re().to_owned()).collect()
    }

    /// Every regex of the rule (for compilation checks).
    pub fn all_regexes(&self) -> Vec<String> {
        let mut v = self.patterns();
        for m in &self.matchers {
            v.extend(m.requires().iter().cloned());
        }
        v.extend(self.unless.iter().cloned());
        v.extend(self.requires.iter().cloned());
        v.extend(self.extract.iter().cloned());
        v
    }
}

/// English and Chinese text.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

/// One numbered fix step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixSpec {
    pub en: String,
    pub zh: String,
    /// `pred & !pred …`: show the step only when this holds.
    #[serde(default)]
    pub when: Option<String>,
}

/// A cause the same text cannot rule out.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AltSpec {
    pub id: String,
    #[serde(default)]
    pub when: Option<String>,
}

/// A real excerpt and where it came from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleSpec {
    pub text: String,
    pub source: String,
    /// `first` (default): classifying the excerpt alone names this rule first.
    /// `match`: one of the rule's patterns fits a line (for fragments such as a
    /// lone localized git line, whose record context is not in the excerpt).
    #[serde(default)]
    pub expect: Option<String>,
}

/// A problem in a rule file, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub line: Option<usize>,
    pub rule: Option<String>,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "{line}: ")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, "rule \"{rule}\": ")?;
        }
        f.write_str(&self.message)
    }
}

/// A condition: all of these (predicate, negated) must hold.
pub type Condition = Vec<(String, bool)>;

/// Parses `a & !b & c`.
pub fn parse_condition(s: &str) -> Result<Condition, String> {
    let mut out = Vec::new();
    for part in s.split('&') {
        let part = part.trim();
        let (neg, name) = match part.strip_prefix('!') {
            Some(rest) => (true, rest.trim()),
            None => (false, part),
        };
        // `has:NAME`: the value NAME (a capture or a built-in value) is known,
        // so a step can depend on which of a rule's patterns fitted.
        let value_name =
            |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let has_value = name.strip_prefix("has:").is_some_and(value_name);
        // `public:NAME`: the value NAME is a public host (github.com, …).
        let public_value = name.strip_prefix("public:").is_some_and(value_name);
        // `same:A:B`: both values are known and equal (case-insensitively).
        let same = name
            .strip_prefix("same:")
            .and_then(|r| r.split_once(':'))
            .is_some_and(|(a, b)| value_name(a) && value_name(b));
        if !PREDICATES.contains(&name) && !has_value && !public_value && !same {
            return Err(format!(
                "unknown condition `{name}` in `{s}` (known: has:VALUE, public:VALUE, same:A:B, {})",
                PREDICATES.join(", ")
            ));
        }
        out.push((name.to_owned(), neg));
    }
    Ok(out)
}

/// The `{name}` / `{name|fallback}` placeholders in a text, in order.
/// `{{` and `}}` are literal braces.
pub fn placeholders(text: &str) -> Result<Vec<(String, Option<String>)>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        let c = rest.as_bytes()[i];
        let after = &rest[i + 1..];
        if after.starts_with(c as char) {
            rest = &after[1..];
            continue;
        }
        if c == b'}' {
            return Err(format!("unmatched `}}` in {text:?} (write `}}}}`)"));
        }
        let end = after
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in {text:?}"))?;
        let inner = &after[..end];
        let (name, fallback) = match inner.split_once('|') {
            Some((n, f)) => (n, Some(f.to_owned())),
            None => (inner, None),
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!("bad placeholder `{{{inner}}}` in {text:?}"));
        }
        out.push((name.to_owned(), fallback));
        rest = &after[end + 1..];
    }
    Ok(out)
}

/// Checks a rule ID's shape: lowercase words joined by `-`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

/// Parses a regex the way the engine compiles it, for validation.
pub fn parse_regex(pattern: &str) -> Result<regex_syntax::hir::Hir, String> {
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .map_err(|e| format!("bad regex {pattern:?}: {e}"))
}

/// Literal pieces every match of `pattern` contains, in the case written
/// (at least 4 bytes each; empty when none is certain).  Read from the
/// pattern's top-level sequence only: a literal under an alternation or a
/// repetition is not certain.  A line lacking any of them cannot match, so
/// the regex need not even be compiled for it (docs/design.md §1).
pub fn mandatory_literals(pattern: &str) -> Result<Vec<String>, String> {
    use regex_syntax::hir::HirKind;
    fn walk(h: &regex_syntax::hir::Hir, out: &mut Vec<String>) {
        match h.kind() {
            HirKind::Literal(l) => {
                if let Ok(t) = std::str::from_utf8(&l.0)
                    && t.len() >= 4
                {
                    out.push(t.to_owned());
                }
            }
            HirKind::Capture(c) => walk(&c.sub, out),
            HirKind::Concat(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&parse_regex(pattern)?, &mut out);
    Ok(out)
}

/// Capture group names of a pattern.
pub fn capture_names(pattern: &str) -> Result<Vec<String>, String> {
    let re = regex::Regex::new(pattern).map_err(|e| format!("bad regex: {e}"))?;
    Ok(re.capture_names().flatten().map(str::to_owned).collect())
}

/// Shortest literal worth gating on: shorter ones hit nearly every line.
pub const MIN_GATE_LEN: usize = 3;
/// Longest gate literal kept.  A prefix of a required literal is still
/// required, and the automaton's build time grows with the total length
/// (48-byte literals cost 1.4 ms to build, 16-byte ones about 0.2 ms).
pub const MAX_GATE_LEN: usize = 16;

/// Lowercases and cuts a literal to [`MAX_GATE_LEN`] bytes (at a char boundary).
pub fn gate_literal(lit: &str) -> String {
    let lower = lit.to_ascii_lowercase();
    let mut n = lower.len().min(MAX_GATE_LEN);
    while !lower.is_char_boundary(n) {
        n -= 1;
    }
    lower[..n].to_owned()
}

/// Literals one of which every match of `pattern` contains, lowercased
/// (the gate is ASCII-case-insensitive).  `None` when none can be found.
pub fn required_literals(pattern: &str) -> Result<Option<Vec<String>>, String> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = parse_regex(pattern)?;
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let mut ex = Extractor::new();
        ex.kind(kind)
            .limit_class(4)
            .limit_repeat(8)
            .limit_literal_len(48)
            .limit_total(48);
        let seq = ex.extract(&hir);
        let Some(lits) = seq.literals() else { continue };
        if lits.is_empty() {
            continue;
        }
        let mut out = BTreeSet::new();
        let mut ok = true;
        for lit in lits {
            // A literal may end inside a UTF-8 sequence (length limits cut
            // bytes); keep the valid part, which every match still contains.
            let bytes = lit.as_bytes();
            let text = match std::str::from_utf8(bytes) {
                Ok(s) => s.to_owned(),
                Err(e) => String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned(),
            };
            let text = gate_literal(&text);
            if text.len() < MIN_GATE_LEN {
                ok = false;
                break;
            }
            out.insert(text);
        }
        if ok {
            // Drop literals that contain another one: the shorter already gates.
            let all: Vec<String> = out.into_iter().collect();
            let min: Vec<String> = all
                .iter()
                .filter(|l| !all.iter().any(|o| o != *l && l.contains(o.as_str())))
                .cloned()
                .collect();
            return Ok(Some(min));
        }
    }
    Ok(None)
}

/// A validated rule: the spec plus what validation derived.
#[derive(Debug, Clone)]
pub struct CheckedRule {
    pub spec: RuleSpec,
    pub line: usize,
    /// Per pattern: the gate literals.
    pub gates: Vec<Vec<String>>,
    pub sides: Vec<String>,
    pub fix_when: Vec<Condition>,
    pub alt_when: Vec<Condition>,
    pub when: Condition,
}

/// 1-based line of a byte offset.
pub fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses and validates a rule file.  Returns the good rules and an error for
/// each bad one (a bad rule is skipped, the others are kept).  A file that is
/// not valid TOML at all gives no rules and one error.
pub fn check_file(text: &str) -> (Vec<CheckedRule>, Vec<SpecError>) {
    let (rules, errors, _) = check_file_with(text, None);
    (rules, errors)
}

/// [`check_file`] for the built-in table: `generated` is the text of
/// `rules/git-i18n.generated.toml`, merged into the rules' `match` lists
/// (see [`merge_generated`]).  Without it, a rule naming git msgids is an
/// error (user rule files write their patterns out).  The third list holds
/// the generated table's staleness (warnings: the generator itself needs the
/// crate to build; its test fails on them).
pub fn check_file_with(
    text: &str,
    generated: Option<&str>,
) -> (Vec<CheckedRule>, Vec<SpecError>, Vec<SpecError>) {
    let mut file: RuleFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let line = e.span().map(|s| line_at(text, s.start));
            let rule = e.span().and_then(|s| rule_id_before(text, s.start));
            return (
                Vec::new(),
                vec![SpecError {
                    line,
                    rule,
                    message: e.message().trim().to_owned(),
                }],
                Vec::new(),
            );
        }
    };
    let mut good = Vec::new();
    let mut errors = Vec::new();
    let stale = match generated {
        Some(generated) => merge_generated(&mut file, generated),
        None => Vec::new(),
    };
    let mut seen = BTreeSet::new();
    for spanned in file.rules {
        let line = line_at(text, spanned.span().start);
        let spec = spanned.into_inner();
        if !seen.insert(spec.id.clone()) {
            errors.push(SpecError {
                line: Some(line),
                rule: Some(spec.id.clone()),
                message: "duplicate rule id in this file".into(),
            });
            continue;
        }
        if generated.is_none() && !spec.git.is_empty() {
            errors.push(SpecError {
                line: Some(line),
                rule: Some(spec.id.clone()),
                message: "`git` msgids are expanded for the built-in table only; \
                          write the patterns out in `match`"
                    .into(),
            });
            continue;
        }
        match check_rule(spec.clone(), line) {
            Ok(r) => good.push(r),
            Err(message) => errors.push(SpecError {
                line: Some(line),
                rule: Some(spec.id),
                message,
            }),
        }
    }
    (good, errors, stale)
}

/// The `id = "…"` of the rule a byte offset falls in, for errors serde reports
/// before a rule is whole.
fn rule_id_before(text: &str, offset: usize) -> Option<String> {
    let head = &text[..offset.min(text.len())];
    let start = head.rfind("[[rule]]")?;
    text[start..].lines().skip(1).find_map(|l| {
        let l = l.trim();
        let rest = l.strip_prefix("id")?.trim_start().strip_prefix('=')?.trim();
        Some(rest.trim_matches(|c| c == '"' || c == '\'').to_owned())
    })
}

/// Validates one rule (everything but cross-rule references).
pub fn check_rule(spec: RuleSpec, line: usize) -> Result<CheckedRule, String> {
    if !valid_id(&spec.id) {
        return Err(format!(
            "bad id {:?}: use lowercase words joined by `-`",
            spec.id
        ));
    }
    if spec.matchers.is_empty() && spec.stage.is_empty() {
        return Err("a rule needs at least one `match` pattern or `stage`".into());
    }
    for st in &spec.stage {
        if !valid_stage_selector(st) {
            return Err(format!(
                "unknown stage {st:?} (known: {}, http.ROLE.CODE with ROLE one of {} or *, CODE like 404, 5xx or *)",
                STAGE_KINDS.join(", "),
                STAGE_ROLES.join(", ")
            ));
        }
    }
    for t in [&spec.title, &spec.explain] {
        if t.en.trim().is_empty() || t.zh.trim().is_empty() {
            return Err("`title` and `explain` need both `en` and `zh`".into());
        }
    }
    let mut names: BTreeSet<String> = BUILTIN_VALUES.iter().map(|s| (*s).to_owned()).collect();
    if !spec.stage.is_empty() {
        // What the stage reader extracts besides host and url.
        names.extend(["addr", "status", "server", "proxy"].map(String::from));
    }
    let mut gates = Vec::new();
    let explicit: Vec<String> = spec.gate.iter().map(|g| gate_literal(g)).collect();
    if explicit.iter().any(|g| g.len() < MIN_GATE_LEN) {
        return Err(format!(
            "every `gate` literal needs at least {MIN_GATE_LEN} bytes"
        ));
    }
    for m in &spec.matchers {
        let p = m.re();
        names.extend(capture_names(p).map_err(|e| format!("pattern {p:?}: {e}"))?);
        for r in m.requires() {
            parse_regex(r)?;
        }
        let lits = required_literals(p)?;
        let g = match (lits, explicit.is_empty()) {
            (_, false) => explicit.clone(),
            (Some(l), true) => l,
            (None, true) => {
                return Err(format!(
                    "no literal of {MIN_GATE_LEN}+ bytes is required by pattern {p:?}; \
                     add a `gate = [\"…\"]` list of literals one of which every match contains"
                ));
            }
        };
        gates.push(g);
    }
    for p in spec.unless.iter().chain(&spec.requires) {
        parse_regex(p)?;
    }
    for p in &spec.extract {
        names.extend(capture_names(p).map_err(|e| format!("extract {p:?}: {e}"))?);
    }
    let sides: Vec<String> = if spec.on.is_empty() {
        DEFAULT_SIDES.iter().map(|s| (*s).to_owned()).collect()
    } else {
        for s in &spec.on {
            if !SIDES.contains(&s.as_str()) {
                return Err(format!(
                    "unknown side {s:?} in `on` (known: {})",
                    SIDES.join(", ")
                ));
            }
        }
        spec.on.clone()
    };
    let check_text = |what: &str, t: &str| -> Result<(), String> {
        for (name, _) in placeholders(t).map_err(|e| format!("{what}: {e}"))? {
            if !names.contains(&name) {
                return Err(format!(
                    "{what}: unknown placeholder `{{{name}}}` (not a capture of this rule nor one of: {})",
                    BUILTIN_VALUES.join(", ")
                ));
            }
        }
        Ok(())
    };
    check_text("title.en", &spec.title.en)?;
    check_text("title.zh", &spec.title.zh)?;
    check_text("explain.en", &spec.explain.en)?;
    check_text("explain.zh", &spec.explain.zh)?;
    let mut fix_when = Vec::new();
    for (i, f) in spec.fix.iter().enumerate() {
        check_text(&format!("fix {}", i + 1), &f.en)?;
        check_text(&format!("fix {}", i + 1), &f.zh)?;
        fix_when.push(match &f.when {
            Some(w) => parse_condition(w).map_err(|e| format!("fix {}: {e}", i + 1))?,
            None => Vec::new(),
        });
    }
    if spec.fix.is_empty() {
        return Err("a rule needs at least one `[[rule.fix]]` step".into());
    }
    let mut alt_when = Vec::new();
    for a in &spec.alternatives {
        if a.id == spec.id {
            return Err("a rule cannot be its own alternative".into());
        }
        alt_when.push(match &a.when {
            Some(w) => parse_condition(w).map_err(|e| format!("alternative {}: {e}", a.id))?,
            None => Vec::new(),
        });
    }
    for e in spec.examples.iter().chain(&spec.counters) {
        if e.source.trim().is_empty() {
            return Err("every example needs a `source` (a fixture path or a public URL)".into());
        }
        match e.expect.as_deref() {
            None | Some("first") | Some("match") => {}
            Some(other) => {
                return Err(format!(
                    "example expect = {other:?}: use \"first\" or \"match\""
                ));
            }
        }
    }
    let when = match &spec.when {
        Some(w) => parse_condition(w).map_err(|e| format!("when: {e}"))?,
        None => Vec::new(),
    };
    Ok(CheckedRule {
        spec,
        line,
        gates,
        sides,
        fix_when,
        alt_when,
        when,
    })
}

/// Cross-rule checks: alternatives and overrides name known IDs.
pub fn check_references(rules: &[CheckedRule], known: &dyn Fn(&str) -> bool) -> Vec<SpecError> {
    let mut errors = Vec::new();
    for r in rules {
        for id in r
            .spec
            .alternatives
            .iter()
            .map(|a| &a.id)
            .chain(&r.spec.overrides)
        {
            if !known(id) {
                errors.push(SpecError {
                    line: Some(r.line),
                    rule: Some(r.spec.id.clone()),
                    message: format!("refers to unknown rule id {id:?}"),
                });
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_of_plain_patterns() {
        let l = required_literals(r"Permission denied \(publickey").unwrap();
        // Cut to MAX_GATE_LEN: a prefix of a required literal is required too.
        assert_eq!(l, Some(vec!["permission denie".into()]));
        let l = required_literals(r"(?:404 Not Found|410 Gone)")
            .unwrap()
            .unwrap();
        assert_eq!(l, vec!["404 not found".to_string(), "410 gone".into()]);
    }

    #[test]
    fn literals_fall_back_to_suffixes() {
        let l = required_literals(r"\S+: Permission denied")
            .unwrap()
            .unwrap();
        assert_eq!(l, vec![": permission den".to_string()]);
    }

    #[test]
    fn no_literals_means_none() {
        assert_eq!(required_literals(r"\S+\s+\S+").unwrap(), None);
    }

    #[test]
    fn placeholders_parse() {
        let p = placeholders(
            "run `go env -w GOPRIVATE={goprivate_suggested}` for {host|the host} {{x}}",
        )
        .unwrap();
        assert_eq!(
            p,
            vec![
                ("goprivate_suggested".to_string(), None),
                ("host".into(), Some("the host".into()))
            ]
        );
        assert!(placeholders("a { b").is_err());
        assert!(placeholders("a } b").is_err());
    }

    #[test]
    fn conditions_parse() {
        assert_eq!(
            parse_condition("env-known & !goprivate-covers").unwrap(),
            vec![
                ("env-known".into(), false),
                ("goprivate-covers".into(), true)
            ]
        );
        assert!(parse_condition("nonsense").is_err());
    }

    #[test]
    fn bad_rule_is_located() {
        let text = "[[rule]]\nid = \"a\"\ntitle = { en = \"x\", zh = \"x\" }\nmatch = ['''(''']\nexplain = { en = \"x\", zh = \"x\" }\n[[rule.fix]]\nen = \"x\"\nzh = \"x\"\n";
        let (good, errs) = check_file(text);
        assert!(good.is_empty());
        assert_eq!(errs[0].line, Some(1));
        assert_eq!(errs[0].rule.as_deref(), Some("a"));
        assert!(errs[0].message.contains("bad regex"), "{}", errs[0]);
    }
}
