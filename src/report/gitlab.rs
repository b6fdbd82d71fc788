//! GitLab CI: the diagnosis in a collapsible section of the job log.
//!
//! GitLab's runner log understands `\e[0Ksection_start:UNIX_TIME:NAME[collapsed=true]\r\e[0KHEADER`
//! … `\e[0Ksection_end:UNIX_TIME:NAME\r\e[0K` (docs.gitlab.com, "Custom
//! collapsible sections").  The header line stays visible when collapsed, so
//! it carries the first cause's ID and title; the block is one click away.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::diagnose::Diagnosis;
use crate::diagnose::goenv::GoEnv;
use crate::i18n::Lang;

/// True in a GitLab CI job (`GITLAB_CI=true`, set by the runner).
pub fn active(env: Option<&GoEnv>) -> bool {
    match env {
        Some(e) => e.get("GITLAB_CI") == Some("true"),
        None => crate::config::var("GITLAB_CI").as_deref() == Some("true"),
    }
}

/// `text` (the rendered block, starting with a blank line) inside a
/// collapsed section.  The section name is unique per process, so parallel
/// go commands in one job never close each other's sections.
pub fn section(text: &str, diagnoses: &[Diagnosis], lang: Lang) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let name = format!("gotriage_{}_{now}", std::process::id());
    section_at(text, diagnoses, lang, &name, now)
}

/// [`section`] with a fixed name and time (tests).
pub fn section_at(
    text: &str,
    diagnoses: &[Diagnosis],
    lang: Lang,
    name: &str,
    unix_time: u64,
) -> String {
    let header = match diagnoses.first() {
        Some(d) => format!(
            "gotriage: error[{}]: {}",
            d.rule.id,
            crate::render::title(d, lang)
        ),
        None => "gotriage".to_owned(),
    };
    // The header is one line in the log: no control characters from values.
    let header: String = header.chars().filter(|c| !c.is_control()).collect();
    let body = text.strip_prefix('\n').unwrap_or(text);
    let mut out = String::with_capacity(text.len() + 160);
    out.push('\n');
    out.push_str(&format!(
        "\x1b[0Ksection_start:{unix_time}:{name}[collapsed=true]\r\x1b[0K{header}\n"
    ));
    out.push_str(body);
    if !body.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!("\x1b[0Ksection_end:{unix_time}:{name}\r\x1b[0K\n"));
    out
}
