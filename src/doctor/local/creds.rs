//! Credentials: `~/.netrc` (permissions, which machines, the host:port
//! quirk) and SSH (ssh itself, the agent's keys, known_hosts for the SSH
//! hosts in play, StrictHostKeyChecking).

use crate::doctor::goproxy::{self, Entry};
use crate::doctor::http::Url;
use crate::doctor::machine::Machine;
use crate::doctor::model::{Check, Section};
use crate::doctor::scope::Scope;
use crate::doctor::{l, rule_fixes, ssh};
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
            let target = crate::doctor::gitcfg::rewrite(&url, &rewrites).map_or(url.clone(), |(u, _)| u);
            target.starts_with("https://")
                && crate::redact::redact(&target) == target.as_str()
                && netrc.is_none_or(|n| n.entry(h).is_none())
                && helpers.is_empty()
                && m.var("GIT_ASKPASS").is_none()
        })
        .map(|h| {
            Check::warn(
                "credentials.private-host",
                Section::Credentials,
                l(
                    lang,
                    format!("no credentials for {h}: no ~/.netrc entry, no credential helper, no SSH rewrite"),
                    format!("没有 {h} 的凭据：~/.netrc 中没有条目，没有凭据助手，也没有改写为 SSH"),
                ),
            )
            .detail(l(
                lang,
                "fine if the repositories there are public; private ones fail with `could not read Username`",
                "如果那里的仓库是公开的则没有问题；私有仓库会失败并报 `could not read Username`",
            ))
            .diagnosis("https-credentials-missing")
            .fixes(rule_fixes("https-credentials-missing", &[("host", h)], &m.goenv(), lang).into_iter().filter(|f| !f.contains("GOPRIVATE")).take(2))
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
    let sec = || Section::Credentials;
    let shown = m
        .netrc_path
        .as_deref()
        .map_or_else(|| "~/.netrc".to_owned(), |p| super::tilde(m, p));
    let n = match &m.netrc {
        Err(e) => {
            return vec![Check::problem(
                "netrc.file",
                sec(),
                l(
                    lang,
                    format!("cannot read {shown}: {e}"),
                    format!("无法读取 {shown}：{e}"),
                ),
            )];
        }
        Ok(None) => {
            return vec![Check::skip(
                "netrc.file",
                sec(),
                l(lang, format!("no {shown}"), format!("没有 {shown}")),
            )];
        }
        Ok(Some(n)) => n,
    };
    let mut out = Vec::new();
    let machines = n.machines();
    let list = if machines.is_empty() {
        l(lang, "no machine entries", "没有 machine 条目")
    } else {
        machines.join(", ")
    };
    let mode = n.mode.map(|m| format!("{m:04o}")).unwrap_or_default();
    if n.too_open() {
        out.push(
            Check::problem(
                "netrc.file",
                sec(),
                l(
                    lang,
                    format!("{shown} (mode {mode}) can be read by other users: it holds passwords"),
                    format!("{shown}（权限 {mode}）其他用户可以读取：其中保存着密码"),
                ),
            )
            .detail(format!("machine: {list}"))
            .fix(format!("chmod 600 {}", shell_word(&shown))),
        );
    } else {
        out.push(Check::ok(
            "netrc.file",
            sec(),
            l(
                lang,
                format!("{shown} (mode {mode}): {list}"),
                format!("{shown}（权限 {mode}）：{list}"),
            ),
        ));
    }
    if m.var("NETRC").is_some() {
        out.push(Check::warn(
            "netrc.git",
            sec(),
            l(
                lang,
                format!("NETRC={shown}: go reads it, but git (curl) only reads ~/.netrc"),
                format!("NETRC={shown}：go 会读取它，但 git（curl）只读取 ~/.netrc"),
            ),
        ));
    }
    // go 1.23+ matches `machine` against host:port when the URL has a port.
    for (host, port) in https_hostports(m) {
        if port == 443 {
            continue;
        }
        let hp = format!("{host}:{port}");
        if n.entry(&hp).is_none() && n.entry(&host).is_some() {
            out.push(
                Check::warn(
                    "netrc.hostport",
                    sec(),
                    l(
                        lang,
                        format!("{shown} has `machine {host}`, but go 1.23+ looks for `machine {hp}` for https://{hp}"),
                        format!("{shown} 中有 `machine {host}`，但 go 1.23+ 对 https://{hp} 查找的是 `machine {hp}`"),
                    ),
                )
                .diagnosis("https-auth-rejected")
                .fix(l(
                    lang,
                    format!("Add an entry for the port too: `machine {hp} login USER password TOKEN`."),
                    format!("为该端口也加一条：`machine {hp} login 用户名 password 令牌`。"),
                )),
            );
        }
    }
    out
}

/// SSH hosts in play (from insteadOf rewrites and named modules).
fn ssh_checks(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    let sec = || Section::Ssh;
    let in_play = !m.ssh.hosts.is_empty();
    let mut out = Vec::new();
    if m.ssh.ssh.is_none() {
        if in_play {
            out.push(
                Check::problem(
                    "ssh.binary",
                    sec(),
                    l(lang, "ssh is not installed, but git is set to fetch over SSH", "没有安装 ssh，但 git 被配置为通过 SSH 获取"),
                )
                .fix(l(
                    lang,
                    "Install the OpenSSH client: `apt-get install -y openssh-client` (Debian) or `apk add openssh-client` (Alpine).",
                    "安装 OpenSSH 客户端：`apt-get install -y openssh-client`（Debian）或 `apk add openssh-client`（Alpine）。",
                )),
            );
        }
        return out;
    }
    let keys: Vec<String> = m.ssh.key_files.iter().map(|p| super::tilde(m, p)).collect();
    let agent = match &m.ssh.agent {
        Some(ssh::Agent::Keys(k)) => Check::ok(
            "ssh.agent",
            sec(),
            l(
                lang,
                format!("ssh-agent holds {} key(s)", k.len()),
                format!("ssh-agent 中有 {} 个密钥", k.len()),
            ),
        )
        .details(k.iter().map(|line| ssh::key_label(line))),
        other => {
            let why = match other {
                Some(ssh::Agent::Empty) => {
                    l(lang, "ssh-agent holds no keys", "ssh-agent 中没有密钥")
                }
                Some(ssh::Agent::Unknown(e)) => e.clone(),
                _ => l(lang, "no ssh-agent", "没有 ssh-agent"),
            };
            if !keys.is_empty() {
                Check::ok(
                    "ssh.agent",
                    sec(),
                    l(
                        lang,
                        format!("{why}; ssh offers {}", keys.join(", ")),
                        format!("{why}；ssh 会使用 {}", keys.join(", ")),
                    ),
                )
            } else if in_play {
                Check::problem(
                    "ssh.agent",
                    sec(),
                    l(
                        lang,
                        format!("{why} and no key in ~/.ssh: ssh has nothing to offer the server"),
                        format!("{why}，~/.ssh 中也没有密钥：ssh 无法向服务器提供任何密钥"),
                    ),
                )
                .diagnosis("ssh-publickey-denied")
                .fixes(
                    rule_fixes("ssh-publickey-denied", &[], &m.goenv(), lang)
                        .into_iter()
                        .take(1),
                )
            } else {
                Check::skip(
                    "ssh.agent",
                    sec(),
                    l(
                        lang,
                        format!("{why}, no key in ~/.ssh (SSH is not in play)"),
                        format!("{why}，~/.ssh 中没有密钥（未使用 SSH）"),
                    ),
                )
            }
        }
    };
    out.push(agent);
    for h in &m.ssh.hosts {
        let c = match &h.config {
            Err(e) => Check::warn(
                "ssh.config",
                sec(),
                l(
                    lang,
                    format!(
                        "ssh cannot read its configuration for {}: {e}",
                        h.destination
                    ),
                    format!("ssh 无法读取 {} 的配置：{e}", h.destination),
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
                        Check::warn(
                            "ssh.strict",
                            sec(),
                            l(
                                lang,
                                format!("StrictHostKeyChecking=no for {host}: ssh accepts any server key (and a changed one)"),
                                format!("{host} 的 StrictHostKeyChecking=no：ssh 接受任何服务器密钥（包括变化后的）"),
                            ),
                        )
                        .fix(l(
                            lang,
                            format!("Remove it from ~/.ssh/config and record the real key: `ssh-keyscan {host} >> ~/.ssh/known_hosts`, checking the fingerprint against the one {host} publishes."),
                            format!("从 ~/.ssh/config 中删除它并记录真实的密钥：`ssh-keyscan {host} >> ~/.ssh/known_hosts`，并与 {host} 公布的指纹核对。"),
                        )),
                    );
                }
                if let Some(p) = &cfg.proxy {
                    Check::ok(
                        "ssh.known-hosts",
                        sec(),
                        l(
                            lang,
                            format!("{}: reached through {p}", h.destination),
                            format!("{}：通过 {p} 连接", h.destination),
                        ),
                    )
                    .detail(known_detail(m, &h.known_in, &name, lang))
                } else if h.known_in.is_empty() {
                    let files: Vec<String> = cfg
                        .known_hosts_files
                        .iter()
                        .map(|f| super::tilde(m, f))
                        .collect();
                    Check::problem(
                        "ssh.known-hosts",
                        sec(),
                        l(
                            lang,
                            format!("{name} is not in known_hosts: ssh will refuse to connect (no one to ask under go)"),
                            format!("known_hosts 中没有 {name}：ssh 会拒绝连接（在 go 下没有人可以确认）"),
                        ),
                    )
                    .detail(l(lang, format!("searched: {}", files.join(", ")), format!("已查找：{}", files.join(", "))))
                    .detail(l(lang, format!("in play because of {}", h.because), format!("原因：{}", h.because)))
                    .diagnosis("ssh-host-key-unknown")
                    .fixes(rule_fixes("ssh-host-key-unknown", &[("host", &keyscan_target(host, cfg.port))], &m.goenv(), lang).into_iter().take(1))
                } else {
                    Check::ok(
                        "ssh.known-hosts",
                        sec(),
                        l(
                            lang,
                            format!("{name} is in known_hosts"),
                            format!("known_hosts 中有 {name}"),
                        ),
                    )
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
        return l(
            lang,
            format!("{name}: not in known_hosts"),
            format!("{name}：不在 known_hosts 中"),
        );
    }
    redact_owned(
        &files
            .iter()
            .map(|f| super::tilde(m, f))
            .collect::<Vec<_>>()
            .join(", "),
    )
}
