//! Git's configuration as it affects go's fetches: `insteadOf` rewrites
//! (and credentials written into them), credential helpers,
//! `safe.directory`, TLS verification and CA settings, extra headers.
//! Only these keys are read and shown — never `git config --list`.

use std::path::Path;

use super::super::advice;
use super::super::model::{Check, Section, Status};
use super::super::state::State;
use crate::redact::redact_owned;

pub fn checks(s: &State) -> Vec<Check> {
    let sec = || Section::Git;
    let mut out = Vec::new();
    if s.git.is_none() {
        return out;
    }
    if let Some(e) = &s.git_config.error {
        let f = advice::facts(s, &[]);
        let mut c = Check::new(
            "git.config",
            sec(),
            Status::Fail,
            s.tr(
                "git cannot read its configuration",
                "git 无法读取自己的配置",
            ),
        )
        .with_detail(e)
        .with_diagnosis("git-config-invalid");
        match advice::classify(s, e, None) {
            Some(d) if d.rule.id == "git-config-invalid" => {
                c = c.with_fixes(advice::diagnosis_steps(s, &d));
            }
            _ => c = c.with_fixes(advice::steps(s, "git-config-invalid", &f)),
        }
        out.push(c);
        return out;
    }
    for (base, e) in s.git_config.insteadof() {
        let has_secret = redact_owned(base) != base || userinfo(base).is_some();
        let mut c = Check::new(
            "git.insteadof",
            sec(),
            if has_secret { Status::Warn } else { Status::Ok },
            s.tr(
                &format!("insteadOf: {} → {base} ({})", e.value, origin(&e.origin)),
                &format!("insteadOf：{} → {base}（{}）", e.value, origin(&e.origin)),
            ),
        );
        if has_secret {
            let host = crate::diagnose::context::url_host(base).unwrap_or_else(|| "HOST".into());
            c = c
                .with_detail(s.tr(
                    "this rewrite carries a credential in plain text: it is readable in the config file, printed by `git config --list` and by go 1.25+ in its error messages",
                    "这条改写规则以明文带着凭据：配置文件里可以读到，`git config --list` 会打印它，go 1.25+ 的错误信息也会打印它",
                ))
                .with_fix(s.tr(
                    &format!("Remove it: `git config --global --unset-all 'url.{}.insteadof'` (as printed here, with your real value), then give git the credential through a helper: `gh auth setup-git` (GitHub), Git Credential Manager, or ~/.netrc `machine {host} login USER password TOKEN` (chmod 600 ~/.netrc).", redact_owned(base)),
                    &format!("删除它：`git config --global --unset-all 'url.{}.insteadof'`（填入你的真实值），然后通过凭据助手提供凭据：`gh auth setup-git`（GitHub）、Git Credential Manager，或 ~/.netrc 中的 `machine {host} login 用户名 password 令牌`（chmod 600 ~/.netrc）。", redact_owned(base)),
                ))
                .with_fix(s.tr(
                    &format!("Or use SSH without any token in the URL: `git config --global url.\"git@{host}:\".insteadOf \"https://{host}/\"`."),
                    &format!("或者使用 SSH，URL 中不带令牌：`git config --global url.\"git@{host}:\".insteadOf \"https://{host}/\"`。"),
                ));
        }
        out.push(c);
    }
    let helpers: Vec<_> = s
        .git_config
        .find(|k| {
            k.starts_with("credential.") && k.ends_with(".helper") || k == "credential.helper"
        })
        .collect();
    if helpers.is_empty() {
        out.push(Check::new(
            "git.credential-helper",
            sec(),
            Status::Skip,
            s.tr(
                "no git credential helper (fine with SSH keys or ~/.netrc)",
                "没有配置 git 凭据助手（使用 SSH 密钥或 ~/.netrc 时没有问题）",
            ),
        ));
    }
    for h in helpers.iter().filter(|h| !h.value.is_empty()) {
        let mut c = Check::new(
            "git.credential-helper",
            sec(),
            Status::Ok,
            s.tr(
                &format!(
                    "credential helper: {} ({}, {})",
                    h.value,
                    h.key,
                    origin(&h.origin)
                ),
                &format!("凭据助手：{}（{}，{}）", h.value, h.key, origin(&h.origin)),
            ),
        );
        if h.value.split_whitespace().next() == Some("store") {
            let file = h
                .value
                .split_whitespace()
                .skip_while(|w| *w != "--file")
                .nth(1)
                .map(|f| expand(s, f))
                .or_else(|| s.home.as_ref().map(|h| h.join(".git-credentials")));
            if let Some(f) = file
                && let Some(mode) = mode(&f)
                && mode & 0o077 != 0
            {
                c.status = Status::Fail;
                c = c
                    .with_detail(s.tr(
                        &format!(
                            "{} (plain-text tokens) has mode {mode:o}: other users can read it",
                            f.display()
                        ),
                        &format!(
                            "{}（明文令牌）的权限是 {mode:o}：其他用户可以读取",
                            f.display()
                        ),
                    ))
                    .with_fix(format!("chmod 600 {}", f.display()));
            }
        }
        out.push(c);
    }
    for e in s.git_config.find(|k| k == "safe.directory") {
        let all = e.value == "*";
        out.push(Check::new(
            "git.safe-directory",
            sec(),
            if all { Status::Warn } else { Status::Ok },
            if all {
                s.tr(
                    &format!(
                        "safe.directory=* ({}): git trusts repositories owned by anyone",
                        origin(&e.origin)
                    ),
                    &format!(
                        "safe.directory=*（{}）：git 信任任何用户拥有的仓库",
                        origin(&e.origin)
                    ),
                )
            } else {
                format!("safe.directory={} ({})", e.value, origin(&e.origin))
            },
        ));
    }
    let mut no_verify: Vec<String> = s
        .git_config
        .find(|k| k.starts_with("http.") && k.ends_with(".sslverify") || k == "http.sslverify")
        .filter(|e| {
            matches!(
                e.value.to_ascii_lowercase().as_str(),
                "false" | "no" | "off" | "0"
            )
        })
        .map(|e| format!("{}={} ({})", e.key, e.value, origin(&e.origin)))
        .collect();
    if let Some(v) = s.var("GIT_SSL_NO_VERIFY") {
        no_verify.push(format!("GIT_SSL_NO_VERIFY={v}"));
    }
    for what in no_verify {
        out.push(
            Check::new(
                "git.sslverify",
                sec(),
                Status::Fail,
                s.tr(
                    &format!("{what}: git does not verify HTTPS certificates"),
                    &format!("{what}：git 不校验 HTTPS 证书"),
                ),
            )
            .with_diagnosis("tls-certificate")
            .with_fix(s.tr(
                "Turn verification back on (`git config --global --unset http.sslVerify`, unset GIT_SSL_NO_VERIFY) and trust your company's CA instead: `git config --global http.sslCAInfo /path/ca-bundle.pem`.",
                "重新打开校验（`git config --global --unset http.sslVerify`，删除 GIT_SSL_NO_VERIFY），改为信任公司的 CA：`git config --global http.sslCAInfo /path/ca-bundle.pem`。",
            )),
        );
    }
    for e in s
        .git_config
        .find(|k| k.ends_with(".sslcainfo") || k.ends_with(".sslcapath"))
    {
        out.push(super::network::ca_check(
            s,
            &format!("git {}", e.key),
            &expand(s, &e.value),
            e.key.ends_with("capath"),
            Section::Git,
        ));
    }
    for e in s.git_config.find(|k| k.ends_with(".extraheader")) {
        out.push(
            Check::new(
                "git.extraheader",
                sec(),
                Status::Warn,
                s.tr(
                    &format!("{}={} ({}): a header (often a token) is stored in git's configuration", e.key, e.value, origin(&e.origin)),
                    &format!("{}={}（{}）：git 配置中保存了一个请求头（通常是令牌）", e.key, e.value, origin(&e.origin)),
                ),
            )
            .with_fix(s.tr(
                "Prefer a credential helper; in CI pass the header through GIT_CONFIG_COUNT / GIT_CONFIG_KEY_0 / GIT_CONFIG_VALUE_0 for the one command instead of storing it.",
                "优先使用凭据助手；在 CI 中通过 GIT_CONFIG_COUNT / GIT_CONFIG_KEY_0 / GIT_CONFIG_VALUE_0 只为单条命令传入请求头，不要写进配置。",
            )),
        );
    }
    for e in s.git_config.find(|k| k == "core.sshcommand") {
        out.push(Check::new(
            "git.sshcommand",
            sec(),
            Status::Ok,
            format!("core.sshCommand={} ({})", e.value, origin(&e.origin)),
        ));
    }
    if let Some(v) = s.var("GIT_ASKPASS") {
        out.push(Check::new(
            "git.askpass",
            sec(),
            Status::Skip,
            s.tr(
                &format!(
                    "GIT_ASKPASS={v}: go's git uses it; doctor does not run it (it may prompt)"
                ),
                &format!(
                    "GIT_ASKPASS={v}：go 调用的 git 会使用它；doctor 不运行它（它可能弹出提示）"
                ),
            ),
        ));
    }
    if s.var("GIT_TERMINAL_PROMPT").is_some_and(|v| v != "0") {
        out.push(Check::new(
            "git.terminal-prompt",
            sec(),
            Status::Warn,
            s.tr(
                "GIT_TERMINAL_PROMPT is set to allow prompts: go keeps it, and git then waits for a password (or fails without a terminal)",
                "GIT_TERMINAL_PROMPT 被设置为允许提示：go 会保留它，git 会等待输入密码（没有终端时直接失败）",
            ),
        ).with_fix("unset GIT_TERMINAL_PROMPT"));
    }
    out
}

/// `file:/root/.gitconfig` → `/root/.gitconfig`.
pub fn origin(o: &str) -> String {
    o.strip_prefix("file:").unwrap_or(o).to_owned()
}

/// The userinfo of a URL (`https://user:pw@host/` → `user:pw`).
fn userinfo(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    authority
        .rsplit_once('@')
        .map(|(u, _)| u)
        .filter(|u| u.contains(':') || u.len() >= 20)
}

/// `~/x` → `$HOME/x`.
pub fn expand(s: &State, p: &str) -> std::path::PathBuf {
    match (p.strip_prefix("~/"), &s.home) {
        (Some(rest), Some(h)) => h.join(rest),
        _ => std::path::PathBuf::from(p),
    }
}

/// Permission bits of a file.
pub fn mode(p: &Path) -> Option<u32> {
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
