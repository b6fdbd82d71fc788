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
use crate::doctor::{ALL, set_go_var};
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

const SEC: Section = Section::GoEnv;

fn show(m: &Machine, name: &str) -> String {
    format!("{name}={}", m.go.var(name).unwrap_or(""))
}

fn goproxy_check(m: &Machine, s: &Scope) -> Check {
    let lang = s.lang;
    let v = m.go.var("GOPROXY").unwrap_or("");
    let id = "goenv.goproxy";
    match goproxy::list(v) {
        Err(e) => SEC.problem(id, format!("GOPROXY={v}: {e}")).fix(set_go_var(
            m,
            "GOPROXY",
            "https://proxy.golang.org,direct",
        )),
        Ok(items) => {
            if items.first().is_some_and(|i| i.entry == Entry::Off) {
                return SEC.warn(id, t!(lang, goenv_goproxy_off));
            }
            let creds = items.iter().any(|i| match &i.entry {
                Entry::Url(u) => crate::redact::redact(u) != u.as_str(),
                _ => false,
            });
            if creds {
                return SEC
                    .warn(id, t!(lang, goenv_goproxy_credential))
                    .detail(show(m, "GOPROXY"))
                    .fix(t!(lang, goenv_goproxy_credential_fix));
            }
            SEC.ok(id, show(m, "GOPROXY"))
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
        None => t!(lang, goenv_goprivate_unset),
    }];
    for n in ["GONOPROXY", "GONOSUMDB"] {
        match m.go.var(n) {
            Some(v) => lines.push(format!("{n}={v}")),
            None => lines.push(t!(lang, goenv_defaults_to_goprivate, var = n)),
        }
    }
    out.push(SEC.ok("goenv.private", lines.join("; ")));
    // Too broad: a whole public host skips the proxy (and usually the
    // checksum database) for every public module there.
    for n in ["GOPRIVATE", "GONOPROXY"] {
        let Some(v) = m.go.var(n) else { continue };
        let wide = public_host_entries(v);
        if covers_everything(v) || !wide.is_empty() {
            let what = if covers_everything(v) {
                t!(lang, goenv_every_module)
            } else {
                wide.join(", ")
            };
            out.push(
                SEC.warn(
                    "goenv.private-broad",
                    t!(lang, goenv_private_broad, var = n, value = v, what),
                )
                .fix(t!(
                    lang,
                    goenv_private_broad_fix,
                    cmd = set_go_var(m, n, &t!(lang, example_your_org))
                )),
            );
        }
    }
    out
}

fn sumdb_check(m: &Machine, s: &Scope) -> Vec<Check> {
    let lang = s.lang;
    let env = &s.env;
    let mut out = Vec::new();
    match goproxy::sumdb(m.go.var("GOSUMDB")) {
        Ok(None) => out.push(
            SEC.problem("goenv.gosumdb", t!(lang, goenv_gosumdb_off))
                .diagnosis("sumdb-verify-failed")
                .fix(unset_go_var(m, "GOSUMDB"))
                .fix(t!(
                    lang,
                    goenv_gosumdb_off_fix,
                    cmd = set_go_var(m, "GONOSUMDB", &t!(lang, example_private_path))
                )),
        ),
        Err(e) => out.push(
            SEC.problem("goenv.gosumdb", e)
                .fix(unset_go_var(m, "GOSUMDB")),
        ),
        Ok(Some(db)) => {
            let nosum = env.gonosumdb().unwrap_or("");
            let nosum_name = m.go.private_var("GONOSUMDB");
            if !nosum.is_empty() && covers_everything(nosum) {
                out.push(
                    SEC.problem(
                        "goenv.gosumdb",
                        t!(
                            lang,
                            goenv_nosumdb_everything,
                            var = nosum_name,
                            value = nosum
                        ),
                    )
                    .diagnosis("sumdb-verify-failed")
                    .fix(t!(
                        lang,
                        goenv_nosumdb_everything_fix,
                        cmd = set_go_var(m, nosum_name, &t!(lang, example_private_path))
                    ))
                    .fixes(
                        s.fixes("sumdb-verify-failed", &[], ALL)
                            .into_iter()
                            .filter(|f| f.contains("GOSUMDB=off")),
                    ),
                );
            } else {
                let wide = public_host_entries(nosum);
                if !wide.is_empty() {
                    out.push(
                        SEC.warn(
                            "goenv.gosumdb",
                            t!(
                                lang,
                                goenv_nosumdb_public_host,
                                var = nosum_name,
                                value = nosum,
                                wide = wide.join(", ")
                            ),
                        )
                        .diagnosis("sumdb-verify-failed")
                        .fix(t!(
                            lang,
                            goenv_nosumdb_public_host_fix,
                            cmd = set_go_var(m, nosum_name, &t!(lang, example_your_org))
                        )),
                    );
                } else {
                    out.push(SEC.ok(
                        "goenv.gosumdb",
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
        return Some(SEC.ok("goenv.goflags", format!("GOFLAGS={v}")));
    }
    let rest: Vec<&str> = flags.iter().filter(|f| !insecure(f)).copied().collect();
    let fix = if rest.is_empty() {
        unset_go_var(m, "GOFLAGS")
    } else {
        set_go_var(m, "GOFLAGS", &rest.join(" "))
    };
    Some(
        SEC.problem("goenv.goflags", t!(lang, goenv_goflags_insecure, v))
            .diagnosis("insecure-scheme")
            .fix(fix)
            .fix(t!(
                lang,
                goenv_goflags_insecure_fix,
                cmd = set_go_var(m, "GOINSECURE", "git.internal.example")
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
        return Some(SEC.ok("goenv.goinsecure", format!("GOINSECURE={v}")));
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
        SEC.problem(
            "goenv.goinsecure",
            t!(lang, goenv_goinsecure_public, v, public = public.join(", ")),
        )
        .diagnosis("insecure-scheme")
        .fix(fix)
        .fix(t!(lang, goenv_goinsecure_public_fix)),
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
        return Some(SEC.ok("goenv.govcs", format!("GOVCS={v}")));
    }
    let prefix = suggested_prefix(&blocked[0]);
    Some(
        SEC.problem(
            "goenv.govcs",
            t!(
                lang,
                goenv_govcs_blocks_git,
                v,
                blocked = blocked.join(", ")
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
        return Some(SEC.warn("goenv.goauth", t!(lang, goenv_goauth_too_old, v)));
    }
    Some(
        SEC.ok("goenv.goauth", format!("GOAUTH={v}"))
            .detail(t!(lang, goenv_goauth_not_run)),
    )
}

fn modcache_check(m: &Machine, s: &Scope) -> Option<Check> {
    let lang = s.lang;
    let dir = m.go.var("GOMODCACHE")?;
    let path = std::path::Path::new(dir);
    // The nearest existing directory is where go would create it.
    let existing = path.ancestors().find(|p| p.exists())?;
    if writable(existing) {
        return Some(SEC.ok("goenv.gomodcache", format!("GOMODCACHE={dir}")));
    }
    Some(
        SEC.problem(
            "goenv.gomodcache",
            t!(
                lang,
                goenv_gomodcache_not_writable,
                dir,
                existing = existing.display()
            ),
        )
        .fix(t!(
            lang,
            goenv_gomodcache_not_writable_fix,
            dir = shell_word(dir),
            cmd = set_go_var(m, "GOMODCACHE", "$HOME/go/pkg/mod")
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
        SEC.warn("goenv.gonosumcheck", t!(lang, goenv_gonosumcheck, v))
            .detail(t!(lang, goenv_gonosumcheck_why))
            .fix("unset GONOSUMCHECK")
            .fix(t!(lang, goenv_gonosumcheck_fix)),
    )
}

/// Private-looking modules of go.mod that go would send to a public proxy
/// or checksum database.
fn coverage_check(m: &Machine, s: &Scope) -> Option<Check> {
    let lang = s.lang;
    if s.private.is_empty() {
        return None;
    }
    let env = &s.env;
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
            SEC.ok(
                "goenv.coverage",
                t!(lang, goenv_coverage_ok, count = s.private.len()),
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
            let var = m.go.private_var("GONOPROXY");
            fixes.push(set_go_var(m, var, &grow(m.go.var(var), &via_proxy)));
        }
        if !via_sumdb.is_empty() {
            let var = m.go.private_var("GONOSUMDB");
            let f = set_go_var(m, var, &grow(m.go.var(var), &via_sumdb));
            if !fixes.contains(&f) {
                fixes.push(f);
            }
        }
    }
    let (id, what) = if via_proxy.is_empty() {
        ("sumdb-verify-failed", t!(lang, goenv_public_sumdb))
    } else {
        ("private-module-via-proxy", t!(lang, goenv_public_proxy))
    };
    let names = summarize(&all, lang);
    let var = match (via_proxy.is_empty(), explicit_noproxy, explicit_nosum) {
        (false, true, _) => "GONOPROXY",
        (true, _, true) => "GONOSUMDB",
        _ => "GOPRIVATE",
    };
    let current = format!("{var}={}", m.go.var(var).unwrap_or(""));
    let mut c = SEC
        .problem(
            "goenv.coverage",
            t!(lang, goenv_coverage_missing, names, current, what),
        )
        .diagnosis(id)
        .details(
            s.private
                .iter()
                .filter(|p| all.contains(&p.path.as_str()))
                .map(|p| origin_line(p, &file, lang)),
        )
        .fixes(fixes);
    c = c.fix(t!(lang, goenv_coverage_then_probe));
    Some(c)
}

/// `M V (why; required by ~/app/go.mod)`.
fn origin_line(p: &crate::doctor::scope::PrivateModule, file: &str, lang: Lang) -> String {
    let from = t!(lang, goenv_origin_required, file);
    format!("{} {} ({}; {from})", p.path, p.version, p.reason).replace("  (", " (")
}

/// `a`, `a and b`, `a and 3 more`.
fn summarize(items: &[&str], lang: Lang) -> String {
    match items {
        [] => String::new(),
        [a] => (*a).to_owned(),
        [a, b] => t!(lang, goenv_a_and_b, a, b),
        [a, rest @ ..] => t!(
            lang,
            goenv_and_more,
            a,
            more = rest.len(),
            total = rest.len() + 1
        ),
    }
}
