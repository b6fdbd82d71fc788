//! Credentials: `~/.netrc` (permissions, which machines, the host:port
//! quirk) and SSH (ssh itself, the agent's keys, known_hosts for the SSH
//! hosts in play, StrictHostKeyChecking).

use crate::doctor::goproxy::{self, Entry};
use crate::doctor::http::Url;
use crate::doctor::machine::Machine;
use crate::doctor::model::{Check, Section};
use crate::doctor::scope::Scope;
use crate::doctor::{ALL, ssh};
use crate::redact::redact_owned;
use crate::render::shell_word;

pub(super) fn checks(m: &Machine, s: &Scope) -> Vec<Check> {
    let mut out = netrc(m, s);
    out.extend(private_hosts(m, s));
    out.extend(ssh_checks(m, s));
    out
}

/// Private hosts go fetches from over HTTPS without any credential source:
/// git will fail with "could not read Username" (go turns prompts off).
fn private_hosts(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    let helpers = crate::doctor::gitcfg::credential_helpers(m.git.entries());
    let rewrites = m.git.rewrites();
    let netrc = m.netrc.as_ref().ok().and_then(Option::as_ref);
    s.private_hosts
        .iter()
        .filter(|h| crate::doctor::scope::is_git_host(h))
        .filter(|h| {
            let url = format!("https://{h}/");
            let target =
                crate::doctor::gitcfg::rewrite(&url, &rewrites).map_or(url.clone(), |(u, _)| u);
            target.starts_with("https://")
                && crate::redact::redact(&target) == target.as_str()
                && netrc.is_none_or(|n| n.entry(h).is_none())
                && helpers.is_empty()
                && m.var("GIT_ASKPASS").is_none()
        })
        .map(|h| {
            Section::Credentials
                .warn(
                    "credentials.private-host",
                    t!(lang, creds_private_host_no_credentials, host = h),
                )
                .detail(t!(lang, creds_private_host_fine_if_public))
                .diagnosis("https-credentials-missing")
                .fixes(
                    s.fixes("https-credentials-missing", &[("host", h)], ALL)
                        .into_iter()
                        .filter(|f| !f.contains("GOPRIVATE"))
                        .take(2),
                )
        })
        .collect()
}

/// Hosts with a non-default port that go sends HTTPS requests to (proxies).
fn https_hostports(m: &Machine) -> Vec<(String, u16)> {
    let mut out = Vec::new();
    if let Ok(items) = goproxy::list(m.go.var("GOPROXY").unwrap_or("")) {
        for i in items {
            if let Entry::Url(u) = i.entry
                && let Some(u) = Url::parse(&u)
            {
                out.push((u.host, u.port));
            }
        }
    }
    out
}

fn netrc(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    let sec = Section::Credentials;
    let shown = m
        .netrc_path
        .as_deref()
        .map_or_else(|| "~/.netrc".to_owned(), |p| super::tilde(m, p));
    let n = match &m.netrc {
        Err(e) => {
            return vec![sec.problem(
                "netrc.file",
                t!(lang, creds_netrc_unreadable, shown, error = e),
            )];
        }
        Ok(None) => {
            return vec![sec.skip("netrc.file", t!(lang, creds_netrc_missing, shown))];
        }
        Ok(Some(n)) => n,
    };
    let mut out = Vec::new();
    let machines = n.machines();
    let list = if machines.is_empty() {
        t!(lang, creds_netrc_no_machines)
    } else {
        machines.join(", ")
    };
    let mode = n.mode.map(|m| format!("{m:04o}")).unwrap_or_default();
    if n.too_open() {
        out.push(
            sec.problem("netrc.file", t!(lang, creds_netrc_too_open, shown, mode))
                .detail(format!("machine: {list}"))
                .fix(format!("chmod 600 {}", shell_word(&shown))),
        );
    } else {
        out.push(sec.ok("netrc.file", t!(lang, creds_netrc_ok, shown, mode, list)));
    }
    if m.var("NETRC").is_some() {
        out.push(sec.warn("netrc.git", t!(lang, creds_netrc_var_git_ignores, shown)));
    }
    // go 1.23+ matches `machine` against host:port when the URL has a port.
    for (host, port) in https_hostports(m) {
        if port == 443 {
            continue;
        }
        let hp = format!("{host}:{port}");
        if n.entry(&hp).is_none() && n.entry(&host).is_some() {
            out.push(
                sec.warn(
                    "netrc.hostport",
                    t!(lang, creds_netrc_hostport, shown, host, hp),
                )
                .diagnosis("https-auth-rejected")
                .fix(t!(lang, creds_netrc_hostport_fix, hp)),
            );
        }
    }
    out
}

/// SSH hosts in play (from insteadOf rewrites and named modules).
fn ssh_checks(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    let sec = Section::Ssh;
    let in_play = !m.ssh.hosts.is_empty();
    let mut out = Vec::new();
    if m.ssh.ssh.is_none() {
        if in_play {
            out.push(
                sec.problem("ssh.binary", t!(lang, creds_ssh_missing))
                    .fix(t!(lang, creds_ssh_missing_fix)),
            );
        }
        return out;
    }
    let keys: Vec<String> = m.ssh.key_files.iter().map(|p| super::tilde(m, p)).collect();
    let agent = match &m.ssh.agent {
        Some(ssh::Agent::Keys(k)) => sec
            .ok("ssh.agent", t!(lang, creds_agent_keys, count = k.len()))
            .details(k.iter().map(|line| ssh::key_label(line))),
        other => {
            let why = match other {
                Some(ssh::Agent::Empty) => {
                    t!(lang, creds_agent_empty)
                }
                Some(ssh::Agent::Unknown(e)) => e.clone(),
                _ => t!(lang, creds_agent_none),
            };
            if !keys.is_empty() {
                sec.ok(
                    "ssh.agent",
                    t!(lang, creds_agent_key_files, why, keys = keys.join(", ")),
                )
            } else if in_play {
                sec.problem("ssh.agent", t!(lang, creds_agent_nothing_to_offer, why))
                    .diagnosis("ssh-publickey-denied")
                    .fixes(s.fixes("ssh-publickey-denied", &[], 1))
            } else {
                sec.skip("ssh.agent", t!(lang, creds_agent_not_in_play, why))
            }
        }
    };
    out.push(agent);
    for h in &m.ssh.hosts {
        let c = match &h.config {
            Err(e) => sec.warn(
                "ssh.config",
                t!(
                    lang,
                    creds_ssh_config_error,
                    error = e,
                    destination = h.destination
                ),
            ),
            Ok(cfg) => {
                let name = cfg.known_hosts_name();
                let host = cfg.host_key_alias.as_deref().unwrap_or(&cfg.hostname);
                let strict = cfg
                    .strict_host_key_checking
                    .as_deref()
                    .map(str::to_ascii_lowercase);
                if matches!(strict.as_deref(), Some("no" | "off" | "false")) {
                    out.push(
                        sec.warn("ssh.strict", t!(lang, creds_ssh_strict_off, host))
                            .fix(t!(lang, creds_ssh_strict_off_fix, host)),
                    );
                }
                if let Some(p) = &cfg.proxy {
                    sec.ok(
                        "ssh.known-hosts",
                        t!(
                            lang,
                            creds_known_hosts_via_proxy,
                            proxy = p,
                            destination = h.destination
                        ),
                    )
                    .detail(known_detail(m, &h.known_in, &name, lang))
                } else if h.known_in.is_empty() {
                    let files: Vec<String> = cfg
                        .known_hosts_files
                        .iter()
                        .map(|f| super::tilde(m, f))
                        .collect();
                    sec.problem("ssh.known-hosts", t!(lang, creds_known_hosts_missing, name))
                        .detail(t!(
                            lang,
                            creds_known_hosts_searched,
                            files = files.join(", ")
                        ))
                        .detail(t!(lang, creds_ssh_in_play_because, because = h.because))
                        .diagnosis("ssh-host-key-unknown")
                        .fixes(s.fixes(
                            "ssh-host-key-unknown",
                            &[("host", &keyscan_target(host, cfg.port))],
                            1,
                        ))
                } else {
                    sec.ok("ssh.known-hosts", t!(lang, creds_known_hosts_ok, name))
                        .detail(known_detail(m, &h.known_in, &name, lang))
                }
            }
        };
        out.push(c);
    }
    out
}

/// `host`, or `-p PORT host` for ssh-keyscan.
fn keyscan_target(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_owned()
    } else {
        format!("-p {port} {host}")
    }
}

fn known_detail(
    m: &Machine,
    files: &[std::path::PathBuf],
    name: &str,
    lang: crate::i18n::Lang,
) -> String {
    if files.is_empty() {
        return t!(lang, creds_known_hosts_not_listed, name);
    }
    redact_owned(
        &files
            .iter()
            .map(|f| super::tilde(m, f))
            .collect::<Vec<_>>()
            .join(", "),
    )
}
