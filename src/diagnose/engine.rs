//! Matching rules against structured lines, and ranking what fits.
//!
//! Cost control (docs/design.md §1): compiling every rule's regexes costs
//! milliseconds, more than go itself takes for a trivial command.  So an
//! Aho-Corasick automaton over the literals each pattern requires (extracted
//! at build time) is built first, one pass over the text finds which
//! (rule, pattern, line) triples can possibly match, and only the regexes of
//! those rules are compiled, each once, and run only on those lines.
//!
//! Ranking: within one failure record the highest-priority rule that fits is
//! the diagnosis (a leaf cause such as an auth failure outranks go's generic
//! wrapper around it); a rule's declared alternatives follow it.  Records
//! with different causes each give a diagnosis; the same ID is reported
//! once; `overrides` removes IDs made redundant by a more specific one.

use std::cell::OnceCell;
use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::rc::Rc;

use super::context::{Facts, Values};
use super::normalize::Line;
use super::pattern::{Pattern, Patterns};
use super::structure::{Side, Structure};
use crate::rules::Rule;

/// How sure a diagnosis is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
}

/// Where a diagnosis stands in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The most likely cause of a failure record.
    Primary,
    /// A cause the same evidence cannot rule out (follows its primary).
    Alternative,
}

/// One named cause with its evidence.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    pub rule: &'static Rule,
    pub role: Role,
    pub confidence: Confidence,
    /// 1-based line in the input; `None` for probe evidence or alternatives.
    pub line: Option<usize>,
    /// The matched line (normalised, not yet redacted).
    pub evidence: Option<String>,
    /// Set when the evidence came from a probe gotriage ran (its command).
    pub probe: Option<&'static str>,
    pub facts: Facts,
}

/// One rule's patterns, each compiled on first use: a rule with twenty
/// patterns whose gate hit once compiles one of them.  Its `unless`,
/// `requires` and `extract` regexes are compiled (shared by pattern text)
/// only once a line holds every literal they need.
#[derive(Debug, Default)]
struct RuleCache {
    patterns: Vec<OnceCell<Option<Rc<Pattern>>>>,
}

/// The matcher for one rule set (built per diagnosis: on the failure path only).
#[derive(Debug)]
pub struct Engine<'r> {
    rules: &'r [&'static Rule],
    /// Every distinct gate literal (lowercase).
    literals: Vec<&'static str>,
    /// For each gate literal: the (rule, pattern) pairs it stands for.
    targets: Vec<Vec<(u32, u32)>>,
    cache: Vec<RuleCache>,
    compiled: Patterns,
}

/// The `pattern` of a hit that came from the stage reader, not a regex.
const STAGE_PATTERN: usize = usize::MAX;

/// A pattern that fitted a line.
#[derive(Debug, Clone)]
struct Hit {
    rule: usize,
    pattern: usize,
    line: usize,
    captures: Values,
}

impl<'r> Engine<'r> {
    pub fn new(rules: &'r [&'static Rule]) -> Engine<'r> {
        let mut literals: Vec<&'static str> = Vec::new();
        let mut targets: Vec<Vec<(u32, u32)>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        for (ri, rule) in rules.iter().enumerate() {
            for (pi, gate) in rule.gates.iter().enumerate() {
                for lit in gate.iter() {
                    let slot = *index.entry(*lit).or_insert_with(|| {
                        literals.push(lit);
                        targets.push(Vec::new());
                        literals.len() - 1
                    });
                    targets[slot].push((ri as u32, pi as u32));
                }
            }
        }
        Engine {
            rules,
            literals,
            targets,
            cache: rules
                .iter()
                .map(|r| RuleCache {
                    patterns: r.patterns.iter().map(|_| OnceCell::new()).collect(),
                })
                .collect(),
            compiled: Patterns::default(),
        }
    }

    fn pattern(&self, rule: usize, i: usize) -> Option<&Pattern> {
        self.cache[rule].patterns[i]
            .get_or_init(|| self.compiled.get(self.rules[rule].patterns[i]))
            .as_deref()
    }

    /// Whether regex `p` fits some line of `lines`; `None` if it does not
    /// compile.  Lines lacking a literal it needs are skipped unread, and
    /// when no line is left it is not even compiled.
    fn fits_any(&self, p: &'static str, lines: &[Line]) -> Option<bool> {
        let mut cands = lines
            .iter()
            .filter(|l| self.compiled.may_match(p, &l.text))
            .peekable();
        if cands.peek().is_none() {
            return Some(false);
        }
        let re = self.compiled.get(p)?;
        Some(cands.any(|l| self.compiled.is_match(&re, &l.text)))
    }

    /// How many regexes were compiled (for the benchmark's report).
    pub fn compiled_count(&self) -> usize {
        self.compiled.count()
    }

    /// Every (rule, line) where a pattern fits, with its captures.
    fn hits(&self, lines: &[Line], st: &Structure) -> Vec<Hit> {
        let mut text = String::with_capacity(lines.iter().map(|l| l.text.len() + 1).sum());
        let mut starts = Vec::with_capacity(lines.len());
        for l in lines {
            starts.push(text.len());
            text.push_str(&l.text);
            text.push('\n');
        }
        let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
        // ASCII lowercasing keeps every byte offset.
        text.make_ascii_lowercase();
        // The gate holds only literals the text can contain: one with a
        // character the text lacks (a language's letters, CJK) cannot
        // occur.  A third of the built-in literals are git's translations,
        // and the automaton's build time grows with its literals.
        let present: std::collections::HashSet<char> = if text.is_ascii() {
            Default::default()
        } else {
            text.chars().filter(|c| !c.is_ascii()).collect()
        };
        let keep: Vec<usize> = (0..self.literals.len())
            .filter(|&i| {
                self.literals[i]
                    .chars()
                    .all(|c| c.is_ascii() || present.contains(&c))
            })
            .collect();
        // Contiguous NFA: cheap to build (≈0.4 ms for ~400 literals of
        // ≤ 16 bytes) and fast enough to scan the ≤ 2 MiB we ever read.
        // Literals are lowercase and the text is lowercased before the
        // scan: ASCII case folding inside the automaton would triple its
        // build time.
        let Ok(gate) = AhoCorasick::builder()
            .ascii_case_insensitive(false)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(keep.iter().map(|&i| self.literals[i]))
        else {
            return Vec::new();
        };
        for m in gate.find_overlapping_iter(&text) {
            let line = starts.partition_point(|&s| s <= m.start()) - 1;
            for &(rule, pattern) in &self.targets[keep[m.pattern().as_usize()]] {
                candidates.push((line, rule as usize, pattern as usize));
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut hits: Vec<Hit> = Vec::new();
        // (rule, line) pairs already hit: the first fitting pattern counts.
        let mut seen: std::collections::HashSet<(usize, usize)> = Default::default();
        // A log repeats its lines (one error per importing package, a CI
        // retry): a pattern is run once per distinct line text.
        let mut memo: std::collections::HashMap<(usize, usize, &str), Option<Values>> =
            Default::default();
        for (line, rule, pattern) in candidates {
            if !self.rules[rule].sides.contains(st.sides[line].bit()) {
                continue;
            }
            let text = lines[line].text.as_str();
            if seen.contains(&(rule, line))
                || !self
                    .compiled
                    .may_match(self.rules[rule].patterns[pattern], text)
            {
                continue;
            }
            let found = match memo.get(&(rule, pattern, text)) {
                Some(found) => found.clone(),
                None => {
                    let Some(re) = self.pattern(rule, pattern) else {
                        continue;
                    };
                    let found = self.compiled.captures(re, text);
                    memo.insert((rule, pattern, text), found.clone());
                    found
                }
            };
            if let Some(captures) = found {
                seen.insert((rule, line));
                hits.push(Hit {
                    rule,
                    pattern,
                    line,
                    captures,
                });
            }
        }
        // Stage hits: go's error grammar names the stage whatever the words.
        for (line, stage) in st.stages.iter().enumerate() {
            let Some(stage) = stage else { continue };
            for (rule, r) in self.rules.iter().enumerate() {
                if !r.sides.contains(st.sides[line].bit())
                    || seen.contains(&(rule, line))
                    || !r
                        .stages
                        .iter()
                        .any(|sel| super::stage::selects(sel, &stage.tag))
                {
                    continue;
                }
                seen.insert((rule, line));
                hits.push(Hit {
                    rule,
                    pattern: STAGE_PATTERN,
                    line,
                    captures: stage.values.clone(),
                });
            }
        }
        hits.sort_by_key(|h| (h.line, h.rule));
        hits
    }

    /// Whether a pattern of `rule` fits any line (for `match`-only examples).
    pub fn any_pattern_fits(&self, rule: usize, lines: &[Line]) -> bool {
        (0..self.rules[rule].patterns.len()).any(|i| {
            let Some(re) = self.pattern(rule, i) else {
                return false;
            };
            lines.iter().any(|l| self.compiled.is_match(re, &l.text))
        })
    }

    /// The values of one hit: its record's structure, the rule's `extract`
    /// patterns over the record, the hit's captures, computed context.
    fn facts_for(
        &self,
        hit: &Hit,
        ri: usize,
        lines: &[Line],
        st: &Structure,
        base: &Facts,
        origin_of: &dyn Fn(&str) -> Option<String>,
    ) -> Facts {
        let rec = &st.records[ri];
        let mut facts = base.clone();
        let v = &mut facts.values;
        for (k, val) in [
            ("module", &rec.module),
            ("version", &rec.version),
            ("url", &rec.url),
            ("cache_dir", &rec.cache_dir),
            ("required_by", &rec.required_by),
        ] {
            if let Some(val) = val {
                v.insert(k.to_owned(), val.clone());
            }
        }
        if let Some(server) = rec.server {
            let name = match server {
                super::structure::Server::Proxy => "proxy",
                super::structure::Server::Sumdb => "sumdb",
                super::structure::Server::Meta => "meta",
                super::structure::Server::Other => "other",
            };
            v.insert("server".into(), name.into());
        }
        for &p in self.rules[hit.rule].extract {
            for l in &lines[rec.first..rec.end] {
                if !self.compiled.may_match(p, &l.text) {
                    continue;
                }
                let Some(re) = self.compiled.get(p) else {
                    break;
                };
                for (name, val) in self.compiled.captures(&re, &l.text).unwrap_or_default() {
                    v.entry(name).or_insert(val);
                }
            }
        }
        // What go's grammar says about the hit's line (which server
        // answered, the status), whichever pattern fitted it; else which
        // server answered anywhere in the record (a hit on its answer's body).
        if let Some(stage) = &st.stages[hit.line] {
            for (k, val) in &stage.values {
                v.entry(k.clone()).or_insert_with(|| val.clone());
            }
        }
        if !v.contains_key("server")
            && let Some(stage) = st.stages[rec.first..rec.end]
                .iter()
                .flatten()
                .find(|s| s.values.contains_key("server"))
        {
            for k in ["server", "status"] {
                if let Some(val) = stage.values.get(k) {
                    v.insert(k.into(), val.clone());
                }
            }
        }
        v.extend(hit.captures.clone());
        // The host git talked to is the one its own message names, even
        // when the hit's line does not (`remote: HTTP Basic: Access denied`
        // after `Authentication failed for 'https://gitlab.com/…'`).
        if !hit.captures.contains_key("host")
            && let Some(git_url) = &rec.git_url
            && let Some(h) = super::context::url_host(git_url)
        {
            v.insert("host".into(), h);
            v.entry("url".into()).or_insert_with(|| git_url.clone());
        }
        if let Some(dir) = v.get("cache_dir").cloned()
            && let Some(origin) = origin_of(&dir)
        {
            v.insert("origin_url".into(), origin);
        }
        facts.complete();
        facts
    }

    /// A low-confidence diagnosis from the structure of record `ri` when no
    /// rule fits it (`fallback`), with the alternatives it cannot rule out.
    fn by_structure(
        &self,
        lines: &[Line],
        st: &Structure,
        ri: usize,
        base: &Facts,
        origin_of: &dyn Fn(&str) -> Option<String>,
    ) -> Option<(Diagnosis, &'static [&'static str])> {
        let g = super::fallback::guess(lines, st, ri)?;
        let rule = self.rules.iter().position(|r| r.id == g.id)?;
        let hit = Hit {
            rule,
            pattern: 0,
            line: g.line,
            captures: g
                .values
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        };
        let facts = self.facts_for(&hit, ri, lines, st, base, origin_of);
        Some((
            Diagnosis {
                rule: self.rules[rule],
                role: Role::Primary,
                confidence: Confidence::Low,
                line: Some(lines[g.line].no),
                evidence: Some(lines[g.line].text.clone()),
                probe: None,
                facts,
            },
            g.alternatives,
        ))
    }

    /// Runs the rules over structured lines.
    pub(super) fn run(
        &self,
        lines: &[Line],
        st: &Structure,
        base: &Facts,
        origin_of: &dyn Fn(&str) -> Option<String>,
    ) -> Vec<Diagnosis> {
        let hits = self.hits(lines, st);
        // Per record: the hits that survive `unless` / `requires`.
        let mut per_record: Vec<Vec<Hit>> = vec![Vec::new(); st.records.len()];
        // `unless` and `requires` are the rule's, read over the whole record:
        // decided once per (rule, record), however many lines hit.
        let mut rule_fits: std::collections::HashMap<(usize, usize), bool> = Default::default();
        for hit in hits {
            let ri = st.record_of[hit.line];
            let rec = &st.records[ri];
            let rec_lines = &lines[rec.first..rec.end];
            let fits = |p: &&'static str| self.fits_any(p, rec_lines);
            let rule = self.rules[hit.rule];
            let rule_ok = *rule_fits.entry((hit.rule, ri)).or_insert_with(|| {
                rule.unless.iter().all(|p| fits(p) == Some(false))
                    && rule.requires.iter().all(|p| fits(p) == Some(true))
            });
            let pattern_requires: &[&'static str] = if hit.pattern == STAGE_PATTERN {
                &[]
            } else {
                rule.pattern_requires
                    .get(hit.pattern)
                    .copied()
                    .unwrap_or(&[])
            };
            if !rule_ok || !pattern_requires.iter().all(|p| fits(p) == Some(true)) {
                continue;
            }
            per_record[ri].push(hit);
        }
        let mut found: Vec<(Diagnosis, i32)> = Vec::new();
        // Alternatives of structure-only diagnoses (see `fallback`).
        let mut fallback_alts: Vec<(&str, &'static [&'static str])> = Vec::new();
        for (ri, mut cands) in per_record.into_iter().enumerate() {
            // Best first: priority, then the earliest line.
            cands.sort_by_key(|h| (std::cmp::Reverse(self.rules[h.rule].priority), h.line));
            // The first candidate whose `when` holds explains the record.
            let Some((hit, facts)) = cands.into_iter().find_map(|hit| {
                let facts = self.facts_for(&hit, ri, lines, st, base, origin_of);
                self.rules[hit.rule]
                    .when
                    .iter()
                    .all(|(p, neg)| facts.predicate(p) != *neg)
                    .then_some((hit, facts))
            }) else {
                // No rule fits: what the block's structure shows, if anything.
                if let Some(d) = self.by_structure(lines, st, ri, base, origin_of)
                    && !found.iter().any(|(f, _)| f.rule.id == d.0.rule.id)
                {
                    fallback_alts.push((d.0.rule.id, d.1));
                    found.push((d.0, i32::MIN));
                }
                continue;
            };
            let rule = self.rules[hit.rule];
            if let Some(at) = found.iter().position(|(d, _)| d.rule.id == rule.id) {
                if found[at].1 != i32::MIN {
                    continue;
                }
                // A rule's evidence replaces a structure-only guess.
                found.remove(at);
                fallback_alts.retain(|(id, _)| *id != rule.id);
            }
            let side = st.sides[hit.line];
            found.push((
                Diagnosis {
                    rule,
                    role: Role::Primary,
                    confidence: Confidence::High,
                    line: (side != Side::Probe).then_some(lines[hit.line].no),
                    evidence: Some(lines[hit.line].text.clone()),
                    probe: (side == Side::Probe).then_some(super::PROBE_COMMAND),
                    facts,
                },
                rule.priority,
            ));
        }
        let overridden: BTreeSet<&str> = found
            .iter()
            .flat_map(|(d, _)| d.rule.overrides.iter().copied())
            .collect();
        found.retain(|(d, _)| !overridden.contains(d.rule.id));
        // Most likely first: priority, then the earliest evidence.
        found.sort_by(|(a, pa), (b, pb)| pb.cmp(pa).then(a.line.cmp(&b.line)));
        let mut out = Vec::new();
        for (mut d, _) in found {
            let extra = fallback_alts
                .iter()
                .filter(|(id, _)| *id == d.rule.id)
                .flat_map(|(_, alts)| alts.iter().copied());
            let alts: Vec<&'static Rule> = d
                .rule
                .alternatives
                .iter()
                .filter(|a| d.facts.holds(a.when))
                .map(|a| a.id)
                .chain(extra)
                .filter_map(|id| self.rules.iter().copied().find(|r| r.id == id))
                .collect();
            if !alts.is_empty() && d.confidence > Confidence::Medium {
                d.confidence = Confidence::Medium;
            }
            // An alternative is about the module, not the primary's HTTP answer.
            let mut facts = d.facts.clone();
            if facts.values.get("url").is_some_and(|u| {
                u.contains("/@v/") || u.contains("/lookup/") || u.ends_with("/@latest")
            }) {
                facts.values.remove("url");
            }
            out.push(d);
            for rule in alts {
                if out.iter().any(|x: &Diagnosis| x.rule.id == rule.id) {
                    continue;
                }
                out.push(Diagnosis {
                    rule,
                    role: Role::Alternative,
                    confidence: Confidence::Low,
                    line: None,
                    evidence: None,
                    probe: None,
                    facts: facts.clone(),
                });
            }
        }
        out
    }
}
