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

use super::ALL;
use super::gitcfg::{self, Remote};
use super::http::{self, Client, HttpError, ProxyEnv, Response, Stage};
use super::machine::Machine;
use super::model::{Check, Section, Status};
use super::resolve::{self, RepoRoot, Source};
use super::scope::{ModuleArg, Scope};
use crate::diagnose::goenv::match_prefix_patterns;
use crate::i18n::Lang;
use crate::redact::redact_owned;

/// Most go.mod modules probed when no module is named.
const MAX_GOMOD_PROBES: usize = 5;

/// Shared by the probes of one run.
pub struct Ctx<'a> {
    pub m: &'a Machine,
    /// What is in play: the go environment, the language, the modules.
    pub s: &'a Scope,
    pub client: Client,
    /// Wall-clock limit of each step (`--timeout`).
    pub timeout: Duration,
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
        self.s.fixes(id, values, n)
    }

    /// GET `url` within one step's deadline, with the ~/.netrc credentials
    /// go would send to it.
    pub fn get(&self, url: &str) -> Result<Response, HttpError> {
        let creds = self.credentials_for(url);
        self.client
            .get(url, creds.as_ref(), Instant::now() + self.timeout)
    }

    /// [`Ctx::get`], remembering a refused credential (never sent again).
    pub fn fetch(&self, url: &str) -> Result<Response, HttpError> {
        let creds = self.credentials_for(url);
        let answer = self
            .client
            .get(url, creds.as_ref(), Instant::now() + self.timeout);
        if let (Some(_), Ok(r)) = (&creds, &answer)
            && (r.status == 401 || r.status == 403)
            && let (Some(u), Ok(mut rejected)) = (http::Url::parse(url), self.rejected.lock())
        {
            rejected.insert(u.host_port());
        }
        answer
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

    fn gate(&self, key: &str) -> Arc<Mutex<Gate>> {
        let mut g = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        g.entry(key.to_owned()).or_default().clone()
    }
}

/// The probes of one module: the run's context and the module, whose
/// section every check goes to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Probe<'a> {
    ctx: &'a Ctx<'a>,
    arg: &'a ModuleArg,
    lang: Lang,
}

impl Probe<'_> {
    fn check(&self, status: Status, id: &'static str, summary: String) -> Check {
        Check::new(id, Section::Module(self.arg.display()), status, summary)
    }

    fn ok(&self, id: &'static str, summary: String) -> Check {
        self.check(Status::Ok, id, summary)
    }

    fn warn(&self, id: &'static str, summary: String) -> Check {
        self.check(Status::Warn, id, summary)
    }

    fn problem(&self, id: &'static str, summary: String) -> Check {
        self.check(Status::Problem, id, summary)
    }

    fn skip(&self, id: &'static str, summary: String) -> Check {
        self.check(Status::Skip, id, summary)
    }

    /// A failed request of step `id`, with the diagnosis and its fixes.
    fn net_failure(&self, id: &'static str, e: &HttpError, shown: &str, label: &str) -> Check {
        net_failure(
            self.ctx,
            id,
            Section::Module(self.arg.display()),
            e,
            shown,
            label,
        )
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
        s,
        client: Client::new(
            ProxyEnv::from_lookup(|n| m.var(n).map(str::to_owned)),
            m.var("SSL_CERT_FILE").map(str::to_owned),
            m.var("SSL_CERT_DIR").map(str::to_owned),
        ),
        timeout,
        rejected: Mutex::default(),
        gates: Mutex::default(),
    };
    let gm = m.gomod.as_ref().and_then(|g| g.as_ref().ok());
    let mut targets: Vec<(ModuleArg, Option<String>, bool)> = s
        .named
        .iter()
        .map(|n| {
            // A version from go.mod helps the checksum lookup of a bare path.
            let req = gm.and_then(|g| {
                let mut fetched = g.requires.iter().filter_map(|r| g.fetched(r));
                fetched.find(|(p, _)| *p == n.path).map(|(_, v)| v)
            });
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
        let endpoints = s.named.is_empty().then(|| sc.spawn(move || endpoints(ctx)));
        let handles: Vec<_> = targets
            .iter()
            .map(|(arg, version, summed)| {
                let p = Probe {
                    ctx,
                    arg,
                    lang: ctx.s.lang,
                };
                sc.spawn(move || module(p, version.as_deref(), *summed))
            })
            .collect();
        let mut out: Vec<Check> = endpoints
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default();
        for (h, (arg, _, _)) in handles.into_iter().zip(&targets) {
            out.extend(h.join().unwrap_or_else(|_| {
                vec![
                    Section::Module(arg.display())
                        .problem("module.internal", "internal error while probing".to_owned()),
                ]
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
    let lang = ctx.s.lang;
    let host = http::Url::parse(shown).map(|u| u.host).unwrap_or_default();
    let summary = if e.timed_out {
        t!(lang, probe_no_answer_in_time, label, shown, error = e)
    } else {
        format!("{label}{shown}: {}", redact_owned(&e.message))
    };
    let c = section.problem(id, summary);
    match diagnosis_of(e, false) {
        Some(d) => c
            .diagnosis(d)
            .fixes(ctx.fixes(d, &[("host", &host), ("url", shown)], 3)),
        None => c,
    }
}

/// The proxy and checksum database themselves (no module named).
fn endpoints(ctx: &Ctx<'_>) -> Vec<Check> {
    let lang = ctx.s.lang;
    let mut out = Vec::new();
    let items = super::goproxy::list(ctx.m.go.var("GOPROXY").unwrap_or("")).unwrap_or_default();
    for item in items {
        let super::goproxy::Entry::Url(u) = item.entry else {
            break;
        };
        let (shown, started) = (redact_owned(&u), Instant::now());
        let (id, sec) = ("net.goproxy", Section::Network);
        let c = match ctx.get(&format!("{u}/")) {
            Ok(r) if r.status < 500 => sec.ok(
                id,
                t!(lang, probe_goproxy_answers, shown, answer = r.answer()),
            ),
            Ok(r) => sec.problem(
                id,
                t!(lang, probe_goproxy_fails, shown, answer = r.answer()),
            ),
            Err(e) => net_failure(ctx, id, sec, &e, &shown, &t!(lang, probe_goproxy_label)),
        };
        out.push(c.elapsed(started.elapsed()));
    }
    if let Ok(Some(db)) = super::goproxy::sumdb(ctx.m.go.var("GOSUMDB")) {
        let started = Instant::now();
        let url = format!("{}/latest", db.url.trim_end_matches('/'));
        let shown = redact_owned(&url);
        let (id, sec) = ("net.gosumdb", Section::Network);
        let c = match ctx.client.get(&url, None, Instant::now() + ctx.timeout) {
            Ok(r) if r.status == 200 => sec.ok(id, t!(lang, probe_gosumdb_answers, name = db.name)),
            Ok(r) => sec
                .problem(
                    id,
                    t!(lang, probe_gosumdb_fails, shown, answer = r.answer()),
                )
                .diagnosis("sumdb-verify-failed"),
            Err(e) => net_failure(ctx, id, sec, &e, &shown, &t!(lang, probe_gosumdb_label)),
        };
        out.push(
            c.detail(t!(lang, probe_gosumdb_direct))
                .elapsed(started.elapsed()),
        );
    }
    out
}

/// Every probe of one module.
fn module(p: Probe<'_>, version: Option<&str>, summed: bool) -> Vec<Check> {
    let (mut repo, mut lookups) = std::thread::scope(|sc| {
        let lookups = sc.spawn(move || {
            let (proxy, found) = lookup::proxy(p, version);
            // go stops at the proxy's failure (a final "not found" too: only
            // a `direct` after it goes on), so it never gets to verifying.
            if proxy.status == Status::Problem {
                let skip = p.skip("module.sumdb", t!(p.lang, probe_sumdb_skip_after_proxy));
                return vec![proxy, skip];
            }
            let v = version.map(str::to_owned).or(found.version);
            vec![proxy, lookup::sumdb(p, v.as_deref(), summed)]
        });
        (repository(p, version), lookups.join().unwrap_or_default())
    });
    // The repository does not exist: the proxy's "not found" says the same.
    let missing = repo
        .iter()
        .any(|c| c.id == "module.ls-remote" && c.diagnosis == Some("repo-not-found"));
    for c in lookups.iter_mut().filter(|_| missing) {
        if c.diagnosis == Some("private-module-via-proxy") {
            c.detail.push(t!(p.lang, probe_repo_missing_too));
        }
    }
    repo.extend(lookups);
    repo
}

/// The repository chain: each step's check goes to the list; a step that
/// stops the chain ends it with `git ls-remote` skipped.
fn repository(p: Probe<'_>, version: Option<&str>) -> Vec<Check> {
    let mut out = Vec::new();
    match repository_steps(p, version, &mut out) {
        Ok(last) => out.push(last),
        Err(failed) => {
            out.push(*failed);
            out.push(p.skip("module.ls-remote", t!(p.lang, probe_ls_remote_skipped)));
        }
    }
    out
}

/// The steps of [`repository`]: `Ok` is its last check, `Err` the check
/// of the step that failed.
fn repository_steps(
    p: Probe<'_>,
    version: Option<&str>,
    out: &mut Vec<Check>,
) -> Result<Check, Box<Check>> {
    let (ctx, lang) = (p.ctx, p.lang);
    let id = "module.ls-remote";
    let (root, c) = resolve_root(p)?;
    out.push(c);
    if root.vcs == "mod" {
        let url = redact_owned(&root.url);
        return Ok(p.skip(id, t!(lang, probe_git_not_used_mod, url)));
    }
    if root.vcs != "git" {
        return Ok(p.skip(id, t!(lang, probe_vcs_not_probed, vcs = root.vcs)));
    }
    let rewrites = ctx.m.git.rewrites();
    let effective = match gitcfg::rewrite(&root.url, &rewrites) {
        Some((new, rule)) => {
            let mut c = p
                .ok("module.rewrite", t!(lang, probe_rewrite, new))
                .detail(format!(
                    "url.\"{}\".insteadOf \"{}\"",
                    rule.base, rule.prefix
                ));
            if rule.has_credential() {
                c.status = Status::Warn;
                c = c.detail(t!(lang, probe_rewrite_credential));
            }
            out.push(c);
            new
        }
        None => root.url.clone(),
    };
    let Some(git) = ctx.m.git.path.clone() else {
        return Ok(p
            .problem(id, t!(lang, probe_no_git))
            .diagnosis("git-not-found"));
    };
    // Where git connects (host, port, is ssh, through which proxy), if
    // doctor can tell, and the SSH destination to check.
    let (endpoint, ssh_target) = match gitcfg::classify(&effective) {
        Remote::Http(u) => match git_proxy(ctx.m, &effective) {
            Some(proxy) => (
                http::Url::parse(&http::with_scheme(&proxy))
                    .map(|pu| (pu.host, pu.port, false, Some(proxy))),
                None,
            ),
            None => (Some((u.host, u.port, false, None)), None),
        },
        Remote::Ssh(t) => {
            let cfg = ssh_config(ctx, &t).ok();
            let endpoint = cfg
                .as_ref()
                .filter(|c| c.proxy.is_none())
                .map(|c| (c.hostname.clone(), c.port, true, None));
            (endpoint, Some((t, cfg)))
        }
        Remote::Git { host, port } => (Some((host, port, false, None)), None),
        Remote::Other => (None, None),
    };
    if let Some((host, port, is_ssh, via)) = endpoint {
        reach(p, out, &host, port, is_ssh, via.as_deref())?;
    }
    if let Some((t, cfg)) = &ssh_target {
        out.push(ssh_check(p, t, cfg.as_ref())?);
    }
    Ok(ls_remote(p, &git, &root, &effective, version))
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
fn resolve_root(p: Probe<'_>) -> Result<(RepoRoot, Check), Box<Check>> {
    let (ctx, lang, path) = (p.ctx, p.lang, p.arg.path.as_str());
    let id = "module.repo";
    match resolve::static_root(path) {
        Some(Ok(root)) => {
            let how = match root.source {
                Source::KnownHost(host) => t!(lang, probe_repo_known_host, host),
                _ => t!(lang, probe_repo_dot_git),
            };
            let c = p.ok(id, t!(lang, probe_repo_static, how, url = root.url));
            return Ok((root, c));
        }
        Some(Err(e)) => return Err(Box::new(p.problem(id, e).diagnosis("go-import-meta"))),
        None => {}
    }
    let page = format!("https://{path}?go-get=1");
    let started = Instant::now();
    let insecure = ctx
        .s
        .env
        .get("GOINSECURE")
        .is_some_and(|g| match_prefix_patterns(g, path));
    let mut answer = ctx.fetch(&page);
    let mut used = page;
    if insecure && matches!(&answer, Err(e) if e.stage != Stage::Http) {
        // GOINSECURE: plain http only when https failed at the transport level.
        used = format!("http://{path}?go-get=1");
        answer = ctx.client.get(&used, None, Instant::now() + ctx.timeout);
    }
    let r = answer.map_err(|e| {
        let c = p.net_failure(id, &e, &used, "go-import: ");
        Box::new(
            c.detail(t!(lang, probe_repo_meta_why))
                .elapsed(started.elapsed()),
        )
    })?;
    let shown = redact_owned(&used);
    match resolve::match_meta(&resolve::parse_meta(&r.body_text()), path) {
        Ok(mut root) => {
            root.source = Source::MetaTag(used.clone());
            let (vcs, url) = (&root.vcs, redact_owned(&root.url));
            let c = p
                .ok(id, t!(lang, probe_repo_meta, vcs, url, root = root.root))
                .detail(format!("GET {shown}: {} {}", r.status, r.reason))
                .elapsed(started.elapsed());
            Ok((root, c))
        }
        Err(e) => {
            let diag = match r.status {
                404 | 410 => "repo-not-found",
                _ => "go-import-meta",
            };
            let summary = if r.status == 200 {
                format!("{shown}: {e}")
            } else {
                format!("reading {shown}: {}", r.answer())
            };
            let fixes = ctx.fixes(diag, &[("module", path), ("url", &used)], ALL);
            Err(Box::new(
                p.problem(id, summary)
                    .diagnosis(diag)
                    .fixes(fixes)
                    .elapsed(started.elapsed()),
            ))
        }
    }
}

/// DNS and TCP to where git connects: their checks go to `out`, `Err` is
/// the one that failed.
fn reach(
    p: Probe<'_>,
    out: &mut Vec<Check>,
    host: &str,
    port: u16,
    ssh: bool,
    via: Option<&str>,
) -> Result<(), Box<Check>> {
    let (ctx, lang) = (p.ctx, p.lang);
    let what = via.map_or_else(
        || host.to_owned(),
        |proxy| t!(lang, probe_via_proxy, proxy = redact_owned(proxy)),
    );
    // The diagnosis of a failed step: the proxy's when there is one.
    let diagnosis = |e: &HttpError, default| match via {
        Some(_) => "proxy-failure",
        None => diagnosis_of(e, ssh).unwrap_or(default),
    };
    let started = Instant::now();
    let addrs = http::resolve(host, port, Instant::now() + ctx.timeout).map_err(|e| {
        let d = diagnosis(&e, "dns-resolution-failed");
        let error = e.message;
        Box::new(
            p.problem("module.dns", t!(lang, probe_dns_failed, what, error))
                .diagnosis(d)
                .fixes(ctx.fixes(d, &[("host", host)], 3))
                .elapsed(started.elapsed()),
        )
    })?;
    let shown: Vec<String> = addrs.iter().take(3).map(|a| a.ip().to_string()).collect();
    let addrs_shown = shown.join(", ");
    out.push(
        p.ok(
            "module.dns",
            t!(lang, probe_dns_ok, host, addrs = addrs_shown),
        )
        .elapsed(started.elapsed()),
    );
    let started = Instant::now();
    match http::connect(&addrs, host, port, Instant::now() + ctx.timeout) {
        Ok(_) => {
            let c = p.ok("module.tcp", t!(lang, probe_tcp_ok, what, port));
            out.push(c.elapsed(started.elapsed()));
            Ok(())
        }
        Err(e) => {
            let d = diagnosis(&e, "network-connect-failed");
            let values = [("host", host), ("port", &port.to_string())];
            let error = e.message;
            Err(Box::new(
                p.problem("module.tcp", t!(lang, probe_tcp_failed, what, port, error))
                    .diagnosis(d)
                    .fixes(ctx.fixes(d, &values, 3))
                    .elapsed(started.elapsed()),
            ))
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
    let user = t.user.as_deref();
    super::ssh::host_config(ssh, user, &t.host, t.port, super::local_timeout())
}

/// The lines of a failed run's output to show: its last `n`, without the
/// one the diagnosis quotes as its evidence.
fn output_tail(text: &str, n: usize, named: Option<&vcs::Named>) -> Vec<String> {
    let evidence = named.and_then(|n| n.evidence.as_deref());
    vcs::tail(text, n)
        .into_iter()
        .filter(|t| Some(t.trim()) != evidence)
        .collect()
}

/// `ssh -T`: `Ok` when authenticated (or not checkable), `Err` to stop the chain.
fn ssh_check(
    p: Probe<'_>,
    t: &gitcfg::SshTarget,
    cfg: Option<&super::ssh::HostConfig>,
) -> Result<Check, Box<Check>> {
    let (ctx, lang) = (p.ctx, p.lang);
    let id = "module.ssh";
    let dest = t.destination();
    let shown = match t.port {
        Some(port) => format!("ssh -T -p {port} {dest}"),
        None => format!("ssh -T {dest}"),
    };
    let host = cfg.map_or(t.host.as_str(), |c| c.hostname.as_str());
    let gate = ctx.gate(&format!("ssh {host}"));
    let mut state = gate.lock().unwrap_or_else(|p| p.into_inner());
    match *state {
        Gate::Authenticated => {
            return Ok(p.ok(id, t!(lang, probe_ssh_authenticated_above, shown)));
        }
        Gate::Refused(prev) => {
            let host = &t.host;
            let c = p.skip(id, t!(lang, probe_ssh_skip_refused, shown, prev, host));
            return Err(Box::new(c));
        }
        Gate::Untried => {}
    }
    let out = vcs::ssh_t(ctx.m, &dest, t.port, ctx.timeout)
        .map_err(|e| Box::new(p.problem(id, format!("{shown}: {e}"))))?;
    if out.timed_out {
        let timeout = ctx.timeout.as_secs_f64();
        return Err(Box::new(
            p.problem(id, t!(lang, probe_no_answer_within, shown, timeout))
                .diagnosis("ssh-connect-failed")
                .fixes(ctx.fixes("ssh-connect-failed", &[("host", &t.host)], 2))
                .elapsed(out.elapsed),
        ));
    }
    let text = format!("{}\n{}", out.stderr, out.stdout);
    if out.ok {
        *state = Gate::Authenticated;
        return Ok(p
            .ok(id, t!(lang, probe_ssh_authenticated, shown))
            .details(vcs::tail(&text, 1))
            .elapsed(out.elapsed));
    }
    let values = [("host", t.host.as_str()), ("module", p.arg.path.as_str())];
    let named = vcs::classify(&text, &values, ctx.m, lang);
    let mut c = p
        .problem(id, t!(lang, probe_failed, shown))
        .elapsed(out.elapsed)
        .details(output_tail(&text, 4, named.as_ref()));
    if let Some(n) = named {
        if CREDENTIAL_REFUSED.contains(&n.id) {
            *state = Gate::Refused(n.id);
        }
        c.summary = format!("{shown}: {}", n.evidence.as_deref().unwrap_or(n.id));
        c = c.diagnosis(n.id).fixes(n.fixes);
    }
    Err(Box::new(c))
}

fn ls_remote(
    p: Probe<'_>,
    git: &std::path::Path,
    root: &RepoRoot,
    effective: &str,
    version: Option<&str>,
) -> Check {
    let (ctx, lang, path) = (p.ctx, p.lang, p.arg.path.as_str());
    let url = root.url.as_str();
    let id = "module.ls-remote";
    let shown = format!("git ls-remote {}", redact_owned(url));
    let host = crate::diagnose::context::url_host(effective).unwrap_or_default();
    let gate = ctx.gate(&format!("git {host}"));
    let mut state = gate.lock().unwrap_or_else(|p| p.into_inner());
    if let Gate::Refused(prev) = *state {
        return p.skip(
            id,
            t!(lang, probe_ls_remote_skip_refused, shown, host, prev),
        );
    }
    let out = match vcs::ls_remote(ctx.m, git, url, ctx.timeout) {
        Ok(o) => o,
        Err(e) => return p.problem(id, format!("{shown}: {e}")),
    };
    if out.timed_out {
        let d = match gitcfg::classify(effective) {
            Remote::Ssh(_) => "ssh-connect-failed",
            _ => "network-connect-failed",
        };
        let timeout = ctx.timeout.as_secs_f64();
        return p
            .problem(id, t!(lang, probe_no_answer_within, shown, timeout))
            .details(vcs::tail(&out.stderr, 3))
            .diagnosis(d)
            .fixes(ctx.fixes(d, &[("host", &host)], 2))
            .elapsed(out.elapsed);
    }
    if out.ok {
        let refs = out.stdout.lines().filter(|l| !l.trim().is_empty()).count();
        let c = p.ok(id, t!(lang, probe_ls_remote_refs, shown, refs));
        let Some(v) = version.filter(|v| !v.contains("-0.") && !v.contains("+incompatible")) else {
            return c.elapsed(out.elapsed);
        };
        let tag = tag_for(path, &root.root, v);
        if vcs::has_tag(&out.stdout, &tag) {
            return c
                .elapsed(out.elapsed)
                .detail(t!(lang, probe_tag_found, tag));
        }
        let values = [("module", path), ("version", v), ("url", url)];
        return p
            .problem(
                id,
                t!(lang, probe_tag_missing, shown, tag, version = v, path),
            )
            .diagnosis("unknown-revision")
            .fixes(ctx.fixes("unknown-revision", &values, ALL))
            .elapsed(out.elapsed);
    }
    let values = [("module", path), ("url", url), ("host", host.as_str())];
    let named = vcs::classify(&out.stderr, &values, ctx.m, lang);
    let mut c = p
        .problem(id, t!(lang, probe_failed, shown))
        .details(output_tail(&out.stderr, 4, named.as_ref()))
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
