//! The module proxy and checksum database lookups go would make for one
//! module, in go's order and with go's fall-through rules, skipped exactly
//! where go would skip them (GONOPROXY / GONOSUMDB, GOPROXY=direct|off,
//! GOSUMDB=off, hashes already in go.sum).

use std::time::{Duration, Instant};

use super::{Ctx, net_failure};
use crate::diagnose::goenv::{GoEnv, match_prefix_patterns};
use crate::doctor::ALL;
use crate::doctor::goproxy::{self, Entry};
use crate::doctor::http::Response;
use crate::doctor::model::{Check, Section};
use crate::doctor::resolve::escape;
use crate::doctor::scope::ModuleArg;
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

/// The whole body, redacted, for the classifier.
fn body(r: &Response) -> String {
    redact_owned(&r.body_text())
}

/// GOPROXY lookups of `arg`.
pub(super) fn proxy(
    ctx: &Ctx<'_>,
    arg: &ModuleArg,
    version: Option<&str>,
    timeout: Duration,
) -> (Check, ProxyResult) {
    let lang = ctx.lang;
    let sec = || Section::Module(arg.display());
    let id = "module.proxy";
    let env: &GoEnv = &ctx.env;
    let goproxy_v = ctx.m.go.var("GOPROXY").unwrap_or("");
    let mut result = ProxyResult {
        version: version.map(str::to_owned),
    };
    if let Some(np) = env
        .gonoproxy()
        .filter(|np| match_prefix_patterns(np, &arg.path))
    {
        let var = if env.get("GONOPROXY").is_some() {
            "GONOPROXY"
        } else {
            "GOPRIVATE"
        };
        return (
            Check::skip(id, sec(), t!(lang, lookup_proxy_skip_private, var, np)),
            result,
        );
    }
    let items = match goproxy::list(goproxy_v) {
        Ok(i) => i,
        Err(e) => {
            return (
                Check::problem(id, sec(), format!("GOPROXY={goproxy_v}: {e}")),
                result,
            );
        }
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
                let c = match last.take() {
                    None => Check::skip(id, sec(), t!(lang, lookup_proxy_skip_direct)),
                    Some(prev) => prev,
                };
                return (c, result);
            }
            Entry::Off => {
                let c = last
                    .take()
                    .unwrap_or_else(|| Check::warn(id, sec(), t!(lang, lookup_proxy_off)));
                return (c, result);
            }
            Entry::Url(u) => u.clone(),
        };
        let next_is_direct = items.get(i + 1).is_some_and(|n| n.entry == Entry::Direct);
        let has_next =
            i + 1 < items.len() && items.get(i + 1).is_some_and(|n| n.entry != Entry::Off);
        let full = format!("{url}/{}/{what}", escape(&arg.path));
        let shown = redact_owned(&full);
        let deadline = Instant::now() + timeout;
        let creds = ctx.credentials_for(&full);
        let answer = ctx.client.get(&full, creds.as_ref(), deadline);
        if let (Some(_), Ok(r)) = (&creds, &answer) {
            ctx.note_credential_result(&full, r.status);
        }
        match answer {
            Ok(r) if r.status == 200 => {
                if version.is_none() {
                    result.version = serde_json::from_slice::<serde_json::Value>(&r.body)
                        .ok()
                        .and_then(|v| v.get("Version")?.as_str().map(str::to_owned));
                }
                let v = result.version.clone().unwrap_or_default();
                return (
                    Check::ok(
                        id,
                        sec(),
                        t!(
                            lang,
                            lookup_proxy_serves,
                            version = v,
                            host = host_of(&url),
                            path = arg.path
                        ),
                    )
                    .detail(format!("GET {shown}: 200"))
                    .elapsed(started.elapsed()),
                    result,
                );
            }
            Ok(r) if r.status == 404 || r.status == 410 => {
                let mut c = not_found(ctx, arg, &url, &r, next_is_direct, lang)
                    .detail(format!("GET {shown}: {}", r.answer()));
                c = c.details(body_lines(&r));
                last = Some(c.elapsed(started.elapsed()));
                if has_next {
                    continue;
                }
            }
            Ok(r) => {
                let mut c = Check::problem(
                    id,
                    sec(),
                    t!(
                        lang,
                        lookup_proxy_answered,
                        host = host_of(&url),
                        answer = r.answer()
                    ),
                )
                .detail(format!("GET {shown}: {}", r.answer()));
                c = c.details(body_lines(&r));
                c = match r.status {
                    401 => c.diagnosis("https-auth-rejected").fix(t!(
                        lang,
                        lookup_proxy_wants_credentials,
                        host = host_of(&url)
                    )),
                    403 => c.diagnosis("https-forbidden"),
                    _ => c,
                };
                last = Some(c.elapsed(started.elapsed()));
                if item.fall_on_any_error && has_next {
                    continue;
                }
            }
            Err(e) => {
                last = Some(
                    net_failure(ctx, id, sec(), &e, &shown, &t!(lang, lookup_proxy_label))
                        .elapsed(started.elapsed()),
                );
                if item.fall_on_any_error && has_next {
                    continue;
                }
            }
        }
        break;
    }
    (
        last.unwrap_or_else(|| Check::skip(id, sec(), t!(lang, lookup_proxy_none))),
        result,
    )
}

fn host_of(url: &str) -> String {
    crate::doctor::http::Url::parse(url).map_or_else(|| redact_owned(url), |u| u.host_port())
}

/// A 404/410 from a proxy: "private, not covered" when the path is not in
/// GOPRIVATE and the proxy is a public mirror (what go would then report),
/// otherwise "not there".
fn not_found(
    ctx: &Ctx<'_>,
    arg: &ModuleArg,
    url: &str,
    r: &Response,
    next_is_direct: bool,
    lang: crate::i18n::Lang,
) -> Check {
    let sec = Section::Module(arg.display());
    let id = "module.proxy";
    let public = goproxy::is_public_proxy(url);
    let host = host_of(url);
    let fixes = ctx.fixes("private-module-via-proxy", &[("module", &arg.path)], ALL);
    let mut precise = Vec::new();
    let var = if ctx.env.get("GONOPROXY").is_some() {
        "GONOPROXY"
    } else {
        "GOPRIVATE"
    };
    let current = ctx.env.get(var);
    let value = crate::diagnose::goenv::extended(
        current,
        &crate::diagnose::goenv::suggested_prefix(&arg.path),
    );
    precise.push(crate::doctor::set_go_var(ctx.m, var, &value));
    let upstream_auth = {
        let b = body(r).to_ascii_lowercase();
        b.contains("could not read username")
            || b.contains("terminal prompts disabled")
            || b.contains("authentication")
            || b.contains("permission denied")
    };
    let summary_private = t!(
        lang,
        lookup_proxy_not_found_private,
        host,
        var,
        path = arg.path,
        answer = r.answer()
    );
    if next_is_direct {
        // go falls back to git; the module works if git can reach it, but
        // its path was sent to the proxy (and will be to the checksum database).
        let c = Check::warn(id, sec, summary_private)
            .detail(t!(lang, lookup_proxy_falls_back_to_git))
            .diagnosis("private-module-via-proxy");
        return if public || upstream_auth {
            c.fixes(precise)
        } else {
            c
        };
    }
    let c = Check::problem(id, sec, summary_private).diagnosis("private-module-via-proxy");
    if public || upstream_auth {
        c.fixes(precise)
            .fixes(fixes.into_iter().skip_while(|f| f.contains("GOPRIVATE=")))
    } else {
        c.fixes(fixes)
    }
}

/// The checksum database lookup go would make for `arg@version`.
pub(super) fn sumdb(
    ctx: &Ctx<'_>,
    arg: &ModuleArg,
    version: Option<&str>,
    summed: bool,
    timeout: Duration,
) -> Check {
    let lang = ctx.lang;
    let sec = || Section::Module(arg.display());
    let id = "module.sumdb";
    let env = &ctx.env;
    let db = match goproxy::sumdb(ctx.m.go.var("GOSUMDB")) {
        Ok(Some(db)) => db,
        Ok(None) => {
            return Check::skip(id, sec(), t!(lang, lookup_sumdb_skip_off));
        }
        Err(e) => return Check::problem(id, sec(), e),
    };
    if let Some(ns) = env
        .gonosumdb()
        .filter(|ns| match_prefix_patterns(ns, &arg.path))
    {
        let var = if env.get("GONOSUMDB").is_some() {
            "GONOSUMDB"
        } else {
            "GOPRIVATE"
        };
        return Check::skip(id, sec(), t!(lang, lookup_sumdb_skip_private, var, ns));
    }
    let Some(version) = version else {
        return Check::skip(id, sec(), t!(lang, lookup_sumdb_skip_no_version));
    };
    if summed {
        return Check::skip(
            id,
            sec(),
            t!(lang, lookup_sumdb_skip_in_go_sum, version, path = arg.path),
        );
    }
    let started = Instant::now();
    let base = match sumdb_base(ctx, arg, &db, timeout) {
        Ok(b) => b,
        Err(c) => return c.elapsed(started.elapsed()),
    };
    let full = format!("{base}/lookup/{}@{}", escape(&arg.path), escape(version));
    let shown = redact_owned(&full);
    let creds = ctx.credentials_for(&full);
    match ctx
        .client
        .get(&full, creds.as_ref(), Instant::now() + timeout)
    {
        Ok(r) if r.status == 200 => Check::ok(
            id,
            sec(),
            t!(
                lang,
                lookup_sumdb_knows,
                version,
                name = db.name,
                path = arg.path
            ),
        )
        .detail(format!("GET {shown}: 200"))
        .elapsed(started.elapsed()),
        Ok(r) if r.status == 404 || r.status == 410 => {
            let var = if env.get("GONOSUMDB").is_some() {
                "GONOSUMDB"
            } else {
                "GOPRIVATE"
            };
            let value = crate::diagnose::goenv::extended(
                env.get(var),
                &crate::diagnose::goenv::suggested_prefix(&arg.path),
            );
            let mut c = Check::problem(
                id,
                sec(),
                t!(
                    lang,
                    lookup_sumdb_not_found,
                    version,
                    var,
                    name = db.name,
                    path = arg.path,
                    answer = r.answer()
                ),
            )
            .detail(format!("GET {shown}: {}", r.answer()));
            c = c.details(body_lines(&r));
            c.diagnosis("sumdb-verify-failed")
                .fix(crate::doctor::set_go_var(ctx.m, var, &value))
                .fixes(
                    ctx.fixes("sumdb-verify-failed", &[("module", &arg.path)], ALL)
                        .into_iter()
                        .filter(|f| !f.contains("GOPRIVATE=") && !f.contains("GONOSUMDB=")),
                )
                .elapsed(started.elapsed())
        }
        Ok(r) => Check::problem(
            id,
            sec(),
            t!(
                lang,
                lookup_sumdb_answered,
                name = db.name,
                answer = r.answer()
            ),
        )
        .detail(format!("GET {shown}: {}", r.answer()))
        .diagnosis("sumdb-verify-failed")
        .elapsed(started.elapsed()),
        Err(e) => net_failure(ctx, id, sec(), &e, &shown, &t!(lang, lookup_sumdb_label))
            .elapsed(started.elapsed()),
    }
}

/// Where go talks to the checksum database: through the first proxy that
/// says it supports it (`PROXY/sumdb/NAME/supported` answers 200), else
/// directly (go's `dbProxy` order).  `Err`: the check of a proxy that failed.
fn sumdb_base(
    ctx: &Ctx<'_>,
    arg: &ModuleArg,
    db: &goproxy::SumDb,
    timeout: Duration,
) -> Result<String, Box<Check>> {
    let items = goproxy::list(ctx.m.go.var("GOPROXY").unwrap_or("")).unwrap_or_default();
    for item in items {
        let Entry::Url(u) = item.entry else { break };
        let supported = format!("{u}/sumdb/{}/supported", db.name);
        let creds = ctx.credentials_for(&supported);
        let shown = redact_owned(&supported);
        let summary = match ctx
            .client
            .get(&supported, creds.as_ref(), Instant::now() + timeout)
        {
            Ok(r) if r.status == 200 => return Ok(format!("{u}/sumdb/{}", db.name)),
            Ok(r) if r.status == 404 || r.status == 410 => continue,
            Ok(r) => t!(
                ctx.lang,
                lookup_sumdb_proxy_answered,
                shown,
                answer = r.answer()
            ),
            Err(e) => {
                let summary = t!(ctx.lang, lookup_sumdb_proxy_failed, shown, error = e);
                let mut c = Check::problem("module.sumdb", Section::Module(arg.display()), summary);
                c.diagnosis = super::diagnosis_of(&e, false);
                return Err(Box::new(c));
            }
        };
        let c = Check::problem("module.sumdb", Section::Module(arg.display()), summary);
        return Err(Box::new(c));
    }
    Ok(db.url.trim_end_matches('/').to_owned())
}
