//! Rendering diagnoses: the rustc-style block, GitHub annotations, JSON, and
//! the long explanation of one ID.
//!
//! Everything that leaves here has passed [`crate::redact`].  Colour is
//! decided by the caller ([`color_for_stderr`] follows anstream: NO_COLOR,
//! CLICOLOR, CLICOLOR_FORCE, `--color`, and never when not a terminal unless
//! forced); text is built with anstyle codes and stripped when colour is off.
//!
//! Kept short on purpose: BuildKit clips long step logs, and the block comes
//! after go's (possibly long) output.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};

use crate::diagnose::{Diagnosis, Role};
use crate::i18n::Lang;
use crate::redact::redact_owned;
use crate::rules::Rule;

mod shell;
pub use shell::{shell_word, suggestion};

/// Version of the JSON contract (docs/json.md).
pub const JSON_VERSION: u32 = 1;
/// Most independent causes shown in text (JSON lists all).
const MAX_BLOCKS: usize = 3;
/// Most `help:` steps shown per block (JSON and `explain ID` list all).
const MAX_HELP: usize = 4;
/// Longest evidence line shown.
const MAX_EVIDENCE: usize = 200;

/// Where the diagnosed text came from (for the `-->` line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The shim's captured go stderr.
    Stderr,
    /// A saved log (`gotriage explain FILE`); `-` for standard input.
    File(String),
}

#[derive(Debug, Clone)]
pub struct Options {
    pub lang: Lang,
    pub color: bool,
    pub source: Source,
    /// Also print a `::error` workflow command (GitHub Actions).
    pub github_actions: bool,
}

/// Whether gotriage's stderr gets colour (anstream's rules).
pub fn color_for_stderr(_is_terminal: bool) -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
}

/// Whether stdout gets colour (anstream's rules).
pub fn color_for_stdout() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

const ERROR: Style = AnsiColor::Red.on_default().bold();
const HELP: Style = AnsiColor::Cyan.on_default().bold();
const NOTE: Style = AnsiColor::Green.on_default().bold();
const GUTTER: Style = AnsiColor::Blue.on_default().bold();
const BOLD: Style = Style::new().bold();

fn paint(s: &str, style: Style) -> String {
    format!("{style}{s}{style:#}")
}

/// Evidence as shown: redacted, leading indentation dropped, bounded.
fn evidence_line(raw: &str) -> String {
    let red = redact_owned(raw.trim_start());
    let mut s: String = red.chars().take(MAX_EVIDENCE).collect();
    if red.chars().count() > MAX_EVIDENCE {
        s.push('…');
    }
    s
}

/// The title of a diagnosis in a language (placeholders filled).
pub fn title(d: &Diagnosis, lang: Lang) -> String {
    d.facts.redacted().fill_lenient(d.rule.title.get(lang))
}

/// The fix steps that apply (conditions hold, every placeholder known).
/// Values are redacted before they are put in; the rule's own text is ours.
pub fn fixes(d: &Diagnosis, lang: Lang) -> Vec<String> {
    let facts = d.facts.redacted();
    d.rule
        .fix
        .iter()
        .filter(|f| facts.holds(f.when))
        .filter_map(|f| facts.fill(f.text.get(lang)))
        .collect()
}

/// The rustc-style text block(s), starting with a blank line.
pub fn text(diagnoses: &[Diagnosis], opts: &Options) -> String {
    let lang = opts.lang;
    let mut out = String::new();
    let mut blocks = 0;
    let mut i = 0;
    while i < diagnoses.len() {
        let d = &diagnoses[i];
        let alts: Vec<&Diagnosis> = diagnoses[i + 1..]
            .iter()
            .take_while(|a| a.role == Role::Alternative)
            .collect();
        i += 1 + alts.len();
        if blocks == MAX_BLOCKS {
            continue;
        }
        blocks += 1;
        out.push('\n');
        let _ = writeln!(
            out,
            "{} {}{}",
            paint("gotriage:", BOLD),
            paint(&format!("error[{}]", d.rule.id), ERROR),
            paint(&format!(": {}", title(d, lang)), BOLD)
        );
        if let Some(ev) = &d.evidence {
            let at = match (&d.probe, d.line, &opts.source) {
                (Some(cmd), _, _) => match lang {
                    Lang::En => format!("`{cmd}` (run by gotriage)"),
                    Lang::Zh => format!("`{cmd}`（由 gotriage 运行）"),
                },
                (None, Some(n), Source::Stderr) => match lang {
                    Lang::En => format!("go stderr, line {n}"),
                    Lang::Zh => format!("go 标准错误输出，第 {n} 行"),
                },
                (None, Some(n), Source::File(f)) => format!("{f}:{n}"),
                (None, None, _) => String::new(),
            };
            if !at.is_empty() {
                let _ = writeln!(out, "  {} {}", paint("-->", GUTTER), redact_owned(&at));
            }
            let _ = writeln!(out, "   {}     {}", paint("|", GUTTER), evidence_line(ev));
        }
        let facts = summary_facts(d, lang);
        if !facts.is_empty() {
            let _ = writeln!(out, "   {} {}", paint("=", GUTTER), facts);
        }
        for f in fixes(d, lang).into_iter().take(MAX_HELP) {
            let _ = writeln!(out, "{} {}", paint("help:", HELP), f);
        }
        for a in &alts {
            let label = match lang {
                Lang::En => "note: or",
                Lang::Zh => "note: 也可能是",
            };
            let _ = writeln!(
                out,
                "{} {}: {}",
                paint(label, NOTE),
                paint(&format!("error[{}]", a.rule.id), ERROR),
                title(a, lang)
            );
        }
        if !alts.is_empty() {
            let target = d
                .facts
                .values
                .get("module")
                .map(|m| suggestion(m))
                .unwrap_or_else(|| suggestion(""));
            let _ = match lang {
                Lang::En => writeln!(
                    out,
                    "{} to tell them apart, run `{}`",
                    paint("help:", HELP),
                    redact_owned(&target)
                ),
                Lang::Zh => writeln!(
                    out,
                    "{} 要区分它们，请运行 `{}`",
                    paint("help:", HELP),
                    redact_owned(&target)
                ),
            };
        }
        let _ = match lang {
            Lang::En => writeln!(
                out,
                "For more about this, run `gotriage explain {}`.",
                d.rule.id
            ),
            Lang::Zh => writeln!(out, "详细说明请运行 `gotriage explain {}`。", d.rule.id),
        };
    }
    if opts.github_actions
        && let Some(d) = diagnoses.first()
    {
        let _ = writeln!(
            out,
            "::error title={}::{}",
            escape_property(&format!("gotriage: {}", d.rule.id)),
            escape_data(&title(d, lang))
        );
    }
    if opts.color {
        out
    } else {
        anstream::adapter::strip_str(&out).to_string()
    }
}

/// `module: M V   host: H` (only what is known).
fn summary_facts(d: &Diagnosis, lang: Lang) -> String {
    let v = &d.facts.values;
    let mut parts = Vec::new();
    let (m_label, h_label, u_label) = match lang {
        Lang::En => ("module", "host", "repository"),
        Lang::Zh => ("模块", "主机", "仓库"),
    };
    if let Some(m) = v.get("module") {
        match v.get("version") {
            Some(ver) => parts.push(format!("{m_label}: {m} {ver}")),
            None => parts.push(format!("{m_label}: {m}")),
        }
    }
    if let Some(h) = v.get("host") {
        parts.push(format!("{h_label}: {h}"));
    }
    if let Some(o) = v.get("origin_url") {
        parts.push(format!("{u_label}: {o}"));
    }
    redact_owned(&parts.join("   "))
}

/// Workflow-command message data (actions/toolkit `escapeData`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow-command property values (actions/toolkit `escapeProperty`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The versioned JSON object (docs/json.md).
pub fn json(diagnoses: &[Diagnosis], lang: Lang) -> Value {
    let items: Vec<Value> = diagnoses
        .iter()
        .map(|d| {
            let v = &d.facts.values;
            let get = |k: &str| v.get(k).map(|s| Value::String(redact_owned(s)));
            json!({
                "id": d.rule.id,
                "title": title(d, lang),
                "confidence": d.confidence.as_str(),
                "role": match d.role { Role::Primary => "primary", Role::Alternative => "alternative" },
                "evidence": d.evidence.as_deref().map(|e| redact_owned(e.trim_start())),
                "line": d.line,
                "module": get("module"),
                "version": get("version"),
                "host": get("host"),
                "url": get("url").or_else(|| get("origin_url")),
                "fix": fixes(d, lang),
            })
        })
        .collect();
    json!({ "version": JSON_VERSION, "diagnoses": items })
}

/// The long explanation of one rule (`gotriage explain ID`).
pub fn explain_rule(rule: &Rule, lang: Lang, color: bool) -> String {
    let facts = crate::diagnose::context::Facts::default();
    let fill = |t: &str| facts.fill_lenient(t);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {}",
        paint(&format!("error[{}]", rule.id), ERROR),
        paint(&fill(rule.title.get(lang)), BOLD)
    );
    out.push('\n');
    let _ = writeln!(out, "{}", wrap(&fill(rule.explain.get(lang)), 78));
    out.push('\n');
    let heading = match lang {
        Lang::En => "How to fix it:",
        Lang::Zh => "解决方法：",
    };
    let _ = writeln!(out, "{}", paint(heading, BOLD));
    let mut n = 0;
    for f in rule.fix {
        // Generic wording: steps that need the failure's own values or the
        // environment are shown with their fallbacks; those without are skipped.
        if let Some(t) = facts.fill(f.text.get(lang)) {
            if f.when.iter().any(|(p, neg)| !neg && *p == "env-known") {
                continue;
            }
            n += 1;
            let _ = writeln!(out, "  {n}. {t}");
        }
    }
    if !rule.alternatives.is_empty() {
        out.push('\n');
        let label = match lang {
            Lang::En => "The same output can also mean:",
            Lang::Zh => "同样的输出也可能意味着：",
        };
        let _ = writeln!(out, "{}", paint(label, BOLD));
        for a in rule.alternatives {
            let _ = writeln!(out, "  - {}", a.id);
        }
    }
    if let Some(ex) = rule.examples.first() {
        out.push('\n');
        let label = match lang {
            Lang::En => "Example (from a real failure):",
            Lang::Zh => "示例（来自真实的失败输出）：",
        };
        let _ = writeln!(out, "{}", paint(label, BOLD));
        for l in ex.text.lines().take(8) {
            let _ = writeln!(out, "    {}", redact_owned(l));
        }
        let _ = writeln!(out, "    ({})", ex.source);
    }
    if color {
        out
    } else {
        anstream::adapter::strip_str(&out).to_string()
    }
}

/// Wraps text at `width` columns (by character; CJK text wraps anywhere).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut col = 0;
    for word in text.split(' ') {
        let w = word.chars().count();
        if col > 0 && col + 1 + w > width {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += w;
    }
    out
}
