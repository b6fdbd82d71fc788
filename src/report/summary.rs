//! The GitHub Actions job summary: one Markdown section per distinct
//! diagnosis, appended to `$GITHUB_STEP_SUMMARY`.
//!
//! The runner gives every step its own summary file and shows them all on
//! the run's page.  A job that runs `go` in several steps (or `make -j` in
//! one) can hit the same cause many times; it is shown once per job.  The
//! key of a diagnosis is its ID and its redacted evidence line (a hash of
//! them), kept one a line in `$RUNNER_TEMP/gotriage-summary.seen` — the
//! runner empties `RUNNER_TEMP` at the start of every job — or, without
//! `RUNNER_TEMP`, found as a marker comment in the step's summary file.
//! Checking and appending happen under an exclusive `flock` on the state
//! file, so parallel go commands do not both write the same section.
//!
//! Active when `GITHUB_ACTIONS=true` and `GITHUB_STEP_SUMMARY` names a file,
//! unless `GOTRIAGE_SUMMARY=off`.

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::Shipment;
use crate::diagnose::{Diagnosis, Role};
use crate::i18n::Lang;
use crate::redact::redact_owned;

/// Most sections written in one job (the runner accepts 1 MiB per step).
pub const MAX_SECTIONS: usize = 20;
/// The state file's name under `RUNNER_TEMP`.
pub const STATE_FILE: &str = "gotriage-summary.seen";

/// Appends the sections not shown yet.  `Err` holds a warning line.
pub fn write(s: &Shipment<'_>) -> Result<(), String> {
    let Some(summary) = target(s) else {
        return Ok(());
    };
    let state = crate::config::var_os("RUNNER_TEMP").map(|t| PathBuf::from(t).join(STATE_FILE));
    append(&summary, state.as_deref(), s).map_err(|e| {
        format!(
            "gotriage: warning: cannot write the job summary to {}: {e}\n",
            summary.display()
        )
    })
}

/// `$GITHUB_STEP_SUMMARY` when a summary should be written.
fn target(s: &Shipment<'_>) -> Option<PathBuf> {
    let github = match s.env {
        Some(e) => e.get("GITHUB_ACTIONS") == Some("true"),
        None => crate::config::var("GITHUB_ACTIONS").as_deref() == Some("true"),
    };
    let off = crate::config::var(crate::config::vars::SUMMARY).is_some_and(|v| {
        matches!(
            v.to_ascii_lowercase().as_str(),
            "off" | "0" | "false" | "no"
        )
    });
    if !github || off {
        return None;
    }
    crate::config::var_os("GITHUB_STEP_SUMMARY").map(PathBuf::from)
}

/// The dedupe-and-append step, under a lock on `state` (or on the summary
/// file itself when there is no state file).
fn append(summary: &Path, state: Option<&Path>, s: &Shipment<'_>) -> std::io::Result<()> {
    let mut out = OpenOptions::new().append(true).create(true).open(summary)?;
    let mut seen_file = match state {
        Some(p) => Some(
            OpenOptions::new()
                .read(true)
                .append(true)
                .create(true)
                .open(p)?,
        ),
        None => None,
    };
    let _lock = Lock::exclusive(seen_file.as_ref().unwrap_or(&out))?;
    let seen = match seen_file.as_mut() {
        Some(f) => read_all(f)?,
        None => read_all(&mut File::open(summary)?)?,
    };
    let shown =
        seen.lines().filter(|l| l.starts_with(MARK)).count() + seen.matches(MARK_COMMENT).count();
    let mut text = String::new();
    let mut keys = String::new();
    let mut budget = MAX_SECTIONS.saturating_sub(shown);
    for (d, alts) in groups(s.diagnoses) {
        let key = key(d);
        if seen.contains(&key) || keys.contains(&key) {
            continue;
        }
        if budget == 0 {
            break;
        }
        budget -= 1;
        text.push_str(&section(d, &alts, s, &key));
        keys.push_str(&key);
        keys.push('\n');
    }
    if text.is_empty() {
        return Ok(());
    }
    // One write each: the runner reads the file only after the step.
    out.write_all(text.as_bytes())?;
    if let Some(f) = seen_file.as_mut() {
        f.write_all(keys.as_bytes())?;
    }
    Ok(())
}

fn read_all(f: &mut File) -> std::io::Result<String> {
    f.seek(SeekFrom::Start(0))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// An exclusive `flock`, released on drop (the descriptor outlives it).
#[cfg(unix)]
struct Lock(std::os::fd::RawFd);

#[cfg(unix)]
impl Lock {
    fn exclusive(f: &File) -> std::io::Result<Lock> {
        use std::os::fd::AsRawFd;
        let fd = f.as_raw_fd();
        // SAFETY: flock on an open descriptor we own; it stays open while locked.
        if unsafe { libc::flock(fd, libc::LOCK_EX) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Lock(fd))
    }
}

#[cfg(unix)]
impl Drop for Lock {
    fn drop(&mut self) {
        // SAFETY: unlocking the descriptor locked in `exclusive`, declared
        // before the guard and so still open when it drops.
        unsafe {
            libc::flock(self.0, libc::LOCK_UN);
        }
    }
}

/// Elsewhere (Windows runners) no lock: parallel go commands of one job
/// may then both write a section for the same diagnosis (docs/ci.md).
#[cfg(not(unix))]
struct Lock;

#[cfg(not(unix))]
impl Lock {
    fn exclusive(_: &File) -> std::io::Result<Lock> {
        Ok(Lock)
    }
}

/// Each primary with the alternatives that follow it.
fn groups(diagnoses: &[Diagnosis]) -> Vec<(&Diagnosis, Vec<&Diagnosis>)> {
    let mut out: Vec<(&Diagnosis, Vec<&Diagnosis>)> = Vec::new();
    for d in diagnoses {
        match (d.role, out.last_mut()) {
            (Role::Alternative, Some((_, alts))) => alts.push(d),
            _ => out.push((d, Vec::new())),
        }
    }
    out
}

/// What marks a key in the state file and in the summary.
const MARK: &str = "gotriage-";
const MARK_COMMENT: &str = "<!-- gotriage-";

/// `gotriage-<16 hex>`: FNV-1a of the ID and the redacted evidence (or the
/// module when there is no evidence line).
pub fn key(d: &Diagnosis) -> String {
    let what = match &d.evidence {
        Some(e) => redact_owned(e.trim()),
        None => d
            .facts
            .values
            .get("module")
            .map(|m| redact_owned(m))
            .unwrap_or_default(),
    };
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in d.rule.id.bytes().chain([0]).chain(what.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{MARK}{h:016x}")
}

/// One Markdown section.
fn section(d: &Diagnosis, alts: &[&Diagnosis], s: &Shipment<'_>, key: &str) -> String {
    let lang = s.lang;
    let l = Labels::of(lang);
    let mut out = String::new();
    let _ = writeln!(out, "<!-- {key} -->");
    let _ = writeln!(
        out,
        "### gotriage: `{}` — {}\n",
        d.rule.id,
        escape(&crate::render::title(d, lang))
    );
    let status = match s.failure.status.code() {
        Some(c) => format!("{} {c}", l.exit_status),
        None => l.killed.to_owned(),
    };
    let _ = writeln!(
        out,
        "**{}:** {} ({status})\n",
        l.command,
        code(&super::command_line(s.failure))
    );
    let v = &d.facts.values;
    if let Some(m) = v.get("module") {
        let m = match v.get("version") {
            Some(ver) => format!("{m} {ver}"),
            None => m.clone(),
        };
        let _ = writeln!(out, "- **{}:** {}", l.module, code(&redact_owned(&m)));
    }
    if let Some(h) = v.get("host") {
        let _ = writeln!(out, "- **{}:** {}", l.host, code(&redact_owned(h)));
    }
    if let Some(o) = v.get("origin_url") {
        let _ = writeln!(out, "- **{}:** {}", l.repository, code(&redact_owned(o)));
    }
    if let Some(ev) = &d.evidence {
        let at = match (d.probe, d.line) {
            (Some(cmd), _) => format!("{} {}", l.from_probe, code(cmd)),
            (None, Some(n)) => format!("{} {n}", l.stderr_line),
            (None, None) => String::new(),
        };
        let _ = writeln!(out, "- **{}** ({at}):\n", l.evidence);
        let ev = redact_owned(ev.trim_start());
        let fence = fence_for(&ev);
        let _ = writeln!(out, "  {fence}text\n  {ev}\n  {fence}");
    }
    let fixes = crate::render::fixes(d, lang);
    if !fixes.is_empty() {
        let _ = writeln!(out, "\n**{}**\n", l.fix);
        for (i, f) in fixes.iter().enumerate() {
            let _ = writeln!(out, "{}. {}", i + 1, escape_outside_code(f));
        }
    }
    if !alts.is_empty() {
        let _ = writeln!(out, "\n**{}**\n", l.alternatives);
        for a in alts {
            let _ = writeln!(
                out,
                "- `{}` — {}",
                a.rule.id,
                escape(&crate::render::title(a, lang))
            );
        }
    }
    let _ = writeln!(out, "\n{} `gotriage explain {}`\n", l.more, d.rule.id);
    out
}

struct Labels {
    command: &'static str,
    exit_status: &'static str,
    killed: &'static str,
    module: &'static str,
    host: &'static str,
    repository: &'static str,
    evidence: &'static str,
    stderr_line: &'static str,
    from_probe: &'static str,
    fix: &'static str,
    alternatives: &'static str,
    more: &'static str,
}

impl Labels {
    fn of(lang: Lang) -> Labels {
        match lang {
            Lang::En => Labels {
                command: "Command",
                exit_status: "exit status",
                killed: "killed by a signal",
                module: "module",
                host: "host",
                repository: "repository",
                evidence: "evidence",
                stderr_line: "go stderr, line",
                from_probe: "from",
                fix: "How to fix it",
                alternatives: "The same output can also mean",
                more: "More:",
            },
            Lang::Zh => Labels {
                command: "命令",
                exit_status: "退出状态",
                killed: "被信号终止",
                module: "模块",
                host: "主机",
                repository: "仓库",
                evidence: "证据",
                stderr_line: "go 标准错误输出，第",
                from_probe: "来自",
                fix: "解决方法",
                alternatives: "同样的输出也可能意味着",
                more: "详细说明：",
            },
        }
    }
}

/// A Markdown code span holding `s` literally, whatever backticks it has.
pub fn code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let longest = longest_run(&s, '`');
    let ticks = "`".repeat(longest + 1);
    if longest > 0 || s.starts_with(' ') || s.ends_with(' ') {
        format!("{ticks} {s} {ticks}")
    } else {
        format!("{ticks}{s}{ticks}")
    }
}

/// A fence longer than any backtick run in `s` (at least three).
fn fence_for(s: &str) -> String {
    "`".repeat((longest_run(s, '`') + 1).max(3))
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in s.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// Plain text made inert for Markdown: HTML and emphasis characters escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A fix step: its backtick spans are commands and stay code; the words
/// between them are escaped.
fn escape_outside_code(s: &str) -> String {
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                part.chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect()
            } else {
                escape(part)
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(code("go get x"), "`go get x`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("``x``"), "``` ``x`` ```");
    }

    #[test]
    fn escape_makes_html_and_emphasis_inert() {
        assert_eq!(escape("<b>*x*</b> a_b"), "&lt;b&gt;\\*x\\*&lt;/b&gt; a\\_b");
        assert_eq!(
            escape_outside_code("run `git config --global a.b <v>` then <see>"),
            "run `git config --global a.b <v>` then &lt;see&gt;"
        );
    }

    #[test]
    fn fences_outgrow_the_content() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
    }
}
