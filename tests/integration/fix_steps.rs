//! Every fix step, as it is rendered for every fixture, checked mechanically:
//! advice that is wrong for the stage or the host is worse than none.
//!
//! For each transcript in fixtures/{lab,diag,real}, every diagnosis (primary
//! and alternatives), in English and Chinese, each backticked command must:
//! - split as shell words (balanced quotes);
//! - carry no unfilled `{placeholder}`;
//! - not hand git a URL with a query string (`git ls-remote URL?go-get=1`
//!   cannot work: that URL is go's meta lookup, not a repository);
//! - use the GitHub CLI (`gh …`) only when the host is github.com;
//! - not fall back to the word HOST when the diagnosis knows the host.

use std::path::Path;

use gotriage::diagnose::{Context, Diagnosis, diagnose};
use gotriage::i18n::Lang;
use gotriage::render;
use gotriage::rules::RuleSet;

use crate::util::{fixture_body, fixture_files};

/// The backticked parts of a step.
fn commands(step: &str) -> Vec<&str> {
    step.split('`').skip(1).step_by(2).collect()
}

/// An unfilled `{name}` or `{name|fallback}` (not `%{http_code}`, which
/// is curl's own syntax).
fn unfilled_placeholder(cmd: &str) -> bool {
    cmd.match_indices('{').any(|(i, _)| {
        if cmd[..i].ends_with('%') {
            return false;
        }
        let rest = &cmd[i + 1..];
        let name_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_lowercase() || *b == b'_')
            .count();
        name_len > 0
            && (rest[name_len..].starts_with('}')
                || (rest[name_len..].starts_with('|') && rest.contains('}')))
    })
}

fn problems_of(d: &Diagnosis, lang: Lang) -> Vec<String> {
    let host = d.facts.values.get("host").map(String::as_str);
    let mut out = Vec::new();
    for step in render::fixes(d, lang) {
        for cmd in commands(&step) {
            let Some(words) = shlex::split(cmd) else {
                out.push(format!("does not split as shell words: `{cmd}`"));
                continue;
            };
            if unfilled_placeholder(cmd) {
                out.push(format!("unfilled placeholder: `{cmd}`"));
            }
            if words.first().map(String::as_str) == Some("git")
                && words.iter().any(|w| w.contains("://") && w.contains('?'))
            {
                out.push(format!("a URL with a query string handed to git: `{cmd}`"));
            }
            if words.first().map(String::as_str) == Some("gh") && host != Some("github.com") {
                out.push(format!("GitHub CLI for host {host:?}: `{cmd}`"));
            }
            if host.is_some()
                && words
                    .iter()
                    .any(|w| w.split(['@', ':', '/', '=']).any(|p| p == "HOST"))
            {
                out.push(format!(
                    "host {host:?} known but the step says HOST: `{cmd}`"
                ));
            }
        }
    }
    out
}

#[test]
fn fix_steps_are_right_for_every_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let paths = fixture_files(&root);
    assert!(
        paths.len() > 1000,
        "fixtures not found under {}",
        root.display()
    );
    let rules = RuleSet::builtin();
    let ctx = Context::offline();
    let mut problems = Vec::new();
    let mut checked = 0usize;
    for p in &paths {
        let bytes = std::fs::read(p).unwrap();
        for d in diagnose(fixture_body(&bytes), &rules, &ctx) {
            for lang in [Lang::En, Lang::Zh] {
                checked += render::fixes(&d, lang).len();
                for problem in problems_of(&d, lang) {
                    problems.push(format!(
                        "{} [{}]: {problem}",
                        p.strip_prefix(&root).unwrap_or(p).display(),
                        d.rule.id
                    ));
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(checked > 1000, "only {checked} fix steps were rendered");
    assert!(
        problems.is_empty(),
        "{} problem(s) in rendered fix steps:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_checks_catch_what_they_are_for() {
    // The checks themselves, on steps that break each of them.
    assert!(shlex::split("git ls-remote 'https://x").is_none());
    assert!(unfilled_placeholder("ssh -T git@{host}"));
    assert!(unfilled_placeholder("x {url|https://HOST}"));
    assert!(!unfilled_placeholder("curl -w '%{http_code}\\n' u"));
    assert_eq!(commands("a `b c` d `e`"), vec!["b c", "e"]);
}
