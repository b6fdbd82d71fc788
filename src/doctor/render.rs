//! Doctor's output: sections of `✓ ! ✗ –` lines (ASCII `ok warn FAIL skip`
//! when the locale's character set is not UTF-8), and the versioned JSON
//! object of docs/doctor.md.  Checks are redacted when built
//! ([`super::model`]): the only way text gets into a report.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};

use super::model::{Check, Report, Section, Status};
use crate::i18n::Lang;

/// Version of the JSON shape (docs/doctor.md).
pub const JSON_VERSION: u32 = 1;

/// Whether the terminal's character set is UTF-8: the first of `LC_ALL`,
/// `LC_CTYPE`, `LANG` that is set decides, as for any C program; unset
/// means the POSIX locale (ASCII).
pub fn utf8_locale(get: impl Fn(&str) -> Option<String>) -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| get(k).filter(|v| !v.is_empty()))
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        })
}

fn style(status: Status) -> Style {
    match status {
        Status::Ok => AnsiColor::Green.on_default().bold(),
        Status::Warn => AnsiColor::Yellow.on_default().bold(),
        Status::Fail => AnsiColor::Red.on_default().bold(),
        Status::Skip => Style::new().dimmed(),
    }
}

fn heading(section: &Section, lang: Lang) -> String {
    let (en, zh) = match section {
        Section::Toolchain => ("Toolchain", "工具链"),
        Section::GoEnv => ("Go settings", "Go 设置"),
        Section::Git => ("Git", "Git"),
        Section::Credentials => ("Credentials (netrc, SSH)", "凭据（netrc、SSH）"),
        Section::Network => (
            "Network settings (proxies, CA certificates)",
            "网络设置（代理、CA 证书）",
        ),
        Section::Reachability => ("Reachability", "连通性"),
        Section::Module(m) => {
            return match lang {
                Lang::En => format!("Module {m}"),
                Lang::Zh => format!("模块 {m}"),
            };
        }
    };
    match lang {
        Lang::En => en.to_owned(),
        Lang::Zh => zh.to_owned(),
    }
}

/// The text report.
pub fn text(report: &Report, lang: Lang, ascii: bool, color: bool, network: bool) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let mut current: Option<&Section> = None;
    for c in report.sorted() {
        if current != Some(&c.section) {
            if current.is_some() {
                out.push('\n');
            }
            let _ = writeln!(out, "{bold}{}{bold:#}", heading(&c.section, lang));
            current = Some(&c.section);
        }
        line(&mut out, c, lang, ascii);
    }
    out.push('\n');
    let (fail, warn) = (report.count(Status::Fail), report.count(Status::Warn));
    let summary = match lang {
        Lang::En => match (fail, warn) {
            (0, 0) => "No problems found.".to_owned(),
            (0, w) => format!(
                "No problems found ({w} warning{}).",
                if w == 1 { "" } else { "s" }
            ),
            (f, w) => format!(
                "{f} problem{} found, {w} warning{}.",
                if f == 1 { "" } else { "s" },
                if w == 1 { "" } else { "s" }
            ),
        },
        Lang::Zh => match (fail, warn) {
            (0, 0) => "没有发现问题。".to_owned(),
            (0, w) => format!("没有发现问题（{w} 个提醒）。"),
            (f, w) => format!("发现 {f} 个问题，{w} 个提醒。"),
        },
    };
    let _ = writeln!(out, "{bold}{summary}{bold:#}");
    if !network {
        let _ = writeln!(
            out,
            "{}",
            match lang {
                Lang::En =>
                    "Network probes were not run: add --network, or name a module (`gotriage doctor MODULE`).",
                Lang::Zh =>
                    "没有运行网络探测：加上 --network，或指定模块（`gotriage doctor MODULE`）。",
            }
        );
    }
    if color {
        out
    } else {
        anstream::adapter::strip_str(&out).to_string()
    }
}

fn line(out: &mut String, c: &Check, lang: Lang, ascii: bool) {
    let st = style(c.status);
    let id = c.diagnosis.map(|d| format!(" [{d}]")).unwrap_or_default();
    let _ = writeln!(
        out,
        "  {st}{}{st:#} {}{id}",
        c.status.symbol(ascii),
        c.summary
    );
    let pad = if ascii { "       " } else { "    " };
    for d in &c.detail {
        let _ = writeln!(out, "{pad}{d}");
    }
    let label = match lang {
        Lang::En => "fix:",
        Lang::Zh => "修复：",
    };
    for f in &c.fix {
        let h = AnsiColor::Cyan.on_default().bold();
        let _ = writeln!(out, "{pad}{h}{label}{h:#} {f}");
    }
}

/// The JSON object (one per run, on stdout).
pub fn json(report: &Report, network: bool) -> Value {
    let checks: Vec<Value> = report
        .sorted()
        .into_iter()
        .map(|c| {
            json!({
                "id": c.id,
                "section": c.section.key(),
                "status": c.status,
                "summary": c.summary,
                "detail": c.detail,
                "diagnosis": c.diagnosis,
                "fix": c.fix,
            })
        })
        .collect();
    json!({
        "version": JSON_VERSION,
        "network": network,
        "summary": {
            "ok": report.count(Status::Ok),
            "warnings": report.count(Status::Warn),
            "problems": report.count(Status::Fail),
            "skipped": report.count(Status::Skip),
        },
        "elapsed_ms": report.elapsed_ms,
        "exit": report.exit_code(),
        "checks": checks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_decides_the_symbols() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert!(utf8_locale(env(&[("LANG", "en_US.UTF-8")])));
        assert!(utf8_locale(env(&[("LC_ALL", "zh_CN.utf8"), ("LANG", "C")])));
        assert!(!utf8_locale(env(&[
            ("LC_ALL", "C"),
            ("LANG", "en_US.UTF-8")
        ])));
        assert!(!utf8_locale(env(&[])));
    }

    #[test]
    fn text_lines_carry_ids_fixes_and_no_secrets() {
        let report = Report {
            checks: vec![
                Check::new("a", Section::Git, Status::Warn, "insteadOf: https://github.com/ → https://ghp_0123456789abcdefghijABCDEFGHIJ0123@github.com/")
                    .with_fix("use a helper"),
                Check::new("b", Section::Toolchain, Status::Fail, "git: not found").with_diagnosis("git-not-found"),
            ],
            elapsed_ms: 1,
        };
        let t = text(&report, Lang::En, false, false, false);
        assert!(
            t.find("Toolchain").unwrap() < t.find("Git\n").unwrap(),
            "{t}"
        );
        assert!(t.contains("  ✗ git: not found [git-not-found]"), "{t}");
        assert!(t.contains("    fix: use a helper"), "{t}");
        assert!(!t.contains("0123456789abcdef"), "{t}");
        assert!(t.contains("1 problem found, 1 warning."), "{t}");
        let a = text(&report, Lang::En, true, false, false);
        assert!(a.contains("  FAIL git: not found"), "{a}");
        let j = json(&report, false);
        assert_eq!(j["exit"], 1);
        assert_eq!(j["checks"][0]["status"], "fail");
        assert_eq!(j["checks"][1]["section"], "git");
    }
}
