//! The module proxy and checksum database lookups go would make for one
//! module, in go's order and with go's fall-through rules, skipped exactly
//! where go would skip them (GONOPROXY / GONOSUMDB, GOPROXY=direct|off,
//! GOSUMDB=off, hashes already in go.sum).

use std::time::Instant;

use super::Probe;
use crate::diagnose::goenv::{extended, match_prefix_patterns, suggested_prefix};
use crate::doctor::goproxy::{self, Entry};
use crate::doctor::http::Response;
use crate::doctor::model::Check;
use crate::doctor::resolve::escape;
use crate::doctor::{ALL, set_go_var};
use crate::redact::redact_owned;

/// What the proxy step learnt, for the checksum step.
#[derive(Debug, Clone, Default)]
pub(super) struct ProxyResult {
    /// The version the proxy resolved (`@latest`), or the one asked for.
    pub(super) version: Option<String>,
}

/// What a proxy's error body says, redacted and bounded: its first line
/// (`not found: M@V: invalid version: git ls-remote … exit status 128:`)
/// and, when the upstream error is further down, git's own line
/// (`fatal: could not read Username …`), which is the real cause.
fn body_lines(r: &Response) -> Vec<String> {
    let text = r.body_text();
    let cut = |line: &str| {
        let mut s: String = redact_owned(line).chars().take(300).collect();
        if line.chars().count() > 300 {
            s.push('…');
        }
        s
    };
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut out: Vec<String> = lines.first().map(|l| cut(l)).into_iter().collect();
    if let Some(leaf) = lines.iter().skip(1).find(|l| {
        l.starts_with("fatal:")
            || l.starts_with("remote:")
            || l.contains("Permission denied")
            || l.starts_with("致命错误")
    }) {
        out.push(cut(leaf));
    }
    out
}

/// `GET URL: 404 Not Found` and what the body says.
fn answer_lines(shown: &str, r: &Response) -> Vec<String> {
    let mut lines = vec![format!("GET {shown}: {}", r.answer())];
    lines.extend(body_lines(r));
    lines
}

/// GOPROXY lookups of the module.
pub(super) fn proxy(p: Probe<'_>, version: Option<&str>) -> (Check, ProxyResult) {
    let (ctx, lang, path) = (p.ctx, p.lang, p.arg.path.as_str());
    let id = "module.proxy";
    let goproxy_v = ctx.m.go.var("GOPROXY").unwrap_or("");
    let mut result = ProxyResult {
        version: version.map(str::to_owned),
    };
    if let Some(np) = ctx
        .s
        .env
        .gonoproxy()
        .filter(|np| match_prefix_patterns(np, path))
    {
        let var = ctx.m.go.private_var("GONOPROXY");
        let c = p.skip(id, t!(lang, lookup_proxy_skip_private, var, np));
        return (c, result);
    }
    let items = match goproxy::list(goproxy_v) {
        Ok(i) => i,
        Err(e) => return (p.problem(id, format!("GOPROXY={goproxy_v}: {e}")), result),
    };
    let what = match version {
        Some(v) => format!("@v/{}.info", escape(v)),
        None => "@latest".to_owned(),
    };
    let mut last: Option<Check> = None;
    let started = Instant::now();
    for (i, item) in items.iter().enumerate() {
        let url = match &item.entry {
            Entry::Direct => {
                let c = last.unwrap_or_else(|| p.skip(id, t!(lang, lookup_proxy_skip_direct)));
                return (c, result);
            }
            Entry::Off => {
                let c = last.unwrap_or_else(|| p.warn(id, t!(lang, lookup_proxy_off)));
                return (c, result);
            }
            Entry::Url(u) => u,
        };
        let next = items.get(i + 1).map(|n| &n.entry);
        let next_is_direct = next == Some(&Entry::Direct);
        let has_next = next.is_some_and(|n| *n != Entry::Off);
        let full = format!("{url}/{}/{what}", escape(path));
        let shown = redact_owned(&full);
        let host = host_of(url);
        let c = match ctx.fetch(&full) {
            Ok(r) if r.status == 200 => {
                if version.is_none() {
                    result.version = serde_json::from_slice::<serde_json::Value>(&r.body)
                        .ok()
                        .and_then(|v| v.get("Version")?.as_str().map(str::to_owned));
                }
                let version = result.version.clone().unwrap_or_default();
                let c = p
                    .ok(id, t!(lang, lookup_proxy_serves, version, host, path))
                    .detail(format!("GET {shown}: 200"));
                return (c.elapsed(started.elapsed()), result);
            }
            Ok(r) if r.status == 404 || r.status == 410 => {
                let c = not_found(p, url, &r, next_is_direct).details(answer_lines(&shown, &r));
                last = Some(c.elapsed(started.elapsed()));
                if has_next {
                    continue;
                }
                break;
            }
            Ok(r) => {
                let answer = r.answer();
                let c = p
                    .problem(id, t!(lang, lookup_proxy_answered, host, answer))
                    .details(answer_lines(&shown, &r));
                match r.status {
                    401 => c.diagnosis("https-auth-rejected").fix(t!(
                        lang,
                        lookup_proxy_wants_credentials,
                        host
                    )),
                    403 => c.diagnosis("https-forbidden"),
                    _ => c,
                }
            }
            Err(e) => p.net_failure(id, &e, &shown, &t!(lang, lookup_proxy_label)),
        };
        last = Some(c.elapsed(started.elapsed()));
        if !(item.fall_on_any_error && has_next) {
            break;
        }
    }
    let c = last.unwrap_or_else(|| p.skip(id, t!(lang, lookup_proxy_none)));
    (c, result)
}

fn host_of(url: &str) -> String {
    crate::doctor::http::Url::parse(url).map_or_else(|| redact_owned(url), |u| u.host_port())
}

/// A 404/410 from a proxy: "private, not covered" when the path is not in
/// GOPRIVATE and the proxy is a public mirror (what go would then report),
/// otherwise "not there".
fn not_found(p: Probe<'_>, url: &str, r: &Response, next_is_direct: bool) -> Check {
    let (ctx, lang, path) = (p.ctx, p.lang, p.arg.path.as_str());
    let id = "module.proxy";
    let public = goproxy::is_public_proxy(url);
    let host = host_of(url);
    let var = ctx.m.go.private_var("GONOPROXY");
    let value = extended(ctx.s.env.get(var), &suggested_prefix(path));
    let precise = set_go_var(ctx.m, var, &value);
    let upstream_auth = {
        let b = redact_owned(&r.body_text()).to_ascii_lowercase();
        b.contains("could not read username")
            || b.contains("terminal prompts disabled")
            || b.contains("authentication")
            || b.contains("permission denied")
    };
    let answer = r.answer();
    let summary = t!(
        lang,
        lookup_proxy_not_found_private,
        host,
        var,
        path,
        answer
    );
    if next_is_direct {
        // go falls back to git; the module works if git can reach it, but
        // its path was sent to the proxy (and will be to the checksum database).
        let c = p
            .warn(id, summary)
            .detail(t!(lang, lookup_proxy_falls_back_to_git))
            .diagnosis("private-module-via-proxy");
        return if public || upstream_auth {
            c.fix(precise)
        } else {
            c
        };
    }
    let fixes = ctx.fixes("private-module-via-proxy", &[("module", path)], ALL);
    let c = p.problem(id, summary).diagnosis("private-module-via-proxy");
    if public || upstream_auth {
        c.fix(precise)
            .fixes(fixes.into_iter().skip_while(|f| f.contains("GOPRIVATE=")))
    } else {
        c.fixes(fixes)
    }
}

/// The checksum database lookup go would make for the module at `version`.
pub(super) fn sumdb(p: Probe<'_>, version: Option<&str>, summed: bool) -> Check {
    let (ctx, lang, path) = (p.ctx, p.lang, p.arg.path.as_str());
    let id = "module.sumdb";
    let db = match goproxy::sumdb(ctx.m.go.var("GOSUMDB")) {
        Ok(Some(db)) => db,
        Ok(None) => return p.skip(id, t!(lang, lookup_sumdb_skip_off)),
        Err(e) => return p.problem(id, e),
    };
    let var = ctx.m.go.private_var("GONOSUMDB");
    if let Some(ns) = ctx
        .s
        .env
        .gonosumdb()
        .filter(|ns| match_prefix_patterns(ns, path))
    {
        return p.skip(id, t!(lang, lookup_sumdb_skip_private, var, ns));
    }
    let Some(version) = version else {
        return p.skip(id, t!(lang, lookup_sumdb_skip_no_version));
    };
    if summed {
        return p.skip(id, t!(lang, lookup_sumdb_skip_in_go_sum, version, path));
    }
    let started = Instant::now();
    let c = match sumdb_base(p, &db) {
        Err(c) => *c,
        Ok(base) => {
            let full = format!("{base}/lookup/{}@{}", escape(path), escape(version));
            let shown = redact_owned(&full);
            let name = &db.name;
            match ctx.get(&full) {
                Ok(r) if r.status == 200 => p
                    .ok(id, t!(lang, lookup_sumdb_knows, version, name, path))
                    .detail(format!("GET {shown}: 200")),
                Ok(r) if r.status == 404 || r.status == 410 => {
                    let value = extended(ctx.s.env.get(var), &suggested_prefix(path));
                    let answer = r.answer();
                    let summary = t!(
                        lang,
                        lookup_sumdb_not_found,
                        version,
                        var,
                        name,
                        path,
                        answer
                    );
                    let d = "sumdb-verify-failed";
                    p.problem(id, summary)
                        .details(answer_lines(&shown, &r))
                        .diagnosis(d)
                        .fix(set_go_var(ctx.m, var, &value))
                        .fixes(
                            ctx.fixes(d, &[("module", path)], ALL)
                                .into_iter()
                                .filter(|f| !f.contains("GOPRIVATE=") && !f.contains("GONOSUMDB=")),
                        )
                }
                Ok(r) => {
                    let answer = r.answer();
                    p.problem(id, t!(lang, lookup_sumdb_answered, name, answer))
                        .detail(format!("GET {shown}: {answer}"))
                        .diagnosis("sumdb-verify-failed")
                }
                Err(e) => p.net_failure(id, &e, &shown, &t!(lang, lookup_sumdb_label)),
            }
        }
    };
    c.elapsed(started.elapsed())
}

/// Where go talks to the checksum database: through the first proxy that
/// says it supports it (`PROXY/sumdb/NAME/supported` answers 200), else
/// directly (go's `dbProxy` order).  `Err`: the check of a proxy that failed.
fn sumdb_base(p: Probe<'_>, db: &goproxy::SumDb) -> Result<String, Box<Check>> {
    let (ctx, lang) = (p.ctx, p.lang);
    let items = goproxy::list(ctx.m.go.var("GOPROXY").unwrap_or("")).unwrap_or_default();
    for item in items {
        let Entry::Url(u) = item.entry else { break };
        let supported = format!("{u}/sumdb/{}/supported", db.name);
        let shown = redact_owned(&supported);
        let c = match ctx.get(&supported) {
            Ok(r) if r.status == 200 => return Ok(format!("{u}/sumdb/{}", db.name)),
            Ok(r) if r.status == 404 || r.status == 410 => continue,
            Ok(r) => {
                let answer = r.answer();
                p.problem(
                    "module.sumdb",
                    t!(lang, lookup_sumdb_proxy_answered, shown, answer),
                )
            }
            Err(e) => {
                let summary = t!(lang, lookup_sumdb_proxy_failed, shown, error = e);
                let mut c = p.problem("module.sumdb", summary);
                c.diagnosis = super::diagnosis_of(&e, false);
                c
            }
        };
        return Err(Box::new(c));
    }
    Ok(db.url.trim_end_matches('/').to_owned())
}
