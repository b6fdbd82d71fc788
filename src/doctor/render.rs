//! Doctor's output: sections of one-line checks (`✓` ok, `!` warning,
//! `✗` problem, `–` skipped; `ok` / `warn` / `FAIL` / `skip` when the
//! locale is not UTF-8 or with `--ascii`), or one JSON object
//! (docs/doctor.md).  Every string passes [`crate::redact`] here, the one
//! place output is produced, so no check can leak a secret by forgetting.

use std::fmt::Write as _;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};

use super::model::{Check, Report, Section, Status};
use crate::i18n::Lang;
use crate::redact::redact_owned;

/// Version of the JSON shape (docs/doctor.md).
pub const JSON_VERSION: u32 = 1;
/// Fix lines shown per check in text (JSON has them all).
const MAX_FIXES: usize = 3;
/// Longest detail line shown in text.
const MAX_DETAIL: usize = 300;

#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    pub lang: Lang,
    pub color: bool,
    pub unicode: bool,
}

/// Whether the terminal's locale can show `✓ ✗ –`: the first of LC_ALL,
/// LC_CTYPE, LANG that is set names UTF-8.  NO_COLOR is about colour only
/// and does not switch to ASCII.
pub fn unicode_locale(get: impl Fn(&str) -> Option<String>) -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|n| get(n).filter(|v| !v.is_empty()))
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        })
}

fn mark(status: Status, unicode: bool) -> &'static str {
    match (status, unicode) {
        (Status::Ok, true) => "✓",
        (Status::Warn, true) => "!",
        (Status::Problem, true) => "✗",
        (Status::Skip, true) => "–",
        (Status::Ok, false) => "ok  ",
        (Status::Warn, false) => "warn",
        (Status::Problem, false) => "FAIL",
        (Status::Skip, false) => "skip",
    }
}

fn style(status: Status) -> Style {
    match status {
        Status::Ok => AnsiColor::Green.on_default().bold(),
        Status::Warn => AnsiColor::Yellow.on_default().bold(),
        Status::Problem => AnsiColor::Red.on_default().bold(),
        Status::Skip => Style::new().dimmed(),
    }
}

const HEADING: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const HELP: Style = AnsiColor::Cyan.on_default().bold();

fn paint(s: &str, st: Style) -> String {
    format!("{st}{s}{st:#}")
}

pub fn section_title(s: &Section, lang: Lang) -> String {
    match s {
        Section::Toolchain => t!(lang, report_toolchain),
        Section::GoEnv => t!(lang, report_go_env),
        Section::Git => "Git".to_owned(),
        Section::Credentials => t!(lang, report_credentials),
        Section::Ssh => "SSH".to_owned(),
        Section::Network => t!(lang, report_network),
        Section::Module(m) => t!(lang, report_module, m),
    }
}

fn bounded(s: &str) -> String {
    let r = redact_owned(s);
    if r.chars().count() <= MAX_DETAIL {
        return r;
    }
    let mut t: String = r.chars().take(MAX_DETAIL).collect();
    t.push('…');
    t
}

/// A fix step, redacted — except that the placeholders of our own texts
/// (`password TOKEN`) are not secrets: when nothing else in the line would
/// be redacted, it is shown as written.
fn redact_fix(f: &str) -> String {
    let without = f.replace("password TOKEN", "").replace("password 令牌", "");
    if crate::redact::redact(&without) == without.as_str() {
        f.to_owned()
    } else {
        redact_owned(f)
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// The text report.
pub fn text(report: &Report, o: TextOptions) -> String {
    let lang = o.lang;
    let mut out = String::new();
    let mut current: Option<&Section> = None;
    for c in &report.checks {
        if current != Some(&c.section) {
            if current.is_some() {
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "{}",
                paint(&redact_owned(&section_title(&c.section, lang)), HEADING)
            );
            current = Some(&c.section);
        }
        line(&mut out, c, o);
    }
    out.push('\n');
    if !report.network {
        let _ = writeln!(out, "{}", paint(&t!(lang, report_network_not_run), DIM));
    }
    let t = report.tally();
    let mut summary = t!(
        lang,
        report_tally,
        problem = t.problem,
        warn = t.warn,
        ok = t.ok,
        skip = t.skip
    );
    if let Some(d) = report.network_elapsed {
        summary.push_str(&t!(lang, report_network_elapsed, secs = secs(d)));
    }
    let st = if t.problem > 0 {
        style(Status::Problem)
    } else if t.warn > 0 {
        style(Status::Warn)
    } else {
        style(Status::Ok)
    };
    let _ = writeln!(out, "{}", paint(&summary, st));
    if o.color {
        out
    } else {
        anstream::adapter::strip_str(&out).to_string()
    }
}

fn line(out: &mut String, c: &Check, o: TextOptions) {
    let mut head = format!(
        "  {} {}",
        paint(mark(c.status, o.unicode), style(c.status)),
        redact_owned(&c.summary)
    );
    if let Some(id) = c.diagnosis
        && c.status != Status::Ok
    {
        head.push(' ');
        head.push_str(&paint(&format!("[{id}]"), style(c.status)));
    }
    if let Some(e) = c.elapsed.filter(|e| *e >= Duration::from_secs(1)) {
        head.push_str(&paint(&format!(" ({})", secs(e)), DIM));
    }
    let _ = writeln!(out, "{head}");
    for d in &c.detail {
        let _ = writeln!(out, "      {}", paint(&bounded(d), DIM));
    }
    if matches!(c.status, Status::Warn | Status::Problem) {
        for f in c.fix.iter().take(MAX_FIXES) {
            let _ = writeln!(out, "      {} {}", paint("help:", HELP), redact_fix(f));
        }
        if c.fix.len() > MAX_FIXES {
            let more = c.fix.len() - MAX_FIXES;
            let hint = match c.diagnosis {
                Some(id) => t!(o.lang, report_more_fixes_explain, more, id),
                None => t!(o.lang, report_more_fixes_json, more),
            };
            let _ = writeln!(out, "      {}", paint(&hint, DIM));
        }
    }
}

/// The JSON object (docs/doctor.md).
pub fn json(report: &Report, lang: Lang) -> Value {
    let t = report.tally();
    let checks: Vec<Value> = report
        .checks
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "section": c.section.key(),
                "module": match &c.section { Section::Module(m) => Some(redact_owned(m)), _ => None },
                "status": c.status.as_str(),
                "summary": redact_owned(&c.summary),
                "detail": c.detail.iter().map(|d| redact_owned(d)).collect::<Vec<_>>(),
                "diagnosis": c.diagnosis,
                "fix": c.fix.iter().map(|f| redact_fix(f)).collect::<Vec<_>>(),
                "elapsed_ms": c.elapsed.map(|e| u64::try_from(e.as_millis()).unwrap_or(u64::MAX)),
            })
        })
        .collect();
    json!({
        "version": JSON_VERSION,
        "gotriage": env!("CARGO_PKG_VERSION"),
        "lang": lang.code(),
        "network": report.network,
        "network_ms": report.network_elapsed.map(|e| u64::try_from(e.as_millis()).unwrap_or(u64::MAX)),
        "summary": { "ok": t.ok, "warn": t.warn, "problem": t.problem, "skip": t.skip },
        "exit": report.exit_status(),
        "checks": checks,
    })
}

/// The JSON written when doctor itself could not run (exit status 2).
pub fn json_error(message: &str) -> Value {
    json!({ "version": JSON_VERSION, "error": redact_owned(message), "exit": 2, "checks": [] })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            checks: vec![
                Section::Toolchain.ok("go.binary", "go: go1.27.3".into()),
                Section::Git.problem("git.insteadof-credential", "url https://x-access-token:ghp_0123456789abcdefghijABCDEFGHIJ012345@github.com/".into(),
                )
                .diagnosis("https-auth-rejected")
                .detail("token ghp_0123456789abcdefghijABCDEFGHIJ012345")
                .fix("a")
                .fix("b")
                .fix("c")
                .fix("d"),
            ],
            network: false,
            network_elapsed: None,
        }
    }

    #[test]
    fn text_is_redacted_and_marked() {
        let r = report();
        let t = text(
            &r,
            TextOptions {
                lang: Lang::En,
                color: false,
                unicode: true,
            },
        );
        assert!(!t.contains("ghp_0123"), "{t}");
        assert!(t.contains("ghp_***"), "{t}");
        assert!(t.contains("  ✓ go: go1.27.3"), "{t}");
        assert!(
            t.contains("✗ url https://x-access-token:***@github.com/ [https-auth-rejected]"),
            "{t}"
        );
        assert!(
            t.contains("help: c") && !t.contains("help: d") && t.contains("1 more"),
            "{t}"
        );
        assert!(
            t.contains("1 problem(s), 0 warning(s), 1 ok, 0 skipped"),
            "{t}"
        );
        let a = text(
            &r,
            TextOptions {
                lang: Lang::En,
                color: false,
                unicode: false,
            },
        );
        assert!(a.contains("  FAIL url") && a.contains("  ok   go:"), "{a}");
        assert!(a.is_ascii() || !a.contains('✓'));
        let c = text(
            &r,
            TextOptions {
                lang: Lang::En,
                color: true,
                unicode: true,
            },
        );
        assert!(c.contains("\u{1b}["));
    }

    #[test]
    fn json_shape() {
        let j = json(&report(), Lang::En);
        assert_eq!(j["version"], 1);
        assert_eq!(j["exit"], 1);
        assert_eq!(j["summary"]["problem"], 1);
        assert_eq!(j["checks"][1]["section"], "git");
        assert_eq!(j["checks"][1]["fix"].as_array().unwrap().len(), 4);
        assert!(!j.to_string().contains("ghp_0123"));
        assert_eq!(j["checks"][0]["diagnosis"], Value::Null);
    }

    #[test]
    fn placeholders_are_not_secrets() {
        let f = "a ~/.netrc entry `machine HOST login USER password TOKEN` (chmod 600 ~/.netrc)";
        assert_eq!(redact_fix(f), f);
        let leaky = "machine h login u password TOKEN and https://u:hunter2@h/";
        assert!(!redact_fix(leaky).contains("hunter2"));
    }

    #[test]
    fn locale_decides_unicode() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert!(unicode_locale(env(&[("LANG", "en_US.UTF-8")])));
        assert!(unicode_locale(env(&[("LC_ALL", "C.utf8"), ("LANG", "C")])));
        assert!(!unicode_locale(env(&[
            ("LC_ALL", "C"),
            ("LANG", "en_US.UTF-8")
        ])));
        assert!(!unicode_locale(env(&[])));
    }
}
