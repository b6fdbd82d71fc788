//! Go settings: the `go env` values that decide how modules are fetched and
//! verified, whether they fit the modules in play (with go's own
//! glob-prefix matching), and settings that switch security off.

use super::super::advice;
use super::super::model::{Check, Section, Status};
use super::super::repo::{self, Privacy};
use super::super::state::State;
use crate::diagnose::goenv::match_prefix_patterns;

const DEFAULT_GOPROXY: &str = "https://proxy.golang.org,direct";
const DEFAULT_GOSUMDB: &str = "sum.golang.org";

pub fn checks(s: &State) -> Vec<Check> {
    let sec = || Section::GoEnv;
    let mut out = Vec::new();
    if let Some(e) = &s.go_env_error {
        out.push(
            Check::new(
                "goenv.read",
                sec(),
                Status::Fail,
                s.tr("go env -json failed: go cannot read its settings", "go env -json 失败：go 无法读取自己的设置"),
            )
            .with_detail(e)
            .with_fix(s.tr(
                "Run `go env` to see the error; a broken value written by `go env -w` is removed with `go env -u NAME`.",
                "运行 `go env` 查看错误；用 `go env -w` 写坏的值可以用 `go env -u 名称` 删除。",
            )),
        );
        return out;
    }
    if s.go.is_err() {
        return out;
    }
    out.extend(values(s));
    out.extend(security(s));
    out.extend(coverage(s));
    out
}

/// The values, one line each (defaults said as such).
fn values(s: &State) -> Vec<Check> {
    let sec = || Section::GoEnv;
    let mut out = Vec::new();
    let goproxy = s.env("GOPROXY").unwrap_or(DEFAULT_GOPROXY);
    let default = |v: &str, d: &str| {
        if v == d {
            s.tr(" (default)", "（默认值）")
        } else {
            String::new()
        }
    };
    let mut c = Check::new(
        "goenv.goproxy",
        sec(),
        Status::Ok,
        format!("GOPROXY={goproxy}{}", default(goproxy, DEFAULT_GOPROXY)),
    );
    if goproxy
        .split([',', '|'])
        .any(|p| p.contains('@') && p.contains("://"))
    {
        c.status = Status::Warn;
        c = c
            .with_detail(s.tr(
                "GOPROXY carries credentials in its URL: they end up in logs and `go env` output.",
                "GOPROXY 的 URL 中带有凭据：它们会出现在日志和 `go env` 的输出中。",
            ))
            .with_fix(s.tr(
                "Move them to ~/.netrc (`machine PROXYHOST login USER password TOKEN`, chmod 600 ~/.netrc) or, with go 1.24+, to GOAUTH; then `go env -w GOPROXY=<the URL without user:password@>`.",
                "把凭据移到 ~/.netrc（`machine 代理主机 login 用户名 password 令牌`，chmod 600 ~/.netrc），或在 go 1.24+ 中使用 GOAUTH；然后 `go env -w GOPROXY=<去掉 user:password@ 的 URL>`。",
            ));
    }
    if goproxy == "off" {
        c.status = Status::Warn;
        c = c.with_detail(s.tr(
            "GOPROXY=off: go downloads no module at all (only the module cache is used).",
            "GOPROXY=off：go 不会下载任何模块（只使用模块缓存）。",
        ));
    }
    out.push(c);
    let gosumdb = s.env("GOSUMDB").unwrap_or(DEFAULT_GOSUMDB);
    if gosumdb != "off" {
        out.push(Check::new(
            "goenv.gosumdb",
            sec(),
            Status::Ok,
            format!("GOSUMDB={gosumdb}{}", default(gosumdb, DEFAULT_GOSUMDB)),
        ));
    }
    let explicit = crate::diagnose::goenv::GoEnv::from_process();
    for name in ["GOPRIVATE", "GONOPROXY", "GONOSUMDB"] {
        match s.env(name) {
            // go env reports GONOPROXY / GONOSUMDB as GOPRIVATE's value when unset.
            Some(v)
                if name != "GOPRIVATE"
                    && explicit.get(name).is_none()
                    && s.env("GOPRIVATE") == Some(v) => {}
            Some(v) => out.push(Check::new(
                "goenv.private",
                sec(),
                Status::Ok,
                format!("{name}={v}"),
            )),
            None if name == "GOPRIVATE" => out.push(Check::new(
                "goenv.private",
                sec(),
                Status::Ok,
                s.tr(
                    "GOPRIVATE is not set (every module is public)",
                    "GOPRIVATE 未设置（所有模块都按公开模块处理）",
                ),
            )),
            None => {}
        }
    }
    for name in ["GOFLAGS", "GOINSECURE", "GOVCS", "GOAUTH"] {
        if let Some(v) = s.env(name)
            && !(name == "GOAUTH" && v == "netrc")
        {
            out.push(Check::new(
                "goenv.value",
                sec(),
                Status::Ok,
                format!("{name}={v}"),
            ));
        }
    }
    out.push(Check::new(
        "goenv.gotoolchain",
        sec(),
        Status::Ok,
        format!("GOTOOLCHAIN={}", s.env("GOTOOLCHAIN").unwrap_or("auto")),
    ));
    if let Some(v) = s.env("GOMODCACHE") {
        out.push(Check::new(
            "goenv.gomodcache",
            sec(),
            Status::Ok,
            format!("GOMODCACHE={v}"),
        ));
    }
    out
}

/// Settings that turn verification off, with the safe alternative.
fn security(s: &State) -> Vec<Check> {
    let sec = || Section::GoEnv;
    let mut out = Vec::new();
    if let Some(flags) = s.env("GOFLAGS")
        && flags
            .split_whitespace()
            .any(|f| f == "-insecure" || f.starts_with("-insecure="))
    {
        let rest: Vec<&str> = flags
            .split_whitespace()
            .filter(|f| *f != "-insecure" && !f.starts_with("-insecure="))
            .collect();
        let fix = if rest.is_empty() {
            "go env -u GOFLAGS".to_owned()
        } else {
            format!("go env -w GOFLAGS=\"{}\"", rest.join(" "))
        };
        out.push(
            Check::new(
                "goenv.insecure",
                sec(),
                Status::Fail,
                s.tr(
                    "GOFLAGS contains -insecure: it would skip HTTPS and checksum checks (go 1.17+ rejects it)",
                    "GOFLAGS 含有 -insecure：它会跳过 HTTPS 和校验和检查（go 1.17+ 已不再支持）",
                ),
            )
            .with_diagnosis("insecure-scheme")
            .with_fix(s.tr(&format!("Remove it: `{fix}`."), &format!("删除它：`{fix}`。")))
            .with_fix(s.tr(
                "For an internal host that only serves plain HTTP, allow that host alone: `go env -w GOINSECURE=git.internal.example`; for private modules use GOPRIVATE.",
                "如果某个内部主机只能提供 HTTP，只为它放开：`go env -w GOINSECURE=git.internal.example`；私有模块请使用 GOPRIVATE。",
            )),
        );
    }
    if s.env("GOSUMDB") == Some("off") {
        out.push(
            Check::new(
                "goenv.gosumdb-off",
                sec(),
                Status::Fail,
                s.tr(
                    "GOSUMDB=off: no module is checked against the checksum database",
                    "GOSUMDB=off：所有模块都不再与校验和数据库核对",
                ),
            )
            .with_diagnosis("sumdb-verify-failed")
            .with_fix(s.tr(
                "Turn it back on (`go env -u GOSUMDB`) and exclude only your private paths: `go env -w GONOSUMDB=<host/org>` (or GOPRIVATE).",
                "重新打开（`go env -u GOSUMDB`），只排除私有路径：`go env -w GONOSUMDB=<主机/组织>`（或 GOPRIVATE）。",
            )),
        );
    }
    for (name, value) in [
        ("GONOSUMDB", s.env("GONOSUMDB")),
        ("GOPRIVATE", s.env("GOPRIVATE")),
    ] {
        let Some(v) = value else { continue };
        if !covers_everything(v) {
            continue;
        }
        let fail = name == "GONOSUMDB";
        out.push(
            Check::new(
                "goenv.nosumdb-all",
                sec(),
                if fail { Status::Fail } else { Status::Warn },
                s.tr(
                    &format!("{name}={v} matches every module: nothing is checked against the checksum database"),
                    &format!("{name}={v} 匹配所有模块：没有任何模块与校验和数据库核对"),
                ),
            )
            .with_diagnosis("sumdb-verify-failed")
            .with_fix(s.tr(
                &format!("List only your private prefixes: `go env -w {name}=github.com/yourorg,git.yourcompany.com`."),
                &format!("只列出私有前缀：`go env -w {name}=github.com/yourorg,git.yourcompany.com`。"),
            )),
        );
    }
    if let Some(v) = s.env("GOINSECURE") {
        let public: Vec<&str> = [
            "github.com/x/y",
            "gitlab.com/x/y",
            "bitbucket.org/x/y",
            "golang.org/x/y",
            "proxy.golang.org",
            "sum.golang.org",
        ]
        .into_iter()
        .filter(|m| match_prefix_patterns(v, m))
        .map(|m| m.split('/').next().unwrap_or(m))
        .collect();
        if !public.is_empty() {
            out.push(
                Check::new(
                    "goenv.goinsecure",
                    sec(),
                    Status::Fail,
                    s.tr(
                        &format!("GOINSECURE={v} covers public hosts ({}): go fetches them without verifying HTTPS", public.join(", ")),
                        &format!("GOINSECURE={v} 覆盖了公共主机（{}）：go 获取它们时不校验 HTTPS", public.join("、")),
                    ),
                )
                .with_diagnosis("insecure-scheme")
                .with_fix(s.tr(
                    "Limit GOINSECURE to the internal hosts that really serve plain HTTP (`go env -w GOINSECURE=git.internal.example`), or unset it: `go env -u GOINSECURE`. For certificate errors install the CA instead.",
                    "只把真正只提供 HTTP 的内部主机放进 GOINSECURE（`go env -w GOINSECURE=git.internal.example`），或者删除它：`go env -u GOINSECURE`。证书错误应安装 CA 证书。",
                )),
            );
        }
    }
    if let Some(v) = s.var("GONOSUMCHECK") {
        out.push(Check::new(
            "goenv.gonosumcheck",
            sec(),
            Status::Warn,
            s.tr(
                &format!("GONOSUMCHECK={v} is not a go setting and does nothing (GONOSUMDB / GOPRIVATE are)"),
                &format!("GONOSUMCHECK={v} 不是 go 的设置，没有任何作用（应使用 GONOSUMDB / GOPRIVATE）"),
            ),
        ));
    }
    out
}

/// A pattern list that matches any module path (`*`, `*.*`…).
fn covers_everything(globs: &str) -> bool {
    ["github.com/x", "example.com/x", "a.b/c", "localhost/x"]
        .iter()
        .all(|m| match_prefix_patterns(globs, m))
}

/// Whether the modules in play that look private are covered.
fn coverage(s: &State) -> Vec<Check> {
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    for m in s.modules_in_play() {
        let privacy = repo::privacy(&m.path);
        let by_private = s
            .env("GOPRIVATE")
            .is_some_and(|g| match_prefix_patterns(g, &m.path));
        let by_noproxy = s
            .gonoproxy()
            .is_some_and(|g| match_prefix_patterns(g, &m.path));
        let by_nosumdb = s
            .gonosumdb()
            .is_some_and(|g| match_prefix_patterns(g, &m.path));
        if let Some(c) = coverage_check(s, &m.path, privacy, by_private, by_noproxy, by_nosumdb) {
            out.push(c);
        } else if privacy == Privacy::Unknown && !by_private {
            unknown.push(m.path.clone());
        }
    }
    if !unknown.is_empty() {
        let shown: Vec<&str> = unknown.iter().take(4).map(String::as_str).collect();
        let more = unknown.len().saturating_sub(shown.len());
        let list = if more > 0 {
            format!("{} (+{more})", shown.join(", "))
        } else {
            shown.join(", ")
        };
        out.push(
            Check::new(
                "goenv.private-unknown",
                Section::GoEnv,
                Status::Skip,
                s.tr(
                    &format!(
                        "not covered by GOPRIVATE, public or private cannot be told offline: {list}"
                    ),
                    &format!("未被 GOPRIVATE 覆盖、离线无法判断是否私有：{list}"),
                ),
            )
            .with_fix(s.tr(
                &format!("To probe one: `{}`", super::super::suggestion(&unknown[0])),
                &format!("探测其中一个：`{}`", super::super::suggestion(&unknown[0])),
            )),
        );
    }
    out
}

/// The line for one module, or `None` when there is nothing to say.
pub fn coverage_check(
    s: &State,
    module: &str,
    privacy: Privacy,
    by_private: bool,
    by_noproxy: bool,
    by_nosumdb: bool,
) -> Option<Check> {
    let sec = || Section::GoEnv;
    let goproxy = s.env("GOPROXY").unwrap_or(DEFAULT_GOPROXY);
    let public_proxy = goproxy.contains("proxy.golang.org");
    let sumdb_on = s.env("GOSUMDB") != Some("off");
    let facts = advice::facts(s, &[("module", module)]);
    let via_proxy = !by_noproxy && public_proxy;
    let via_sumdb = !by_nosumdb && sumdb_on;
    if by_private || by_noproxy || by_nosumdb {
        if !via_proxy && !via_sumdb {
            return Some(Check::new(
                "goenv.private",
                sec(),
                Status::Ok,
                s.tr(
                    &format!("{module} is private for go (GOPRIVATE/GONOPROXY/GONOSUMDB cover it): fetched directly, not checked against the checksum database"),
                    &format!("{module} 对 go 而言是私有模块（被 GOPRIVATE/GONOPROXY/GONOSUMDB 覆盖）：直接获取，不与校验和数据库核对"),
                ),
            ));
        }
        // Partly covered: an explicit GONOPROXY / GONOSUMDB leaves it out.
        let (id, var) = if via_sumdb {
            ("sumdb-verify-failed", "GONOSUMDB")
        } else {
            ("private-module-via-proxy", "GONOPROXY")
        };
        let current = s.env(var).unwrap_or("");
        let prefix = crate::diagnose::goenv::suggested_prefix(module);
        let fixed = crate::diagnose::goenv::extended(Some(current), &prefix);
        return Some(
            Check::new(
                "goenv.private",
                sec(),
                Status::Fail,
                s.tr(
                    &format!("{module}: GOPRIVATE covers it but {var}={current} does not, and {var} wins"),
                    &format!("{module}：GOPRIVATE 覆盖了它，但 {var}={current} 没有覆盖，而 {var} 优先"),
                ),
            )
            .with_diagnosis(id)
            .with_fix(s.tr(
                &format!("Extend it: `go env -w {var}={fixed}` (or unset it to follow GOPRIVATE: `go env -u {var}`)."),
                &format!("扩展它：`go env -w {var}={fixed}`（或删除它以沿用 GOPRIVATE：`go env -u {var}`）。"),
            )),
        );
    }
    if privacy != Privacy::Private || (!via_proxy && !via_sumdb) {
        return None;
    }
    let id = if via_proxy {
        "private-module-via-proxy"
    } else {
        "sumdb-verify-failed"
    };
    let current = s
        .env("GOPRIVATE")
        .map_or_else(|| s.tr("unset", "未设置"), str::to_owned);
    Some(
        Check::new(
            "goenv.private",
            sec(),
            Status::Fail,
            s.tr(
                &format!("{module} looks private but GOPRIVATE ({current}) does not cover it: go asks the public proxy and checksum database for it"),
                &format!("{module} 看起来是私有模块，但 GOPRIVATE（{current}）没有覆盖它：go 会向公共代理和校验和数据库查询它"),
            ),
        )
        .with_diagnosis(id)
        .with_fixes(advice::steps(s, id, &facts).into_iter().take(1)),
    )
}
