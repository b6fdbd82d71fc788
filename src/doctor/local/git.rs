//! git's configuration as go's fetches see it: insteadOf rewrites (and any
//! token written into one), credential helpers, safe.directory, TLS
//! verification, extra headers and the ssh command.

use std::path::{Path, PathBuf};

use crate::doctor::gitcfg::{self, Rewrite};
use crate::doctor::machine::Machine;
use crate::doctor::model::{Check, Section};
use crate::doctor::scope::Scope;
use crate::doctor::{l, rule_fixes};
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
            Check::problem(
                "git.config",
                Section::Git,
                l(
                    lang,
                    "git cannot read its configuration",
                    "git 无法读取它的配置",
                ),
            )
            .details(e.lines().map(redact_owned))
            .diagnosis("git-config-invalid")
            .fixes(rule_fixes(
                "git-config-invalid",
                &[("path", &path)],
                &m.goenv(),
                lang,
            )),
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
        return vec![Check::ok(
            "git.insteadof",
            Section::Git,
            l(
                lang,
                "no url.*.insteadOf rewrites: git fetches the https:// URLs go gives it",
                "没有 url.*.insteadOf 改写：git 按 go 给出的 https:// 地址获取",
            ),
        )];
    }
    let mut out = Vec::new();
    let (bad, good): (Vec<&Rewrite>, Vec<&Rewrite>) =
        rules.iter().partition(|r| r.has_credential());
    if !good.is_empty() {
        out.push(
            Check::ok(
                "git.insteadof",
                Section::Git,
                l(
                    lang,
                    format!("{} insteadOf rewrite(s)", good.len()),
                    format!("{} 条 insteadOf 改写", good.len()),
                ),
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
        let mut c = Check::warn(
            "git.insteadof-credential",
            Section::Git,
            l(
                lang,
                format!("an insteadOf rewrite in {} has a credential written into its URL", origin(m, &r.origin)),
                format!("{} 中的一条 insteadOf 改写把凭据写进了 URL", origin(m, &r.origin)),
            ),
        )
        .detail(format!("url.\"{}\".insteadOf \"{}\"", r.base, r.prefix))
        .detail(l(
            lang,
            "it is stored in plain text, printed by `git config --list` and, with go 1.25+, in go's own error messages",
            "它以明文保存，会被 `git config --list` 打印出来，go 1.25+ 的错误信息里也会出现",
        ))
        .fix(l(
            lang,
            format!("Delete the {section} section from {file}: `{edit}`."),
            format!("从 {file} 中删除 {section} 这一节：`{edit}`。"),
        ));
        c = if host == "github.com" {
            c.fix(l(
                lang,
                "Use a credential helper instead: `gh auth setup-git` (GitHub CLI).",
                "改用凭据助手：`gh auth setup-git`（GitHub CLI）。",
            ))
        } else {
            c.fix(l(
                lang,
                format!("Use a credential helper or ~/.netrc instead: `machine {host} login USER password TOKEN`, then `chmod 600 ~/.netrc`."),
                format!("改用凭据助手或 ~/.netrc：`machine {host} login 用户名 password 令牌`，然后 `chmod 600 ~/.netrc`。"),
            ))
        };
        c = c.fix(l(
            lang,
            "Then revoke that token: it has been stored in plain text.",
            "然后吊销该令牌：它已经以明文保存过。",
        ));
        out.push(c);
    }
    out
}

fn helpers(m: &Machine, s: &Scope) -> Check {
    let lang = s.lang;
    let helpers = gitcfg::credential_helpers(m.git.entries());
    if helpers.is_empty() {
        let mut c = Check::ok(
            "git.credential-helper",
            Section::Git,
            l(
                lang,
                "no credential helper: git uses ~/.netrc, or fails (go turns git's prompts off)",
                "没有凭据助手：git 使用 ~/.netrc，否则失败（go 关闭了 git 的提示）",
            ),
        );
        if m.var("GIT_ASKPASS").is_some() {
            c = c.detail(l(
                lang,
                "GIT_ASKPASS is set: git asks that program for credentials (doctor's probes do not run it)",
                "设置了 GIT_ASKPASS：git 会向该程序索取凭据（doctor 的探测不会运行它）",
            ));
        }
        return c;
    }
    let mut c = Check::ok(
        "git.credential-helper",
        Section::Git,
        l(
            lang,
            format!(
                "credential helper(s): {}",
                helpers
                    .iter()
                    .map(|(_, h)| h.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "凭据助手：{}",
                helpers
                    .iter()
                    .map(|(_, h)| h.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
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
        let open = mode(&file).is_some_and(|m| m & 0o077 != 0);
        if open {
            return Check::warn(
                "git.credential-helper",
                Section::Git,
                l(
                    lang,
                    format!("credential.helper=store keeps passwords in plain text in {}, which others can read", super::tilde(m, &file)),
                    format!("credential.helper=store 把密码以明文保存在 {} 中，且其他用户可读", super::tilde(m, &file)),
                ),
            )
            .fix(format!("chmod 600 {}", shell_word(&super::tilde(m, &file))));
        }
        c = c.detail(l(
            lang,
            format!(
                "`store` keeps passwords in plain text in {}",
                super::tilde(m, &file)
            ),
            format!("`store` 把密码以明文保存在 {} 中", super::tilde(m, &file)),
        ));
    }
    c
}

fn store_file(m: &Machine) -> PathBuf {
    m.var("HOME").map_or_else(
        || PathBuf::from(".git-credentials"),
        |h| Path::new(h).join(".git-credentials"),
    )
}

fn mode(p: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p)
            .ok()
            .map(|m| m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        None
    }
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
            v.starts_with("authorization") || v.starts_with("private-token") || v.starts_with("proxy-authorization")
        })
        .map(|e| {
            Check::warn(
                "git.extraheader",
                Section::Git,
                l(
                    lang,
                    format!("{} sends an authorization header stored in plain text in {}", e.key, origin(m, &e.origin)),
                    format!("{} 发送的认证头以明文保存在 {} 中", e.key, origin(m, &e.origin)),
                ),
            )
            .detail(format!("{} = {}", e.key, e.value.as_deref().unwrap_or("")))
            .fix(l(
                lang,
                "Use a credential helper (`gh auth setup-git`, Git Credential Manager) or ~/.netrc (mode 0600); in CI pass the header through GIT_CONFIG_COUNT/GIT_CONFIG_KEY_0/GIT_CONFIG_VALUE_0.",
                "改用凭据助手（`gh auth setup-git`、Git Credential Manager）或 ~/.netrc（权限 0600）；在 CI 中通过 GIT_CONFIG_COUNT/GIT_CONFIG_KEY_0/GIT_CONFIG_VALUE_0 传入该请求头。",
            ))
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
        Check::problem(
            "git.sslverify",
            Section::Git,
            l(
                lang,
                "git does not verify TLS certificates: anyone on the network path can serve you code",
                "git 不校验 TLS 证书：网络路径上的任何人都可以给你提供代码",
            ),
        )
        .details(off)
        .diagnosis("tls-certificate")
        .fix("git config --global --unset http.sslVerify")
        .fixes(rule_fixes("tls-certificate", &[], &m.goenv(), lang).into_iter().take(2)),
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
            Check::warn(
                "git.safe-directory",
                Section::Git,
                l(
                    lang,
                    "safe.directory=* turns git's repository-ownership check off everywhere",
                    "safe.directory=* 在所有地方关闭了 git 的仓库所有权检查",
                ),
            )
            .fix(l(
                lang,
                "Name the directories instead: `git config --global --unset-all safe.directory '*'` and `git config --global --add safe.directory /path/to/repo`.",
                "改为写明具体目录：`git config --global --unset-all safe.directory '*'`，再 `git config --global --add safe.directory /仓库/路径`。",
            )),
        );
    } else if !dirs.is_empty() {
        out.push(
            Check::ok(
                "git.safe-directory",
                Section::Git,
                l(
                    lang,
                    format!("safe.directory: {} entr(y/ies)", dirs.len()),
                    format!("safe.directory：{} 条", dirs.len()),
                ),
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
        Check::problem(
            "git.ownership",
            Section::Git,
            l(
                lang,
                format!("{root_s} belongs to another user (uid {owner}): git refuses it, and go build fails with `error obtaining VCS status`"),
                format!("{root_s} 属于另一个用户（uid {owner}）：git 拒绝操作它，go build 会失败并报 `error obtaining VCS status`"),
            ),
        )
        .diagnosis("vcs-dubious-ownership")
        .fixes(rule_fixes("vcs-dubious-ownership", &[("dir", &root_s)], &m.goenv(), lang)),
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
    Some(Check::ok(
        "git.ssh-command",
        Section::Git,
        l(
            lang,
            format!("git runs ssh as {what}={v}"),
            format!("git 通过 {what}={v} 运行 ssh"),
        ),
    ))
}
