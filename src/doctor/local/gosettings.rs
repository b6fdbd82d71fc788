//! The `go env` values that decide how modules are fetched and verified,
//! and whether they agree with what go.mod requires.
//!
//! Custom settings are facts, not faults (a company proxy is fine, so is
//! GOPROXY=direct); what is flagged is a setting that makes fetches fail
//! (a private module sent to a public mirror or checksum database), or one
//! that turns a security check off, always with the narrow alternative.

use crate::diagnose::goenv::{extended, match_prefix_patterns, public_hosts, suggested_prefix};
use crate::doctor::goproxy::{self, Entry};
use crate::doctor::machine::{Machine, version_tuple};
use crate::doctor::model::{Check, Section};
use crate::doctor::scope::Scope;
use crate::doctor::{l, rule_fixes, set_go_var};
use crate::i18n::Lang;
use crate::render::shell_word;

pub(super) fn checks(m: &Machine, s: &Scope) -> Vec<Check> {
    if m.go.env.is_err() {
        return Vec::new();
    }
    let mut out = vec![goproxy_check(m, s)];
    out.extend(private_check(m, s));
    out.extend(sumdb_check(m, s));
    out.extend(goflags_check(m, s));
    out.extend(goinsecure_check(m, s));
    out.extend(govcs_check(m, s));
    out.extend(goauth_check(m, s));
    out.extend(modcache_check(m, s));
    out.extend(gonosumcheck_check(m, s));
    out.extend(coverage_check(m, s));
    out
}

fn sec() -> Section {
    Section::GoEnv
}

fn show(m: &Machine, name: &str) -> String {
    format!("{name}={}", m.go.var(name).unwrap_or(""))
}

fn goproxy_check(m: &Machine, s: &Scope) -> Check {
    let lang = s.lang;
    let v = m.go.var("GOPROXY").unwrap_or("");
    let id = "goenv.goproxy";
    match goproxy::list(v) {
        Err(e) => Check::problem(id, sec(), format!("GOPROXY={v}: {e}")).fix(set_go_var(
            m,
            "GOPROXY",
            "https://proxy.golang.org,direct",
        )),
        Ok(items) => {
            if items.first().is_some_and(|i| i.entry == Entry::Off) {
                return Check::warn(
                    id,
                    sec(),
                    l(
                        lang,
                        "GOPROXY=off: go can only use modules already in the module cache or vendor/",
                        "GOPROXY=off：go 只能使用模块缓存或 vendor/ 中已有的模块",
                    ),
                );
            }
            let creds = items.iter().any(|i| match &i.entry {
                Entry::Url(u) => crate::redact::redact(u) != u.as_str(),
                _ => false,
            });
            if creds {
                return Check::warn(
                    id,
                    sec(),
                    l(
                        lang,
                        "GOPROXY carries a credential in its URL (it shows up in `go env`, logs and shell history)",
                        "GOPROXY 的 URL 中带有凭据（会出现在 `go env`、日志和 shell 历史中）",
                    ),
                )
                .detail(show(m, "GOPROXY"))
                .fix(l(
                    lang,
                    "Move the credential to ~/.netrc (`machine PROXYHOST login USER password TOKEN`, chmod 600) or, with go 1.24+, GOAUTH; keep only the URL in GOPROXY.",
                    "把凭据移到 ~/.netrc（`machine 代理主机 login 用户名 password 令牌`，chmod 600），或在 go 1.24+ 中使用 GOAUTH；GOPROXY 中只保留 URL。",
                ));
            }
            Check::ok(id, sec(), show(m, "GOPROXY"))
        }
    }
}

/// A pattern list that covers every module path.
fn covers_everything(globs: &str) -> bool {
    ["github.com/x/y", "golang.org/x/mod", "example.com/z"]
        .iter()
        .all(|p| match_prefix_patterns(globs, p))
}

/// Entries that cover a whole public host (`github.com`).
fn public_host_entries(globs: &str) -> Vec<String> {
    globs
        .split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .filter(|g| public_hosts_covered_by(g).next().is_some() && !g.contains('/'))
        .map(str::to_owned)
        .collect()
}

fn private_check(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    let mut out = Vec::new();
    let goprivate = m.go.var("GOPRIVATE");
    let mut lines = vec![match goprivate {
        Some(v) => format!("GOPRIVATE={v}"),
        None => l(
            lang,
            "GOPRIVATE is unset (every module goes through GOPROXY and GOSUMDB)",
            "GOPRIVATE 未设置（所有模块都经过 GOPROXY 和 GOSUMDB）",
        ),
    }];
    for n in ["GONOPROXY", "GONOSUMDB"] {
        match m.go.var(n) {
            Some(v) => lines.push(format!("{n}={v}")),
            None => lines.push(l(
                lang,
                format!("{n} defaults to GOPRIVATE"),
                format!("{n} 默认等于 GOPRIVATE"),
            )),
        }
    }
    out.push(Check::ok("goenv.private", sec(), lines.join("; ")));
    // Too broad: a whole public host skips the proxy (and usually the
    // checksum database) for every public module there.
    for n in ["GOPRIVATE", "GONOPROXY"] {
        let Some(v) = m.go.var(n) else { continue };
        let wide = public_host_entries(v);
        if covers_everything(v) || !wide.is_empty() {
            let what = if covers_everything(v) {
                l(lang, "every module".to_owned(), "所有模块".to_owned())
            } else {
                wide.join(", ")
            };
            out.push(
                Check::warn(
                    "goenv.private-broad",
                    sec(),
                    l(
                        lang,
                        format!("{n}={v} covers {what}: public modules there skip the module proxy (slower, and each needs git access)"),
                        format!("{n}={v} 覆盖了 {what}：那里的公共模块也不经过模块代理（更慢，且每个都需要 git 访问权限）"),
                    ),
                )
                .fix(l(
                    lang,
                    format!("Name only your own organisations, e.g. `{}`.", set_go_var(m, n, "github.com/YOUR-ORG")),
                    format!("只写你自己的组织，例如 `{}`。", set_go_var(m, n, "github.com/你的组织")),
                )),
            );
        }
    }
    out
}

fn sumdb_check(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    let env = m.goenv();
    let mut out = Vec::new();
    match goproxy::sumdb(m.go.var("GOSUMDB")) {
        Ok(None) => out.push(
            Check::problem(
                "goenv.gosumdb",
                sec(),
                l(
                    lang,
                    "GOSUMDB=off: downloaded modules are not checked against the checksum database",
                    "GOSUMDB=off：下载的模块不再与校验和数据库核对",
                ),
            )
            .diagnosis("sumdb-verify-failed")
            .fix(unset_go_var(m, "GOSUMDB"))
            .fix(l(
                lang,
                format!(
                    "For private modules only, name them: `{}`.",
                    set_go_var(m, "GONOSUMDB", "git.example.com/your-org")
                ),
                format!(
                    "只对私有模块关闭校验，写明它们：`{}`。",
                    set_go_var(m, "GONOSUMDB", "git.example.com/你的组织")
                ),
            )),
        ),
        Err(e) => {
            out.push(Check::problem("goenv.gosumdb", sec(), e).fix(unset_go_var(m, "GOSUMDB")))
        }
        Ok(Some(db)) => {
            let nosum = env.gonosumdb().unwrap_or("");
            let nosum_name = if m.go.var("GONOSUMDB").is_some() {
                "GONOSUMDB"
            } else {
                "GOPRIVATE"
            };
            if !nosum.is_empty() && covers_everything(nosum) {
                out.push(
                    Check::problem(
                        "goenv.gosumdb",
                        sec(),
                        l(
                            lang,
                            format!(
                                "{nosum_name}={nosum} skips the checksum database for every module"
                            ),
                            format!("{nosum_name}={nosum} 让所有模块都跳过校验和数据库"),
                        ),
                    )
                    .diagnosis("sumdb-verify-failed")
                    .fix(l(
                        lang,
                        format!(
                            "Name only your private paths: `{}`.",
                            set_go_var(m, nosum_name, "git.example.com/your-org")
                        ),
                        format!(
                            "只写私有路径：`{}`。",
                            set_go_var(m, nosum_name, "git.example.com/你的组织")
                        ),
                    ))
                    .fixes(
                        rule_fixes("sumdb-verify-failed", &[], &env, lang)
                            .into_iter()
                            .filter(|f| f.contains("GOSUMDB=off")),
                    ),
                );
            } else {
                let wide = public_host_entries(nosum);
                if !wide.is_empty() {
                    out.push(
                        Check::warn(
                            "goenv.gosumdb",
                            sec(),
                            l(
                                lang,
                                format!("{nosum_name}={nosum}: every public module on {} skips the checksum database", wide.join(", ")),
                                format!("{nosum_name}={nosum}：{} 上的所有公共模块都跳过校验和数据库", wide.join(", ")),
                            ),
                        )
                        .diagnosis("sumdb-verify-failed")
                        .fix(l(
                            lang,
                            format!("Name only your organisations, e.g. `{}`.", set_go_var(m, nosum_name, "github.com/YOUR-ORG")),
                            format!("只写你自己的组织，例如 `{}`。", set_go_var(m, nosum_name, "github.com/你的组织")),
                        )),
                    );
                } else {
                    out.push(Check::ok(
                        "goenv.gosumdb",
                        sec(),
                        format!("GOSUMDB={}", m.go.var("GOSUMDB").unwrap_or(&db.name)),
                    ));
                }
            }
        }
    }
    out
}

/// `go env -u NAME`, or `unset NAME` when the environment sets it.
fn unset_go_var(m: &Machine, name: &str) -> String {
    if m.from_process_env(name) {
        format!("unset {name}")
    } else {
        format!("go env -u {name}")
    }
}

fn goflags_check(m: &Machine, s: &Scope) -> Option<Check> {
    let lang = s.lang;
    let v = m.go.var("GOFLAGS")?;
    let flags: Vec<&str> = v.split_whitespace().collect();
    let insecure = |f: &&str| {
        let f = f.trim_start_matches('-');
        f == "insecure" || f.starts_with("insecure=") && !f.ends_with("=false")
    };
    if !flags.iter().any(insecure) {
        return Some(Check::ok("goenv.goflags", sec(), format!("GOFLAGS={v}")));
    }
    let rest: Vec<&str> = flags.iter().filter(|f| !insecure(f)).copied().collect();
    let fix = if rest.is_empty() {
        unset_go_var(m, "GOFLAGS")
    } else {
        set_go_var(m, "GOFLAGS", &rest.join(" "))
    };
    Some(
        Check::problem(
            "goenv.goflags",
            sec(),
            l(
                lang,
                format!("GOFLAGS={v}: -insecure fetches over plain HTTP without certificate checks (newer go refuses it outright)"),
                format!("GOFLAGS={v}：-insecure 会用明文 HTTP 且不校验证书获取模块（新版 go 直接拒绝该选项）"),
            ),
        )
        .diagnosis("insecure-scheme")
        .fix(fix)
        .fix(l(
            lang,
            format!("Only for an internal host that serves plain HTTP: `{}` (that host only).", set_go_var(m, "GOINSECURE", "git.internal.example")),
            format!("仅当某个内部主机只提供明文 HTTP 时：`{}`（只写该主机）。", set_go_var(m, "GOINSECURE", "git.internal.example")),
        )),
    )
}

/// The public hosts (every repository on them) that the comma-separated
/// glob list `patterns` covers, by Go's prefix matching.
fn public_hosts_covered_by(patterns: &str) -> impl Iterator<Item = &'static str> + '_ {
    public_hosts().filter(move |h| match_prefix_patterns(patterns, &format!("{h}/someone/repo")))
}

fn goinsecure_check(m: &Machine, s: &Scope) -> Option<Check> {
    let lang = s.lang;
    let v = m.go.var("GOINSECURE")?;
    let public: Vec<&str> = public_hosts_covered_by(v).collect();
    if public.is_empty() {
        return Some(Check::ok(
            "goenv.goinsecure",
            sec(),
            format!("GOINSECURE={v}"),
        ));
    }
    let keep: Vec<&str> = v
        .split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty() && public_hosts_covered_by(g).next().is_none())
        .collect();
    let fix = if keep.is_empty() {
        unset_go_var(m, "GOINSECURE")
    } else {
        set_go_var(m, "GOINSECURE", &keep.join(","))
    };
    Some(
        Check::problem(
            "goenv.goinsecure",
            sec(),
            l(
                lang,
                format!("GOINSECURE={v} covers public hosts ({}): go accepts plain HTTP and unverified certificates for them", public.join(", ")),
                format!("GOINSECURE={v} 覆盖了公共主机（{}）：go 会对它们接受明文 HTTP 和未经验证的证书", public.join(", ")),
            ),
        )
        .diagnosis("insecure-scheme")
        .fix(fix)
        .fix(l(
            lang,
            "A certificate error is fixed by trusting the right CA (SSL_CERT_FILE), not by GOINSECURE.",
            "证书错误应通过信任正确的 CA（SSL_CERT_FILE）来解决，而不是 GOINSECURE。",
        )),
    )
}

fn govcs_check(m: &Machine, s: &Scope) -> Option<Check> {
    let lang = s.lang;
    let v = m.go.var("GOVCS")?;
    let goprivate = m.go.var("GOPRIVATE");
    let is_private = |p: &str| goprivate.is_some_and(|g| match_prefix_patterns(g, p));
    let blocked: Vec<String> = s
        .private
        .iter()
        .map(|p| p.path.clone())
        .chain(s.named.iter().map(|n| n.path.clone()))
        .filter(|p| !goproxy::govcs_allows(Some(v), p, is_private(p), "git"))
        .collect();
    if blocked.is_empty() {
        return Some(Check::ok("goenv.govcs", sec(), format!("GOVCS={v}")));
    }
    let prefix = suggested_prefix(&blocked[0]);
    Some(
        Check::problem(
            "goenv.govcs",
            sec(),
            l(
                lang,
                format!(
                    "GOVCS={v} does not let go use git for {}",
                    blocked.join(", ")
                ),
                format!("GOVCS={v} 不允许 go 对 {} 使用 git", blocked.join(", ")),
            ),
        )
        .diagnosis("govcs-disallowed")
        .fix(set_go_var(m, "GOVCS", &format!("{prefix}:git,{v}"))),
    )
}

fn goauth_check(m: &Machine, s: &Scope) -> Option<Check> {
    let lang = s.lang;
    let v = m.go.var("GOAUTH")?;
    if v == "netrc" {
        return None;
    }
    let old =
        m.go.version()
            .and_then(version_tuple)
            .is_some_and(|t| t < (1, 24, 0));
    if old {
        return Some(Check::warn(
            "goenv.goauth",
            sec(),
            l(
                lang,
                format!("GOAUTH={v} is ignored by this go (GOAUTH needs go 1.24 or newer)"),
                format!("当前的 go 会忽略 GOAUTH={v}（GOAUTH 需要 go 1.24 或更新版本）"),
            ),
        ));
    }
    Some(
        Check::ok("goenv.goauth", sec(), format!("GOAUTH={v}")).detail(l(
            lang,
            "doctor does not run GOAUTH commands; its own requests use ~/.netrc only",
            "doctor 不运行 GOAUTH 命令；它自己的请求只使用 ~/.netrc",
        )),
    )
}

fn modcache_check(m: &Machine, s: &Scope) -> Option<Check> {
    let lang = s.lang;
    let dir = m.go.var("GOMODCACHE")?;
    let path = std::path::Path::new(dir);
    // The nearest existing directory is where go would create it.
    let existing = path.ancestors().find(|p| p.exists())?;
    if writable(existing) {
        return Some(Check::ok(
            "goenv.gomodcache",
            sec(),
            format!("GOMODCACHE={dir}"),
        ));
    }
    Some(
        Check::problem(
            "goenv.gomodcache",
            sec(),
            l(
                lang,
                format!("GOMODCACHE={dir}: {} is not writable by this user; downloads will fail", existing.display()),
                format!("GOMODCACHE={dir}：当前用户无法写入 {}；下载会失败", existing.display()),
            ),
        )
        .fix(l(
            lang,
            format!("Give this user the directory (`sudo chown -R \"$(id -u)\" {}`) or choose another: `{}`.", shell_word(dir), set_go_var(m, "GOMODCACHE", "$HOME/go/pkg/mod")),
            format!("把该目录交给当前用户（`sudo chown -R \"$(id -u)\" {}`），或换一个目录：`{}`。", shell_word(dir), set_go_var(m, "GOMODCACHE", "$HOME/go/pkg/mod")),
        )),
    )
}

#[cfg(unix)]
fn writable(p: &std::path::Path) -> bool {
    nix::unistd::access(p, nix::unistd::AccessFlags::W_OK).is_ok()
}

#[cfg(not(unix))]
fn writable(_p: &std::path::Path) -> bool {
    true
}

fn gonosumcheck_check(m: &Machine, s: &Scope) -> Option<Check> {
    let lang = s.lang;
    let v = m.var("GONOSUMCHECK")?;
    Some(
        Check::warn(
            "goenv.gonosumcheck",
            sec(),
            l(
                lang,
                format!("GONOSUMCHECK={v} is set, but go has no such variable: it changes nothing"),
                format!("设置了 GONOSUMCHECK={v}，但 go 没有这个变量：它不起任何作用"),
            ),
        )
        .detail(l(
            lang,
            "it is usually copied next to GONOSUMDB=* or GOSUMDB=off, which do turn checksum verification off",
            "它通常和 GONOSUMDB=* 或 GOSUMDB=off 一起被复制过来，而后两者确实会关闭校验",
        ))
        .fix("unset GONOSUMCHECK")
        .fix(l(
            lang,
            "For private modules, name their paths in GOPRIVATE (or GONOSUMDB) instead.",
            "对私有模块，请改为在 GOPRIVATE（或 GONOSUMDB）中写明它们的路径。",
        )),
    )
}

/// Private-looking modules of go.mod that go would send to a public proxy
/// or checksum database.
fn coverage_check(m: &Machine, s: &Scope) -> Option<Check> {
    let lang = s.lang;
    if s.private.is_empty() {
        return None;
    }
    let env = m.goenv();
    let public_proxy = goproxy::list(m.go.var("GOPROXY").unwrap_or(""))
        .ok()?
        .iter()
        .take_while(|i| matches!(i.entry, Entry::Url(_)))
        .any(|i| matches!(&i.entry, Entry::Url(u) if goproxy::is_public_proxy(u)));
    let public_sumdb = goproxy::sumdb(m.go.var("GOSUMDB"))
        .ok()
        .flatten()
        .is_some_and(|d| d.is_public());
    let noproxy = env.gonoproxy().unwrap_or("");
    let nosum = env.gonosumdb().unwrap_or("");
    let via_proxy: Vec<&str> = s
        .private
        .iter()
        .filter(|p| public_proxy && !match_prefix_patterns(noproxy, &p.path))
        .map(|p| p.path.as_str())
        .collect();
    let via_sumdb: Vec<&str> = s
        .private
        .iter()
        .filter(|p| public_sumdb && !p.summed && !match_prefix_patterns(nosum, &p.path))
        .map(|p| p.path.as_str())
        .collect();
    let file = m
        .gomod
        .as_ref()
        .and_then(|g| g.as_ref().ok())
        .map(|g| super::tilde(m, &g.file))
        .unwrap_or_default();
    if via_proxy.is_empty() && via_sumdb.is_empty() {
        return Some(
            Check::ok(
                "goenv.coverage",
                sec(),
                l(
                    lang,
                    format!("the {} private module(s) in play are covered by GOPRIVATE/GONOPROXY/GONOSUMDB", s.private.len()),
                    format!("涉及的 {} 个私有模块都已被 GOPRIVATE/GONOPROXY/GONOSUMDB 覆盖", s.private.len()),
                ),
            )
            .details(s.private.iter().map(|p| origin_line(p, &file, lang))),
        );
    }
    let mut all: Vec<&str> = via_proxy.iter().chain(&via_sumdb).copied().collect();
    all.sort_unstable();
    all.dedup();
    let prefixes = |mods: &[&str]| {
        let mut p: Vec<String> = mods.iter().map(|m| suggested_prefix(m)).collect();
        p.sort();
        p.dedup();
        p
    };
    let grow = |current: Option<&str>, mods: &[&str]| {
        prefixes(mods)
            .iter()
            .fold(current.map(str::to_owned), |acc, p| {
                Some(extended(acc.as_deref(), p))
            })
            .unwrap_or_default()
    };
    let explicit_noproxy = m.go.var("GONOPROXY").is_some();
    let explicit_nosum = m.go.var("GONOSUMDB").is_some();
    let mut fixes = Vec::new();
    if !explicit_noproxy && !explicit_nosum {
        fixes.push(set_go_var(
            m,
            "GOPRIVATE",
            &grow(m.go.var("GOPRIVATE"), &all),
        ));
    } else {
        if !via_proxy.is_empty() {
            let var = if explicit_noproxy {
                "GONOPROXY"
            } else {
                "GOPRIVATE"
            };
            fixes.push(set_go_var(m, var, &grow(m.go.var(var), &via_proxy)));
        }
        if !via_sumdb.is_empty() {
            let var = if explicit_nosum {
                "GONOSUMDB"
            } else {
                "GOPRIVATE"
            };
            let f = set_go_var(m, var, &grow(m.go.var(var), &via_sumdb));
            if !fixes.contains(&f) {
                fixes.push(f);
            }
        }
    }
    let (id, what) = if via_proxy.is_empty() {
        (
            "sumdb-verify-failed",
            l(lang, "the public checksum database", "公共校验和数据库"),
        )
    } else {
        (
            "private-module-via-proxy",
            l(lang, "a public module proxy", "公共模块代理"),
        )
    };
    let names = summarize(&all, lang);
    let var = match (via_proxy.is_empty(), explicit_noproxy, explicit_nosum) {
        (false, true, _) => "GONOPROXY",
        (true, _, true) => "GONOSUMDB",
        _ => "GOPRIVATE",
    };
    let current = format!("{var}={}", m.go.var(var).unwrap_or(""));
    let mut c = Check::problem(
        "goenv.coverage",
        sec(),
        l(
            lang,
            format!("{names} look(s) private, but {current} does not cover it: go will ask {what} for it"),
            format!("{names} 看起来是私有模块，但 {current} 没有覆盖它：go 会向{what}请求它"),
        ),
    )
    .diagnosis(id)
    .details(
        s.private
            .iter()
            .filter(|p| all.contains(&p.path.as_str()))
            .map(|p| origin_line(p, &file, lang)),
    )
    .fixes(fixes);
    c = c.fix(l(
        lang,
        "Then make sure git can read those repositories: `gotriage doctor MODULE` probes one end to end.",
        "然后确认 git 能读取这些仓库：`gotriage doctor 模块路径` 会端到端地检查其中一个。",
    ));
    Some(c)
}

/// `M V (why; required by ~/app/go.mod)` or `(…; named on the command line)`.
fn origin_line(p: &crate::doctor::scope::PrivateModule, file: &str, lang: Lang) -> String {
    let from = if p.named {
        l(
            lang,
            "named on the command line".to_owned(),
            "在命令行中指定".to_owned(),
        )
    } else {
        l(
            lang,
            format!("required by {file}"),
            format!("{file} 依赖它"),
        )
    };
    format!("{} {} ({}; {from})", p.path, p.version, p.reason).replace("  (", " (")
}

/// `a`, `a and b`, `a and 3 more`.
fn summarize(items: &[&str], lang: Lang) -> String {
    match items {
        [] => String::new(),
        [a] => (*a).to_owned(),
        [a, b] => l(lang, format!("{a} and {b}"), format!("{a} 和 {b}")),
        [a, rest @ ..] => l(
            lang,
            format!("{a} and {} more", rest.len()),
            format!("{a} 等 {} 个模块", rest.len() + 1),
        ),
    }
}
