//! Rule regexes, compiled cheaply on the failure path.
//!
//! `regex::Regex::new` costs about 40 µs a pattern (docs/design.md §1): it
//! builds a fresh Thompson compiler (whose UTF-8 state maps are allocated
//! anew each time), a forward and a reverse NFA, literal prefilters and a
//! one-pass DFA — machinery that pays off on megabytes of haystack, not on
//! the few short lines a rule's gate has already picked.  A dense failure
//! log fires a hundred patterns, so that was most of the time spent.
//!
//! Here every pattern is parsed with one reused parser, compiled into a
//! forward NFA with one reused compiler, and searched with a bounded
//! backtracker sharing one cache: about a third of the cost, same syntax
//! and the same leftmost-first semantics as `regex::Regex` (the crate's own
//! engines, only fewer of them).  A line too long for the backtracker's
//! visited set (over a few KiB) is searched with a full `regex::Regex`,
//! compiled for that pattern only when such a line occurs.  A pattern
//! that is plain text (no metacharacter: a third of the built-in ones) is
//! not compiled at all: it matches where the text occurs.

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use regex_automata::nfa::thompson::{self, backtrack};
use regex_automata::util::captures::Captures;
use regex_automata::{Input, PatternID};

use super::context::Values;

/// One compiled pattern.
#[derive(Debug)]
pub(super) struct Pattern {
    source: &'static str,
    /// `None` for plain text, searched as such.
    bt: Option<backtrack::BoundedBacktracker>,
    /// Its named groups: (group index, name).
    names: Vec<(usize, String)>,
    /// For haystacks longer than the backtracker takes.
    full: OnceCell<Option<regex::Regex>>,
}

impl Pattern {
    fn full(&self) -> Option<&regex::Regex> {
        self.full
            .get_or_init(|| regex::Regex::new(self.source).ok())
            .as_ref()
    }

    fn fits_backtracker(&self, hay: &str) -> bool {
        self.bt
            .as_ref()
            .is_none_or(|bt| hay.len() <= bt.max_haystack_len())
    }
}

/// Compiles patterns once each and searches with them.
#[derive(Debug)]
pub(super) struct Patterns {
    parser: RefCell<regex_syntax::Parser>,
    compiler: thompson::Compiler,
    cache: RefCell<Option<backtrack::Cache>>,
    compiled: RefCell<HashMap<&'static str, Option<Rc<Pattern>>>>,
    /// Mandatory literals by pattern address (built-in ones from the build).
    musts: RefCell<HashMap<usize, Rc<[Cow<'static, str>]>>>,
}

impl Default for Patterns {
    fn default() -> Patterns {
        Patterns {
            // The syntax `regex::Regex::new` uses: Unicode on, UTF-8 only.
            parser: RefCell::new(regex_syntax::Parser::new()),
            compiler: thompson::Compiler::new(),
            cache: RefCell::new(None),
            compiled: RefCell::default(),
            musts: RefCell::default(),
        }
    }
}

impl Patterns {
    /// The compiled pattern; `None` if it does not compile (user rules are
    /// validated when loaded, so this only guards against a size limit).
    pub(super) fn get(&self, p: &'static str) -> Option<Rc<Pattern>> {
        if let Some(c) = self.compiled.borrow().get(p) {
            return c.clone();
        }
        let c = self.compile(p).map(Rc::new);
        self.compiled.borrow_mut().insert(p, c.clone());
        c
    }

    /// False when `hay` lacks a literal every match of `p` contains: then
    /// `p` cannot match there and need not be compiled for it.
    pub(super) fn may_match(&self, p: &'static str, hay: &str) -> bool {
        let lits = self.musts(p);
        lits.iter().all(|l| hay.contains(l.as_ref()))
    }

    /// `p`'s mandatory literals, looked up (or computed) once per pattern;
    /// keyed by address, as every pattern is a `&'static str`.
    fn musts(&self, p: &'static str) -> Rc<[Cow<'static, str>]> {
        self.musts
            .borrow_mut()
            .entry(p.as_ptr() as usize)
            .or_insert_with(|| match crate::rules::builtin_mandatory_literals(p) {
                Some(lits) => lits.iter().map(|l| Cow::Borrowed(*l)).collect(),
                None => crate::rules::spec::mandatory_literals(p)
                    .unwrap_or_default()
                    .into_iter()
                    .map(Cow::Owned)
                    .collect(),
            })
            .clone()
    }

    /// How many distinct patterns were compiled.
    pub(super) fn count(&self) -> usize {
        self.compiled.borrow().len()
    }

    fn compile(&self, source: &'static str) -> Option<Pattern> {
        if !source.chars().any(regex_syntax::is_meta_character) {
            return Some(Pattern {
                source,
                bt: None,
                names: Vec::new(),
                full: OnceCell::new(),
            });
        }
        let hir = self.parser.borrow_mut().parse(source).ok()?;
        let nfa = self.compiler.build_from_hir(&hir).ok()?;
        let names = nfa
            .group_info()
            .pattern_names(PatternID::ZERO)
            .enumerate()
            .filter_map(|(i, n)| n.map(|n| (i, n.to_owned())))
            .collect();
        // No prefilter for the backtracker: building one (Teddy for several
        // literals) costs more than it saves on a few short lines.
        let bt = backtrack::Builder::new().build_from_nfa(nfa).ok()?;
        Some(Pattern {
            source,
            bt: Some(bt),
            names,
            full: OnceCell::new(),
        })
    }

    /// Runs the backtracker with the shared cache.
    fn search(
        &self,
        bt: &backtrack::BoundedBacktracker,
        input: &Input<'_>,
        caps: &mut Captures,
    ) -> bool {
        let mut slot = self.cache.borrow_mut();
        let cache = match slot.as_mut() {
            Some(c) => {
                c.reset(bt);
                c
            }
            None => slot.insert(bt.create_cache()),
        };
        // Cannot fail: the haystack fits (checked by the callers).
        bt.try_search(cache, input, caps).is_ok() && caps.is_match()
    }

    /// Whether `p` matches somewhere in `hay`.
    pub(super) fn is_match(&self, p: &Pattern, hay: &str) -> bool {
        let Some(bt) = &p.bt else {
            return hay.contains(p.source);
        };
        if !p.fits_backtracker(hay) {
            return p.full().is_some_and(|re| re.is_match(hay));
        }
        let mut caps = Captures::matches(bt.get_nfa().group_info().clone());
        self.search(bt, &Input::new(hay).earliest(true), &mut caps)
    }

    /// The named groups of `p`'s leftmost-first match in `hay` (`None`
    /// when it does not match; groups that did not take part are absent).
    pub(super) fn captures(&self, p: &Pattern, hay: &str) -> Option<Values> {
        let mut out = Values::new();
        let Some(bt) = &p.bt else {
            return hay.contains(p.source).then_some(out);
        };
        if !p.fits_backtracker(hay) {
            let re = p.full()?;
            let caps = re.captures(hay)?;
            for name in re.capture_names().flatten() {
                if let Some(m) = caps.name(name) {
                    out.insert(name.to_owned(), m.as_str().to_owned());
                }
            }
            return Some(out);
        }
        let mut caps = bt.create_captures();
        if !self.search(bt, &Input::new(hay), &mut caps) {
            return None;
        }
        for (i, name) in &p.names {
            if let Some(span) = caps.get_group(*i) {
                out.insert(name.clone(), hay[span.range()].to_owned());
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same answers as `regex::Regex` on the built-in rules' own
    /// examples, for every pattern of every rule, including a haystack too
    /// long for the backtracker.
    #[test]
    fn agrees_with_the_regex_crate() {
        let ps = Patterns::default();
        let mut checked = 0;
        for rule in crate::rules::builtin() {
            let lines: Vec<&str> = rule
                .examples
                .iter()
                .chain(rule.counters)
                .flat_map(|e| e.text.lines())
                .collect();
            let sources = rule
                .patterns
                .iter()
                .chain(rule.unless)
                .chain(rule.requires)
                .chain(rule.extract)
                .chain(rule.pattern_requires.iter().flat_map(|r| r.iter()));
            for src in sources {
                let p = ps.get(src).expect("compiles");
                let re = regex::Regex::new(src).expect("compiles");
                for line in &lines {
                    assert_eq!(ps.is_match(&p, line), re.is_match(line), "{src} on {line}");
                    // The literal pre-check never rejects a line that matches.
                    assert!(
                        ps.may_match(src, line) || !re.is_match(line),
                        "{src}: mandatory literals {:?} reject {line}",
                        crate::rules::builtin_mandatory_literals(src)
                    );
                    let want = re.captures(line).map(|c| {
                        re.capture_names()
                            .flatten()
                            .filter_map(|n| Some((n.to_owned(), c.name(n)?.as_str().to_owned())))
                            .collect::<Values>()
                    });
                    assert_eq!(ps.captures(&p, line), want, "{src} on {line}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "only {checked} comparisons");
        // A line longer than any backtracker takes: the full engine.
        let src = r"Permission denied \((?P<what>[a-z]+)\)";
        let p = ps.get(src).unwrap();
        let long = format!("{}Permission denied (publickey)", "x".repeat(1 << 20));
        assert!(!p.fits_backtracker(&long));
        assert_eq!(
            ps.captures(&p, &long).and_then(|v| v.get("what").cloned()),
            Some("publickey".to_owned())
        );
        assert!(!ps.is_match(&p, &long[..1 << 20]));
    }
}
