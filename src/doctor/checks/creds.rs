//! Credentials: `~/.netrc` (or `$NETRC`) — present, private, with entries
//! for the hosts in play — and SSH: the agent's keys, key files, and
//! `known_hosts` entries for the SSH hosts in play.  Nothing secret is
//! shown: machine names, key types and fingerprints only.

use std::path::PathBuf;

use super::super::advice;
use super::super::exec::Cmd;
use super::super::model::{Check, Section, Status};
use super::super::repo::{self, Privacy, SshTarget};
use super::super::state::State;
use super::git::mode;
use crate::diagnose::goenv::match_prefix_patterns;

pub fn checks(s: &State) -> Vec<Check> {
    let mut out = netrc(s);
    out.extend(ssh_agent(s));
    for t in ssh_hosts(s) {
        out.push(known_hosts(s, &t));
    }
    out
}

/// Modules go fetches directly (with git, with the user's credentials).
pub fn direct_modules(s: &State) -> Vec<String> {
    s.modules_in_play()
        .into_iter()
        .filter(|m| {
            s.modules.iter().any(|a| a.path == m.path)
                || repo::privacy(&m.path) == Privacy::Private
                || s.gonoproxy()
                    .is_some_and(|g| match_prefix_patterns(g, &m.path))
        })
        .map(|m| m.path)
        .collect()
}

/// SSH destinations git would use for the modules in play (known hosting
/// patterns, after the user's insteadOf rewrites).
pub fn ssh_hosts(s: &State) -> Vec<SshTarget> {
    let mut v: Vec<SshTarget> = Vec::new();
    for m in direct_modules(s) {
        let Some(r) = repo::from_pattern(&m) else {
            continue;
        };
        let (url, _) = s.git_config.rewrite(&r.url);
        if let Some(t) = SshTarget::parse(&url)
            && !v.contains(&t)
        {
            v.push(t);
        }
    }
    v
}

/// The netrc file go and git read.
pub fn netrc_path(s: &State) -> Option<PathBuf> {
    s.var("NETRC")
        .map(PathBuf::from)
        .or_else(|| s.home.as_ref().map(|h| h.join(".netrc")))
}

/// One netrc entry: its machine name (`default` for the default entry)
/// and credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetrcEntry {
    pub machine: String,
    pub login: Option<String>,
    pub password: Option<String>,
}

/// The entries of a netrc file, as go and curl tokenize it.
pub fn netrc_entries(text: &str) -> Vec<NetrcEntry> {
    let mut out: Vec<NetrcEntry> = Vec::new();
    let mut words = text.split_whitespace();
    while let Some(w) = words.next() {
        match w {
            "machine" | "default" => {
                let machine = if w == "default" {
                    "default".to_owned()
                } else {
                    words.next().unwrap_or("").to_owned()
                };
                out.push(NetrcEntry {
                    machine,
                    login: None,
                    password: None,
                });
            }
            "login" => {
                if let (Some(e), Some(v)) = (out.last_mut(), words.next()) {
                    e.login = Some(v.to_owned());
                }
            }
            "password" => {
                if let (Some(e), Some(v)) = (out.last_mut(), words.next()) {
                    e.password = Some(v.to_owned());
                }
            }
            // A macro body runs to a blank line; nothing after it matters here.
            "macdef" => break,
            _ => {}
        }
    }
    out
}

/// `machine` names of a netrc file (`default` as "default").
pub fn netrc_machines(text: &str) -> Vec<String> {
    netrc_entries(text).into_iter().map(|e| e.machine).collect()
}

/// The netrc login and password for `host` (go's rules: the exact
/// `machine`, else `default`), unless GOAUTH leaves netrc out.  Used by
/// the probes for the requests go would authenticate; never shown.
pub fn netrc_credentials(s: &State, host: &str) -> Option<(String, String)> {
    if s.env("GOAUTH")
        .is_some_and(|g| !g.split(';').any(|m| m.trim() == "netrc"))
    {
        return None;
    }
    let text = std::fs::read_to_string(netrc_path(s)?).ok()?;
    let entries = netrc_entries(&text);
    let pick = |name: &str| {
        entries
            .iter()
            .find(|e| e.machine == name)
            .and_then(|e| Some((e.login.clone()?, e.password.clone()?)))
    };
    pick(host).or_else(|| pick("default"))
}

fn netrc(s: &State) -> Vec<Check> {
    let sec = || Section::Credentials;
    let Some(path) = netrc_path(s) else {
        return Vec::new();
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return vec![Check::new(
            "netrc.file",
            sec(),
            Status::Skip,
            s.tr(
                &format!(
                    "{}: none (fine when git has a credential helper or SSH keys)",
                    path.display()
                ),
                &format!(
                    "{}：不存在（git 有凭据助手或 SSH 密钥时没有问题）",
                    path.display()
                ),
            ),
        )];
    };
    let machines = netrc_machines(&text);
    let mut out = Vec::new();
    let m = mode(&path).unwrap_or(0o600);
    let mut c = Check::new(
        "netrc.file",
        sec(),
        Status::Ok,
        s.tr(
            &format!(
                "{} (mode {m:o}): {} entries: {}",
                path.display(),
                machines.len(),
                machines.join(", ")
            ),
            &format!(
                "{}（权限 {m:o}）：{} 条记录：{}",
                path.display(),
                machines.len(),
                machines.join("、")
            ),
        ),
    );
    if m & 0o077 != 0 {
        c.status = Status::Fail;
        c = c
            .with_detail(s.tr(
                "it holds passwords or tokens and other users can read it",
                "它保存着密码或令牌，而其他用户可以读取它",
            ))
            .with_fix(format!("chmod 600 {}", path.display()));
    }
    out.push(c);
    if s.env("GOAUTH")
        .is_some_and(|g| !g.split(';').any(|x| x.trim() == "netrc"))
    {
        out.push(Check::new(
            "netrc.goauth",
            sec(),
            Status::Warn,
            s.tr(
                &format!("GOAUTH={} leaves out netrc: go's own requests (proxy, go-import) do not use this file; git still does", s.env("GOAUTH").unwrap_or("")),
                &format!("GOAUTH={} 不包含 netrc：go 自己的请求（代理、go-import）不使用这个文件；git 仍然使用", s.env("GOAUTH").unwrap_or("")),
            ),
        ));
    }
    // Hosts in play with a port: go 1.23+ looks up `machine host:port`.
    let mut hosts: Vec<String> = direct_modules(s)
        .iter()
        .map(|m| m.split('/').next().unwrap_or("").to_owned())
        .collect();
    for e in s.git_config.insteadof() {
        if let Some(h) = crate::diagnose::context::url_host(e.0) {
            hosts.push(h);
        }
    }
    if let Some(gp) = s.env("GOPROXY") {
        for p in gp.split([',', '|']) {
            if let Some(u) = super::super::net::http::Url::parse(p) {
                hosts.push(u.host_port());
            }
        }
    }
    hosts.sort();
    hosts.dedup();
    for h in hosts {
        if machines.contains(&h) {
            out.push(Check::new(
                "netrc.machine",
                sec(),
                Status::Ok,
                s.tr(
                    &format!("netrc has an entry for {h}"),
                    &format!("netrc 中有 {h} 的记录"),
                ),
            ));
        } else if let Some((bare, _)) = h.split_once(':')
            && machines.iter().any(|m| m == bare)
        {
            out.push(
                Check::new(
                    "netrc.machine",
                    sec(),
                    Status::Warn,
                    s.tr(
                        &format!("netrc has `machine {bare}` but go 1.23+ looks up `machine {h}` for this URL (git/curl use {bare})"),
                        &format!("netrc 中有 `machine {bare}`，但 go 1.23+ 对这个 URL 查找的是 `machine {h}`（git/curl 使用 {bare}）"),
                    ),
                )
                .with_diagnosis("https-auth-rejected")
                .with_fix(s.tr(
                    &format!("Add a second entry `machine {h} login USER password TOKEN` to {}.", path.display()),
                    &format!("在 {} 中再加一条 `machine {h} login 用户名 password 令牌`。", path.display()),
                )),
            );
        }
    }
    out
}

fn ssh_agent(s: &State) -> Vec<Check> {
    let sec = || Section::Credentials;
    let mut out = Vec::new();
    let Some(ssh_add) = super::super::state::which("ssh-add") else {
        return out;
    };
    let r = Cmd::new(ssh_add).arg("-l").non_interactive().run(s.timeout);
    let keys: Vec<String> = r
        .stdout
        .lines()
        .filter_map(|l| {
            // "256 SHA256:… comment (ED25519)": keep the type and fingerprint.
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 2).then(|| format!("{} {}", f.last().unwrap_or(&""), f[1]))
        })
        .collect();
    let files: Vec<String> = s
        .ssh_home
        .as_ref()
        .map(|h| {
            [
                "id_ed25519",
                "id_ecdsa",
                "id_rsa",
                "id_ed25519_sk",
                "id_ecdsa_sk",
                "id_dsa",
            ]
            .iter()
            .filter(|n| h.join(".ssh").join(n).is_file())
            .map(|n| format!("~/.ssh/{n}"))
            .collect()
        })
        .unwrap_or_default();
    let file_note = if files.is_empty() {
        s.tr("no key files in ~/.ssh", "~/.ssh 中没有密钥文件")
    } else {
        s.tr(
            &format!("key files: {}", files.join(", ")),
            &format!("密钥文件：{}", files.join("、")),
        )
    };
    let c = match r.code {
        Some(0) => Check::new(
            "ssh.agent",
            sec(),
            Status::Ok,
            s.tr(
                &format!("ssh-agent: {} key(s): {}; {file_note}", keys.len(), keys.join(", ")),
                &format!("ssh-agent：{} 个密钥：{}；{file_note}", keys.len(), keys.join("、")),
            ),
        ),
        Some(1) => Check::new(
            "ssh.agent",
            sec(),
            if files.is_empty() { Status::Warn } else { Status::Ok },
            s.tr(
                &format!("ssh-agent: running, no keys loaded; {file_note}"),
                &format!("ssh-agent：在运行，但没有加载密钥；{file_note}"),
            ),
        ),
        _ => Check::new(
            "ssh.agent",
            sec(),
            Status::Skip,
            s.tr(
                &format!("ssh-agent: none (ssh uses key files directly; fine unless they have a passphrase); {file_note}"),
                &format!("ssh-agent：没有（ssh 直接使用密钥文件；只要密钥没有口令就没问题）；{file_note}"),
            ),
        ),
    };
    out.push(c);
    out
}

/// ssh's own view of a destination (`ssh -G`: Host aliases, port, known
/// hosts files), without connecting.
#[derive(Debug, Clone, Default)]
pub struct SshView {
    pub hostname: String,
    pub port: u16,
    pub known_hosts_files: Vec<PathBuf>,
    pub alias: Option<String>,
}

pub fn ssh_view(s: &State, t: &SshTarget) -> SshView {
    let mut cmd = Cmd::new("ssh").arg("-G");
    if let Some(p) = t.port {
        cmd = cmd.args(["-p", &p.to_string()]);
    }
    let out = cmd.arg(t.destination()).non_interactive().run(s.timeout);
    let mut v = SshView {
        hostname: t.host.clone(),
        port: t.port.unwrap_or(22),
        ..SshView::default()
    };
    let home = s.ssh_home.clone().unwrap_or_default();
    for line in out.stdout.lines() {
        let (k, val) = line.split_once(' ').unwrap_or((line, ""));
        match k {
            "hostname" => v.hostname = val.to_owned(),
            "port" => v.port = val.parse().unwrap_or(22),
            "hostkeyalias" => v.alias = Some(val.to_owned()),
            "userknownhostsfile" | "globalknownhostsfile" => {
                for f in val.split_whitespace() {
                    let p = match f.strip_prefix("~/") {
                        Some(rest) => home.join(rest),
                        None => PathBuf::from(f),
                    };
                    v.known_hosts_files.push(p);
                }
            }
            _ => {}
        }
    }
    if v.known_hosts_files.is_empty() {
        v.known_hosts_files.push(home.join(".ssh/known_hosts"));
    }
    v
}

/// Whether known_hosts has a key for this destination (`ssh-keygen -F`).
pub fn known_hosts(s: &State, t: &SshTarget) -> Check {
    let sec = || Section::Credentials;
    let view = ssh_view(s, t);
    let name = view.alias.clone().unwrap_or_else(|| view.hostname.clone());
    let lookup = if view.port == 22 {
        name.clone()
    } else {
        format!("[{name}]:{}", view.port)
    };
    let mut found_in = None;
    for f in view.known_hosts_files.iter().filter(|f| f.is_file()) {
        let r = Cmd::new("ssh-keygen")
            .args(["-F", &lookup, "-f"])
            .arg(f)
            .run(s.timeout);
        if r.success() && !r.stdout.trim().is_empty() {
            found_in = Some(f.clone());
            break;
        }
    }
    match found_in {
        Some(f) => Check::new(
            "ssh.known-hosts",
            sec(),
            Status::Ok,
            s.tr(
                &format!("known_hosts: {lookup} is known ({})", f.display()),
                &format!("known_hosts：已有 {lookup} 的主机密钥（{}）", f.display()),
            ),
        ),
        None => {
            let facts = advice::facts(s, &[("host", &t.host)]);
            Check::new(
                "ssh.known-hosts",
                sec(),
                Status::Fail,
                s.tr(
                    &format!("known_hosts: no key for {lookup}: ssh (run by go, without a terminal) will refuse to connect"),
                    &format!("known_hosts：没有 {lookup} 的主机密钥：ssh（由 go 在没有终端的情况下运行）会拒绝连接"),
                ),
            )
            .with_detail(
                view.known_hosts_files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
            .with_diagnosis("ssh-host-key-unknown")
            .with_fixes(advice::steps(s, "ssh-host-key-unknown", &facts).into_iter().take(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netrc_machine_names() {
        assert_eq!(
            netrc_machines(
                "machine github.com login a password b\nmachine git.test:8443\n  login c password d\ndefault login x password y\n"
            ),
            ["github.com", "git.test:8443", "default"]
        );
    }
}
