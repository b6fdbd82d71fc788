//! The repository side of a module: where it is (pattern or go-import meta
//! tag), name and TCP reachability of the host git talks to, `git ls-remote`
//! over the URL git really uses, and `ssh -T` for SSH URLs.
//!
//! Nothing is written: ssh runs with `StrictHostKeyChecking=yes` and
//! `UpdateHostKeys=no` (known_hosts untouched), no connection sharing
//! sockets, and git's credential helpers are wrapped so that only `get`
//! reaches them — git's `store`/`erase` after a success or a 401 would
//! otherwise save or delete the user's credentials.

use std::net::SocketAddr;
use std::time::Instant;

use super::super::advice;
use super::super::checks::creds::{self, netrc_credentials};
use super::super::exec::Cmd;
use super::super::gomod::ModuleRef;
use super::super::model::{Check, Status};
use super::super::net::http::{self, Client, Url};
use super::super::repo::{self, Repo, SshTarget, Via};
use super::super::state::{State, failure_text};
use super::{http_failure, secs, section};

/// Resolution, then the reachability steps, `git ls-remote` and `ssh -T`.
pub fn probe(s: &State, m: &ModuleRef) -> Vec<Check> {
    let (check, repo) = resolve(s, m);
    let mut out = vec![check];
    let Some(repo) = repo else {
        return out;
    };
    if repo.vcs != "git" {
        out.push(Check::new(
            "probe.ls-remote",
            section(m),
            Status::Skip,
            s.tr(
                &format!("{} repositories are not probed (only git)", repo.vcs),
                &format!("不探测 {} 仓库（只探测 git）", repo.vcs),
            ),
        ));
        return out;
    }
    let (effective, rewrite) = s.git_config.rewrite(&repo.url);
    let ssh = SshTarget::parse(&effective);
    let parallel: Vec<Vec<Check>> = std::thread::scope(|scope| {
        let reach = scope.spawn(|| reach(s, m, &effective, ssh.as_ref()));
        let ls = scope.spawn(|| vec![ls_remote(s, m, &repo, &effective, rewrite.as_ref())]);
        let t = ssh
            .as_ref()
            .map(|t| scope.spawn(move || vec![ssh_t(s, m, t)]));
        let mut v = vec![
            reach.join().unwrap_or_default(),
            ls.join().unwrap_or_default(),
        ];
        if let Some(t) = t {
            v.push(t.join().unwrap_or_default());
        }
        v
    });
    let mut checks: Vec<Check> = parallel.into_iter().flatten().collect();
    // ls-remote and ssh -T failing for the same reason: say the fix once.
    let ssh_diag = checks
        .iter()
        .find(|c| c.id == "probe.ssh" && c.status == Status::Fail)
        .and_then(|c| c.diagnosis);
    if let Some(d) = ssh_diag
        && let Some(ls) = checks
            .iter_mut()
            .find(|c| c.id == "probe.ls-remote" && c.diagnosis == Some(d))
    {
        ls.fix.clear();
    }
    out.extend(checks);
    out
}

/// Where the code is: go's patterns, else the go-import meta tag.
pub fn resolve(s: &State, m: &ModuleRef) -> (Check, Option<Repo>) {
    if let Some(r) = repo::from_pattern(&m.path) {
        let Via::Pattern(p) = r.via else {
            unreachable!("from_pattern returns patterns");
        };
        let c = Check::new(
            "probe.resolve",
            section(m),
            Status::Ok,
            s.tr(
                &format!("repository: {} (go's {p} pattern)", r.url),
                &format!("仓库：{}（go 内置的 {p} 规则）", r.url),
            ),
        );
        return (c, Some(r));
    }
    let meta_url = format!("https://{}?go-get=1", m.path);
    let deadline = super::deadline(s);
    let client = Client::from_env();
    let mut url = Url::parse(&meta_url).unwrap_or_else(|| Url {
        scheme: "https".into(),
        userinfo: None,
        host: m.host().into(),
        port: 443,
        path: "/".into(),
    });
    // go follows up to 10 redirects, never from https to http.
    for _ in 0..10 {
        let creds = netrc_credentials(s, &url.host_port());
        let r = client.get(
            &url,
            creds.as_ref().map(|(l, p)| (l.as_str(), p.as_str())),
            deadline,
        );
        let resp = match r {
            Ok(resp) => resp,
            Err(f) => {
                let what = format!("go-import {}", url.display());
                return (
                    http_failure(s, "probe.resolve", m, &what, &url.host, &f),
                    None,
                );
            }
        };
        if matches!(resp.status, 301 | 302 | 303 | 307 | 308)
            && let Some(loc) = resp.header("location")
        {
            let next = if loc.starts_with('/') {
                format!("{}://{}{loc}", url.scheme, url.host_port())
            } else {
                loc.to_owned()
            };
            match Url::parse(&next) {
                Some(n) if !(url.scheme == "https" && n.scheme == "http") => {
                    url = n;
                    continue;
                }
                _ => break,
            }
        }
        let tags = repo::meta_tags(&resp.body_text());
        return match repo::match_meta(&tags, &m.path) {
            Ok(mut r) => {
                r.via = Via::Meta(url.display());
                let c = Check::new(
                    "probe.resolve",
                    section(m),
                    Status::Ok,
                    s.tr(
                        &format!(
                            "repository: {} {} (go-import meta tag at {})",
                            r.vcs,
                            r.url,
                            url.display()
                        ),
                        &format!(
                            "仓库：{} {}（{} 的 go-import meta 标签）",
                            r.vcs,
                            r.url,
                            url.display()
                        ),
                    ),
                );
                (c, Some(r))
            }
            Err(why) => {
                let status = if resp.status == 200 {
                    why
                } else {
                    format!("{} {} ({why})", resp.status, resp.reason)
                };
                let facts = advice::facts(s, &[("module", &m.path)]);
                let c = Check::new(
                    "probe.resolve",
                    section(m),
                    Status::Fail,
                    format!("go-import {}: {status}", url.display()),
                )
                .with_diagnosis("go-import-meta")
                .with_fixes(advice::steps(s, "go-import-meta", &facts));
                (c, None)
            }
        };
    }
    let c = Check::new(
        "probe.resolve",
        section(m),
        Status::Fail,
        s.tr(
            &format!("go-import {meta_url}: too many or insecure redirects"),
            &format!("go-import {meta_url}：重定向过多或重定向到不安全的地址"),
        ),
    )
    .with_diagnosis("go-import-meta");
    (c, None)
}

/// Name lookup and TCP connect to the host git talks to (the proxy's, when
/// git's HTTPS goes through one; ssh's real host and port after
/// `~/.ssh/config`).
fn reach(s: &State, m: &ModuleRef, effective: &str, ssh: Option<&SshTarget>) -> Vec<Check> {
    let (host, port, via) = if let Some(t) = ssh {
        let v = creds::ssh_view(s, t);
        (v.hostname, v.port, None)
    } else if let Some(u) = Url::parse(effective) {
        match s.var("HTTPS_PROXY").or_else(|| s.var("https_proxy")).and(
            super::super::net::proxyenv::ProxyEnv::from_lookup(|k| s.var(k).map(str::to_owned))
                .proxy_for(&u.scheme, &u.host, u.port),
        ) {
            Some(p) => match Url::parse(&p) {
                Some(pu) => (pu.host.clone(), pu.port, Some(pu.host_port())),
                None => (u.host.clone(), u.port, None),
            },
            None => (u.host.clone(), u.port, None),
        }
    } else {
        return Vec::new();
    };
    let deadline = super::deadline(s);
    let via_note = via
        .as_ref()
        .map(|p| {
            s.tr(
                &format!(" (through the proxy {p})"),
                &format!("（经由代理 {p}）"),
            )
        })
        .unwrap_or_default();
    let addrs = match http::resolve(&host, port, deadline) {
        Ok(a) => a,
        Err(f) => {
            return vec![http_failure(
                s,
                "probe.dns",
                m,
                &format!("DNS {host}"),
                &host,
                &f,
            )];
        }
    };
    let shown: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
    let mut out = vec![Check::new(
        "probe.dns",
        section(m),
        Status::Ok,
        format!("DNS: {host} → {}{via_note}", shown.join(", ")),
    )];
    let start = Instant::now();
    match tcp(&addrs, deadline) {
        Ok(a) => out.push(Check::new(
            "probe.tcp",
            section(m),
            Status::Ok,
            format!(
                "TCP: {host}:{port} ({a}) {:.0} ms",
                start.elapsed().as_secs_f64() * 1000.0
            ),
        )),
        Err(f) => {
            let mut c = http_failure(s, "probe.tcp", m, &format!("TCP {host}:{port}"), &host, &f);
            if ssh.is_some() && c.diagnosis == Some("network-connect-failed") {
                let facts = advice::facts(s, &[("host", &host)]);
                c.diagnosis = Some("ssh-connect-failed");
                c.fix = advice::steps(s, "ssh-connect-failed", &facts);
            }
            out.push(c);
        }
    }
    out
}

fn tcp(addrs: &[SocketAddr], deadline: Instant) -> Result<SocketAddr, http::Failure> {
    let mut last = http::Failure::Connect("no address".into());
    for a in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(http::Failure::Timeout(http::Step::Connect));
        }
        match std::net::TcpStream::connect_timeout(a, left) {
            Ok(_) => return Ok(*a),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                return Err(http::Failure::Timeout(http::Step::Connect));
            }
            Err(e) => last = http::Failure::Connect(format!("{a}: {e}")),
        }
    }
    Err(last)
}

/// The ssh options every probe adds: no questions, no writes, no sharing.
pub fn ssh_options(s: &State) -> Vec<String> {
    let t = s.timeout.as_secs().max(1);
    [
        "BatchMode=yes",
        "StrictHostKeyChecking=yes",
        "UpdateHostKeys=no",
        "ControlMaster=no",
        "ControlPath=none",
    ]
    .iter()
    .map(|o| (*o).to_owned())
    .chain(std::iter::once(format!("ConnectTimeout={t}")))
    .flat_map(|o| ["-o".to_owned(), o])
    .collect()
}

/// `git ls-remote` as go would run it, through the user's insteadOf rules
/// and credential helpers (read-only), with prompts off.
fn ls_remote(
    s: &State,
    m: &ModuleRef,
    repo: &Repo,
    effective: &str,
    rewrite: Option<&(String, String)>,
) -> Check {
    let mut cmd = s.git_cmd();
    for (k, v) in read_only_helpers(s) {
        cmd = cmd.arg("-c").arg(format!("{k}={v}"));
    }
    cmd = cmd.args(["ls-remote", &repo.url]);
    let user_ssh = s.var("GIT_SSH_COMMAND").is_some()
        || s.var("GIT_SSH").is_some()
        || s.git_config
            .find(|k| k == "core.sshcommand")
            .next()
            .is_some();
    if !user_ssh {
        cmd = cmd.env(
            "GIT_SSH_COMMAND",
            format!("ssh {}", ssh_options(s).join(" ")),
        );
    }
    let via = rewrite
        .map(|(base, prefix)| {
            s.tr(
                &format!(" (url.{base}.insteadOf {prefix})"),
                &format!("（url.{base}.insteadOf {prefix}）"),
            )
        })
        .unwrap_or_default();
    let what = format!("git ls-remote {effective}{via}");
    let out = cmd.run(s.timeout);
    if out.success() {
        let refs: Vec<&str> = out
            .stdout
            .lines()
            .filter_map(|l| l.split('\t').nth(1))
            .collect();
        let mut c = Check::new(
            "probe.ls-remote",
            section(m),
            Status::Ok,
            s.tr(
                &format!("{what}: {} refs", refs.len()),
                &format!("{what}：{} 个引用", refs.len()),
            ),
        );
        if let Some(v) = &m.version
            && let Some(tag) = tag_for(m, repo, v)
            && !refs.contains(&format!("refs/tags/{tag}").as_str())
        {
            let facts = advice::facts(
                s,
                &[("module", &m.path), ("version", v), ("url", &repo.url)],
            );
            c.status = Status::Fail;
            c = c
                .with_detail(s.tr(
                    &format!("no tag {tag} in the repository"),
                    &format!("仓库中没有标签 {tag}"),
                ))
                .with_diagnosis("unknown-revision")
                .with_fixes(advice::steps(s, "unknown-revision", &facts));
        }
        return c;
    }
    if out.timed_out {
        let (id, host) = match SshTarget::parse(effective) {
            Some(t) => ("ssh-connect-failed", t.host),
            None => (
                "network-connect-failed",
                crate::diagnose::context::url_host(effective).unwrap_or_default(),
            ),
        };
        let facts = advice::facts(s, &[("host", &host), ("module", &m.path)]);
        return Check::new(
            "probe.ls-remote",
            section(m),
            Status::Fail,
            s.tr(
                &format!("{what}: no answer within {} (killed)", secs(s.timeout)),
                &format!("{what}：{} 内没有应答（已终止）", secs(s.timeout)),
            ),
        )
        .with_diagnosis(id)
        .with_fixes(advice::steps(s, id, &facts));
    }
    let text = out.text();
    let first = leaf_line(&text);
    let mut c = Check::new(
        "probe.ls-remote",
        section(m),
        Status::Fail,
        format!("{what}: {first}"),
    );
    if out.spawn_error.is_some() {
        return c.with_detail(failure_text("git", &out));
    }
    c = c.with_detail(text.trim());
    if let Some(d) = advice::classify(s, &text, Some(&m.path)) {
        c = c
            .with_diagnosis(d.rule.id)
            .with_fixes(advice::diagnosis_steps(s, &d));
    }
    c
}

/// The tag a version corresponds to in the repository (`sub/v1.2.3` for a
/// module in a subdirectory); `None` for pseudo-versions and branches.
fn tag_for(m: &ModuleRef, repo: &Repo, v: &str) -> Option<String> {
    let v = v.trim_end_matches("+incompatible");
    let pseudo = v.matches('-').count() >= 2 && v.rsplit('-').next().is_some_and(|h| h.len() == 12);
    if !v.starts_with('v') || pseudo {
        return None;
    }
    let mut sub = m
        .path
        .strip_prefix(&repo.root)?
        .trim_start_matches('/')
        .to_owned();
    // A major-version suffix (/v2) is not a directory when it ends the path.
    if let Some((dir, last)) = sub
        .rsplit_once('/')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .or_else(|| Some((String::new(), sub.clone())))
        && last.len() >= 2
        && last.starts_with('v')
        && last[1..].chars().all(|c| c.is_ascii_digit())
    {
        sub = dir;
    }
    Some(if sub.is_empty() {
        v.to_owned()
    } else {
        format!("{sub}/{v}")
    })
}

/// `ssh -T` with BatchMode, judged by ssh's own exit status (255 is ssh's
/// failure; anything else is the server's answer after authentication, as
/// GitHub's exit 1 with "successfully authenticated") and by its text.
fn ssh_t(s: &State, m: &ModuleRef, t: &SshTarget) -> Check {
    let mut cmd = Cmd::new("ssh").arg("-T").arg("-v").args(ssh_options(s));
    if let Some(p) = t.port {
        cmd = cmd.args(["-p", &p.to_string()]);
    }
    let dest = t.destination();
    let out = cmd.arg(&dest).non_interactive().run(s.timeout);
    let what = format!("ssh -T {dest}");
    if out.timed_out {
        let facts = advice::facts(s, &[("host", &t.host)]);
        return Check::new(
            "probe.ssh",
            section(m),
            Status::Fail,
            s.tr(
                &format!("{what}: no answer within {} (killed)", secs(s.timeout)),
                &format!("{what}：{} 内没有应答（已终止）", secs(s.timeout)),
            ),
        )
        .with_diagnosis("ssh-connect-failed")
        .with_fixes(advice::steps(s, "ssh-connect-failed", &facts));
    }
    let all = out.text();
    let plain: Vec<&str> = all
        .lines()
        .map(str::trim_end)
        .filter(|l| {
            // ssh's own -v chatter, not the server's words.
            !l.is_empty()
                && ![
                    "debug",
                    "OpenSSH_",
                    "Authenticated to ",
                    "Transferred: ",
                    "Bytes per second",
                    "Connection to ",
                ]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .collect();
    let plain_text = plain.join("\n");
    let accepted = out.stderr.lines().find_map(|l| {
        l.split_once("Server accepts key: ")
            .map(|(_, k)| k.to_owned())
    });
    if out.code.is_some() && out.code != Some(255) {
        let key = accepted
            .as_deref()
            .and_then(|k| k.split_whitespace().next())
            .map(|k| s.tr(&format!(" with {k}"), &format!("，使用 {k}")))
            .unwrap_or_default();
        let mut c = Check::new(
            "probe.ssh",
            section(m),
            Status::Ok,
            s.tr(
                &format!("{what}: authenticated{key}"),
                &format!("{what}：认证成功{key}"),
            ),
        );
        if let Some(first) = plain.first() {
            c = c.with_detail(s.tr(
                &format!("the server said: {first}"),
                &format!("服务器回答：{first}"),
            ));
        }
        return c;
    }
    let mut c = Check::new(
        "probe.ssh",
        section(m),
        Status::Fail,
        format!("{what}: {}", leaf_line(&plain_text)),
    )
    .with_detail(&plain_text);
    if let Some(d) = advice::classify(s, &plain_text, Some(&m.path)) {
        c = c
            .with_diagnosis(d.rule.id)
            .with_fixes(advice::diagnosis_steps(s, &d));
    }
    c
}

/// The line that says what went wrong: git's `fatal:`/`error:` line or
/// ssh's, else the first line.
fn leaf_line(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let pick = lines
        .iter()
        .find(|l| {
            l.contains("Permission denied")
                || l.contains("Host key verification failed")
                || l.contains("host key is known")
                || l.contains("Could not resolve")
                || l.contains("Connection refused")
                || l.contains("Connection timed out")
                || l.contains("Connection reset")
        })
        .or_else(|| lines.iter().find(|l| l.starts_with("fatal:")))
        .or_else(|| lines.iter().find(|l| l.starts_with("remote:")))
        .or_else(|| lines.first());
    pick.map(|l| (*l).to_owned()).unwrap_or_default()
}

/// `-c` overrides that keep every configured credential helper but let
/// only `get` reach it: git's `store` (after a success) and `erase` (after a
/// 401) would otherwise change what the user has saved.
pub fn read_only_helpers(s: &State) -> Vec<(String, String)> {
    let mut keys: Vec<&str> = Vec::new();
    for e in s.git_config.find(|k| {
        k == "credential.helper" || (k.starts_with("credential.") && k.ends_with(".helper"))
    }) {
        if !keys.contains(&e.key.as_str()) {
            keys.push(&e.key);
        }
    }
    let mut out = Vec::new();
    for k in keys {
        // An empty value resets the list configured so far (git's rule).
        out.push((k.to_owned(), String::new()));
        for e in s.git_config.find(|x| x == k) {
            if e.value.is_empty() {
                out.push((k.to_owned(), String::new()));
                continue;
            }
            let inner = if let Some(snippet) = e.value.strip_prefix('!') {
                snippet.to_owned()
            } else if e.value.starts_with('/') {
                e.value.clone()
            } else {
                format!("git credential-{}", e.value)
            };
            out.push((
                k.to_owned(),
                format!("!__gotriage_ro() {{ test \"$1\" = get || exit 0; {inner} get; }}; __gotriage_ro"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_for_versions() {
        let repo = Repo {
            root: "github.com/acme/mono".into(),
            vcs: "git".into(),
            url: "https://github.com/acme/mono".into(),
            via: Via::Pattern("github.com"),
        };
        let m = |p: &str| ModuleRef {
            path: p.into(),
            version: None,
        };
        assert_eq!(
            tag_for(&m("github.com/acme/mono"), &repo, "v1.2.0").as_deref(),
            Some("v1.2.0")
        );
        assert_eq!(
            tag_for(&m("github.com/acme/mono/v2"), &repo, "v2.0.1").as_deref(),
            Some("v2.0.1")
        );
        assert_eq!(
            tag_for(&m("github.com/acme/mono/sub"), &repo, "v0.1.0").as_deref(),
            Some("sub/v0.1.0")
        );
        assert_eq!(
            tag_for(&m("github.com/acme/mono/sub/v3"), &repo, "v3.0.0").as_deref(),
            Some("sub/v3.0.0")
        );
        assert_eq!(
            tag_for(
                &m("github.com/acme/mono"),
                &repo,
                "v0.0.0-20240101120000-abcdefabcdef"
            ),
            None
        );
        assert_eq!(tag_for(&m("github.com/acme/mono"), &repo, "main"), None);
    }

    #[test]
    fn leaf_lines() {
        assert_eq!(
            leaf_line(
                "Warning: x\ngit@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository."
            ),
            "git@github.com: Permission denied (publickey)."
        );
        assert_eq!(
            leaf_line("remote: Not Found\nfatal: repository 'x' not found"),
            "fatal: repository 'x' not found"
        );
    }
}
