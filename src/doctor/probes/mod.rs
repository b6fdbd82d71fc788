//! Network probes, only with `--network` or a MODULE argument.
//!
//! Per module, two chains run in parallel, and modules run in parallel:
//!
//! * repository: resolve it (known host, or the `go-import` meta tag) →
//!   the insteadOf rewrite git applies → DNS → TCP → `ssh -T` (SSH
//!   remotes) → `git ls-remote`;
//! * lookups: GOPROXY (`.info` / `@latest`) → GOSUMDB (`/lookup/M@V`).
//!
//! Each step has its own deadline (`--timeout`); a step that fails makes
//! the later steps of its chain "skipped", so a server that never answers
//! costs one timeout, not one per step.  git and ssh runs to the same host
//! are serialised, and after a host refused a credential no other probe
//! offers it again (no account lock-outs).

mod lookup;
mod vcs;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::gitcfg::{self, Remote};
use super::http::{self, Client, HttpError, ProxyEnv, Stage};
use super::machine::Machine;
use super::model::{Check, Section, Status};
use super::resolve::{self, RepoRoot, Source};
use super::scope::{ModuleArg, Scope};
use super::{ALL, rule_fixes};
use crate::diagnose::goenv::{GoEnv, match_prefix_patterns};
use crate::i18n::Lang;
use crate::redact::redact_owned;

/// Most go.mod modules probed when no module is named.
const MAX_GOMOD_PROBES: usize = 5;

/// Shared by the probes of one run.
pub struct Ctx<'a> {
    pub m: &'a Machine,
    pub env: GoEnv,
    pub client: Client,
    pub lang: Lang,
    /// netrc machines whose credentials a server refused (never sent again).
    rejected: Mutex<HashSet<String>>,
    /// One git/ssh run per host at a time, and what the last one found.
    gates: Mutex<HashMap<String, Arc<Mutex<Gate>>>>,
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx").finish_non_exhaustive()
    }
}

impl Ctx<'_> {
    /// At most `n` fix steps of diagnosis rule `id`, filled with `values`.
    pub fn fixes(&self, id: &str, values: &[(&str, &str)], n: usize) -> Vec<String> {
        let all = rule_fixes(id, values, &self.env, self.lang);
        all.into_iter().take(n).collect()
    }

    /// The ~/.netrc credentials go would send to `url` (`host:port` when
    /// the URL has a port, as go 1.23+ matches), unless refused already.
    pub fn credentials_for(&self, url: &str) -> Option<(String, String)> {
        let u = http::Url::parse(url)?;
        if u.scheme != "https" {
            return None;
        }
        let machine = u.host_port();
        if self.rejected.lock().ok()?.contains(&machine) {
            return None;
        }
        self.m.netrc.as_ref().ok()?.as_ref()?.credentials(&machine)
    }

    pub fn note_credential_result(&self, url: &str, status: u16) {
        if (status == 401 || status == 403)
            && let (Some(u), Ok(mut r)) = (http::Url::parse(url), self.rejected.lock())
        {
            r.insert(u.host_port());
        }
    }

    fn gate(&self, key: &str) -> Arc<Mutex<Gate>> {
        let mut g = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        g.entry(key.to_owned()).or_default().clone()
    }
}

/// What an earlier git or ssh run to the same host found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Gate {
    #[default]
    Untried,
    /// `ssh -T` authenticated (not repeated for the next module).
    Authenticated,
    /// The host refused the credential, with this cause (never offered again).
    Refused(&'static str),
}

/// Causes that mean a credential was refused.
const CREDENTIAL_REFUSED: &[&str] = &[
    "ssh-publickey-denied",
    "https-auth-rejected",
    "https-forbidden",
];

/// Runs the probes: of the named modules, else of go.mod's private-looking
/// modules, plus the proxy and checksum database endpoints.
pub fn run(m: &Machine, s: &Scope, timeout: Duration) -> Vec<Check> {
    let ctx = Ctx {
        m,
        env: m.goenv(),
        client: Client::new(
            ProxyEnv::from_lookup(|n| m.var(n).map(str::to_owned)),
            m.var("SSL_CERT_FILE").map(str::to_owned),
            m.var("SSL_CERT_DIR").map(str::to_owned),
        ),
        lang: s.lang,
        rejected: Mutex::default(),
        gates: Mutex::default(),
    };
    let gm = m.gomod.as_ref().and_then(|g| g.as_ref().ok());
    let mut targets: Vec<(ModuleArg, Option<String>, bool)> = s
        .named
        .iter()
        .map(|n| {
            // A version from go.mod helps the checksum lookup of a bare path.
            let req = s
                .required
                .iter()
                .find(|(p, _)| *p == n.path)
                .map(|(_, v)| v.clone());
            let version =
                n.semver()
                    .map(str::to_owned)
                    .or(if n.version.is_none() { req } else { None });
            let summed = version
                .as_deref()
                .is_some_and(|v| gm.is_some_and(|g| g.in_go_sum(&n.path, v)));
            (n.clone(), version, summed)
        })
        .collect();
    if targets.is_empty() {
        targets = s
            .private
            .iter()
            .take(MAX_GOMOD_PROBES)
            .map(|p| {
                (
                    ModuleArg {
                        path: p.path.clone(),
                        version: Some(p.version.clone()),
                    },
                    Some(p.version.clone()),
                    p.summed,
                )
            })
            .collect();
    }
    let ctx = &ctx;
    std::thread::scope(|sc| {
        let endpoints = if s.named.is_empty() {
            Some(sc.spawn(move || endpoints(ctx, timeout)))
        } else {
            None
        };
        let handles: Vec<_> = targets
            .iter()
            .map(|(arg, version, summed)| {
                sc.spawn(move || module(ctx, arg, version.as_deref(), *summed, timeout))
            })
            .collect();
        let mut out: Vec<Check> = endpoints
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default();
        for (h, (arg, _, _)) in handles.into_iter().zip(&targets) {
            out.extend(h.join().unwrap_or_else(|_| {
                vec![Check::problem(
                    "module.internal",
                    Section::Module(arg.display()),
                    "internal error while probing".to_owned(),
                )]
            }));
        }
        out
    })
}

/// The diagnosis an HTTP failure corresponds to.
pub(crate) fn diagnosis_of(e: &HttpError, ssh: bool) -> Option<&'static str> {
    Some(match e.stage {
        Stage::Url => return None,
        Stage::Dns if ssh => "ssh-connect-failed",
        Stage::Dns => "dns-resolution-failed",
        Stage::Connect if ssh => "ssh-connect-failed",
        Stage::Connect => "network-connect-failed",
        Stage::Proxy => "proxy-failure",
        Stage::Tls if e.timed_out => "network-connect-failed",
        Stage::Tls => "tls-certificate",
        Stage::Http => "network-connect-failed",
    })
}

/// A problem check for a failed request, with the diagnosis and its fixes.
/// `label` names the step (`proxy: `, `checksum database: `…).
pub(crate) fn net_failure(
    ctx: &Ctx<'_>,
    id: &'static str,
    section: Section,
    e: &HttpError,
    shown: &str,
    label: &str,
) -> Check {
    let lang = ctx.lang;
    let diag = diagnosis_of(e, false);
    let host = http::Url::parse(shown).map(|u| u.host).unwrap_or_default();
    let summary = if e.timed_out {
        t!(lang, probe_no_answer_in_time, label, shown, error = e)
    } else {
        format!("{label}{shown}: {}", redact_owned(&e.message))
    };
    let mut c = Check::problem(id, section, summary);
    if let Some(d) = diag {
        c = c
            .diagnosis(d)
            .fixes(ctx.fixes(d, &[("host", &host), ("url", shown)], 3));
    }
    c
}

/// The proxy and checksum database themselves (no module named).
fn endpoints(ctx: &Ctx<'_>, timeout: Duration) -> Vec<Check> {
    let lang = ctx.lang;
    let mut out = Vec::new();
    if let Ok(items) = super::goproxy::list(ctx.m.go.var("GOPROXY").unwrap_or("")) {
        for item in items {
            let super::goproxy::Entry::Url(u) = item.entry else {
                break;
            };
            let shown = redact_owned(&u);
            let started = Instant::now();
            let url = format!("{u}/");
            let creds = ctx.credentials_for(&url);
            let c = match ctx
                .client
                .get(&url, creds.as_ref(), Instant::now() + timeout)
            {
                Ok(r) if r.status < 500 => Check::ok(
                    "net.goproxy",
                    Section::Network,
                    t!(lang, probe_goproxy_answers, shown, answer = r.answer()),
                ),
                Ok(r) => Check::problem(
                    "net.goproxy",
                    Section::Network,
                    t!(lang, probe_goproxy_fails, shown, answer = r.answer()),
                ),
                Err(e) => net_failure(
                    ctx,
                    "net.goproxy",
                    Section::Network,
                    &e,
                    &shown,
                    &t!(lang, probe_goproxy_label),
                ),
            };
            out.push(c.elapsed(started.elapsed()));
        }
    }
    if let Ok(Some(db)) = super::goproxy::sumdb(ctx.m.go.var("GOSUMDB")) {
        let started = Instant::now();
        let url = format!("{}/latest", db.url.trim_end_matches('/'));
        let shown = redact_owned(&url);
        let c = match ctx.client.get(&url, None, Instant::now() + timeout) {
            Ok(r) if r.status == 200 => Check::ok(
                "net.gosumdb",
                Section::Network,
                t!(lang, probe_gosumdb_answers, name = db.name),
            ),
            Ok(r) => Check::problem(
                "net.gosumdb",
                Section::Network,
                t!(lang, probe_gosumdb_fails, shown, answer = r.answer()),
            )
            .diagnosis("sumdb-verify-failed"),
            Err(e) => net_failure(
                ctx,
                "net.gosumdb",
                Section::Network,
                &e,
                &shown,
                &t!(lang, probe_gosumdb_label),
            ),
        };
        out.push(
            c.detail(t!(lang, probe_gosumdb_direct))
                .elapsed(started.elapsed()),
        );
    }
    out
}

/// Every probe of one module.
fn module(
    ctx: &Ctx<'_>,
    arg: &ModuleArg,
    version: Option<&str>,
    summed: bool,
    timeout: Duration,
) -> Vec<Check> {
    let (mut repo, lookups) = std::thread::scope(|sc| {
        let lookups = sc.spawn(move || {
            let (proxy, found) = lookup::proxy(ctx, arg, version, timeout);
            // go stops at the proxy's failure (a final "not found" too: only
            // a `direct` after it goes on), so it never gets to verifying.
            if proxy.status == Status::Problem {
                let skip = Check::skip(
                    "module.sumdb",
                    Section::Module(arg.display()),
                    t!(ctx.lang, probe_sumdb_skip_after_proxy),
                );
                return vec![proxy, skip];
            }
            let v = version.map(str::to_owned).or(found.version);
            let sumdb = lookup::sumdb(ctx, arg, v.as_deref(), summed, timeout);
            vec![proxy, sumdb]
        });
        let repo = repository(ctx, arg, version, timeout);
        (repo, lookups.join().unwrap_or_default())
    });
    // The repository does not exist: the proxy's "not found" says the same.
    let missing = repo
        .iter()
        .any(|c| c.id == "module.ls-remote" && c.diagnosis == Some("repo-not-found"));
    let mut lookups = lookups;
    if missing {
        for c in &mut lookups {
            if c.diagnosis == Some("private-module-via-proxy") {
                c.detail.push(t!(ctx.lang, probe_repo_missing_too));
            }
        }
    }
    repo.extend(lookups);
    repo
}

/// The repository chain.
fn repository(
    ctx: &Ctx<'_>,
    arg: &ModuleArg,
    version: Option<&str>,
    timeout: Duration,
) -> Vec<Check> {
    let lang = ctx.lang;
    let sec = || Section::Module(arg.display());
    let mut out = Vec::new();
    let root = match resolve_root(ctx, arg, timeout) {
        Ok((root, c)) => {
            out.push(c);
            root
        }
        Err(c) => {
            out.push(*c);
            out.push(skipped("module.ls-remote", sec(), lang));
            return out;
        }
    };
    if root.vcs == "mod" {
        out.push(Check::skip(
            "module.ls-remote",
            sec(),
            t!(lang, probe_git_not_used_mod, url = redact_owned(&root.url)),
        ));
        return out;
    }
    if root.vcs != "git" {
        out.push(Check::skip(
            "module.ls-remote",
            sec(),
            t!(lang, probe_vcs_not_probed, vcs = root.vcs),
        ));
        return out;
    }
    let rewrites = ctx.m.git.rewrites();
    let effective = match gitcfg::rewrite(&root.url, &rewrites) {
        Some((new, rule)) => {
            let mut c = Check::ok("module.rewrite", sec(), t!(lang, probe_rewrite, new)).detail(
                format!("url.\"{}\".insteadOf \"{}\"", rule.base, rule.prefix),
            );
            if rule.has_credential() {
                c.status = Status::Warn;
                c = c.detail(t!(lang, probe_rewrite_credential));
            }
            out.push(c);
            new
        }
        None => root.url.clone(),
    };
    let remote = gitcfg::classify(&effective);
    let Some(git) = ctx.m.git.path.clone() else {
        out.push(
            Check::problem("module.ls-remote", sec(), t!(lang, probe_no_git))
                .diagnosis("git-not-found"),
        );
        return out;
    };
    // Where git connects: (host, port, is ssh), or None to skip DNS/TCP.
    let (endpoint, ssh_target) = match &remote {
        Remote::Https(u) | Remote::Http(u) => match git_proxy(ctx.m, &effective) {
            Some(p) => (
                http::Url::parse(&if p.contains("://") {
                    p.clone()
                } else {
                    format!("http://{p}")
                })
                .map(|pu| (pu.host, pu.port, false, Some(p))),
                None,
            ),
            None => (Some((u.host.clone(), u.port, false, None)), None),
        },
        Remote::Ssh(t) => {
            let cfg = ssh_config(ctx, t);
            match &cfg {
                Ok(c) if c.proxy.is_none() => (
                    Some((c.hostname.clone(), c.port, true, None)),
                    Some((t.clone(), cfg.ok())),
                ),
                _ => (None, Some((t.clone(), cfg.ok()))),
            }
        }
        Remote::Git { host, port } => (Some((host.clone(), *port, false, None)), None),
        Remote::Other(_) => (None, None),
    };
    if let Some((host, port, is_ssh, via)) = endpoint {
        let (checks, ok) = reach(ctx, arg, &host, port, is_ssh, via.as_deref(), timeout);
        out.extend(checks);
        if !ok {
            out.push(skipped("module.ls-remote", sec(), lang));
            return out;
        }
    }
    if let Some((t, cfg)) = &ssh_target {
        match ssh_check(ctx, arg, t, cfg.as_ref(), timeout) {
            Ok(c) => out.push(c),
            Err(c) => {
                out.push(*c);
                out.push(skipped("module.ls-remote", sec(), lang));
                return out;
            }
        }
    }
    out.push(ls_remote(
        ctx, arg, &git, &root, &effective, version, timeout,
    ));
    out
}

fn skipped(id: &'static str, section: Section, lang: Lang) -> Check {
    Check::skip(id, section, t!(lang, probe_ls_remote_skipped))
}

/// The proxy git (curl) would use: `http.proxy` from git's config, else
/// `https_proxy` / `HTTPS_PROXY` (curl reads the lower-case one first),
/// unless `no_proxy` covers the host.
fn git_proxy(m: &Machine, url: &str) -> Option<String> {
    let from_config = m
        .git
        .entries()
        .iter()
        .filter(|e| e.key.ends_with(".proxy") && e.key.starts_with("http."))
        .filter(|e| {
            let mid = &e.key["http.".len()..e.key.len() - ".proxy".len()];
            mid.is_empty() || url.starts_with(mid)
        })
        .filter_map(|e| e.value.clone())
        .next_back();
    if let Some(p) = from_config.filter(|p| !p.is_empty()) {
        return Some(p);
    }
    let u = http::Url::parse(url)?;
    let get = |a: &str, b: &str| m.var(a).or_else(|| m.var(b)).map(str::to_owned);
    let proxy = if u.scheme == "https" {
        get("https_proxy", "HTTPS_PROXY")
    } else {
        m.var("http_proxy").map(str::to_owned)
    }
    .or_else(|| get("all_proxy", "ALL_PROXY"))?;
    let no = get("no_proxy", "NO_PROXY");
    if no.is_some_and(|n| http::no_proxy_matches(&n, &u.host, u.port)) {
        return None;
    }
    Some(proxy)
}

/// Resolves the module's repository, as a check.
fn resolve_root(
    ctx: &Ctx<'_>,
    arg: &ModuleArg,
    timeout: Duration,
) -> Result<(RepoRoot, Check), Box<Check>> {
    let lang = ctx.lang;
    let sec = || Section::Module(arg.display());
    let id = "module.repo";
    match resolve::static_root(&arg.path) {
        Some(Ok(root)) => {
            let how = match root.source {
                Source::KnownHost(h) => {
                    t!(lang, probe_repo_known_host, host = h)
                }
                _ => t!(lang, probe_repo_dot_git),
            };
            let c = Check::ok(id, sec(), t!(lang, probe_repo_static, how, url = root.url));
            return Ok((root, c));
        }
        Some(Err(e)) => {
            return Err(Box::new(
                Check::problem(id, sec(), e).diagnosis("go-import-meta"),
            ));
        }
        None => {}
    }
    let page = format!("https://{}?go-get=1", arg.path);
    let started = Instant::now();
    let creds = ctx.credentials_for(&page);
    let insecure = ctx
        .env
        .get("GOINSECURE")
        .is_some_and(|g| match_prefix_patterns(g, &arg.path));
    let mut answer = ctx
        .client
        .get(&page, creds.as_ref(), Instant::now() + timeout);
    let mut used = page.clone();
    if insecure && matches!(&answer, Err(e) if e.stage != Stage::Http) {
        // GOINSECURE: plain http only when https failed at the transport level.
        used = format!("http://{}?go-get=1", arg.path);
        answer = ctx.client.get(&used, None, Instant::now() + timeout);
    }
    if let (Some(_), Ok(r)) = (&creds, &answer) {
        ctx.note_credential_result(&page, r.status);
    }
    let r = match answer {
        Ok(r) => r,
        Err(e) => {
            let c = net_failure(ctx, id, sec(), &e, &used, "go-import: ")
                .detail(t!(lang, probe_repo_meta_why))
                .elapsed(started.elapsed());
            return Err(Box::new(c));
        }
    };
    let tags = resolve::parse_meta(&r.body_text());
    match resolve::match_meta(&tags, &arg.path) {
        Ok(mut root) => {
            root.source = Source::MetaTag(used.clone());
            let c = Check::ok(
                id,
                sec(),
                t!(
                    lang,
                    probe_repo_meta,
                    vcs = root.vcs,
                    url = redact_owned(&root.url),
                    root = root.root
                ),
            )
            .detail(format!(
                "GET {}: {} {}",
                redact_owned(&used),
                r.status,
                r.reason
            ))
            .elapsed(started.elapsed());
            Ok((root, c))
        }
        Err(e) => {
            let id_diag = if r.status == 404 || r.status == 410 {
                "repo-not-found"
            } else {
                "go-import-meta"
            };
            let summary = if r.status == 200 {
                format!("{}: {e}", redact_owned(&used))
            } else {
                format!("reading {}: {}", redact_owned(&used), r.answer())
            };
            let diag = if r.status == 401 || r.status == 403 {
                "go-import-meta"
            } else {
                id_diag
            };
            Err(Box::new(
                Check::problem(id, sec(), summary)
                    .diagnosis(diag)
                    .fixes(ctx.fixes(diag, &[("module", &arg.path), ("url", &used)], ALL))
                    .elapsed(started.elapsed()),
            ))
        }
    }
}

/// DNS and TCP to where git connects: the checks, and whether both worked.
fn reach(
    ctx: &Ctx<'_>,
    arg: &ModuleArg,
    host: &str,
    port: u16,
    ssh: bool,
    via: Option<&str>,
    timeout: Duration,
) -> (Vec<Check>, bool) {
    let lang = ctx.lang;
    let sec = || Section::Module(arg.display());
    let what = via.map_or_else(
        || host.to_owned(),
        |p| t!(lang, probe_via_proxy, proxy = redact_owned(p)),
    );
    let started = Instant::now();
    let addrs = match http::resolve(host, port, Instant::now() + timeout) {
        Ok(a) => a,
        Err(e) => {
            let d = if via.is_some() {
                "proxy-failure"
            } else {
                diagnosis_of(&e, ssh).unwrap_or("dns-resolution-failed")
            };
            let c = Check::problem(
                "module.dns",
                sec(),
                t!(lang, probe_dns_failed, what, error = e.message),
            )
            .diagnosis(d)
            .fixes(ctx.fixes(d, &[("host", host)], 3))
            .elapsed(started.elapsed());
            return (vec![c], false);
        }
    };
    let shown: Vec<String> = addrs.iter().take(3).map(|a| a.ip().to_string()).collect();
    let dns = Check::ok(
        "module.dns",
        sec(),
        t!(lang, probe_dns_ok, host, addrs = shown.join(", ")),
    )
    .elapsed(started.elapsed());
    let started = Instant::now();
    match http::connect(&addrs, host, port, Instant::now() + timeout) {
        Ok(_) => {
            let tcp = Check::ok("module.tcp", sec(), t!(lang, probe_tcp_ok, what, port))
                .elapsed(started.elapsed());
            (vec![dns, tcp], true)
        }
        Err(e) => {
            let d = if via.is_some() {
                "proxy-failure"
            } else {
                diagnosis_of(&e, ssh).unwrap_or("network-connect-failed")
            };
            let tcp = Check::problem(
                "module.tcp",
                sec(),
                t!(lang, probe_tcp_failed, what, port, error = e.message),
            )
            .diagnosis(d)
            .fixes(ctx.fixes(d, &[("host", host), ("port", &port.to_string())], 3))
            .elapsed(started.elapsed());
            (vec![dns, tcp], false)
        }
    }
}

fn ssh_config(ctx: &Ctx<'_>, t: &gitcfg::SshTarget) -> Result<super::ssh::HostConfig, String> {
    if let Some(h) = ctx
        .m
        .ssh
        .hosts
        .iter()
        .find(|h| h.destination == t.destination() && h.port == t.port)
    {
        return h.config.clone();
    }
    let ssh = ctx.m.ssh.ssh.as_deref().ok_or("ssh is not installed")?;
    super::ssh::host_config(
        ssh,
        t.user.as_deref(),
        &t.host,
        t.port,
        super::local_timeout(),
    )
}

/// `ssh -T`: `Ok` when authenticated (or not checkable), `Err` to stop the chain.
fn ssh_check(
    ctx: &Ctx<'_>,
    arg: &ModuleArg,
    t: &gitcfg::SshTarget,
    cfg: Option<&super::ssh::HostConfig>,
    timeout: Duration,
) -> Result<Check, Box<Check>> {
    let lang = ctx.lang;
    let sec = || Section::Module(arg.display());
    let id = "module.ssh";
    let dest = t.destination();
    let shown = match t.port {
        Some(p) => format!("ssh -T -p {p} {dest}"),
        None => format!("ssh -T {dest}"),
    };
    let gate = ctx.gate(&format!(
        "ssh {}",
        cfg.map_or(t.host.as_str(), |c| c.hostname.as_str())
    ));
    let mut state = gate.lock().unwrap_or_else(|p| p.into_inner());
    if *state == Gate::Authenticated {
        return Ok(Check::ok(
            id,
            sec(),
            t!(lang, probe_ssh_authenticated_above, shown),
        ));
    }
    if let Gate::Refused(prev) = *state {
        return Err(Box::new(Check::skip(
            id,
            sec(),
            t!(lang, probe_ssh_skip_refused, shown, prev, host = t.host),
        )));
    }
    let out = match vcs::ssh_t(ctx.m, &dest, t.port, timeout) {
        Ok(o) => o,
        Err(e) => return Err(Box::new(Check::problem(id, sec(), format!("{shown}: {e}")))),
    };
    if out.timed_out {
        return Err(Box::new(
            Check::problem(
                id,
                sec(),
                t!(
                    lang,
                    probe_no_answer_within,
                    shown,
                    timeout = timeout.as_secs_f64()
                ),
            )
            .diagnosis("ssh-connect-failed")
            .fixes(ctx.fixes("ssh-connect-failed", &[("host", &t.host)], 2))
            .elapsed(out.elapsed),
        ));
    }
    let text = format!("{}\n{}", out.stderr, out.stdout);
    if out.ok {
        *state = Gate::Authenticated;
        let greeting = vcs::tail(&text, 1);
        return Ok(
            Check::ok(id, sec(), t!(lang, probe_ssh_authenticated, shown))
                .details(greeting)
                .elapsed(out.elapsed),
        );
    }
    let values = [("host", t.host.as_str()), ("module", arg.path.as_str())];
    let named = vcs::classify(&text, &values, ctx.m, lang);
    if let Some(n) = &named
        && CREDENTIAL_REFUSED.contains(&n.id)
    {
        *state = Gate::Refused(n.id);
    }
    let mut c = Check::problem(id, sec(), t!(lang, probe_failed, shown)).elapsed(out.elapsed);
    let ev = named.as_ref().and_then(|n| n.evidence.clone());
    c = c.details(
        vcs::tail(&text, 4)
            .into_iter()
            .filter(|t| Some(t.trim()) != ev.as_deref()),
    );
    if let Some(n) = named {
        c.summary = format!(
            "{shown}: {}",
            n.evidence.clone().unwrap_or_else(|| n.id.to_owned())
        );
        c = c.diagnosis(n.id).fixes(n.fixes);
    }
    Err(Box::new(c))
}

fn ls_remote(
    ctx: &Ctx<'_>,
    arg: &ModuleArg,
    git: &std::path::Path,
    root: &RepoRoot,
    effective: &str,
    version: Option<&str>,
    timeout: Duration,
) -> Check {
    let lang = ctx.lang;
    let url = root.url.as_str();
    let sec = || Section::Module(arg.display());
    let id = "module.ls-remote";
    let shown = format!("git ls-remote {}", redact_owned(url));
    let host = crate::diagnose::context::url_host(effective).unwrap_or_default();
    let gate = ctx.gate(&format!("git {host}"));
    let mut state = gate.lock().unwrap_or_else(|p| p.into_inner());
    if let Gate::Refused(prev) = *state {
        return Check::skip(
            id,
            sec(),
            t!(lang, probe_ls_remote_skip_refused, shown, host, prev),
        );
    }
    let out = match vcs::ls_remote(ctx.m, git, url, timeout) {
        Ok(o) => o,
        Err(e) => return Check::problem(id, sec(), format!("{shown}: {e}")),
    };
    if out.timed_out {
        let ssh = matches!(gitcfg::classify(effective), Remote::Ssh(_));
        let d = if ssh {
            "ssh-connect-failed"
        } else {
            "network-connect-failed"
        };
        return Check::problem(
            id,
            sec(),
            t!(
                lang,
                probe_no_answer_within,
                shown,
                timeout = timeout.as_secs_f64()
            ),
        )
        .details(vcs::tail(&out.stderr, 3))
        .diagnosis(d)
        .fixes(ctx.fixes(d, &[("host", &host)], 2))
        .elapsed(out.elapsed);
    }
    if out.ok {
        let refs = out.stdout.lines().filter(|l| !l.trim().is_empty()).count();
        let mut c =
            Check::ok(id, sec(), t!(lang, probe_ls_remote_refs, shown, refs)).elapsed(out.elapsed);
        if let Some(v) = version.filter(|v| !v.contains("-0.") && !v.contains("+incompatible")) {
            let tag = tag_for(&arg.path, &root.root, v);
            if vcs::has_tag(&out.stdout, &tag) {
                c = c.detail(t!(lang, probe_tag_found, tag));
            } else {
                return Check::problem(
                    id,
                    sec(),
                    t!(
                        lang,
                        probe_tag_missing,
                        shown,
                        tag,
                        version = v,
                        path = arg.path
                    ),
                )
                .diagnosis("unknown-revision")
                .fixes(ctx.fixes(
                    "unknown-revision",
                    &[("module", &arg.path), ("version", v), ("url", url)],
                    ALL,
                ))
                .elapsed(out.elapsed);
            }
        }
        return c;
    }
    let values = [
        ("module", arg.path.as_str()),
        ("url", url),
        ("host", host.as_str()),
    ];
    let named = vcs::classify(&out.stderr, &values, ctx.m, lang);
    let ev = named.as_ref().and_then(|n| n.evidence.clone());
    let mut c = Check::problem(id, sec(), t!(lang, probe_failed, shown))
        .details(
            vcs::tail(&out.stderr, 4)
                .into_iter()
                .filter(|t| Some(t.trim()) != ev.as_deref()),
        )
        .elapsed(out.elapsed);
    if let Some(n) = named {
        if CREDENTIAL_REFUSED.contains(&n.id) {
            *state = Gate::Refused(n.id);
        }
        if let Some(ev) = &n.evidence {
            c.summary = format!("{shown}: {ev}");
        }
        c = c.diagnosis(n.id).fixes(n.fixes);
        if ctx.m.var("GIT_ASKPASS").is_some() && n.id.starts_with("https-") {
            c.status = Status::Warn;
            c.detail.push(t!(lang, probe_askpass_not_run));
        }
    }
    c
}

/// The tag go looks for: `vX.Y.Z`, prefixed by the module's subdirectory
/// in the repository (without a major-version suffix).
fn tag_for(module: &str, root: &str, version: &str) -> String {
    let sub = module
        .strip_prefix(root)
        .unwrap_or("")
        .trim_start_matches('/');
    let sub = match sub.rsplit_once('/') {
        Some((dir, last)) if is_major(last) => dir,
        _ if is_major(sub) => "",
        _ => sub,
    };
    if sub.is_empty() {
        version.to_owned()
    } else {
        format!("{sub}/{version}")
    }
}

fn is_major(s: &str) -> bool {
    s.strip_prefix('v').is_some_and(|n| {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && n != "0" && n != "1"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_for_subdirectories_and_majors() {
        assert_eq!(
            tag_for("github.com/acme/api", "github.com/acme/api", "v1.0.0"),
            "v1.0.0"
        );
        assert_eq!(
            tag_for("github.com/acme/api/v2", "github.com/acme/api", "v2.1.0"),
            "v2.1.0"
        );
        assert_eq!(
            tag_for(
                "github.com/acme/mono/tools",
                "github.com/acme/mono",
                "v0.3.0"
            ),
            "tools/v0.3.0"
        );
        assert_eq!(
            tag_for(
                "github.com/acme/mono/tools/v3",
                "github.com/acme/mono",
                "v3.0.0"
            ),
            "tools/v3.0.0"
        );
    }
}
