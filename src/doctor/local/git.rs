//! git's configuration as go's fetches see it: insteadOf rewrites (and any
//! token written into one), credential helpers, safe.directory, TLS
//! verification, extra headers and the ssh command.

use std::path::{Path, PathBuf};

use crate::doctor::ALL;
use crate::doctor::gitcfg::{self, Rewrite};
use crate::doctor::machine::Machine;
use crate::doctor::model::{Check, Section};
use crate::doctor::scope::Scope;
use crate::redact::redact_owned;
use crate::render::shell_word;

pub(super) fn checks(m: &Machine, s: &Scope) -> Vec<Check> {
    if m.git.path.is_none() {
        return Vec::new();
    }
    let lang = s.lang;
    if let Err(e) = &m.git.config {
        let path = e
            .split_once(" in file ")
            .map(|(_, p)| p.trim().to_owned())
            .or_else(|| {
                e.split_once("unable to access '")
                    .and_then(|(_, r)| r.split_once('\''))
                    .map(|(p, _)| p.to_owned())
            })
            .unwrap_or_default();
        return vec![
            Section::Git
                .problem("git.config", t!(lang, git_config_unreadable))
                .details(e.lines().map(redact_owned))
                .diagnosis("git-config-invalid")
                .fixes(s.fixes("git-config-invalid", &[("path", &path)], ALL)),
        ];
    }
    let mut out = rewrites(m, s);
    out.push(helpers(m, s));
    out.extend(extraheaders(m, s));
    out.extend(sslverify(m, s));
    out.extend(safe_directory(m, s));
    out.extend(ssh_command(m, s));
    out
}

fn origin(m: &Machine, o: &str) -> String {
    match o.strip_prefix("file:") {
        Some(f) => super::tilde(m, Path::new(f)),
        None => o.trim_end_matches(':').to_owned(),
    }
}

fn rewrites(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    let rules = m.git.rewrites();
    if rules.is_empty() {
        return vec![Section::Git.ok("git.insteadof", t!(lang, git_insteadof_none))];
    }
    let mut out = Vec::new();
    let (bad, good): (Vec<&Rewrite>, Vec<&Rewrite>) =
        rules.iter().partition(|r| r.has_credential());
    if !good.is_empty() {
        out.push(
            Section::Git
                .ok(
                    "git.insteadof",
                    t!(lang, git_insteadof_count, count = good.len()),
                )
                .details(good.iter().map(|r| {
                    format!(
                        "url.\"{}\".insteadOf \"{}\" ({})",
                        r.base,
                        r.prefix,
                        origin(m, &r.origin)
                    )
                })),
        );
    }
    for r in bad {
        let host = crate::diagnose::context::url_host(&r.base).unwrap_or_else(|| "HOST".to_owned());
        let file = origin(m, &r.origin);
        let section = format!("[url \"{}\"]", redact_owned(&r.base));
        let edit = match r.origin.strip_prefix("file:") {
            Some(f) => format!("git config --file {} --edit", shell_word(f)),
            None => "git config --global --edit".to_owned(),
        };
        let mut c = Section::Git
            .warn(
                "git.insteadof-credential",
                t!(lang, git_insteadof_credential, file = origin(m, &r.origin)),
            )
            .detail(format!("url.\"{}\".insteadOf \"{}\"", r.base, r.prefix))
            .detail(t!(lang, git_insteadof_credential_why))
            .fix(t!(
                lang,
                git_insteadof_credential_delete,
                section,
                file,
                edit
            ));
        c = if host == "github.com" {
            c.fix(t!(lang, git_insteadof_credential_use_gh))
        } else {
            c.fix(t!(lang, git_insteadof_credential_use_netrc, host))
        };
        c = c.fix(t!(lang, git_insteadof_credential_revoke));
        out.push(c);
    }
    out
}

fn helpers(m: &Machine, s: &Scope) -> Check {
    let lang = s.lang;
    let helpers = gitcfg::credential_helpers(m.git.entries());
    if helpers.is_empty() {
        let mut c = Section::Git.ok("git.credential-helper", t!(lang, git_helper_none));
        if m.var("GIT_ASKPASS").is_some() {
            c = c.detail(t!(lang, git_helper_askpass));
        }
        return c;
    }
    let mut c = Section::Git
        .ok(
            "git.credential-helper",
            t!(
                lang,
                git_helper_list,
                helpers = helpers
                    .iter()
                    .map(|(_, h)| h.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .details(
            helpers
                .iter()
                .filter(|(s, _)| !s.is_empty())
                .map(|(s, h)| format!("{h} ({s})")),
        );
    if helpers
        .iter()
        .any(|(_, h)| h == "store" || h.starts_with("store "))
    {
        let file = store_file(m);
        let open = crate::doctor::netrc::file_mode(&file).is_some_and(|m| m & 0o077 != 0);
        if open {
            return Section::Git
                .warn(
                    "git.credential-helper",
                    t!(lang, git_helper_store_open, file = super::tilde(m, &file)),
                )
                .fix(format!("chmod 600 {}", shell_word(&super::tilde(m, &file))));
        }
        c = c.detail(t!(lang, git_helper_store, file = super::tilde(m, &file)));
    }
    c
}

fn store_file(m: &Machine) -> PathBuf {
    m.var("HOME").map_or_else(
        || PathBuf::from(".git-credentials"),
        |h| Path::new(h).join(".git-credentials"),
    )
}

/// `http.<url>.extraHeader = Authorization: …` written into a file: a token
/// in plain text (in CI it belongs in `GIT_CONFIG_*` variables).
fn extraheaders(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    m.git
        .entries()
        .iter()
        .filter(|e| e.key.starts_with("http.") && e.key.ends_with(".extraheader"))
        .filter(|e| e.file().is_some())
        .filter(|e| {
            let v = e.value.as_deref().unwrap_or("").to_ascii_lowercase();
            v.starts_with("authorization")
                || v.starts_with("private-token")
                || v.starts_with("proxy-authorization")
        })
        .map(|e| {
            Section::Git
                .warn(
                    "git.extraheader",
                    t!(
                        lang,
                        git_extraheader,
                        key = e.key,
                        file = origin(m, &e.origin)
                    ),
                )
                .detail(format!("{} = {}", e.key, e.value.as_deref().unwrap_or("")))
                .fix(t!(lang, git_extraheader_fix))
        })
        .collect()
}

fn sslverify(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    let mut off: Vec<String> = m
        .git
        .entries()
        .iter()
        .filter(|e| {
            e.key.starts_with("http.") && e.key.ends_with(".sslverify") || e.key == "http.sslverify"
        })
        .filter(|e| gitcfg::is_false(e.value.as_deref()))
        .map(|e| format!("{}=false ({})", e.key, origin(m, &e.origin)))
        .collect();
    if let Some(v) = m.var("GIT_SSL_NO_VERIFY") {
        off.push(format!("GIT_SSL_NO_VERIFY={v}"));
    }
    if off.is_empty() {
        return Vec::new();
    }
    vec![
        Section::Git
            .problem("git.sslverify", t!(lang, git_sslverify_off))
            .details(off)
            .diagnosis("tls-certificate")
            .fix("git config --global --unset http.sslVerify")
            .fixes(s.fixes("tls-certificate", &[], 2)),
    ]
}

/// safe.directory, and whether the current checkout passes git's ownership
/// check (go's VCS stamping runs git there).
fn safe_directory(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    let dirs: Vec<String> = m
        .git
        .values("safe.directory")
        .filter_map(|e| e.value.clone())
        .collect();
    let mut out = Vec::new();
    let star = dirs.iter().any(|d| d == "*");
    if star {
        out.push(
            Section::Git
                .warn("git.safe-directory", t!(lang, git_safe_directory_star))
                .fix(t!(lang, git_safe_directory_star_fix)),
        );
    } else if !dirs.is_empty() {
        out.push(
            Section::Git
                .ok(
                    "git.safe-directory",
                    t!(lang, git_safe_directory_list, count = dirs.len()),
                )
                .details(dirs.iter().cloned()),
        );
    }
    if let Some(c) = ownership(m, s, &dirs, star) {
        out.push(c);
    }
    out
}

#[cfg(unix)]
fn ownership(m: &Machine, s: &Scope, dirs: &[String], star: bool) -> Option<Check> {
    use std::os::unix::fs::MetadataExt;
    let lang = s.lang;
    let root = m.cwd.ancestors().find(|d| d.join(".git").exists())?;
    let owner = std::fs::metadata(root).ok()?.uid();
    let me = nix::unistd::geteuid().as_raw();
    if owner == me || me == 0 && std::fs::metadata(root.join(".git")).is_ok_and(|g| g.uid() == 0) {
        return None;
    }
    let root_s = root.display().to_string();
    let covered = star
        || dirs.iter().any(|d| {
            let d = d.trim_end_matches('/');
            d == root_s || d.strip_suffix("/*").is_some_and(|p| root_s.starts_with(p))
        });
    if covered {
        return None;
    }
    Some(
        Section::Git
            .problem(
                "git.ownership",
                t!(lang, git_ownership, dir = root_s, owner),
            )
            .diagnosis("vcs-dubious-ownership")
            .fixes(s.fixes("vcs-dubious-ownership", &[("dir", &root_s)], ALL)),
    )
}

#[cfg(not(unix))]
fn ownership(_: &Machine, _: &Scope, _: &[String], _: bool) -> Option<Check> {
    None
}

fn ssh_command(m: &Machine, s: &Scope) -> Option<Check> {
    let lang = s.lang;
    let (what, v) = if let Some(v) = m.var("GIT_SSH_COMMAND") {
        ("GIT_SSH_COMMAND", v.to_owned())
    } else if let Some(v) = m.var("GIT_SSH") {
        ("GIT_SSH", v.to_owned())
    } else {
        let e = m.git.values("core.sshcommand").last()?;
        ("core.sshCommand", e.value.clone()?)
    };
    Some(Section::Git.ok(
        "git.ssh-command",
        t!(lang, git_ssh_command, what, value = v),
    ))
}
