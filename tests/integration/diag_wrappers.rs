//! The diagnosis of a log survives the wrappers logs come in.
//!
//! Every public report in fixtures/real, dressed the way CI systems, build
//! tools and log viewers dress each line (a prefix per line, other line
//! ends, colour, a width at which the text was cut), must keep the first
//! diagnosis it has bare.  Each report gets one of the wrappers in turn
//! (every wrapper meets over a hundred reports; all of them on all reports
//! take two minutes in a debug build).  A rule that knows go's structure (a leading TAB,
//! `server response:`, git's block) only through the first bytes of a line
//! fails here; so does a prefix the normalizer does not take off.

use std::path::PathBuf;

use gotriage::diagnose::{Context, diagnose};
use gotriage::rules::RuleSet;

use crate::util::{fixture_body, fixture_files};

/// How a tool dresses a log: text around every line, or the whole text.
enum Dress {
    Around(&'static str, &'static str),
    Whole(fn(&str) -> String),
}

const WRAPPERS: &[(&str, Dress)] = &[
    ("CRLF line ends", Dress::Whole(|s| s.replace('\n', "\r\n"))),
    (
        "TABs as spaces",
        Dress::Whole(|s| s.replace('\t', "        ")),
    ),
    ("ANSI colour", Dress::Around("\x1b[31m", "\x1b[0m")),
    (
        "GitHub Actions raw log",
        Dress::Around("2024-05-01T12:34:56.1234567Z ", ""),
    ),
    (
        "gh run view --log",
        Dress::Around(
            "build\tRun go mod download\t2024-05-01T12:34:56.1234567Z ",
            "",
        ),
    ),
    (
        "Jenkins timestamper",
        Dress::Around("[2024-05-01T12:34:56.123Z] ", ""),
    ),
    ("BuildKit step", Dress::Around("#12 3.456 ", "")),
    ("BuildKit error summary", Dress::Around("12.34 ", "")),
    ("docker compose", Dress::Around("app-1  | ", "")),
    ("a source tag", Dress::Around("[builder] ", "")),
    ("Netlify deploy log", Dress::Around("9:40:43 AM: ", "")),
    (
        "Go's log package",
        Dress::Around("2023/12/29 06:27:44 ", ""),
    ),
    ("a Markdown quote", Dress::Around("> ", "")),
];

fn dress(how: &Dress, s: &str) -> String {
    match how {
        Dress::Around(pre, post) => s.lines().map(|l| format!("{pre}{l}{post}\n")).collect(),
        Dress::Whole(f) => f(s),
    }
}

/// Cut every line at `width` characters, as a terminal's copy does.
fn hard_wrap(s: &str, width: usize) -> String {
    let mut out = String::new();
    for l in s.lines() {
        let cs: Vec<char> = l.chars().collect();
        if cs.is_empty() {
            out.push('\n');
        }
        for chunk in cs.chunks(width) {
            out.extend(chunk);
            out.push('\n');
        }
    }
    out
}

/// Every report of fixtures/real (path, body without its header), sorted.
fn real_reports() -> Vec<(PathBuf, String)> {
    let files = fixture_files(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/real"));
    assert!(
        files.len() > 1000,
        "fixtures/real has {} reports",
        files.len()
    );
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let bare = String::from_utf8(fixture_body(&bytes).to_vec())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, bare)
        })
        .collect()
}

fn first_id(rules: &RuleSet, text: &str) -> Option<&'static str> {
    diagnose(text.as_bytes(), rules, &Context::offline())
        .first()
        .map(|d| d.rule.id)
}

#[test]
fn real_reports_keep_their_diagnosis_in_every_wrapper() {
    let rules = RuleSet::builtin();
    let mut changed = Vec::new();
    for (i, (p, bare)) in real_reports().iter().enumerate() {
        let (name, how) = &WRAPPERS[i % WRAPPERS.len()];
        let (want, got) = (first_id(&rules, bare), first_id(&rules, &dress(how, bare)));
        if got != want {
            changed.push(format!("{} in {name}: {want:?} -> {got:?}", p.display()));
        }
    }
    assert!(
        changed.is_empty(),
        "{} changed:\n{}",
        changed.len(),
        changed.join("\n")
    );
}

/// Hard wrapping loses words at the cut, so not every report can survive it;
/// most must (all reports, measured: 1,923 of 2,028 keep it at 100 columns,
/// 1,957 at 152), and a wrapped report must never gain a diagnosis it did
/// not have.  Every other report, at 100 and 152 columns in turn.
#[test]
fn hard_wrapped_reports_mostly_keep_their_diagnosis_and_never_gain_one() {
    let rules = RuleSet::builtin();
    let (mut kept, mut tried, mut gained) = (0, 0, Vec::new());
    for (i, (p, bare)) in real_reports()
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
    {
        let width = if i % 4 == 0 { 100 } else { 152 };
        tried += 1;
        let (want, got) = (
            first_id(&rules, bare),
            first_id(&rules, &hard_wrap(bare, width)),
        );
        if want == got {
            kept += 1;
        } else if want.is_none() {
            gained.push(format!("{} at {width}", p.display()));
        }
    }
    assert!(
        gained.is_empty(),
        "newly diagnosed when wrapped: {gained:?}"
    );
    assert!(
        kept * 100 >= tried * 93,
        "only {kept} of {tried} wrapped reports keep their diagnosis"
    );
}
