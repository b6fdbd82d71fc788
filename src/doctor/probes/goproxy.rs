//! The lookups go itself makes: the module proxies of GOPROXY (in order,
//! with go's fall-through rules: after `,` only "not found" moves on, after
//! `|` any error does) and the checksum database of GOSUMDB — skipped, as
//! go skips them, for paths that GONOPROXY / GONOSUMDB (GOPRIVATE) cover.
//! Requests carry the `.netrc` credentials go would send.

use super::super::advice;
use super::super::checks::creds::netrc_credentials;
use super::super::gomod::ModuleRef;
use super::super::model::{Check, Section, Status};
use super::super::net::http::{Client, Url};
use super::super::repo::{self, Privacy, escape_path};
use super::super::state::State;
use super::{http_failure, section};
use crate::diagnose::goenv::match_prefix_patterns;

const DEFAULT_GOPROXY: &str = "https://proxy.golang.org,direct";
const DEFAULT_GOSUMDB: &str = "sum.golang.org";

/// Words in a proxy's "not found" answer that say the proxy could not read
/// the repository (it is private), not that the version does not exist.
const PRIVATE_SIGNS: &[&str] = &[
    "terminal prompts disabled",
    "could not read username",
    "authentication failed",
    "repository not found",
    "permission denied",
    "returned error: 401",
    "returned error: 403",
    "410 gone",
];

/// GOPROXY entries and the separator after each (`,` or `|`).
pub fn proxy_list(goproxy: &str) -> Vec<(String, char)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in goproxy.chars() {
        if c == ',' || c == '|' {
            if !cur.trim().is_empty() {
                out.push((cur.trim().to_owned(), c));
            }
            cur.clear();
        } else {
            cur.push(c);
        }
    }
    if !cur.trim().is_empty() {
        out.push((cur.trim().to_owned(), ','));
    }
    out
}

/// The proxy lookup, then the checksum database lookup (which needs the
/// version the proxy named when none was given).
pub fn probe(s: &State, m: &ModuleRef) -> Vec<Check> {
    let (proxy_check, version) = proxy(s, m);
    vec![
        proxy_check,
        sumdb(s, m, version.or_else(|| m.version.clone())),
    ]
}

fn proxy(s: &State, m: &ModuleRef) -> (Check, Option<String>) {
    let sec = || section(m);
    if let Some(g) = s.gonoproxy()
        && match_prefix_patterns(g, &m.path)
    {
        return (
            Check::new(
                "probe.goproxy",
                sec(),
                Status::Skip,
                s.tr(
                    &format!("module proxy: skipped: private (GONOPROXY/GOPRIVATE={g} covers it; go fetches it directly)"),
                    &format!("模块代理：跳过：私有模块（GONOPROXY/GOPRIVATE={g} 覆盖了它；go 会直接获取）"),
                ),
            ),
            None,
        );
    }
    let goproxy = s.env("GOPROXY").unwrap_or(DEFAULT_GOPROXY).to_owned();
    let client = Client::from_env();
    let deadline = super::deadline(s);
    let mut notes: Vec<String> = Vec::new();
    let mut not_found: Option<Check> = None;
    for (entry, sep) in proxy_list(&goproxy) {
        match entry.as_str() {
            "direct" => {
                let mut c = match not_found.take() {
                    Some(nf) => nf,
                    None => Check::new(
                        "probe.goproxy",
                        sec(),
                        Status::Skip,
                        s.tr(
                            "module proxy: none before `direct` (go fetches it directly)",
                            "模块代理：`direct` 之前没有代理（go 会直接获取）",
                        ),
                    ),
                };
                for n in &notes {
                    c = c.with_detail(n);
                }
                return (c, None);
            }
            "off" => {
                return (
                    Check::new(
                        "probe.goproxy",
                        sec(),
                        Status::Fail,
                        s.tr(
                            "module proxy: module lookup disabled by GOPROXY=off",
                            "模块代理：GOPROXY=off 禁止了模块查询",
                        ),
                    ),
                    None,
                );
            }
            _ => {}
        }
        let base = entry.trim_end_matches('/');
        let path = match &m.version {
            Some(v) => format!("{}/@v/{}.info", escape_path(&m.path), escape_path(v)),
            None => format!("{}/@latest", escape_path(&m.path)),
        };
        let Some(url) = Url::parse(&format!("{base}/{path}")) else {
            return (
                Check::new(
                    "probe.goproxy",
                    sec(),
                    Status::Fail,
                    s.tr(
                        &format!("module proxy: invalid GOPROXY entry {entry}"),
                        &format!("模块代理：无效的 GOPROXY 项 {entry}"),
                    ),
                ),
                None,
            );
        };
        let creds = netrc_credentials(s, &url.host_port());
        let shown = url.display();
        match client.get(
            &url,
            creds.as_ref().map(|(l, p)| (l.as_str(), p.as_str())),
            deadline,
        ) {
            Ok(r) if r.status == 200 => {
                let body = r.body_text();
                let version = serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.get("Version").and_then(|x| x.as_str()).map(str::to_owned));
                let mut c = Check::new(
                    "probe.goproxy",
                    sec(),
                    Status::Ok,
                    s.tr(
                        &format!(
                            "module proxy: {shown}: 200 OK ({})",
                            version.as_deref().unwrap_or("?")
                        ),
                        &format!(
                            "模块代理：{shown}：200 OK（{}）",
                            version.as_deref().unwrap_or("?")
                        ),
                    ),
                );
                for n in &notes {
                    c = c.with_detail(n);
                }
                return (c, version);
            }
            Ok(r) if r.status == 404 || r.status == 410 => {
                let body = r.body_text();
                let first = body.lines().next().unwrap_or("").trim().to_owned();
                let lower = body.to_ascii_lowercase();
                let line = format!("{shown}: {} {}", r.status, r.reason);
                let private = PRIVATE_SIGNS.iter().any(|w| lower.contains(w))
                    || repo::privacy(&m.path) == Privacy::Private;
                let facts = advice::facts(s, &[("module", &m.path)]);
                let c = if private {
                    Check::new(
                        "probe.goproxy",
                        sec(),
                        Status::Fail,
                        s.tr(
                            &format!("module proxy: {line}: the proxy cannot read it (private?), and GOPRIVATE does not cover it"),
                            &format!("模块代理：{line}：代理读不到它（私有？），而 GOPRIVATE 没有覆盖它"),
                        ),
                    )
                    .with_detail(&first)
                    .with_diagnosis("private-module-via-proxy")
                    .with_fixes(advice::steps(s, "private-module-via-proxy", &facts))
                } else if lower.contains("unknown revision") || lower.contains("invalid version") {
                    Check::new(
                        "probe.goproxy",
                        sec(),
                        Status::Fail,
                        format!("module proxy: {line}"),
                    )
                    .with_detail(&first)
                    .with_diagnosis("unknown-revision")
                    .with_fixes(advice::steps(s, "unknown-revision", &facts))
                } else {
                    Check::new(
                        "probe.goproxy",
                        sec(),
                        Status::Warn,
                        s.tr(
                            &format!("module proxy: {line}: not found there"),
                            &format!("模块代理：{line}：代理中没有"),
                        ),
                    )
                    .with_detail(&first)
                };
                if let Some(prev) = not_found.take() {
                    notes.push(prev.summary);
                }
                not_found = Some(c);
            }
            Ok(r) => {
                let line = format!("{shown}: {} {}", r.status, r.reason);
                let mut c = Check::new(
                    "probe.goproxy",
                    sec(),
                    Status::Fail,
                    format!("module proxy: {line}"),
                )
                .with_detail(r.body_text().lines().next().unwrap_or(""));
                if r.status == 401 || r.status == 403 {
                    c = c.with_fix(s.tr(
                        &format!("The proxy wants credentials: add `machine {} login USER password TOKEN` to ~/.netrc (chmod 600), or use GOAUTH (go 1.24+).", url.host_port()),
                        &format!("代理需要凭据：在 ~/.netrc 中加入 `machine {} login 用户名 password 令牌`（chmod 600），或使用 GOAUTH（go 1.24+）。", url.host_port()),
                    ));
                }
                if sep == '|' {
                    if let Some(prev) = not_found.take() {
                        notes.push(prev.summary);
                    }
                    not_found = Some(c);
                    continue;
                }
                return (c, None);
            }
            Err(f) => {
                let c = http_failure(
                    s,
                    "probe.goproxy",
                    m,
                    &format!("module proxy {shown}"),
                    &url.host,
                    &f,
                );
                if sep == '|' {
                    if let Some(prev) = not_found.take() {
                        notes.push(prev.summary);
                    }
                    not_found = Some(c);
                    continue;
                }
                return (c, None);
            }
        }
    }
    let c = not_found.unwrap_or_else(|| {
        Check::new(
            "probe.goproxy",
            sec(),
            Status::Fail,
            s.tr(
                "module proxy: GOPROXY lists no proxy",
                "模块代理：GOPROXY 中没有代理",
            ),
        )
    });
    (c, None)
}

/// `(name, base URL)` of GOSUMDB (`name[+key] [URL]`).
pub fn sumdb_base(gosumdb: &str) -> (String, String) {
    let mut f = gosumdb.split_whitespace();
    let key = f.next().unwrap_or(DEFAULT_GOSUMDB);
    let name = key.split('+').next().unwrap_or(key).to_owned();
    let url = f
        .next()
        .map(|u| u.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| format!("https://{name}"));
    (name, url)
}

fn sumdb(s: &State, m: &ModuleRef, version: Option<String>) -> Check {
    let sec = || section(m);
    let gosumdb = s.env("GOSUMDB").unwrap_or(DEFAULT_GOSUMDB);
    if gosumdb == "off" {
        return Check::new(
            "probe.gosumdb",
            sec(),
            Status::Skip,
            s.tr(
                "checksum database: skipped: GOSUMDB=off",
                "校验和数据库：跳过：GOSUMDB=off",
            ),
        );
    }
    if let Some(g) = s.gonosumdb()
        && match_prefix_patterns(g, &m.path)
    {
        return Check::new(
            "probe.gosumdb",
            sec(),
            Status::Skip,
            s.tr(
                &format!("checksum database: skipped: private (GONOSUMDB/GOPRIVATE={g} covers it)"),
                &format!("校验和数据库：跳过：私有模块（GONOSUMDB/GOPRIVATE={g} 覆盖了它）"),
            ),
        );
    }
    let Some(v) = version else {
        return Check::new(
            "probe.gosumdb",
            sec(),
            Status::Skip,
            s.tr(
                "checksum database: skipped: no version known (give MODULE@VERSION)",
                "校验和数据库：跳过：不知道版本（请用 MODULE@VERSION）",
            ),
        );
    };
    let (name, base) = sumdb_base(gosumdb);
    let Some(url) = Url::parse(&format!(
        "{base}/lookup/{}@{}",
        escape_path(&m.path),
        escape_path(&v)
    )) else {
        return Check::new(
            "probe.gosumdb",
            sec(),
            Status::Fail,
            format!("GOSUMDB={gosumdb}: invalid URL"),
        );
    };
    let shown = url.display();
    let client = Client::from_env();
    let creds = netrc_credentials(s, &url.host_port());
    match client.get(
        &url,
        creds.as_ref().map(|(l, p)| (l.as_str(), p.as_str())),
        super::deadline(s),
    ) {
        Ok(r) if r.status == 200 => Check::new(
            "probe.gosumdb",
            sec(),
            Status::Ok,
            s.tr(
                &format!("checksum database: {name} knows {}@{v}", m.path),
                &format!("校验和数据库：{name} 记录了 {}@{v}", m.path),
            ),
        )
        .with_detail(&shown),
        Ok(r) if r.status == 404 || r.status == 410 => {
            let facts = advice::facts(s, &[("module", &m.path)]);
            Check::new(
                "probe.gosumdb",
                sec(),
                Status::Fail,
                s.tr(
                    &format!(
                        "checksum database: {shown}: {} {}: go cannot verify {}@{v}",
                        r.status, r.reason, m.path
                    ),
                    &format!(
                        "校验和数据库：{shown}：{} {}：go 无法校验 {}@{v}",
                        r.status, r.reason, m.path
                    ),
                ),
            )
            .with_detail(r.body_text().lines().next().unwrap_or(""))
            .with_diagnosis("sumdb-verify-failed")
            .with_fixes(advice::steps(s, "sumdb-verify-failed", &facts))
        }
        Ok(r) => Check::new(
            "probe.gosumdb",
            sec(),
            Status::Fail,
            format!("checksum database: {shown}: {} {}", r.status, r.reason),
        )
        .with_detail(r.body_text().lines().next().unwrap_or("")),
        Err(f) => http_failure(
            s,
            "probe.gosumdb",
            m,
            &format!("checksum database {shown}"),
            &url.host,
            &f,
        ),
    }
}

/// `--network` without modules: can the proxies and the checksum database
/// be reached at all (any HTTP answer counts)?
pub fn reachability(s: &State) -> Vec<Check> {
    let goproxy = s.env("GOPROXY").unwrap_or(DEFAULT_GOPROXY).to_owned();
    let mut targets: Vec<(&'static str, String)> = proxy_list(&goproxy)
        .into_iter()
        .filter(|(e, _)| e != "direct" && e != "off")
        .map(|(e, _)| ("reach.goproxy", format!("{}/", e.trim_end_matches('/'))))
        .collect();
    let gosumdb = s.env("GOSUMDB").unwrap_or(DEFAULT_GOSUMDB);
    if gosumdb != "off" {
        targets.push(("reach.gosumdb", format!("{}/latest", sumdb_base(gosumdb).1)));
    }
    let m = ModuleRef {
        path: String::new(),
        version: None,
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = targets
            .iter()
            .map(|(id, u)| {
                let m = &m;
                scope.spawn(move || {
                    let Some(url) = Url::parse(u) else {
                        return Check::new(
                            id,
                            Section::Reachability,
                            Status::Fail,
                            format!("{u}: invalid URL"),
                        );
                    };
                    let creds = netrc_credentials(s, &url.host_port());
                    match Client::from_env().get(
                        &url,
                        creds.as_ref().map(|(l, p)| (l.as_str(), p.as_str())),
                        super::deadline(s),
                    ) {
                        Ok(r) => Check::new(
                            id,
                            Section::Reachability,
                            Status::Ok,
                            s.tr(
                                &format!(
                                    "{}: reachable (HTTP {} {})",
                                    url.display(),
                                    r.status,
                                    r.reason
                                ),
                                &format!(
                                    "{}：可以访问（HTTP {} {}）",
                                    url.display(),
                                    r.status,
                                    r.reason
                                ),
                            ),
                        ),
                        Err(f) => {
                            let mut c = http_failure(s, id, m, &url.display(), &url.host, &f);
                            c.section = Section::Reachability;
                            c
                        }
                    }
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goproxy_lists_and_sumdb_names() {
        assert_eq!(
            proxy_list("https://a.test|https://b.test,direct"),
            [
                ("https://a.test".to_owned(), '|'),
                ("https://b.test".to_owned(), ','),
                ("direct".to_owned(), ',')
            ]
        );
        assert_eq!(
            sumdb_base("sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ua0+m1G3M9d2I1NT"),
            (
                "sum.golang.org".to_owned(),
                "https://sum.golang.org".to_owned()
            )
        );
        assert_eq!(
            sumdb_base("sum.example+abc https://mirror.example/sumdb/"),
            (
                "sum.example".to_owned(),
                "https://mirror.example/sumdb".to_owned()
            )
        );
    }
}
